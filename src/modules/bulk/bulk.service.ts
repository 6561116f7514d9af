import type { Kysely } from 'kysely';
import type { JobRow } from '../../jobs/jobs.model.ts';
import { SideEffects } from '../../jobs/effects.ts';
import { AppError } from '../../lib/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { ConsentService, ChangeContext } from '../consent/module.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { Db, Database } from '../database.ts';
import { type FulfilService, holdsAddress, type IntakeService } from '../dsr/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { JobOwner, JobProgress } from '../platform/module.ts';
import type { SegmentsService } from '../segments/module.ts';
import { insertTargets, targetsAfter } from './bulk.queries.ts';
import {
  addCounts,
  type BulkAction,
  type BulkActor,
  type BulkCounts,
  type BulkPayload,
  type BulkTarget,
  type JobTarget,
  SYNC_LIMIT,
  zeroCounts,
} from './bulk.model.ts';

/** The queue bulk jobs run on. */
export const BULK_QUEUE = 'bulk';

/** Contacts per step of a job: one transaction each for list and consent changes (locks held briefly, progress moving). */
const STEP = 500;
/** Erasures per step: each is its own case and transactions, so a step only records how far the job came. */
const ERASURE_STEP = 25;

export type BulkOutcome = { done: true; counts: BulkCounts } | { done: false; jobId: string; total: number };

/**
 * Bulk actions over contacts named by id or by a saved segment: list joins and leaves, a consent
 * level, erasures. Each is the owning module's own per-contact semantics, batched (ListsService's
 * joinMany/leaveMany, ConsentService.setLevels through its batch, one erasure case per contact
 * through the data-subject services). Up to SYNC_LIMIT contacts run in the request; more run as
 * a tracked job whose steps move a cursor in the same transaction as their work (JobProgress), so
 * a job run again after a crash resumes after the last committed step; erasures, which make
 * their own transactions, are keyed one by one with side effect records.
 */
export class BulkService {
  private readonly effects: SideEffects;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly progress: JobProgress,
    private readonly lists: ListsService,
    private readonly consent: ConsentService,
    private readonly segments: SegmentsService,
    private readonly contacts: ContactsService,
    private readonly requestIntake: IntakeService,
    private readonly fulfil: FulfilService,
  ) {
    this.effects = new SideEffects(db, clock);
  }

  /**
   * Checks what the action names (the list, the segment, the note) and counts its contacts, then
   * runs it here (up to SYNC_LIMIT) or starts its job. Refusals come before any work: a 404 for a
   * list or segment that does not exist, never a job that fails on it.
   */
  async start(action: BulkAction, target: BulkTarget, actor: BulkActor, owner: JobOwner): Promise<BulkOutcome> {
    if (action.kind === 'list.add' || action.kind === 'list.remove') await this.lists.get(action.listId);
    if (action.kind === 'erasure' && holdsAddress(action.note))
      throw new AppError('validation_failed', 'notes must not contain email addresses', [
        { path: '/note', message: 'contains an email address' },
      ]);
    const named = 'contactIds' in target ? { contactIds: distinct(target.contactIds) } : target;
    const total = 'contactIds' in named ? named.contactIds.length : await this.segments.count(named.segmentId);
    if (total <= SYNC_LIMIT) return { done: true, counts: await this.runHere(action, named, actor) };
    const payload: BulkPayload = { action, target: 'contactIds' in named ? { stored: true } : named, actor };
    const job = await this.progress.enqueue(BULK_QUEUE, payload, owner, total, {
      with: async (trx, j) => {
        if ('contactIds' in named) await insertTargets(trx, j.id, named.contactIds, this.clock.now().toISOString());
      },
    });
    return { done: false, jobId: job.id, total };
  }

  /** The action on every contact of its target, in the request. List and consent changes are one transaction. */
  private async runHere(action: BulkAction, target: BulkTarget, actor: BulkActor): Promise<BulkCounts> {
    let ids: string[] = [];
    if ('contactIds' in target) ids = target.contactIds;
    else {
      for (let after: string | undefined; ; ) {
        const page = (await this.segments.members(target.segmentId, STEP, after)).map((r: { id: string }) => r.id);
        if (page.length === 0) break;
        ids.push(...page);
        after = page[page.length - 1]!;
      }
    }
    if (action.kind === 'erasure') return this.eraseEach(action.note, actor, ids, null);
    const counts = await this.db.kysely.transaction().execute((trx) => this.apply(trx, action, actor, ids));
    return addCounts(zeroCounts(action.kind), counts);
  }

  /**
   * The job: step by step from where the progress says it stands. A step another run took
   * already is skipped (the position is read again); at the end `total` is what was gone
   * through, so the progress reaches its end even when a segment's membership changed meanwhile.
   */
  async runJob(payload: unknown, job: JobRow): Promise<void> {
    const p = payload as BulkPayload;
    for (;;) {
      const pos = await this.progress.position(job.id);
      if (!pos) return;
      const page = await this.next(job.id, p.target, pos.cursor, p.action.kind === 'erasure' ? ERASURE_STEP : STEP);
      if (page.length === 0) return this.end(job.id, p, pos);
      const move = { from: pos.cursor, to: page[page.length - 1]!, by: page.length };
      const a = p.action;
      if (a.kind === 'erasure') {
        const counts = await this.eraseEach(a.note, p.actor, page, job.id);
        await this.progress.step(job.id, move, (trx) => this.progress.tally(trx, job.id, counts));
      } else {
        await this.progress.step(job.id, move, async (trx) => this.progress.tally(trx, job.id, await this.apply(trx, a, p.actor, page)));
      }
    }
  }

  /**
   * The job's end: its result, and its progress at the end. Ids it was given that it never came
   * to are gone from its targets because the contact was erased: by this job's own earlier run
   * whose step was lost with its process (an erasure job; the step records after the erasures),
   * or by another erasure meanwhile. They are counted (erased, or missing for other actions), so
   * the counts add up to the contacts named. A segment's end is where its members ran out.
   */
  private async end(jobId: string, p: BulkPayload, pos: { done: number; total: number }): Promise<void> {
    const counts = addCounts(zeroCounts(p.action.kind), await this.resultSoFar(jobId));
    if ('stored' in p.target) {
      const gone = pos.total - (counts.total ?? 0);
      if (gone > 0) {
        counts.total = pos.total;
        counts[p.action.kind === 'erasure' ? 'erased' : 'missing']! += gone;
      }
      await this.progress.count(jobId, pos.total);
    } else {
      await this.progress.setTotal(jobId, pos.done);
    }
    await this.progress.finish(jobId, counts);
  }

  private async resultSoFar(jobId: string): Promise<BulkCounts> {
    return ((await this.progress.get(jobId))?.result as BulkCounts | null) ?? {};
  }

  /** The job's next contacts after a cursor, in id order. */
  private async next(jobId: string, target: JobTarget, after: string | null, n: number): Promise<string[]> {
    if ('segmentId' in target)
      return (await this.segments.members(target.segmentId, n, after ?? undefined)).map((r: { id: string }) => r.id);
    return (await targetsAfter(this.db.kysely, jobId, after, n)).map((r) => r.contact_id);
  }

  /** A list or consent change of these contacts in `trx`, through the owning module; its counts. */
  private async apply(
    trx: Kysely<Database>,
    a: Exclude<BulkAction, { kind: 'erasure' }>,
    actor: BulkActor,
    ids: string[],
  ): Promise<BulkCounts> {
    const ctx: ChangeContext = {
      source: a.source,
      actor,
      ...(a.kind === 'consent.level' && a.notice !== undefined ? { notice: a.notice } : {}),
    };
    if (a.kind === 'consent.level') {
      const r = await this.consent.setLevels(trx, ids, a.level, ctx, { withdrawalOnly: a.withdrawalOnly === true });
      return { total: ids.length, changed: r.changed.length, unchanged: r.unchanged, missing: r.missing, refused: r.refused };
    }
    const r =
      a.kind === 'list.add' ? await this.lists.joinMany(trx, a.listId, ids, ctx) : await this.lists.leaveMany(trx, a.listId, ids, ctx);
    return {
      total: ids.length,
      [a.kind === 'list.add' ? 'added' : 'removed']: r.changed.length,
      unchanged: r.unchanged,
      missing: r.missing,
    };
  }

  /**
   * One erasure case per contact, verified by the staff member who asked, fulfilled at once (the
   * erasure and its receipt, as for a case opened by hand). In a job each contact is keyed
   * (`bulk.erasure:<job>:<contact>`): one erased by an earlier run is counted, not erased again;
   * one whose run died midway is never begun again and counted as uncertain (its case says how
   * far it came).
   */
  private async eraseEach(note: string, actor: BulkActor, ids: string[], jobId: string | null): Promise<BulkCounts> {
    const counts = zeroCounts('erasure');
    for (const id of ids) {
      counts.total!++;
      const contact = await this.contacts.get(id).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'not_found') return null;
        throw e;
      });
      const key = jobId ? `bulk.erasure:${jobId}:${id}` : null;
      if (key) {
        const claim = await this.effects.claim(key);
        if (!claim.claimed) {
          // Erased by an earlier run of this job (which died before its step was recorded), or begun and never finished.
          if (claim.status === 'done') counts.erased!++;
          else counts.uncertain!++;
          continue;
        }
      }
      if (!contact) {
        if (key) await this.effects.finish(key, 'failed');
        counts.missing!++;
        continue;
      }
      // A failure leaves the key pending: the case may have been opened, so it is never begun again (counted uncertain).
      const outcome = await this.eraseOne(contact, note, actor);
      if (key) await this.effects.finish(key, 'done');
      counts[outcome]!++;
    }
    return counts;
  }

  private async eraseOne(contact: { id: string; email: string }, note: string, actor: BulkActor): Promise<'erased' | 'incomplete'> {
    const kase = await this.requestIntake.fromStaff({ type: 'erasure', email: contact.email, verified: true, note }, actor, null);
    const done = await this.fulfil.fulfil(kase.id, {}, actor);
    return done.status === 'completed' ? 'erased' : 'incomplete';
  }
}

function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}
