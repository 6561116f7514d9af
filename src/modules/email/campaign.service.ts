import type { JobQueue } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type ConsentService, isChildSql, majorityCutoff } from '../consent/module.ts';
import type { Db } from '../database.ts';
import type { SegmentsService } from '../segments/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { SuppressionService } from '../suppression/module.ts';
import { type Campaign, countsFrom, toCampaign } from './campaign.model.ts';
import * as cq from './campaign.queries.ts';
import type { CampaignStatus, CampaignsTable, SendsTable } from './email.table.ts';
import { type EngineJobs, PREPARE_QUEUE } from './engine.jobs.ts';
import { addCounts, countKey, insertSends, messageRow, moveSends, pendingIdsOf } from './send.queries.ts';

/** Segment members read and materialised per step of a campaign's preparation. */
const MATERIALISE_STEP = 1_000;
/** Member addresses per question to the suppression list when counting an audience. */
const AUDIENCE_PAGE = 2_000;

export interface Audience {
  recipients: number;
  allowed: number;
  refused: Record<string, number>;
}

/**
 * Campaigns: a message to a segment's members as they were when it started. Starting one makes
 * the campaign row and its preparation job; the job fixes the recipients (a send row each, in
 * steps, each step's batch jobs enqueued with it so sending begins at once) and the batches run
 * the send pipeline. Pause stops batches from taking sends, resume enqueues them again, cancel
 * ends it. Its totals are anonymous counts that outlive the sends.
 */
export class CampaignService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly consent: ConsentService,
    private readonly suppressions: SuppressionService,
    private readonly segments: SegmentsService,
    private readonly jobs: JobQueue,
    private readonly engineJobs: EngineJobs,
  ) {}

  async start(messageId: string, segmentId: string, createdBy: string | null): Promise<Campaign> {
    if (!(await messageRow(this.db.kysely, messageId))) throw new AppError('not_found', 'no such message');
    await this.segments.get(segmentId);
    const now = this.clock.now().toISOString();
    const row: CampaignsTable = {
      id: newId(this.clock.now().getTime()),
      message_id: messageId,
      segment_id: segmentId,
      status: 'preparing',
      recipients: 0,
      created_by: createdBy,
      created_at: now,
      started_at: now,
      ended_at: null,
    };
    await this.db.kysely.transaction().execute(async (trx) => {
      await cq.insertCampaign(trx, row);
      await this.jobs.enqueue(PREPARE_QUEUE, { campaignId: row.id }, { key: `email.prepare:${row.id}`, trx });
    });
    return this.get(row.id);
  }

  async get(id: string): Promise<Campaign> {
    const row = await cq.campaignById(this.db.kysely, id);
    if (!row) throw new AppError('not_found', 'no such campaign');
    const message = await messageRow(this.db.kysely, row.message_id);
    return (await this.withCounts([{ ...row, message_name: message?.name ?? null }]))[0]!;
  }

  async list(limit: number, after?: string): Promise<Campaign[]> {
    return this.withCounts(await cq.listCampaigns(this.db.kysely, limit, after));
  }

  total(): Promise<number> {
    return cq.countCampaigns(this.db.kysely);
  }

  private async withCounts(rows: (CampaignsTable & { message_name: string | null })[]): Promise<Campaign[]> {
    const ids = rows.map((r) => r.id);
    const [counts, pending] = await Promise.all([cq.countsOf(this.db.kysely, ids), cq.pendingOf(this.db.kysely, ids)]);
    const segmentNames = new Map<string, string | null>();
    for (const segmentId of new Set(rows.map((r) => r.segment_id))) {
      // A segment deleted since keeps its campaigns: they show no name.
      segmentNames.set(
        segmentId,
        await this.segments.get(segmentId).then(
          (s) => s.name,
          () => null,
        ),
      );
    }
    return rows.map((r) =>
      toCampaign(
        r,
        { message: r.message_name, segment: segmentNames.get(r.segment_id) ?? null },
        countsFrom(
          counts.filter((c) => c.campaign_id === r.id),
          pending.filter((p) => p.campaign_id === r.id).map((p) => ({ status: p.status, n: Number(p.n) })),
        ),
      ),
    );
  }

  async pause(id: string): Promise<Campaign> {
    await this.move(id, ['sending'], { status: 'paused' });
    return this.get(id);
  }

  /** Back to sending: a batch job for every pending send, under keys of their own (the first ones ran already). */
  async resume(id: string): Promise<Campaign> {
    await this.move(id, ['paused'], { status: 'sending' });
    const pending = await pendingIdsOf(this.db.kysely, id, ['queued', 'deferred']);
    await this.engineJobs.enqueueCampaign(id, pending, undefined, `@resume:${this.clock.now().toISOString()}`);
    await cq.finishIfDrained(this.db.kysely, id, this.clock.now().toISOString());
    return this.get(id);
  }

  /**
   * Ends the campaign: its queued sends are cancelled, and its deferred ones too unless the
   * `emailRules.dropDeferredWhenCancelled` setting keeps them (they are then sent when due).
   */
  async cancel(id: string): Promise<Campaign> {
    const now = this.clock.now().toISOString();
    await this.move(id, ['preparing', 'sending', 'paused'], { status: 'cancelled', ended_at: now });
    await this.dropPending(id);
    return this.get(id);
  }

  private async dropPending(id: string): Promise<void> {
    const rules = ((await this.settings.get()) as { emailRules?: { dropDeferredWhenCancelled?: boolean } }).emailRules;
    const drop = rules?.dropDeferredWhenCancelled ?? true;
    const now = this.clock.now().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      const ids = await pendingIdsOf(trx, id, drop ? ['queued', 'deferred'] : ['queued']);
      const moved = await moveSends(trx, ids, drop ? ['queued', 'deferred'] : ['queued'], {
        status: 'cancelled',
        not_before: null,
        updated_at: now,
      });
      await addCounts(trx, id, new Map([[countKey('cancelled'), moved.length]]));
    });
  }

  private async move(id: string, from: readonly CampaignStatus[], set: Parameters<typeof cq.moveCampaign>[3]): Promise<void> {
    if (await cq.moveCampaign(this.db.kysely, id, from, set)) return;
    const row = await cq.campaignById(this.db.kysely, id);
    if (!row) throw new AppError('not_found', 'no such campaign');
    throw new AppError('campaign_state', `the campaign is ${row.status}`, { status: row.status });
  }

  /**
   * The preparation job: the segment's members as they are now become the campaign's sends, in
   * contact id order, a step at a time; each step's sends and their batch jobs commit together.
   * A run after a crash resumes after the last contact materialised. Recipients are fixed here:
   * a contact who joins the segment later is not added; one whose consent falls meanwhile is
   * refused by the gate when its batch runs.
   */
  async prepare(payload: unknown): Promise<void> {
    const campaignId = (payload as { campaignId?: unknown } | null)?.campaignId;
    if (typeof campaignId !== 'string') throw new Error('email.prepare: malformed payload');
    const c = await cq.campaignById(this.db.kysely, campaignId);
    if (c?.status !== 'preparing') return;
    const message = await messageRow(this.db.kysely, c.message_id);
    if (!message) return;
    let after = await cq.lastMaterialised(this.db.kysely, campaignId);
    for (;;) {
      let page: { id: string }[];
      try {
        page = await this.segments.members(c.segment_id, MATERIALISE_STEP, after);
      } catch (e) {
        // The segment was deleted or can no longer be evaluated: the campaign cannot fix its recipients.
        if (e instanceof AppError && (e.code === 'not_found' || e.code === 'segment_unevaluable')) break;
        throw e;
      }
      if (page.length === 0) break;
      const now = this.clock.now();
      const iso = now.toISOString();
      const rows: SendsTable[] = page.map((contact) => ({
        id: newId(now.getTime()),
        message_id: message.id,
        contact_id: contact.id,
        origin: `campaign:${campaignId}`,
        campaign_id: campaignId,
        purpose: message.purpose,
        status: 'queued',
        reason: null,
        tracked: 0,
        attempts: 0,
        not_before: null,
        smtp_message_id: null,
        queued_at: iso,
        sent_at: null,
        updated_at: iso,
      }));
      const stopped = await this.db.kysely.transaction().execute(async (trx) => {
        const now = await cq.campaignById(trx, campaignId);
        if (now?.status !== 'preparing') return true;
        await insertSends(trx, rows);
        await this.engineJobs.enqueueCampaign(
          campaignId,
          rows.map((r) => r.id),
          trx,
        );
        return false;
      });
      if (stopped) break;
      after = page[page.length - 1]!.id;
    }
    const recipients = await cq.recipientsOf(this.db.kysely, campaignId);
    const started = await cq.moveCampaign(this.db.kysely, campaignId, ['preparing'], { status: 'sending', recipients });
    if (!started) {
      // Cancelled while preparing: what was materialised after the cancel is cancelled too.
      await cq.moveCampaign(this.db.kysely, campaignId, ['cancelled'], { recipients });
      const row = await cq.campaignById(this.db.kysely, campaignId);
      if (row?.status === 'cancelled') await this.dropPending(campaignId);
    }
    await cq.finishIfDrained(this.db.kysely, campaignId, this.clock.now().toISOString());
  }

  /**
   * How many of a segment's members the gate would refuse for the message's purpose (caller
   * `campaign`), and why, before a campaign starts; then the suppression list and hard bounces.
   * The gate's own SQL (ConsentService.predicate) splits the members; each group of members the
   * rule answers alike is asked of the gate once, through one of its members, for the reason.
   */
  async audience(messageId: string, segmentId: string): Promise<Audience> {
    const message = await messageRow(this.db.kysely, messageId);
    if (!message) throw new AppError('not_found', 'no such message');
    const member = await this.segments.memberPredicate(segmentId);
    const gate = await this.consent.predicate(message.purpose, 'c', { caller: 'campaign' });
    const s = await this.settings.get();
    const child = isChildSql('c', majorityCutoff(this.clock.now(), s.majorityAge));
    const groups = await cq.audienceGroups(this.db.kysely, member, gate, child);
    const refusedGroups = groups.filter((g) => g.allowed === 0);
    const answers = await this.consent.checkMany(
      refusedGroups.map((g) => g.sample),
      message.purpose,
      { caller: 'campaign' },
    );
    const refused = Object.create(null) as Record<string, number>;
    const add = (reason: string, n: number) => {
      if (n > 0) refused[reason] = (refused[reason] ?? 0) + n;
    };
    let recipients = 0;
    let allowed = 0;
    for (const g of groups) {
      recipients += g.n;
      if (g.allowed === 0) add(answers.get(g.sample)?.reason ?? 'below_required_level', g.n);
      else if (g.undeliverable === 1) add('undeliverable', g.n);
      else allowed += g.n;
    }
    let suppressed = 0;
    for (let after: string | undefined; ; ) {
      const page = await cq.allowedAddresses(this.db.kysely, member, gate, AUDIENCE_PAGE, after);
      if (page.length === 0) break;
      suppressed += (await this.suppressions.among(page.map((p) => p.email))).size;
      if (page.length < AUDIENCE_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    add('suppressed', suppressed);
    return { recipients, allowed: allowed - suppressed, refused };
  }
}
