import { sha256 } from '../../lib/crypto.ts';
import type { ConsentLedgerTable } from './consent.table.ts';

export const GENESIS = '0'.repeat(64);

/** The fields an entry's content hash covers, in a fixed order (version 1). */
const CONTENT_FIELDS = ['id', 'seq', 'contact_id', 'kind', 'list_id', 'old_value', 'new_value', 'source', 'actor_type', 'actor_id', 'notice_hash', 'evidence_ip', 'evidence_ua', 'nonce', 'at'] as const;

export type LedgerContent = Pick<ConsentLedgerTable, (typeof CONTENT_FIELDS)[number]>;

/**
 * The content hash covers every field, including a random nonce, so a stub's remaining hash
 * cannot be used to confirm a guess about the erased content.
 */
export function contentHash(e: LedgerContent): string {
  return sha256(JSON.stringify(['v1', ...CONTENT_FIELDS.map((f) => e[f] ?? null)]));
}

/** The link: sequence number, previous entry's hash and this entry's content hash. */
export function entryHash(seq: number, prevHash: string, cHash: string): string {
  return sha256(`v1|${seq}|${prevHash}|${cHash}`);
}

export interface ChainProblem {
  seq: number;
  id: string | null;
  problem: 'content_altered' | 'hash_mismatch' | 'broken_link' | 'missing_entry' | 'out_of_order' | 'head_mismatch' | 'stub_with_content';
}

/**
 * Checks entries streamed in seq order, carrying the state across batches. A stub (erased
 * entry) has lost its content: its content hash is taken as stored, and its place in the chain
 * is still checked through the link hashes on both sides.
 */
export class ChainVerifier {
  private prev = GENESIS;
  private expectSeq = 1;
  private lastSeq = 0;
  checked = 0;
  stubs = 0;

  feed(rows: ConsentLedgerTable[]): ChainProblem | null {
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq < this.expectSeq) return { seq, id: r.id, problem: 'out_of_order' };
      if (seq > this.expectSeq) return { seq: this.expectSeq, id: null, problem: 'missing_entry' };
      if (r.prev_hash !== this.prev) return { seq, id: r.id, problem: 'broken_link' };
      if (r.erased_at) {
        if (r.contact_id !== null || r.nonce !== null || r.evidence_ip !== null || r.evidence_ua !== null) return { seq, id: r.id, problem: 'stub_with_content' };
        this.stubs++;
      } else if (contentHash(r) !== r.content_hash) {
        return { seq, id: r.id, problem: 'content_altered' };
      }
      if (entryHash(seq, r.prev_hash, r.content_hash) !== r.entry_hash) return { seq, id: r.id, problem: 'hash_mismatch' };
      this.prev = r.entry_hash;
      this.lastSeq = seq;
      this.expectSeq = seq + 1;
      this.checked++;
    }
    return null;
  }

  finish(head: { seq: number; entry_hash: string }): ChainProblem | null {
    if (Number(head.seq) !== this.lastSeq || head.entry_hash !== this.prev) {
      return Number(head.seq) > this.lastSeq ? { seq: this.lastSeq + 1, id: null, problem: 'missing_entry' } : { seq: Number(head.seq), id: null, problem: 'head_mismatch' };
    }
    return null;
  }
}
