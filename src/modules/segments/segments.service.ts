import { tableTotal } from '../../db/estimate.ts';
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import { retryConflicts } from '../../db/conflict.ts';
import { isStatementRefusal } from '../../db/refusal.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type ConsentService, type GateQuestion, majorityCutoff } from '../consent/module.ts';
import type { CustomFieldsService } from '../contacts/module.ts';
import type { Settings, SettingsService } from '../settings/module.ts';
import { combine, compileFilter, leaves, registeredNodes, type CompileContext } from './filter.compile.ts';
import type { FilterConditions } from './filter.kinds.ts';
import type { FilterNode, ResolvedField } from './filter.model.ts';
import { validateFilter } from './filter.validate.ts';
import {
  toSegment,
  type Explanation,
  type Memberships,
  type NotEvaluableReason,
  type Segment,
  type SegmentKind,
} from './segments.model.ts';
import * as q from './segments.queries.ts';
import type { ContactsTable } from '../contact-records/module.ts';

/** Segments evaluated per query in membershipsOf: well under both databases' column limits. */
const MEMBERSHIP_BATCH = 100;
/**
 * Bound variables per membership query: far under SQLite's 32,766 (PostgreSQL takes 65,535),
 * and a measure of the statement's size, which costs the planner more than linearly. A batch
 * closes early when its segments' filters need more; most segments bind a few variables, so a
 * hundred still go together. (Measured: 100 segments of 294 behaviour conditions took 6 s in
 * batches of 11 and 3 s one by one on SQLite, 10 s and 5 s on PostgreSQL.)
 */
const MEMBERSHIP_PARAMS = 1_000;

interface Base {
  settings: Settings;
  customFields: Map<string, ResolvedField>;
  purposes: Set<string>;
  /** Gate questions by purpose, asked once per base. */
  questions: Map<string, GateQuestion>;
  kinds: CompileContext['kinds'];
}

/**
 * Segments: filter trees over contacts, compiled to one SQL query per use. Dynamic segments
 * are evaluated live; static ones keep the members found when they were (re)taken.
 */
export class SegmentsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly fields: CustomFieldsService,
    private readonly consent: ConsentService,
    /** The condition kinds later modules add to the language (filter.kinds.ts). */
    readonly conditions: FilterConditions,
  ) {}

  /** What compiling any tree needs from the database now: custom fields, purposes, settings. */
  private async base(): Promise<Base> {
    const [settings, fields] = await Promise.all([this.settings.get(), this.fields.list()]);
    const customFields = new Map<string, ResolvedField>(fields.map((f) => [f.name, { column: f.column, type: f.type }]));
    return {
      settings,
      customFields,
      purposes: new Set(Object.keys(settings.purposes)),
      questions: new Map(),
      kinds: this.conditions.map(),
    };
  }

  /** Validates a tree against `base` and gathers its gate questions (kept in `base` for reuse). */
  private async prepareWith(
    base: Base,
    tree: unknown,
    contact?: string,
    references: 'check' | 'skip' = 'check',
  ): Promise<{ tree: FilterNode; ctx: CompileContext }> {
    const { customFields, purposes, settings, kinds } = base;
    const problems = validateFilter(tree, { customFields, purposes, kinds });
    if (problems.length)
      throw new AppError('invalid_filter', `the filter is not valid: ${problems[0]!.path || '/'} ${problems[0]!.message}`, problems);
    const node = tree as FilterNode;
    if (references === 'check') await this.checkReferences(node, base);
    const questions = new Map<string, GateQuestion>();
    for (const l of leaves(node)) {
      if (!('allowed' in l.node) || questions.has(l.node.allowed)) continue;
      const p = l.node.allowed;
      if (!base.questions.has(p)) base.questions.set(p, await this.consent.question(p));
      questions.set(p, base.questions.get(p)!);
    }
    const now = this.clock.now();
    return {
      tree: node,
      ctx: {
        customFields,
        purposes,
        kinds,
        questions,
        dialect: this.db.dialect,
        childCutoff: majorityCutoff(now, settings.majorityAge),
        now,
        ...(contact !== undefined ? { contact } : {}),
      },
    };
  }

  /**
   * What the tree's registered nodes name must exist (a `score` condition's model): each kind
   * asks the database once for all its nodes. 422 `filter_reference_unknown`, by path.
   */
  private async checkReferences(node: FilterNode, base: Base): Promise<void> {
    const found = registeredNodes(node, base);
    if (found.length === 0) return;
    const problems = [];
    for (const key of new Set(found.map((f) => f.key))) {
      const kind = base.kinds!.get(key)!;
      if (kind.check) problems.push(...(await kind.check(found.filter((f) => f.key === key))));
    }
    if (problems.length)
      throw new AppError(
        'filter_reference_unknown',
        `the filter names what does not exist: ` + `${problems[0]!.path} ${problems[0]!.message}`,
        problems,
      );
  }

  /**
   * Validates a tree and gathers what compiling it needs (custom fields, gate questions, now).
   * With `contact`, the compiled predicate is meant for that one contact's row only.
   */
  async prepare(tree: unknown, contact?: string): Promise<{ tree: FilterNode; ctx: CompileContext }> {
    return this.prepareWith(await this.base(), tree, contact);
  }

  /**
   * The tree as a predicate over contacts `c`. `references: 'skip'` is for a filter saved
   * elsewhere that must go on being evaluated (a live journey's condition): what it names that is
   * gone (a deleted scoring model) then simply holds for no one, as its rows are gone too.
   */
  async predicate(tree: unknown, opts: { references?: 'check' | 'skip' } = {}): Promise<RawBuilder<SqlBool>> {
    const p = await this.prepareWith(await this.base(), tree, undefined, opts.references);
    return compileFilter(p.tree, p.ctx);
  }

  /**
   * A saved segment's filter, prepared. A saved filter that no longer validates (a custom
   * field it names was removed) is the segment's problem, not the caller's request's.
   */
  private async prepareSaved(s: Segment, contact?: string): Promise<{ tree: FilterNode; ctx: CompileContext }> {
    try {
      return await this.prepare(s.filter, contact);
    } catch (e) {
      if (e instanceof AppError && SAVED_FILTER_BROKEN.has(e.code)) throw unevaluable('filter_invalid', e.details);
      throw e;
    }
  }

  private async savedPredicate(s: Segment): Promise<RawBuilder<SqlBool>> {
    const p = await this.prepareSaved(s);
    return compileFilter(p.tree, p.ctx);
  }

  async preview(tree: unknown): Promise<number> {
    const pred = await this.predicate(tree);
    return evaluating(() => q.countMatching(this.db.kysely, pred));
  }

  async create(input: { name: string; description?: string | null; kind: SegmentKind; filter: unknown }): Promise<Segment> {
    const pred = await this.predicate(input.filter);
    const now = this.clock.now().toISOString();
    const row = {
      id: newId(),
      name: input.name.trim(),
      description: blankToNull(input.description),
      kind: input.kind,
      filter: JSON.stringify(input.filter),
      snapshot_at: input.kind === 'static' ? now : null,
      created_at: now,
      updated_at: now,
      flagged: 0,
      flag_detail: null,
    };
    await evaluating(() =>
      retryConflicts(() =>
        this.db.kysely.transaction().execute(async (trx) => {
          await q.insertSegment(trx, row);
          if (input.kind === 'static') await q.snapshot(trx, this.db.dialect, row.id, pred);
        }),
      ),
    );
    return toSegment(row);
  }

  async get(id: string, trx: Kysely<Database> = this.db.kysely): Promise<Segment> {
    const r = await q.segmentById(trx, id);
    if (!r) throw new AppError('not_found', 'no such segment');
    return toSegment(r);
  }

  /** The segment listing's total (src/db/estimate.ts). */
  total(): Promise<{ total: number; isEstimate: boolean }> {
    return tableTotal(this.db.kysely, 'segments');
  }

  async list(limit: number, after?: string): Promise<Segment[]> {
    return (await q.listSegments(this.db.kysely, limit, after)).map(toSegment);
  }

  /** A changed filter of a static segment takes a new snapshot. */
  async update(id: string, patch: { name?: string; description?: string | null; filter?: unknown; flagged?: false }): Promise<Segment> {
    const current = await this.get(id);
    const pred = patch.filter !== undefined ? await this.predicate(patch.filter) : null;
    await this.write(current, patch, pred);
    return this.get(id);
  }

  private async write(
    current: Segment,
    patch: { name?: string; description?: string | null; filter?: unknown; flagged?: false },
    pred: RawBuilder<SqlBool> | null,
  ): Promise<void> {
    const now = this.clock.now().toISOString();
    // The segment's row is written first: two snapshots of one segment then take turns (the
    // second would find the first's members). A deadlock victim runs again: an erasure that
    // redacts this segment's filter holds the person's contact and then wants this row.
    await evaluating(() =>
      retryConflicts(() =>
        this.db.kysely.transaction().execute(async (trx) => {
          await q.updateSegment(trx, current.id, {
            ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
            ...(patch.description !== undefined ? { description: blankToNull(patch.description) } : {}),
            ...(patch.filter !== undefined ? { filter: JSON.stringify(patch.filter) } : {}),
            ...(pred && current.kind === 'static' ? { snapshot_at: now } : {}),
            // The owner dealt with what an erasure flagged.
            ...(patch.flagged === false ? { flagged: 0, flag_detail: null } : {}),
            updated_at: now,
          });
          if (pred && current.kind === 'static') await q.snapshot(trx, this.db.dialect, current.id, pred);
        }),
      ),
    );
  }

  async refresh(id: string): Promise<Segment> {
    const s = await this.get(id);
    if (s.kind !== 'static')
      throw new AppError('validation_failed', 'only static segments take snapshots; dynamic ones are always current');
    await this.write(s, { filter: s.filter }, await this.savedPredicate(s));
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const r = await q.deleteSegment(this.db.kysely, id);
    if (Number(r.numDeletedRows) === 0) throw new AppError('not_found', 'no such segment');
  }

  async count(id: string): Promise<number> {
    const s = await this.get(id);
    if (s.kind === 'static') return q.countSnapshot(this.db.kysely, id);
    const pred = await this.savedPredicate(s);
    return evaluating(() => q.countMatching(this.db.kysely, pred));
  }

  /**
   * A saved segment's members as a predicate over contacts `c`, for a module that counts or
   * selects them in a query of its own (email's audience: how many the gate would refuse).
   */
  async memberPredicate(id: string): Promise<RawBuilder<SqlBool>> {
    const s = await this.get(id);
    return s.kind === 'static' ? q.inSnapshotSql(id) : this.savedPredicate(s);
  }

  /** Member rows in id order after a cursor. */
  async members(id: string, limit: number, after?: string): Promise<ContactsTable[]> {
    const s = await this.get(id);
    if (s.kind === 'static') return q.snapshotPage(this.db.kysely, id, limit, after);
    const pred = await this.savedPredicate(s);
    return evaluating(() => q.matchingPage(this.db.kysely, pred, limit, after));
  }

  /**
   * Why is (or isn't) a contact in the segment: each condition with its truth value now,
   * computed by the same compiled SQL as membership, and combined by the tree's logic.
   */
  async explain(id: string, contactId: string): Promise<Explanation> {
    const s = await this.get(id);
    const { tree, ctx } = await this.prepareSaved(s, contactId);
    const ls = leaves(tree);
    const values = await evaluating(() =>
      q.truthValues(
        this.db.kysely,
        ls.map((l) => compileFilter(l.node, ctx)),
        contactId,
      ),
    );
    if (!values) throw new AppError('not_found', 'no such contact');
    const byPath = new Map(ls.map((l, i) => [l.path, values[i]!]));
    const conditions = ls.map((l, i) => ({ path: l.path, condition: l.node, value: values[i]! }));
    const member = s.kind === 'static' ? await q.inSnapshot(this.db.kysely, id, contactId) : combine(tree, (p) => byPath.get(p)!);
    return { member, conditions };
  }

  /**
   * Every segment the contact belongs to now (access requests): static ones from their
   * snapshots, dynamic ones evaluated together, one query per batch of segments. A segment that
   * cannot be evaluated (its saved filter no longer validates, or the database refuses its
   * query) is named in `notEvaluated` with the reason, and hides no other segment's answer: a
   * batch the database refuses is halved until the segment at fault stands alone.
   */
  async membershipsOf(contactId: string): Promise<Memberships> {
    const rows = await q.listSegments(this.db.kysely, 100_000);
    const snap = new Set((await q.snapshotsOf(this.db.kysely, contactId)).map((r) => r.segment_id));
    const matching = new Set<string>();
    const failed = new Map<string, NotEvaluableReason>();
    const ready: Candidate[] = [];
    const base = rows.some((r) => r.kind === 'dynamic') ? await this.base() : null;
    for (const r of rows) {
      if (r.kind !== 'dynamic') continue;
      try {
        // JSON.parse: a stored filter written outside the application may not even be JSON.
        const p = await this.prepareWith(base!, JSON.parse(r.filter) as unknown, contactId);
        const pred = compileFilter(p.tree, p.ctx);
        ready.push({ id: r.id, pred, params: pred.compile(this.db.kysely).parameters.length });
      } catch (e) {
        if (!(e instanceof SyntaxError) && !(e instanceof AppError && SAVED_FILTER_BROKEN.has(e.code))) throw e;
        failed.set(r.id, 'filter_invalid');
      }
    }
    for (const batch of membershipBatches(ready)) await this.evaluateFor(contactId, batch, matching, failed);
    const refs = rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind as SegmentKind }));
    return {
      segments: refs.filter((s) => (s.kind === 'static' ? snap.has(s.id) : matching.has(s.id))),
      notEvaluated: refs.filter((s) => failed.has(s.id)).map((s) => ({ ...s, reason: failed.get(s.id)! })),
    };
  }

  /** One query for a batch of segments; a refused batch is halved until the segment at fault stands alone. */
  private async evaluateFor(
    contactId: string,
    batch: Candidate[],
    matching: Set<string>,
    failed: Map<string, NotEvaluableReason>,
  ): Promise<void> {
    let values: boolean[] | null;
    try {
      values = await q.truthValues(
        this.db.kysely,
        batch.map((c) => c.pred),
        contactId,
      );
    } catch (e) {
      if (!isStatementRefusal(e)) throw e;
      if (batch.length === 1) return void failed.set(batch[0]!.id, 'query_failed');
      const half = Math.ceil(batch.length / 2);
      await this.evaluateFor(contactId, batch.slice(0, half), matching, failed);
      await this.evaluateFor(contactId, batch.slice(half), matching, failed);
      return;
    }
    // No such contact: a member of nothing, as a query over no rows says.
    values?.forEach((v, k) => v && matching.add(batch[k]!.id));
  }
}

/**
 * Why a saved filter stopped working after it was saved: no longer valid (a custom field removed),
 * or naming what is gone (a `score` condition's model deleted). Its segment only is unevaluable.
 */
const SAVED_FILTER_BROKEN = new Set(['invalid_filter', 'filter_reference_unknown']);

/** A dynamic segment ready to evaluate for one contact, with the variables its predicate binds. */
interface Candidate {
  id: string;
  pred: RawBuilder<SqlBool>;
  params: number;
}

/** Batches of at most MEMBERSHIP_BATCH segments and MEMBERSHIP_PARAMS variables (a larger segment goes alone). */
function membershipBatches(cs: Candidate[]): Candidate[][] {
  const out: Candidate[][] = [];
  let cur: Candidate[] = [];
  let params = 0;
  for (const c of cs) {
    if (cur.length && (cur.length >= MEMBERSHIP_BATCH || params + c.params > MEMBERSHIP_PARAMS)) {
      out.push(cur);
      cur = [];
      params = 0;
    }
    cur.push(c);
    params += c.params;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A description of only spaces says nothing: stored as none. */
function blankToNull(s: string | null | undefined): string | null {
  return s?.trim() ? s.trim() : null;
}

function unevaluable(reason: NotEvaluableReason, problems?: unknown): AppError {
  const message =
    reason === 'filter_invalid'
      ? 'the saved filter is no longer valid (a field it names may have been removed): change or delete the segment'
      : 'the database cannot evaluate this filter as it is now (a column it needs may have been removed or changed outside the ' +
        'application): change or delete the segment';
  return new AppError('segment_unevaluable', message, { reason, ...(problems !== undefined ? { problems } : {}) });
}

/** Runs a segment's query; a statement the database refuses for what it says answers segment_unevaluable. */
async function evaluating<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isStatementRefusal(e)) throw unevaluable('query_failed');
    throw e;
  }
}
