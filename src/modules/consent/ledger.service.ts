import type { Kysely } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { sha256 } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { truncateIp, truncateUserAgent } from '../../lib/evidence.ts';
import { newId } from '../../lib/ids.ts';
import { randomHex } from '../../lib/random.ts';
import type { ConsentLedgerTable } from './consent.table.ts';
import { toEntry, type ChangeContext, type EntryKind, type LedgerEntry } from './consent.model.ts';
import {
  ChainVerifier,
  CONTENT_VERSION,
  contentHash,
  encodeCovers,
  entryHash,
  headAuthentic,
  headMac,
  type Anchor,
  type ChainProblem,
  type HeadRow,
} from './ledger.chain.ts';
import * as q from './ledger.queries.ts';
import type { EventLog } from '../events/module.ts';

export interface EntryDraft {
  contactId: string;
  kind: EntryKind;
  listId?: string | null;
  oldValue: number | null;
  newValue: number | null;
  /** Values that are not small integers (a birth date, a guardian link). */
  oldText?: string | null;
  newText?: string | null;
  ctx: ChangeContext;
  /** History from another system (an import): when and where it recorded this change. */
  imported?: ImportedHistory;
}

/** What another system recorded about a consent: its time (ISO-8601 UTC) and its source, as free text. */
export interface ImportedHistory {
  at: string;
  source: string | null;
}

/** An entry's content before it takes its place in the chain. */
type Content = Omit<ConsentLedgerTable, 'seq' | 'content_hash' | 'prev_hash' | 'entry_hash' | 'erased_at'>;

export interface VerifyResult {
  ok: boolean;
  checked: number;
  stubs: number;
  /** Erasure records, each covering the stubs one erasure made. */
  erasures: number;
  /** Notices whose text was hashed again. */
  notices: number;
  problem: ChainProblem | null;
  /** The stored head, as `--head` takes it: keep it elsewhere to catch a later rollback. */
  head: Anchor;
  /** Whether the head's MAC was checked and valid (false when no ledger key is configured). */
  authenticated: boolean;
}

const MAX_NOTICE = 20_000;

/**
 * The consent ledger: append-only, one hash chain in `seq` order, with the head stored apart
 * so a removed newest entry is noticed, and authenticated under a key the database never holds
 * so the head cannot be rewritten to match a shortened chain. Appends happen inside the
 * caller's transaction, so an entry exists exactly when the change it records does.
 */
export class LedgerService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** The ledger key (see LedgerKey), or null when none is configured. */
    private readonly key: () => Buffer | null = () => null,
    /** Where each change is announced (consent.changed); none in a bare ledger (benchmarks). */
    private readonly events?: Pick<EventLog, 'publish'>,
  ) {}

  /** Stores a notice text once (by hash) and returns its id and hash. */
  async putNotice(text: string, trx: Kysely<Database> = this.db.kysely): Promise<{ id: string; hash: string }> {
    if (!text.trim() || text.length > MAX_NOTICE)
      throw new AppError('validation_failed', `a notice has 1 to ${MAX_NOTICE} characters`, [
        { path: '/notice', message: 'invalid length' },
      ]);
    const hash = sha256(text);
    const existing = await q.noticeByHash(trx, hash);
    if (existing) return { id: existing.id, hash };
    await q.insertNotice(trx, { id: newId(), hash, text, created_at: this.clock.now().toISOString() });
    const row = await q.noticeByHash(trx, hash);
    return { id: row!.id, hash };
  }

  async getNotice(id: string): Promise<{ id: string; hash: string; text: string; createdAt: string }> {
    const r = await q.noticeById(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such notice');
    return { id: r.id, hash: r.hash, text: r.text, createdAt: r.created_at };
  }

  private async noticeHash(trx: Kysely<Database>, notice: ChangeContext['notice']): Promise<string | null> {
    if (notice === undefined) return null;
    if (typeof notice === 'string') return (await this.putNotice(notice, trx)).hash;
    const r = await q.noticeById(trx, notice.id);
    if (!r) throw new AppError('not_found', 'no such notice', [{ path: '/notice/id', message: 'unknown notice' }]);
    return r.hash;
  }

  /** Appends entries in order. Call inside the transaction that makes the change. */
  async append(trx: Kysely<Database>, drafts: EntryDraft[]): Promise<ConsentLedgerTable[]> {
    if (drafts.length === 0) return [];
    const now = this.clock.now().toISOString();
    const notices = new Map<string, string | null>();
    const keyOf = (d: EntryDraft) => (typeof d.ctx.notice === 'string' ? `t:${d.ctx.notice}` : d.ctx.notice ? `i:${d.ctx.notice.id}` : '');
    for (const d of drafts) if (!notices.has(keyOf(d))) notices.set(keyOf(d), await this.noticeHash(trx, d.ctx.notice));
    const contents: Content[] = drafts.map((d) => ({
      id: newId(),
      contact_id: d.contactId,
      kind: d.kind,
      list_id: d.listId ?? null,
      old_value: d.oldValue,
      new_value: d.newValue,
      old_text: d.oldText ?? null,
      new_text: d.newText ?? null,
      covers: null,
      original_at: d.imported?.at ?? null,
      original_source: d.imported?.source ?? null,
      source: d.ctx.source,
      actor_type: d.ctx.actor.type,
      actor_id: d.ctx.actor.id,
      notice_hash: notices.get(keyOf(d)) ?? null,
      evidence_ip: truncateIp(d.ctx.evidence?.ip),
      evidence_ua: truncateUserAgent(d.ctx.evidence?.userAgent),
      // Makes each content hash unguessable, so a stub's hash cannot confirm a guess.
      nonce: randomHex(16),
      at: now,
      hash_version: CONTENT_VERSION,
    }));
    // Every consent change is an entry: one event per contact, naming the kinds of what changed,
    // its source, and its first entry and their number (a contact's entries of one append are
    // consecutive in its history: the head lock orders appends), so a consumer (the email
    // module's consent receipts) can read exactly the entries the change made.
    if (this.events) {
      const byContact = new Map<string, { kinds: Set<string>; source: string; entry: string; entries: number }>();
      for (const c of contents) {
        const seen = byContact.get(c.contact_id!);
        if (seen) {
          seen.kinds.add(c.kind);
          seen.entries++;
        } else byContact.set(c.contact_id!, { kinds: new Set([c.kind]), source: c.source!, entry: c.id, entries: 1 });
      }
      await this.events.publish(
        trx,
        [...byContact].map(([contactId, e]) => ({
          type: 'consent.changed',
          contactId,
          fields: [...e.kinds],
          data: { source: e.source, entry: e.entry, entries: e.entries },
        })),
      );
    }
    return this.chain(trx, contents, now);
  }

  /**
   * Links contents into the chain under the head lock. The new head is vouched for (its MAC)
   * only when the head it extends was: a head whose MAC was removed or no longer matches stays
   * unauthenticated after any number of appends, until an operator has looked and sealed it.
   */
  private async chain(trx: Kysely<Database>, contents: Content[], now: string): Promise<ConsentLedgerTable[]> {
    const head = await q.lockHead(trx, now);
    let seq = Number(head.seq);
    let prev = head.entry_hash;
    const rows: ConsentLedgerTable[] = [];
    for (const content of contents) {
      seq++;
      const cHash = contentHash({ ...content, seq });
      const eHash = entryHash(seq, prev, cHash);
      rows.push({ ...content, seq, content_hash: cHash, prev_hash: prev, entry_hash: eHash, erased_at: null });
      prev = eHash;
    }
    await q.insertEntries(trx, this.db, rows);
    const key = this.key();
    const vouch = key !== null && (Number(head.seq) === 0 || headAuthentic(head, key));
    await q.setHead(trx, seq, prev, vouch ? headMac(key, seq, prev) : null, now);
    return rows;
  }

  /** Every entry of a contact, oldest first, with the notice texts. */
  async history(contactId: string): Promise<LedgerEntry[]> {
    const rows = await q.contactEntries(this.db.kysely, contactId);
    return this.withNotices(rows);
  }

  /** The newest entry of one of `kinds` at or before `at`, or null. */
  async lastAt(contactId: string, kinds: EntryKind[], at: Date): Promise<LedgerEntry | null> {
    const r = await q.lastEntryAt(this.db.kysely, contactId, kinds, at.toISOString());
    return r ? (await this.withNotices([r]))[0]! : null;
  }

  /** A contact's entries of some kinds, oldest first (without notice texts). */
  async entriesOf(contactId: string, kinds: EntryKind[]): Promise<LedgerEntry[]> {
    return (await q.contactEntriesOfKinds(this.db.kysely, contactId, kinds)).map((r) => toEntry(r, new Map()));
  }

  /** Rows as domain entries with their notice texts (pass the transaction that wrote them). */
  async toEntries(rows: ConsentLedgerTable[], trx: Kysely<Database> = this.db.kysely): Promise<LedgerEntry[]> {
    return this.withNotices(rows, trx);
  }

  private async withNotices(rows: ConsentLedgerTable[], trx: Kysely<Database> = this.db.kysely): Promise<LedgerEntry[]> {
    const hashes = [...new Set(rows.map((r) => r.notice_hash).filter((h): h is string => !!h))];
    const notices = new Map((await q.noticesByHashes(trx, hashes)).map((n) => [n.hash, n.text]));
    return rows.map((r) => toEntry(r, notices));
  }

  /** Erasure: the person's entries lose their content and keep their hashes. */
  async stubContact(trx: Kysely<Database>, contactId: string): Promise<number> {
    return this.stub(trx, [contactId]);
  }

  /** Erasure of a batch of people: one statement for all their entries. */
  async stubContacts(trx: Kysely<Database>, contactIds: string[]): Promise<number> {
    return this.stub(trx, contactIds);
  }

  /**
   * The stubs, and in the same transaction an erasure record naming them (seqs only, nothing
   * personal): verification then knows every stub an erasure made, and an entry someone wiped
   * to look erased stands out.
   */
  private async stub(trx: Kysely<Database>, contactIds: string[]): Promise<number> {
    const now = this.clock.now().toISOString();
    const seqs = await q.stubContactsEntries(trx, contactIds, now);
    if (seqs.length === 0) return 0;
    const record: Content = {
      id: newId(),
      contact_id: null,
      kind: 'erasure',
      list_id: null,
      old_value: null,
      new_value: null,
      old_text: null,
      new_text: null,
      covers: encodeCovers(seqs),
      original_at: null,
      original_source: null,
      source: 'system',
      actor_type: 'system',
      actor_id: null,
      notice_hash: null,
      evidence_ip: null,
      evidence_ua: null,
      nonce: null,
      at: now,
      hash_version: CONTENT_VERSION,
    };
    await this.chain(trx, [record], now);
    return seqs.length;
  }

  /**
   * Walks the whole chain in batches, then checks that every stub is covered by an erasure
   * record, that the stored head matches the newest entry (and its MAC, when a key is
   * configured), that `anchor` (a head kept elsewhere) is still in the chain, and that every
   * notice's text still hashes to its hash. Returns the first problem.
   */
  async verify(opts: { anchor?: Anchor | null; batch?: number; ignoreMac?: boolean } = {}): Promise<VerifyResult> {
    const batch = opts.batch ?? 5000;
    const key = this.key();
    const v = new ChainVerifier(opts.anchor ?? null);
    let head = (await q.readHead(this.db.kysely)) as HeadRow;
    const result = (problem: ChainProblem | null, notices = 0): VerifyResult => ({
      ok: problem === null,
      checked: v.checked,
      stubs: v.stubs,
      erasures: v.erasures,
      notices,
      problem,
      head: { seq: Number(head.seq), hash: head.entry_hash },
      authenticated: problem === null && key !== null && headAuthentic(head, key),
    });
    let after = 0;
    for (;;) {
      const rows = await q.entriesAfter(this.db.kysely, after, batch);
      const problem = v.feed(rows);
      if (problem) return result(problem);
      if (rows.length > 0) after = Number(rows[rows.length - 1]!.seq);
      if (rows.length === batch) continue;
      // Entries appended during the walk moved the head on: read on to it, then compare.
      head = (await q.readHead(this.db.kysely)) as HeadRow;
      if (Number(head.seq) <= after) break;
      const more = await q.entriesAfter(this.db.kysely, after, batch);
      if (more.length === 0) break;
      const p = v.feed(more);
      if (p) return result(p);
      after = Number(more[more.length - 1]!.seq);
    }
    const end = v.finish(opts.ignoreMac ? { ...head, mac: null } : head, opts.ignoreMac ? null : key);
    if (end) return result(end);
    const notices = await this.verifyNotices(v.notices, batch);
    return result(notices.problem, notices.checked);
  }

  /** Each notice's hash recomputed from its text, and every cited notice present. */
  private async verifyNotices(cited: Map<string, number>, batch: number): Promise<{ problem: ChainProblem | null; checked: number }> {
    const missing = new Map(cited);
    let checked = 0;
    let after = '';
    for (;;) {
      const rows = await q.noticesAfter(this.db.kysely, after, batch);
      for (const n of rows) {
        checked++;
        if (sha256(n.text) !== n.hash) return { problem: { seq: cited.get(n.hash) ?? 0, id: n.id, problem: 'notice_altered' }, checked };
        missing.delete(n.hash);
      }
      if (rows.length < batch) break;
      after = rows[rows.length - 1]!.id;
    }
    const first = [...missing.values()].sort((a, b) => a - b)[0];
    return { problem: first === undefined ? null : { seq: first, id: null, problem: 'notice_missing' }, checked };
  }

  /**
   * A key this process has just created (the default key file beside a SQLite database, on the
   * first start after it was introduced) has signed nothing yet: the head as it stands is sealed,
   * when it carries no MAC at all and the rest of the ledger verifies. A head that carries a MAC
   * is never re-signed here (a key file replaced behind the ledger's back stays reported), and a
   * ledger that does not verify is left for an operator.
   */
  async sealUnsigned(): Promise<boolean> {
    return (await this.seal({ unsignedOnly: true })).sealed;
  }

  /**
   * An operator's act, after looking: authenticates the head as it stands, when the whole
   * chain verifies apart from the head's MAC (a ledger from before the key was configured, or
   * one whose head was tampered with and has been investigated). Refuses when the head moved
   * meanwhile.
   */
  async seal(
    opts: { anchor?: Anchor | null; unsignedOnly?: boolean } = {},
  ): Promise<{ sealed: boolean; reason: 'sealed' | 'no_key' | 'broken' | 'moved'; verify: VerifyResult }> {
    const key = this.key();
    const verify = await this.verify({ anchor: opts.anchor ?? null, ignoreMac: true });
    if (!key) return { sealed: false, reason: 'no_key', verify };
    if (!verify.ok) return { sealed: false, reason: 'broken', verify };
    const ok = await q.sealHead(
      this.db.kysely,
      verify.head.seq,
      verify.head.hash,
      headMac(key, verify.head.seq, verify.head.hash),
      this.clock.now().toISOString(),
      { unsignedOnly: opts.unsignedOnly ?? false },
    );
    return { sealed: ok, reason: ok ? 'sealed' : 'moved', verify: ok ? { ...verify, authenticated: true } : verify };
  }
}
