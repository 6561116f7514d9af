import type { Logger } from 'pino';
import { chunks } from '../../../lib/chunks.ts';
import type { Db } from '../../database.ts';
import { retryConflicts } from '../../../db/conflict.ts';
import type { Clock } from '../../../lib/clock.ts';
import { emailKey, normaliseEmail } from '../../../lib/email.ts';
import { AppError } from '../../../lib/errors.ts';
import { newId } from '../../../lib/ids.ts';
import { sha256 } from '../../../lib/crypto.ts';
import type { AuditService } from '../../audit/module.ts';
import type { DataMap, DataMapService } from '../../datamap/module.ts';
import type { SecretService, SettingsService } from '../../settings/module.ts';
import type { TableEraser } from '../../module.ts';
import type { EventLog } from '../../events/module.ts';
import type { SuppressionService } from '../../suppression/module.ts';
import type { ErasureReceiptsTable } from '../dsr.table.ts';
import { closePendingCases, followUp, followUpFailed, redactOwnRows, redactUnownedRows } from './erasure.followup.ts';
import {
  addCounts,
  maxCounts,
  namesKnownFrom,
  planErasure,
  toReceipt,
  type ErasureOptions,
  type ErasurePhase,
  type ErasureReceipt,
  type ErasureResult,
  type ErasureTargets,
  type TablePlan,
} from './erasure.model.ts';
import * as q from './erasure.queries.ts';
import { purgeBeforeScan, removeStatSamples, tuneForErasure } from './hidden-copies.ts';
import { sqliteVerification, StoragePurgeService } from './purge.service.ts';
import { purgeStrings, termsOf } from './purge.terms.ts';
import { setReceiptStorage } from './purge.queries.ts';
import { IdentifierIndex } from './redaction.model.ts';
import { identifiersOf, mergeIdentifiers, type Identifiers } from '../residue/residue.model.ts';
import { ResidueScanner } from '../residue/residue.service.ts';
import { contactsByIds, holdEmailKeys, lockContacts, releaseEmailKeys } from '../../contact-records/module.ts';

export const ERASURE_BATCH = 500;

interface BatchOutcome {
  receipts: ErasureReceiptsTable[];
  counts: Record<string, number>;
  identifiers: Identifiers;
  contacts: number;
  contactIds: string[];
}

/** What one transaction erases: contacts by id, and addresses (with whoever holds them then). */
interface Batch {
  contactIds: string[];
  emails: string[];
}

/**
 * Erasure, driven by the data map: per batch of people one transaction deletes their rows,
 * clears the personal columns of rows that must stay, turns their ledger entries into
 * hash-only stubs, suppresses their addresses, and writes the receipt and the audit entry.
 * After the commit the storage is purged and a residue scan looks for the people's
 * identifiers everywhere; hits are recorded on the receipts and flag the cases.
 */
export class ErasureService {
  readonly scanner: ResidueScanner;
  /** PostgreSQL's rewrite of the relations that held the erased (SQLite's purge is the erasure's own). */
  readonly purges: StoragePurgeService;
  /** Where a failed scan or follow-up says why (the logger's serializer keeps errors to their structure). */
  private readonly log: Pick<Logger, 'error'> | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly datamap: DataMapService,
    /** Tables their owning modules erase themselves (the consent ledger's stubs), by the manifests' `erasers`. */
    private readonly erasers: ReadonlyMap<string, TableEraser>,
    private readonly secret: SecretService,
    private readonly settings: SettingsService,
    private readonly audit: AuditService,
    private readonly suppressions: Pick<SuppressionService, 'suppressKeys'>,
    private readonly events: Pick<EventLog, 'publish'>,
    opts: { purgeWindowMs?: number; log?: Pick<Logger, 'error'> } = {},
  ) {
    this.log = opts.log;
    // The map tells the scan where contact ids are kept and which columns are free text.
    this.scanner = new ResidueScanner(db, { declared: () => datamap.getMap() });
    this.purges = new StoragePurgeService(db, clock, secret, opts.purgeWindowMs);
  }

  async erase(targets: ErasureTargets, opts: ErasureOptions): Promise<ErasureResult> {
    // The scan's reader processes start while the erasure runs (a cold start costs more than it).
    this.scanner.warm();
    // Everything that reads through the shared handle happens before the first transaction:
    // SQLite has one connection, and a read outside the open transaction would wait forever.
    const map = await this.datamap.getMap();
    const plans = planErasure(map);
    const suppress = opts.suppress ?? (await this.settings.get()).suppressErasedAddresses;
    await this.secret.key();
    const requestIds = [...new Set(opts.requestIds ?? [])];
    const emails = new Set((targets.emails ?? []).map(normaliseEmail));
    for (const e of await q.requestEmails(this.db.kysely, requestIds)) emails.add(normaliseEmail(e));
    const ids = new Set(targets.contactIds ?? []);
    const known = new Set<string>();
    for (const part of chunks([...ids], ERASURE_BATCH)) for (const c of await contactsByIds(this.db.kysely, part)) known.add(c.id);
    if (known.size < ids.size) throw new AppError('not_found', 'no such contact');
    if (ids.size === 0 && emails.size === 0)
      throw new AppError('validation_failed', 'nothing to erase: name a contact or an address', [{ path: '/targets', message: 'empty' }]);

    // Which contacts hold an address is decided inside its batch's transaction, where the
    // address's registry rows are held (holdEmailKeys): a contact created with it meanwhile is
    // either seen and erased, or waits and then finds the address suppressed. Addresses go
    // first, so a contact named by id that one of them took is known as erased when its turn comes.
    // A case's erasure is one transaction, so its receipt covers everything erased for it.
    const batches: Batch[] = requestIds.length
      ? [{ contactIds: [...ids], emails: [...emails] }]
      : [
          ...chunks([...emails], opts.batchSize ?? ERASURE_BATCH).map((e) => ({ contactIds: [], emails: e })),
          ...chunks([...ids], opts.batchSize ?? ERASURE_BATCH).map((c) => ({ contactIds: c, emails: [] })),
        ];
    const outcomes: BatchOutcome[] = [];
    const erased = new Set<string>();
    const untune = tuneForErasure(this.db);
    try {
      for (const batch of batches) {
        const t = performance.now();
        // A deadlock victim (an import holding one of the people while it waits for an address held here) starts its batch again.
        const outcome = await retryConflicts(() => this.eraseBatch(map, plans, batch, erased, { ...opts, requestIds }, suppress));
        for (const id of outcome.contactIds) erased.add(id);
        outcomes.push(outcome);
        opts.onPhase?.('transaction', performance.now() - t);
      }
    } finally {
      untune();
    }

    const counts = outcomes.reduce((acc, o) => addCounts(acc, o.counts), {} as Record<string, number>);
    const identifiers = mergeIdentifiers(outcomes.map((o) => o.identifiers));
    const receiptIds = outcomes.flatMap((o) => o.receipts.map((r) => r.id));
    const { residue: scanned, analysed } = await this.verify(identifiers, opts.onPhase);
    // What remains becomes work: residue tasks (and flags), and tasks to look at weak signs.
    const now = this.clock.now().toISOString();
    const ctx = { receiptId: receiptIds[0]!, requestId: requestIds.length === 1 ? requestIds[0]! : null, now };
    const { residue, tasks } = await followUp(this.db.kysely, this.db.dialect, map, new IdentifierIndex(identifiers), scanned, ctx).catch(
      (err: unknown) => {
        this.log?.error({ err, receipts: receiptIds.length }, 'erasure follow-up failed: recorded as followup:failed with a task');
        return followUpFailed(this.db.kysely, scanned, ctx);
      },
    );
    await q.setReceiptResidue(this.db.kysely, receiptIds, residue);
    // Statistics re-gathered because they held an identifier leave their old rows in pg_statistic.
    if (analysed.length) await this.purges.scheduleMore(receiptIds, ['pg_statistic']);
    const storage = this.db.dialect === 'sqlite' ? { ...sqliteVerification(residue), purgedAt: this.clock.now().toISOString() } : null;
    if (storage)
      await setReceiptStorage(this.db.kysely, receiptIds, {
        storage_status: storage.status,
        storage_purged_at: storage.purgedAt,
        storage_verification: storage.verification,
      });
    const open = tasks.filter((t) => t.kind === 'residue').length;
    if (residue.length)
      await q.flagRequests(
        this.db.kysely,
        requestIds,
        `residue in ${residue.join(', ')}; ${open} task${open === 1 ? '' : 's'} for the privacy officer`.slice(0, 2000),
        now,
      );
    return {
      receipts: outcomes.flatMap((o) =>
        o.receipts.map((r) =>
          toReceipt({
            ...r,
            residue: JSON.stringify(residue),
            ...(storage
              ? { storage_status: storage.status, storage_purged_at: storage.purgedAt, storage_verification: storage.verification }
              : {}),
          }),
        ),
      ),
      contacts: outcomes.reduce((n, o) => n + o.contacts, 0),
      tables: counts,
      residue,
      complete: residue.length === 0,
      tasks,
    };
  }

  private async eraseBatch(
    map: DataMap,
    plans: TablePlan[],
    batch: Batch,
    before: Set<string>,
    opts: ErasureOptions & { requestIds: string[] },
    suppress: boolean,
  ): Promise<BatchOutcome> {
    const now = this.clock.now().toISOString();
    const receiptIds = (opts.requestIds.length ? opts.requestIds : [null]).map(() => newId());
    const d = this.db.dialect;
    return this.db.kysely.transaction().execute(async (trx) => {
      // The addresses first (their registry rows held), then their contacts and the named ones,
      // locked in id order: what is erased is what holds them at this moment.
      const held = [...new Set(batch.emails.map(emailKey))];
      const holders = await holdEmailKeys(trx, d, held);
      const wanted = [...new Set([...batch.contactIds, ...holders])];
      await lockContacts(trx, d, wanted);
      const rows = wanted.length ? await contactsByIds(trx, wanted) : [];
      const contactIds = rows.map((r) => r.id);
      // A contact named by id that another erasure took meanwhile: that one succeeded, this one
      // finds nothing to erase (one receipt). A case's erasure goes on: it is by address.
      const present = new Set(contactIds);
      if (!opts.requestIds.length && batch.contactIds.some((id) => !present.has(id) && !before.has(id)))
        throw new AppError('not_found', 'no such contact');
      const extraEmails = batch.emails;
      const named = [...new Set([...extraEmails, ...rows.map((r) => normaliseEmail(r.email))])];
      // An address is matched by its key, in whatever case each table wrote it: the forms the
      // address-linked tables hold, found once here, are what every statement below matches.
      const keys = [...new Set(named.map(emailKey))];
      const emails = await q.writtenAddresses(trx, map, keys, named);
      // Names the people had before (a rectified last name) are known from copies about to be erased: their access exports.
      const earlier = namesKnownFrom(await q.exportCopies(trx, contactIds, emails));
      const identifiers = mergeIdentifiers([
        ...rows.map(identifiersOf),
        ...earlier.map(identifiersOf),
        { emails: [...emails, ...keys], phones: [], names: [] },
      ]);
      const index = new IdentifierIndex(identifiers);
      await closePendingCases(trx, map, contactIds, emails, opts.requestIds, opts.actor, now);
      // Before the links are cleared: the people's own free text (their cases' notes and reasons).
      const redacted = maxCounts(
        await redactOwnRows(trx, map, index, contactIds, emails, opts.actor, now),
        await redactUnownedRows(trx, this.db.dialect, map, index, receiptIds[0]!),
      );
      const counts: Record<string, number> = {};
      for (const plan of plans) {
        const eraser = this.erasers.get(plan.table);
        const n = eraser ? await eraser(trx, contactIds) : await q.eraseRows(trx, plan, contactIds, emails);
        if (n > 0) counts[plan.table] = n;
      }
      // A row both cleared and redacted counts once.
      Object.assign(counts, maxCounts(counts, redacted));
      // After the person's own events went with the rest: the erased id is not kept, its SHA-256 lets a receiver that knew it match it.
      await this.events.publish(
        trx,
        contactIds.map((id) => ({
          type: 'contact.erased',
          data: {
            contactIdSha256: sha256(id),
            receiptId: receiptIds[0]!,
            ...(opts.requestIds.length === 1 ? { requestId: opts.requestIds[0]! } : {}),
          },
        })),
      );
      removeStatSamples(this.db, identifiers);
      // PostgreSQL: where the person's bytes are (partitions their keys hash to, small tables touched).
      const relations = await this.purges.relationsOf(trx, { contactIds, emailKeys: keys }, Object.keys(counts));
      if (suppress && keys.length) {
        // The key was read before the transaction, so hashing queries nothing here.
        await this.suppressions.suppressKeys(trx, keys, opts.requestIds.length === 1 ? opts.requestIds[0]! : null, now);
      }
      const receipts: ErasureReceiptsTable[] = (opts.requestIds.length ? opts.requestIds : [null]).map((requestId, i) => ({
        id: receiptIds[i]!,
        request_id: requestId,
        at: now,
        actor_type: opts.actor.type,
        actor_id: opts.actor.id,
        tables: JSON.stringify(counts),
        residue: null,
        storage_status: 'pending',
        storage_purged_at: null,
        storage_verification: null,
      }));
      await q.insertReceipts(trx, receipts);
      if (relations.length)
        await this.purges.schedule(
          trx,
          receipts.map((r) => r.id),
          relations,
          termsOf(await this.secret.key(), purgeStrings(identifiers)),
        );
      // The audit entry names the receipt, which holds counts only: no personal value is copied.
      for (const r of receipts)
        await this.audit.record(
          { actor: opts.actor, action: 'erasure.execute', targetType: 'erasure_receipt', targetId: r.id, outcome: 'ok' },
          trx,
        );
      await releaseEmailKeys(trx, d, held);
      return { receipts, counts, identifiers, contacts: rows.length, contactIds };
    });
  }

  /**
   * Purges storage around the scan (SQLite's log within it, PostgreSQL's statistics before it;
   * PostgreSQL's pages are the storage purge's, scheduled in the transaction); a purge or scan
   * that fails is recorded as residue rather than lost. Returns the tables re-analysed.
   */
  private async verify(identifiers: Identifiers, onPhase?: ErasureOptions['onPhase']): Promise<{ residue: string[]; analysed: string[] }> {
    const timed = async <T>(phase: ErasurePhase, work: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      try {
        return await work();
      } finally {
        onPhase?.(phase, performance.now() - t);
      }
    };
    try {
      const analysed = await timed('storage', () => purgeBeforeScan(this.db, identifiers));
      // SQLite's checkpoint runs within the scan, beside its table reads: 'storage' overlaps 'scan'.
      const found = await timed('scan', () =>
        this.scanner.scanDatabase(identifiers, { checkpoint: true, onCheckpoint: (ms) => onPhase?.('storage', ms) }),
      );
      return { residue: [...new Set(found)].sort(), analysed };
    } catch (err) {
      // Recorded on the receipts either way; the log says why, for whoever runs the installation.
      this.log?.error({ err }, 'residue scan failed: recorded as scan:failed on the receipts');
      return { residue: ['scan:failed'], analysed: [] };
    }
  }

  /** Stops the residue scan's reader processes. */
  close(): Promise<void> {
    return this.scanner.close();
  }

  async receipt(id: string): Promise<ErasureReceipt> {
    const r = await q.receiptById(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such erasure receipt');
    return toReceipt(r);
  }

  receiptsTotal(requestId?: string): Promise<{ total: number; isEstimate: boolean }> {
    return q.countReceipts(this.db.kysely, requestId);
  }

  async receipts(limit: number, before?: string, requestId?: string): Promise<ErasureReceipt[]> {
    return (await q.listReceipts(this.db.kysely, limit, before, requestId)).map(toReceipt);
  }
}
