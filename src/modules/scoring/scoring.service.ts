import { type Kysely, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { inList } from '../../db/in-list.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { chunks } from '../../lib/chunks.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type ConsentService, type GateQuestion, gateReasonSql, gateSql, majorityCutoff } from '../consent/module.ts';
import type { CustomFieldsService } from '../contacts/module.ts';
import type { Database, Db } from '../database.ts';
import type { EventLog, StoredEvent } from '../events/module.ts';
import { type CompileContext, type FilterNode, leaves, type ResolvedField } from '../segments/module.ts';
import type { SettingsService } from '../settings/module.ts';
import { type CompiledModel, type LeadSet, scoredLeads, stageStatements, upsertScores } from './scoring.compile.ts';
import {
  type Grades,
  gradeOf,
  type LeadScoreExplanation,
  leadScope,
  type ModelInput,
  type Recompute,
  type Rule,
  type RuleExplanation,
  type ScoringModel,
  toModel,
  validateModel,
} from './scoring.model.ts';
import type { ScoringModelsTable } from './scoring.table.ts';

export const RECOMPUTE_QUEUE = 'scoring.recompute';
export const SALES_READY_EVENT = 'lead.sales_ready';
/** Leads per statement of a bulk recompute: each its own transaction, progress after each. */
const BULK_CHUNK = 50_000;
/** Leads per statement of the incremental path (one list parameter, however long). */
const INCREMENTAL_CHUNK = 5_000;

export interface ScoringDeps {
  settings: SettingsService;
  consent: ConsentService;
  customFields: CustomFieldsService;
  events: EventLog;
  jobs: JobQueue;
}

export interface RankingRow {
  leadId: string;
  title: string;
  status: string;
  contactId: string;
  contact: { email: string | null; firstName: string | null; lastName: string | null };
  score: number | null;
  grade: string | null;
  salesReady: boolean;
  reason: string;
  computedAt: string;
}

export interface Distribution {
  grades: { A: number; B: number; C: number; D: number; none: number };
  salesReady: number;
  scored: number;
  notScored: Record<string, number>;
  histogram: { from: number; to: number; n: number }[];
}

type Q = Kysely<Database>;

const UNSCORED = { score: null, grade: null, salesReady: false, rules: [] } as const;

/**
 * Lead scoring: models of rules, compiled once (scoring.compile.ts) into set-based SQL that the
 * bulk recompute runs chunk by chunk over every lead, the incremental path over the leads of
 * changed contacts, and the explanation over one lead. The gate's answer and reason come from
 * the consent module's SQL, read from its one rule table.
 */
export class ScoringService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deps: ScoringDeps,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  // ---- models ---------------------------------------------------------------------------

  /** Every model, oldest first. */
  async models(): Promise<ScoringModel[]> {
    const rows = await this.db.kysely.selectFrom('scoring_models').selectAll().orderBy('id').execute();
    return Promise.all(rows.map((r) => this.present(r)));
  }

  async get(id: string): Promise<ScoringModel> {
    return this.present(await this.row(id));
  }

  private async row(id: string, trx: Q = this.db.kysely): Promise<ScoringModelsTable> {
    const row = await trx.selectFrom('scoring_models').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('scoring_model_not_found', 'no scoring model has this id');
    return row;
  }

  private async present(row: ScoringModelsTable): Promise<ScoringModel> {
    const job = row.recompute_job_id
      ? await this.db.kysely.selectFrom('jobs').select('status').where('id', '=', row.recompute_job_id).executeTakeFirst()
      : undefined;
    return toModel(row, job?.status ?? null);
  }

  /** What validating and compiling rules needs now: purposes, custom contact fields, the lead scope. */
  private async language() {
    const [settings, fields, leadFields] = await Promise.all([
      this.deps.settings.get(),
      this.deps.customFields.list(),
      this.db.kysely.selectFrom('lead_fields').select(['name', 'column_name', 'type']).execute(),
    ]);
    const customFields = new Map<string, ResolvedField>(fields.map((f) => [f.name, { column: f.column, type: f.type }]));
    return { settings, purposes: new Set(Object.keys(settings.purposes)), customFields, scope: leadScope(leadFields) };
  }

  private async check(input: Partial<ModelInput>): Promise<void> {
    const lang = await this.language();
    const { problems, unknownPurpose } = validateModel(input, lang);
    if (problems.length)
      throw new AppError(
        'validation_failed',
        `the model is not valid: ${problems[0]!.path} ` + `${problems[0]!.message}`,
        problems.slice(0, 20),
      );
    if (unknownPurpose !== null)
      throw new AppError('unknown_purpose', `unknown purpose "${unknownPurpose.slice(0, 60)}"`, { known: [...lang.purposes] });
  }

  async create(input: ModelInput): Promise<ScoringModel> {
    await this.check(input);
    const now = this.clock.now().toISOString();
    const id = newId();
    const req = input.requiredConsent ?? 'profiling';
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('scoring_models')
        .values({
          id,
          name: input.name,
          required_level: typeof req === 'number' ? req : null,
          required_purpose: typeof req === 'string' ? req : null,
          rules: JSON.stringify(input.rules),
          grades: JSON.stringify(input.grades),
          sales_ready: input.salesReady,
          version: 1,
          created_at: now,
          updated_at: now,
          recompute_job_id: null,
          recompute_total: null,
          recompute_done: null,
          recompute_started_at: null,
          recompute_finished_at: null,
        })
        .execute();
      await this.queue(trx, id, `v1`);
    });
    return this.get(id);
  }

  /**
   * Changes a model. A change of what scores mean (rules, thresholds, requirement) bumps the
   * version and queues a recompute; a requirement changed clears, in this transaction, every
   * score the gate no longer allows under it (the recompute then fills in the rest).
   */
  async update(id: string, patch: Partial<ModelInput>): Promise<ScoringModel> {
    await this.check(patch);
    await this.db.kysely.transaction().execute(async (trx) => {
      const row = await this.row(id, trx);
      const now = this.clock.now().toISOString();
      const set: Partial<ScoringModelsTable> = { updated_at: now };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.rules !== undefined) set.rules = JSON.stringify(patch.rules);
      if (patch.grades !== undefined) set.grades = JSON.stringify(patch.grades);
      if (patch.salesReady !== undefined) set.sales_ready = patch.salesReady;
      if (patch.requiredConsent !== undefined) {
        set.required_level = typeof patch.requiredConsent === 'number' ? patch.requiredConsent : null;
        set.required_purpose = typeof patch.requiredConsent === 'string' ? patch.requiredConsent : null;
      }
      const changed =
        (set.rules !== undefined && set.rules !== row.rules) ||
        (set.grades !== undefined && set.grades !== row.grades) ||
        (set.sales_ready !== undefined && set.sales_ready !== row.sales_ready) ||
        (patch.requiredConsent !== undefined &&
          (set.required_level !== row.required_level || set.required_purpose !== row.required_purpose));
      if (changed) set.version = row.version + 1;
      await trx.updateTable('scoring_models').set(set).where('id', '=', id).execute();
      if (!changed) return;
      const next = { ...row, ...set } as ScoringModelsTable;
      await this.clearRefused(trx, next, now);
      await this.queue(trx, id, `v${next.version}`);
    });
    return this.get(id);
  }

  /** Clears the model's scores whose contacts the gate refuses under its requirement now, with the reason. */
  private async clearRefused(trx: Q, row: ScoringModelsTable, at: string): Promise<number> {
    const q = await this.question(row, trx);
    const res = await sql`update lead_scores set score = null, grade = null, sales_ready = 0,
        reason = (select ${gateReasonSql(q, 'c')} from contacts c where c.id = lead_scores.contact_id),
        model_version = ${row.version}, computed_at = ${at}
      where model_id = ${row.id} and contact_id in (select c.id from contacts c where not ${gateSql(q, 'c')})`.execute(trx);
    return Number(res.numAffectedRows ?? 0);
  }

  async remove(id: string): Promise<void> {
    await this.row(id);
    await this.db.kysely.deleteFrom('scoring_models').where('id', '=', id).execute();
  }

  // ---- recompute ------------------------------------------------------------------------

  /** Queues a bulk recompute (keyed: one per version, day or request) and records it as the model's. */
  private async queue(trx: Transaction<Database>, id: string, key: string): Promise<string> {
    const job = await this.deps.jobs.enqueue(RECOMPUTE_QUEUE, { modelId: id }, { trx, key: `${RECOMPUTE_QUEUE}:${id}:${key}` });
    await trx
      .updateTable('scoring_models')
      .set({
        recompute_job_id: job.id,
        recompute_total: null,
        recompute_done: null,
        recompute_started_at: null,
        recompute_finished_at: null,
      })
      .where('id', '=', id)
      .execute();
    return job.id;
  }

  /** `POST /scoring-models/{id}/recompute`: a job with progress. */
  async requestRecompute(id: string): Promise<{ jobId: string; recompute: Recompute }> {
    await this.row(id);
    const jobId = await this.db.kysely.transaction().execute((trx) => this.queue(trx, id, newId()));
    return { jobId, recompute: (await this.get(id)).recompute };
  }

  async progress(id: string): Promise<Recompute> {
    return (await this.get(id)).recompute;
  }

  /** The daily work: every model recomputed, since windows and decay move with time. One job per model and day. */
  async daily(): Promise<void> {
    const day = this.clock.now().toISOString().slice(0, 10);
    for (const m of await this.db.kysely.selectFrom('scoring_models').select('id').execute())
      await this.db.kysely.transaction().execute((trx) => this.queue(trx, m.id, `day:${day}`));
  }

  /** The job's handler. A model deleted meanwhile has nothing left to do. */
  async runJob(payload: unknown): Promise<void> {
    const modelId = (payload as { modelId?: unknown })?.modelId;
    if (typeof modelId !== 'string') throw new Error('scoring.recompute: payload names no model');
    const exists = await this.db.kysely.selectFrom('scoring_models').select('id').where('id', '=', modelId).executeTakeFirst();
    if (!exists) return;
    await this.recompute(modelId);
  }

  /**
   * The bulk path: every lead scored (or cleared) under the model, in chunks of lead ids, each
   * chunk one `insert … select … on conflict` in its own transaction; progress after each.
   */
  async recompute(
    modelId: string,
    opts: { onProgress?(done: number, total: number): void } = {},
  ): Promise<{ total: number; scored: number; notScored: number; ms: number }> {
    const t0 = Date.now();
    const row = await this.row(modelId);
    const compiled = await this.compile(row);
    const startedAt = this.clock.now().toISOString();
    // One connection for the whole run: the staged aggregates are its temporary tables.
    const done = await this.db.kysely.connection().execute(async (conn) => {
      const stages = stageStatements(compiled);
      const drop = async () => {
        for (const st of stages) await sql`drop table if exists ${sql.table(st.name)}`.execute(conn);
      };
      // PostgreSQL's JIT compiles these large one-off statements for seconds and gains nothing for
      // them (bench scoring: 11.3 of 16.5 s of the hand-written select was compiling); off for this run's session.
      const pg = this.db.dialect === 'postgres';
      if (pg) await sql`set jit = off`.execute(conn);
      try {
        for (const st of stages) for (const q of st.statements) await q.execute(conn);
        const m: CompiledModel = { ...compiled, staged: new Map(stages.map((st) => [st.i, st.name])) };
        const totalRow = await conn
          .selectFrom('leads')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst();
        const total = Number(totalRow?.n ?? 0);
        await this.setProgress(conn, modelId, {
          recompute_total: total,
          recompute_done: 0,
          recompute_started_at: startedAt,
          recompute_finished_at: null,
        });
        let n = 0;
        let after: string | null = null;
        for (;;) {
          const ids: { id: string }[] = await conn
            .selectFrom('leads')
            .select('id')
            .$if(after !== null, (qb) => qb.where('id', '>', after!))
            .orderBy('id')
            .limit(BULK_CHUNK)
            .execute();
          if (ids.length === 0) break;
          const set: LeadSet = { after, upTo: ids[ids.length - 1]!.id };
          await conn.transaction().execute(async (trx) => {
            await upsertScores(m, set, startedAt).execute(trx);
            await this.markReady(trx, m, set, startedAt);
          });
          n += ids.length;
          after = set.upTo;
          await this.setProgress(conn, modelId, { recompute_done: n });
          opts.onProgress?.(n, total);
          if (ids.length < BULK_CHUNK) break;
        }
        await this.setProgress(conn, modelId, {
          recompute_total: n,
          recompute_done: n,
          recompute_finished_at: this.clock.now().toISOString(),
        });
        return n;
      } finally {
        await drop();
        if (pg) await sql`reset jit`.execute(conn);
      }
    });
    const counts = await this.db.kysely
      .selectFrom('lead_scores')
      .select([sql<number>`sum(case when score is null then 0 else 1 end)`.as('scored'), sql<number>`count(*)`.as('n')])
      .where('model_id', '=', modelId)
      .executeTakeFirst();
    const scored = Number(counts?.scored ?? 0);
    return { total: done, scored, notScored: Number(counts?.n ?? 0) - scored, ms: Date.now() - t0 };
  }

  private async setProgress(conn: Q, id: string, set: Partial<ScoringModelsTable>): Promise<void> {
    await conn.updateTable('scoring_models').set(set).where('id', '=', id).execute();
  }

  /**
   * Sets `ready_at` where a lead of the set has just become sales-ready for the first time, and
   * publishes `lead.sales_ready` for exactly those rows, in the same transaction: once per lead
   * and model (the update's condition and row locks make a second writer find it set).
   */
  private async markReady(trx: Q, m: CompiledModel, set: LeadSet, at: string): Promise<number> {
    const inSet =
      'ids' in set
        ? inList(this.db.dialect, sql.ref('lead_id'), set.ids)
        : set.after === null
          ? sql`lead_id <= ${set.upTo}`
          : sql`(lead_id > ${set.after} and lead_id <= ${set.upTo})`;
    const rows = await sql<{ lead_id: string; contact_id: string }>`update lead_scores set ready_at = ${at}
      where model_id = ${m.modelId} and sales_ready = 1 and ready_at is null and ${inSet}
      returning lead_id, contact_id`.execute(trx);
    if (rows.rows.length)
      await this.deps.events.publish(
        trx,
        rows.rows.map((r) => ({
          type: SALES_READY_EVENT,
          contactId: r.contact_id,
          data: { leadId: r.lead_id, contactId: r.contact_id, modelId: m.modelId },
        })),
      );
    return rows.rows.length;
  }

  /** The model's question to the gate: its purpose (default profiling) at least its level, asked by `scoring`. */
  private question(row: Pick<ScoringModelsTable, 'required_level' | 'required_purpose'>, trx?: Q): Promise<GateQuestion> {
    return this.deps.consent.question(row.required_purpose ?? 'profiling', {
      caller: 'scoring',
      ...(row.required_level !== null ? { atLeast: row.required_level } : {}),
      ...(trx ? { trx } : {}),
    });
  }

  /** A model compiled for now: its gate question, and the segment language's context with the lead scope. */
  private async compile(row: ScoringModelsTable, now = this.clock.now()): Promise<CompiledModel> {
    const lang = await this.language();
    const rules = JSON.parse(row.rules) as Rule[];
    // A custom field a rule names may have been removed since the model was saved: such a model
    // cannot be compiled (and is not, rather than fail in SQL).
    const { problems } = validateModel({ rules }, lang);
    if (problems.length)
      throw new AppError('validation_failed', `the model's rules no longer pass: ${problems[0]!.path} ${problems[0]!.message}`, problems);
    const questions = new Map<string, GateQuestion>();
    for (const r of rules)
      if ('condition' in r)
        for (const l of leaves(r.condition as FilterNode))
          if ('allowed' in l.node && !questions.has(l.node.allowed))
            questions.set(l.node.allowed, await this.deps.consent.question(l.node.allowed));
    const filter: CompileContext = {
      customFields: lang.customFields,
      purposes: lang.purposes,
      scopes: [lang.scope],
      dialect: this.db.dialect,
      questions,
      childCutoff: majorityCutoff(now, lang.settings.majorityAge),
      now,
    };
    return {
      modelId: row.id,
      version: row.version,
      rules,
      grades: JSON.parse(row.grades) as Grades,
      salesReady: row.sales_ready,
      question: await this.question(row),
      filter,
      dialect: this.db.dialect,
      now,
    };
  }

  // ---- incremental ----------------------------------------------------------------------

  /** The incremental path: these leads rescored (or cleared) under every model, by the same compiled SQL. */
  async scoreLeads(leadIds: readonly string[]): Promise<void> {
    const ids = [...new Set(leadIds)].sort();
    if (ids.length === 0) return;
    const rows = await this.db.kysely.selectFrom('scoring_models').selectAll().orderBy('id').execute();
    const now = this.clock.now();
    for (const row of rows) {
      const m = await this.compile(row, now).catch((e: unknown) => {
        // One model that no longer compiles must not stop the others (nor the events' dispatch).
        if (e instanceof AppError) return null;
        throw e;
      });
      if (!m) {
        this.log?.warn({ modelId: row.id }, 'scoring model skipped: its rules no longer compile');
        continue;
      }
      for (const part of chunks(ids, INCREMENTAL_CHUNK))
        await this.db.kysely.transaction().execute(async (trx) => {
          await upsertScores(m, { ids: part }, now.toISOString()).execute(trx);
          await this.markReady(trx, m, { ids: part }, now.toISOString());
        });
    }
  }

  /** The leads of these contacts rescored (their data, consent or behaviour changed). */
  async scoreContacts(contactIds: readonly string[]): Promise<void> {
    const ids = [...new Set(contactIds)];
    const leadIds: string[] = [];
    for (const part of chunks(ids, INCREMENTAL_CHUNK))
      for (const r of await this.db.kysely
        .selectFrom('leads')
        .select('id')
        .where((eb) => inList(this.db.dialect, eb.ref('contact_id'), part))
        .execute())
        leadIds.push(r.id);
    await this.scoreLeads(leadIds);
  }

  /**
   * The events consumer: consent changes and contact updates (clearing included: the gate's
   * answer is part of every score), lead changes and recorded interactions rescore the leads
   * they touch. Idempotent: scoring twice writes the same row.
   */
  async onEvents(events: readonly StoredEvent[]): Promise<void> {
    const contacts = new Set<string>();
    const leads = new Set<string>();
    for (const e of events) {
      if (e.type === 'lead.created' || e.type === 'lead.updated') {
        if (typeof e.data.leadId === 'string') leads.add(e.data.leadId);
      } else if (e.type === 'consent.changed' || e.type === 'contact.updated' || e.type === 'interaction.recorded') {
        if (e.contactId) contacts.add(e.contactId);
      }
    }
    if (contacts.size === 0 && leads.size === 0) return;
    const all = await this.db.kysely.selectFrom('scoring_models').select('id').limit(1).execute();
    if (all.length === 0) return;
    if (leads.size) {
      const existing = await this.db.kysely
        .selectFrom('leads')
        .select('id')
        .where((eb) => inList(this.db.dialect, eb.ref('id'), [...leads]))
        .execute();
      await this.scoreLeads(existing.map((r) => r.id));
    }
    if (contacts.size) await this.scoreContacts([...contacts]);
  }

  // ---- reading --------------------------------------------------------------------------

  /**
   * A lead's scores under every model, computed live by the compiled statement (the stored row
   * refreshed in the same transaction, so the two agree): the rules that gave points sum to the score.
   */
  async explain(leadId: string): Promise<LeadScoreExplanation[]> {
    const lead = await this.db.kysely.selectFrom('leads').select('id').where('id', '=', leadId).executeTakeFirst();
    if (!lead) throw new AppError('not_found', 'no lead has this id');
    const now = this.clock.now();
    const at = now.toISOString();
    const out: LeadScoreExplanation[] = [];
    for (const row of await this.db.kysely.selectFrom('scoring_models').selectAll().orderBy('id').execute()) {
      const m = await this.compile(row, now).catch((e: unknown) => {
        if (e instanceof AppError) return null;
        throw e;
      });
      if (!m) {
        out.push({ ...UNSCORED, rules: [], modelId: row.id, modelName: row.name, reason: 'model_unevaluable', computedAt: at });
        continue;
      }
      const set: LeadSet = { ids: [leadId] };
      const live = await this.db.kysely.transaction().execute(async (trx) => {
        await upsertScores(m, set, at).execute(trx);
        await this.markReady(trx, m, set, at);
        return (await scoredLeads(m, set).execute(trx)).rows[0];
      });
      if (!live) continue;
      const allowed = Number(live.allowed) === 1;
      const score = allowed ? Number(live.total) : null;
      const rules: RuleExplanation[] = [];
      if (allowed)
        m.rules.forEach((r, i) => {
          const points = Number(live[`p${i}`]);
          if (points === 0) return;
          const b = 'behaviour' in r ? r.behaviour : null;
          rules.push({
            name: r.name,
            kind: b ? 'behaviour' : 'condition',
            points,
            rulePoints: r.points,
            window: b?.withinDays !== undefined ? { withinDays: b.withinDays } : null,
            atLeast: b ? (b.atLeast ?? 1) : null,
            counted: b ? Number(live[`n${i}`]) : null,
            latestAt: b ? ((live[`t${i}`] as string | null) ?? null) : null,
            decayDays: r.decayDays ?? null,
          });
        });
      out.push({
        modelId: row.id,
        modelName: row.name,
        score,
        grade: score === null ? null : gradeOf(score, m.grades),
        salesReady: score !== null && score >= m.salesReady,
        rules,
        reason: String(live.reason),
        computedAt: at,
      });
    }
    return out;
  }

  /** Anonymous counts of a model's scores: grades, sales-ready, why not scored, a histogram of ten bands. */
  async distribution(id: string): Promise<Distribution> {
    await this.row(id);
    const k = this.db.kysely;
    const byGrade = await k
      .selectFrom('lead_scores')
      .select(['grade', sql<number>`count(*)`.as('n')])
      .where('model_id', '=', id)
      .where('score', 'is not', null)
      .groupBy('grade')
      .execute();
    const grades = { A: 0, B: 0, C: 0, D: 0, none: 0 };
    let scored = 0;
    for (const g of byGrade) {
      const n = Number(g.n);
      scored += n;
      if (g.grade === 'A' || g.grade === 'B' || g.grade === 'C' || g.grade === 'D') grades[g.grade] += n;
      else grades.none += n;
    }
    const notScored: Record<string, number> = {};
    for (const r of await k
      .selectFrom('lead_scores')
      .select(['reason', sql<number>`count(*)`.as('n')])
      .where('model_id', '=', id)
      .where('score', 'is', null)
      .groupBy('reason')
      .execute())
      notScored[r.reason] = Number(r.n);
    const ready = await k
      .selectFrom('lead_scores')
      .select(sql<number>`count(*)`.as('n'))
      .where('model_id', '=', id)
      .where('sales_ready', '=', 1)
      .executeTakeFirst();
    const range = await k
      .selectFrom('lead_scores')
      .select([sql<number | null>`min(score)`.as('lo'), sql<number | null>`max(score)`.as('hi')])
      .where('model_id', '=', id)
      .executeTakeFirst();
    const histogram: Distribution['histogram'] = [];
    if (range?.lo !== null && range?.lo !== undefined && range.hi !== null) {
      const lo = Number(range.lo);
      const hi = Number(range.hi);
      const width = Math.max(1, Math.ceil((hi - lo + 1) / 10));
      const rows = await k
        .selectFrom('lead_scores')
        .select([sql<number>`(score - ${sql.lit(lo)}) / ${sql.lit(width)}`.as('band'), sql<number>`count(*)`.as('n')])
        .where('model_id', '=', id)
        .where('score', 'is not', null)
        .groupBy(sql`(score - ${sql.lit(lo)}) / ${sql.lit(width)}`)
        .execute();
      const byBand = new Map(rows.map((r) => [Number(r.band), Number(r.n)]));
      for (let b = 0; lo + b * width <= hi; b++)
        histogram.push({ from: lo + b * width, to: lo + (b + 1) * width - 1, n: byBand.get(b) ?? 0 });
    }
    return { grades, salesReady: Number(ready?.n ?? 0), scored, notScored, histogram };
  }

  /** The model's ranking: highest score first (not scored last), keyset-paged on (score, lead id). */
  async ranking(
    id: string,
    f: { status?: string; grade?: string; salesReady?: boolean; limit: number; after?: string },
  ): Promise<{ data: RankingRow[]; next: string | null }> {
    await this.row(id);
    const cursor = decodeRankCursor(f.after);
    const rows = await this.db.kysely
      .selectFrom('lead_scores as ls')
      .innerJoin('leads as l', 'l.id', 'ls.lead_id')
      .innerJoin('contacts as c', 'c.id', 'ls.contact_id')
      .select([
        'ls.lead_id',
        'l.title',
        'l.status',
        'ls.contact_id',
        'c.email',
        'c.first_name',
        'c.last_name',
        'ls.score',
        'ls.grade',
        'ls.sales_ready',
        'ls.reason',
        'ls.computed_at',
      ])
      .where('ls.model_id', '=', id)
      .$if(f.status !== undefined, (qb) => qb.where('l.status', '=', f.status!))
      .$if(f.grade !== undefined, (qb) => qb.where('ls.grade', '=', f.grade!))
      .$if(f.salesReady !== undefined, (qb) => qb.where('ls.sales_ready', '=', f.salesReady ? 1 : 0))
      .$if(cursor !== null, (qb) =>
        qb.where(
          cursor!.score === null
            ? sql<boolean>`(ls.score is null and ls.lead_id > ${cursor!.leadId})`
            : sql<boolean>`(ls.score < ${cursor!.score} or (ls.score = ${cursor!.score}
              and ls.lead_id > ${cursor!.leadId}) or ls.score is null)`,
        ),
      )
      .orderBy(sql`case when ls.score is null then 1 else 0 end`)
      .orderBy('ls.score', 'desc')
      .orderBy('ls.lead_id')
      .limit(f.limit + 1)
      .execute();
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((r) => ({
        leadId: r.lead_id,
        title: r.title,
        status: r.status,
        contactId: r.contact_id,
        contact: { email: r.email, firstName: r.first_name, lastName: r.last_name },
        score: r.score === null ? null : Number(r.score),
        grade: r.grade,
        salesReady: Number(r.sales_ready) === 1,
        reason: r.reason,
        computedAt: r.computed_at,
      })),
      next: rows.length > f.limit && last ? encodeRankCursor(last.score === null ? null : Number(last.score), last.lead_id) : null,
    };
  }
}

function encodeRankCursor(score: number | null, leadId: string): string {
  return Buffer.from(JSON.stringify([score, leadId])).toString('base64url');
}

function decodeRankCursor(s: string | undefined): { score: number | null; leadId: string } | null {
  if (s === undefined) return null;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (v[0] === null || Number.isInteger(v[0])) && typeof v[1] === 'string')
      return { score: v[0] as number | null, leadId: v[1] };
  } catch {
    // falls through to the error below
  }
  throw new AppError('invalid_cursor', 'the paging cursor is malformed');
}
