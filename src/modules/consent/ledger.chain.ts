import { hmac, safeEqual, sha256 } from '../../lib/crypto.ts';
import type { ConsentLedgerTable } from './consent.table.ts';

const GENESIS = '0'.repeat(64);

/** The fields a version 1 content hash covers, in a fixed order (entries written before migration 0008). */
const CONTENT_FIELDS_V1 = [
  'id',
  'seq',
  'contact_id',
  'kind',
  'list_id',
  'old_value',
  'new_value',
  'source',
  'actor_type',
  'actor_id',
  'notice_hash',
  'evidence_ip',
  'evidence_ua',
  'nonce',
  'at',
] as const;
/** Version 2 adds text values and an erasure record's cover. Migration 0008 computes it inline: keep the two alike. */
const CONTENT_FIELDS_V2 = [...CONTENT_FIELDS_V1, 'old_text', 'new_text', 'covers'] as const;
/** Version 3 adds imported history: the original time and source another system recorded. */
const CONTENT_FIELDS_V3 = [...CONTENT_FIELDS_V2, 'original_at', 'original_source'] as const;
/** Fields only version 2 covers: a version 1 entry must not hold them, or they would go unchecked. */
const V2_ONLY = ['old_text', 'new_text', 'covers'] as const;
/** Fields only version 3 covers: an older entry must not hold them. */
const V3_ONLY = ['original_at', 'original_source'] as const;
export const CONTENT_VERSION = 3;

export type LedgerContent = Pick<ConsentLedgerTable, (typeof CONTENT_FIELDS_V2)[number] | 'hash_version'> &
  Partial<Pick<ConsentLedgerTable, (typeof V3_ONLY)[number]>>;

/**
 * The content hash covers every field, including a random nonce, so a stub's remaining hash
 * cannot be used to confirm a guess about the erased content. Each entry says which version
 * computed it, so entries written before a field existed keep their hashes.
 */
export function contentHash(e: LedgerContent): string {
  if (Number(e.hash_version) === 1) return sha256(JSON.stringify(['v1', ...CONTENT_FIELDS_V1.map((f) => e[f] ?? null)]));
  if (Number(e.hash_version) === 2) return sha256(JSON.stringify(['v2', ...CONTENT_FIELDS_V2.map((f) => e[f] ?? null)]));
  return sha256(JSON.stringify(['v3', ...CONTENT_FIELDS_V3.map((f) => e[f] ?? null)]));
}

/** The link: sequence number, previous entry's hash and this entry's content hash. */
export function entryHash(seq: number, prevHash: string, cHash: string): string {
  return sha256(`v1|${seq}|${prevHash}|${cHash}`);
}

/** The head's MAC under the ledger key: the database never holds the key, so it cannot forge this. */
export function headMac(key: Buffer, seq: number, hash: string): string {
  return hmac(key, `assent-ledger-head|v1|${seq}|${hash}`);
}

/** A head as an operator keeps it elsewhere: `SEQ:HASH`. */
export interface Anchor {
  seq: number;
  hash: string;
}

export function formatAnchor(a: Anchor): string {
  return `${a.seq}:${a.hash}`;
}

export function parseAnchor(s: string): Anchor | null {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(s.trim());
  return m ? { seq: Number(m[1]), hash: m[2]! } : null;
}

/** Ascending, distinct seqs as the `covers` of an erasure record: JSON `[[from, to], …]`. */
export function encodeCovers(seqs: number[]): string {
  const out: [number, number][] = [];
  for (const s of [...new Set(seqs)].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return JSON.stringify(out);
}

function decodeCovers(s: string | null): [number, number][] | null {
  if (s === null) return null;
  try {
    const v: unknown = JSON.parse(s);
    if (!Array.isArray(v) || v.length === 0) return null;
    for (const r of v)
      if (!Array.isArray(r) || r.length !== 2 || !Number.isSafeInteger(r[0]) || !Number.isSafeInteger(r[1]) || r[0] < 1 || r[1] < r[0])
        return null;
    return v as [number, number][];
  } catch {
    return null;
  }
}

export type ProblemKind =
  | 'content_altered'
  | 'hash_mismatch'
  | 'broken_link'
  | 'missing_entry'
  | 'out_of_order'
  | 'head_mismatch'
  | 'stub_with_content'
  /** A stub no erasure record covers: an entry made to look erased. */
  | 'stub_uncovered'
  /** An erasure record that names entries which are not stubs, or is malformed. */
  | 'cover_mismatch'
  /** A ledger key is configured but the head carries no MAC (removed, or written by a process without the key). */
  | 'head_unauthenticated'
  | 'head_mac_mismatch'
  /** The head carries a MAC but this process has no ledger key to check it. */
  | 'head_key_missing'
  /** The anchor (`--head`) lies beyond the ledger's newest entry: entries were removed. */
  | 'anchor_missing'
  | 'anchor_mismatch'
  | 'notice_altered'
  | 'notice_missing';

export interface ChainProblem {
  /** The entry at fault (for a notice, the first entry that cites it; 0 for none). */
  seq: number;
  /** The entry's id, or the notice's id for notice problems; null when there is none. */
  id: string | null;
  problem: ProblemKind;
}

export interface HeadRow {
  seq: number | string;
  entry_hash: string;
  mac: string | null;
}

/**
 * Checks entries streamed in seq order, carrying the state across batches. A stub (erased
 * entry) has lost its content: its content hash is taken as stored, its place in the chain is
 * still checked through the link hashes on both sides, and a later erasure record must name it.
 */
export class ChainVerifier {
  private prev = GENESIS;
  private expectSeq = 1;
  private lastSeq = 0;
  /** Stubs no erasure record has named yet, by seq. */
  private readonly uncovered = new Map<number, string>();
  /** Each cited notice hash and the first entry citing it. */
  readonly notices = new Map<string, number>();
  private anchorSeen = false;
  checked = 0;
  stubs = 0;
  erasures = 0;

  constructor(private readonly anchor: Anchor | null = null) {
    if (anchor?.seq === 0) this.anchorSeen = anchor.hash === GENESIS;
  }

  feed(rows: ConsentLedgerTable[]): ChainProblem | null {
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq < this.expectSeq) return { seq, id: r.id, problem: 'out_of_order' };
      if (seq > this.expectSeq) return { seq: this.expectSeq, id: null, problem: 'missing_entry' };
      if (r.prev_hash !== this.prev) return { seq, id: r.id, problem: 'broken_link' };
      if (r.erased_at) {
        if (
          r.contact_id !== null ||
          r.nonce !== null ||
          r.evidence_ip !== null ||
          r.evidence_ua !== null ||
          V2_ONLY.some((f) => r[f] !== null) ||
          V3_ONLY.some((f) => (r[f] ?? null) !== null)
        )
          return { seq, id: r.id, problem: 'stub_with_content' };
        this.uncovered.set(seq, r.id);
        this.stubs++;
      } else {
        const version = Number(r.hash_version);
        if (
          (version !== 1 && version !== 2 && version !== CONTENT_VERSION) ||
          (version === 1 && V2_ONLY.some((f) => r[f] !== null)) ||
          (version < 3 && V3_ONLY.some((f) => (r[f] ?? null) !== null)) ||
          contentHash(r) !== r.content_hash
        )
          return { seq, id: r.id, problem: 'content_altered' };
        if (r.kind === 'erasure' && !this.cover(r)) return { seq, id: r.id, problem: 'cover_mismatch' };
        if (r.notice_hash && !this.notices.has(r.notice_hash)) this.notices.set(r.notice_hash, seq);
      }
      if (entryHash(seq, r.prev_hash, r.content_hash) !== r.entry_hash) return { seq, id: r.id, problem: 'hash_mismatch' };
      if (this.anchor && seq === this.anchor.seq) {
        if (r.entry_hash !== this.anchor.hash) return { seq, id: r.id, problem: 'anchor_mismatch' };
        this.anchorSeen = true;
      }
      this.prev = r.entry_hash;
      this.lastSeq = seq;
      this.expectSeq = seq + 1;
      this.checked++;
    }
    return null;
  }

  /** An erasure record names only stubs before it that no other record named. */
  private cover(r: ConsentLedgerTable): boolean {
    const ranges = decodeCovers(r.covers);
    if (!ranges || r.contact_id !== null) return false;
    let named = 0;
    for (const [from, to] of ranges) named += to - from + 1;
    // Bounded by the stubs waiting, whatever a forged range claims.
    if (named > this.uncovered.size) return false;
    for (const [from, to] of ranges) {
      for (let s = from; s <= to; s++) if (!this.uncovered.delete(s)) return false;
    }
    this.erasures++;
    return true;
  }

  /**
   * After the last entry: every stub covered, the stored head equal to the newest entry and
   * authenticated when a key is configured, and the anchor (if any) found in the chain.
   */
  finish(head: HeadRow, key: Buffer | null): ChainProblem | null {
    const first = this.uncovered.entries().next();
    if (!first.done) return { seq: first.value[0], id: first.value[1], problem: 'stub_uncovered' };
    const headSeq = Number(head.seq);
    if (headSeq !== this.lastSeq || head.entry_hash !== this.prev) {
      return headSeq > this.lastSeq
        ? { seq: this.lastSeq + 1, id: null, problem: 'missing_entry' }
        : { seq: headSeq, id: null, problem: 'head_mismatch' };
    }
    const mac = this.headMac(head, key);
    if (mac) return mac;
    if (this.anchor && !this.anchorSeen)
      return { seq: this.anchor.seq, id: null, problem: this.anchor.seq > this.lastSeq ? 'anchor_missing' : 'anchor_mismatch' };
    return null;
  }

  private headMac(head: HeadRow, key: Buffer | null): ChainProblem | null {
    const seq = Number(head.seq);
    if (!key) return head.mac === null ? null : { seq, id: null, problem: 'head_key_missing' };
    // An empty ledger has nothing to vouch for; emptying one is a rollback, which only an anchor shows.
    if (head.mac === null) return seq === 0 ? null : { seq, id: null, problem: 'head_unauthenticated' };
    return safeEqual(head.mac, headMac(key, seq, head.entry_hash)) ? null : { seq, id: null, problem: 'head_mac_mismatch' };
  }
}

/** Whether the stored head's MAC is valid under the key (what an append checks before vouching for the next head). */
export function headAuthentic(head: HeadRow, key: Buffer): boolean {
  return head.mac !== null && safeEqual(head.mac, headMac(key, Number(head.seq), head.entry_hash));
}
