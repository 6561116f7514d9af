import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { sha256 } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { truncateIp, truncateUserAgent } from '../../lib/evidence.ts';
import { newId } from '../../lib/ids.ts';
import { randomHex } from '../../lib/random.ts';
import type { ConsentLedgerTable } from './consent.table.ts';
import { toEntry, type ChangeContext, type EntryKind, type LedgerEntry } from './consent.model.ts';
import { ChainVerifier, contentHash, entryHash, type ChainProblem } from './ledger.chain.ts';
import * as q from './ledger.queries.ts';

export interface EntryDraft {
  contactId: string;
  kind: EntryKind;
  listId?: string | null;
  oldValue: number | null;
  newValue: number | null;
  ctx: ChangeContext;
}

export const MAX_NOTICE = 20_000;

/**
 * The consent ledger: append-only, one hash chain in `seq` order, with the head stored apart
 * so a removed newest entry is noticed. Appends happen inside the caller's transaction, so an
 * entry exists exactly when the change it records does.
 */
export class LedgerService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Stores a notice text once (by hash) and returns its id and hash. */
  async putNotice(text: string, trx: Kysely<Database> = this.db.kysely): Promise<{ id: string; hash: string }> {
    if (!text.trim() || text.length > MAX_NOTICE) throw new AppError('validation_failed', `a notice has 1 to ${MAX_NOTICE} characters`, [{ path: '/notice', message: 'invalid length' }]);
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
    for (const d of drafts) {
      const key = typeof d.ctx.notice === 'string' ? `t:${d.ctx.notice}` : d.ctx.notice ? `i:${d.ctx.notice.id}` : '';
      if (!notices.has(key)) notices.set(key, await this.noticeHash(trx, d.ctx.notice));
    }
    const head = await q.lockHead(trx, now);
    let seq = head.seq;
    let prev = head.entry_hash;
    const rows: ConsentLedgerTable[] = [];
    for (const d of drafts) {
      seq++;
      const key = typeof d.ctx.notice === 'string' ? `t:${d.ctx.notice}` : d.ctx.notice ? `i:${d.ctx.notice.id}` : '';
      const content = {
        id: newId(),
        seq,
        contact_id: d.contactId,
        kind: d.kind,
        list_id: d.listId ?? null,
        old_value: d.oldValue,
        new_value: d.newValue,
        source: d.ctx.source,
        actor_type: d.ctx.actor.type,
        actor_id: d.ctx.actor.id,
        notice_hash: notices.get(key) ?? null,
        evidence_ip: truncateIp(d.ctx.evidence?.ip),
        evidence_ua: truncateUserAgent(d.ctx.evidence?.userAgent),
        // Makes each content hash unguessable, so a stub's hash cannot confirm a guess.
        nonce: randomHex(16),
        at: now,
      };
      const cHash = contentHash(content);
      const eHash = entryHash(seq, prev, cHash);
      rows.push({ ...content, content_hash: cHash, prev_hash: prev, entry_hash: eHash, erased_at: null });
      prev = eHash;
    }
    await q.insertEntries(trx, this.db, rows);
    await q.setHead(trx, seq, prev, now);
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
    return q.stubContactsEntries(trx, [contactId], this.clock.now().toISOString());
  }

  /** Erasure of a batch of people: one statement for all their entries. */
  async stubContacts(trx: Kysely<Database>, contactIds: string[]): Promise<number> {
    return q.stubContactsEntries(trx, contactIds, this.clock.now().toISOString());
  }

  /** Walks the whole chain in batches; returns the first problem, or null and the counts. */
  async verify(batch = 5000): Promise<{ ok: boolean; checked: number; stubs: number; problem: ChainProblem | null }> {
    const v = new ChainVerifier();
    let after = 0;
    for (;;) {
      const rows = await q.entriesAfter(this.db.kysely, after, batch);
      const problem = v.feed(rows);
      if (problem) return { ok: false, checked: v.checked, stubs: v.stubs, problem };
      if (rows.length < batch) break;
      after = Number(rows[rows.length - 1]!.seq);
    }
    const problem = v.finish(await q.readHead(this.db.kysely));
    return { ok: problem === null, checked: v.checked, stubs: v.stubs, problem };
  }
}
