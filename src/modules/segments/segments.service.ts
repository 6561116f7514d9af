import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import { majorityCutoff, type GateQuestion } from '../consent/gate.ts';
import type { ContactsTable } from '../contacts/contacts.table.ts';
import type { CustomFieldsService } from '../contacts/custom-fields.service.ts';
import type { Settings } from '../settings/settings.schemas.ts';
import type { SettingsService } from '../settings/settings.service.ts';
import { combine, compileFilter, leaves, type CompileContext } from './filter.compile.ts';
import type { FilterNode, ResolvedField } from './filter.model.ts';
import { validateFilter } from './filter.validate.ts';
import { toSegment, type Explanation, type Segment, type SegmentKind } from './segments.model.ts';
import * as q from './segments.queries.ts';

/** Segments evaluated per query in membershipsOf: well under both databases' column limits. */
const MEMBERSHIP_BATCH = 100;

interface Base {
  settings: Settings;
  customFields: Map<string, ResolvedField>;
  purposes: Set<string>;
  /** Gate questions by purpose, asked once per base. */
  questions: Map<string, GateQuestion>;
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
  ) {}

  /** What compiling any tree needs from the database now: custom fields, purposes, settings. */
  private async base(): Promise<Base> {
    const [settings, fields] = await Promise.all([this.settings.get(), this.fields.list()]);
    const customFields = new Map<string, ResolvedField>(fields.map((f) => [f.name, { column: f.column, type: f.type }]));
    return { settings, customFields, purposes: new Set(Object.keys(settings.purposes)), questions: new Map() };
  }

  /** Validates a tree against `base` and gathers its gate questions (kept in `base` for reuse). */
  private async prepareWith(base: Base, tree: unknown, contact?: string): Promise<{ tree: FilterNode; ctx: CompileContext }> {
    const { customFields, purposes, settings } = base;
    const problems = validateFilter(tree, { customFields, purposes });
    if (problems.length) throw new AppError('invalid_filter', `the filter is not valid: ${problems[0]!.path || '/'} ${problems[0]!.message}`, problems);
    const node = tree as FilterNode;
    const questions = new Map<string, GateQuestion>();
    for (const l of leaves(node)) {
      if (!('allowed' in l.node) || questions.has(l.node.allowed)) continue;
      const p = l.node.allowed;
      if (!base.questions.has(p)) base.questions.set(p, await this.consent.question(p));
      questions.set(p, base.questions.get(p)!);
    }
    const now = this.clock.now();
    return { tree: node, ctx: { customFields, purposes, questions, dialect: this.db.dialect, childCutoff: majorityCutoff(now, settings.majorityAge), now, ...(contact !== undefined ? { contact } : {}) } };
  }

  /**
   * Validates a tree and gathers what compiling it needs (custom fields, gate questions, now).
   * With `contact`, the compiled predicate is meant for that one contact's row only.
   */
  async prepare(tree: unknown, contact?: string): Promise<{ tree: FilterNode; ctx: CompileContext }> {
    return this.prepareWith(await this.base(), tree, contact);
  }

  async predicate(tree: unknown): Promise<RawBuilder<SqlBool>> {
    const p = await this.prepare(tree);
    return compileFilter(p.tree, p.ctx);
  }

  async preview(tree: unknown): Promise<number> {
    return q.countMatching(this.db.kysely, await this.predicate(tree));
  }

  async create(input: { name: string; kind: SegmentKind; filter: unknown }): Promise<Segment> {
    const pred = await this.predicate(input.filter);
    const now = this.clock.now().toISOString();
    const row = { id: newId(), name: input.name.trim(), kind: input.kind, filter: JSON.stringify(input.filter), snapshot_at: input.kind === 'static' ? now : null, created_at: now, updated_at: now, flagged: 0, flag_detail: null };
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.insertSegment(trx, row);
      if (input.kind === 'static') await q.snapshot(trx, row.id, pred);
    });
    return toSegment(row);
  }

  async get(id: string, trx: Kysely<Database> = this.db.kysely): Promise<Segment> {
    const r = await q.segmentById(trx, id);
    if (!r) throw new AppError('not_found', 'no such segment');
    return toSegment(r);
  }

  async list(limit: number, after?: string): Promise<Segment[]> {
    return (await q.listSegments(this.db.kysely, limit, after)).map(toSegment);
  }

  /** A changed filter of a static segment takes a new snapshot. */
  async update(id: string, patch: { name?: string; filter?: unknown; flagged?: false }): Promise<Segment> {
    const current = await this.get(id);
    const pred = patch.filter !== undefined ? await this.predicate(patch.filter) : null;
    const now = this.clock.now().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.updateSegment(trx, id, {
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.filter !== undefined ? { filter: JSON.stringify(patch.filter) } : {}),
        ...(pred && current.kind === 'static' ? { snapshot_at: now } : {}),
        // The owner dealt with what an erasure flagged.
        ...(patch.flagged === false ? { flagged: 0, flag_detail: null } : {}),
        updated_at: now,
      });
      if (pred && current.kind === 'static') await q.snapshot(trx, id, pred);
    });
    return this.get(id);
  }

  async refresh(id: string): Promise<Segment> {
    const s = await this.get(id);
    if (s.kind !== 'static') throw new AppError('validation_failed', 'only static segments take snapshots; dynamic ones are always current');
    return this.update(id, { filter: s.filter });
  }

  async delete(id: string): Promise<void> {
    const r = await q.deleteSegment(this.db.kysely, id);
    if (Number(r.numDeletedRows) === 0) throw new AppError('not_found', 'no such segment');
  }

  async count(id: string): Promise<number> {
    const s = await this.get(id);
    return s.kind === 'static' ? q.countSnapshot(this.db.kysely, id) : q.countMatching(this.db.kysely, await this.predicate(s.filter));
  }

  /** Member rows in id order after a cursor. */
  async members(id: string, limit: number, after?: string): Promise<ContactsTable[]> {
    const s = await this.get(id);
    return s.kind === 'static' ? q.snapshotPage(this.db.kysely, id, limit, after) : q.matchingPage(this.db.kysely, await this.predicate(s.filter), limit, after);
  }

  /**
   * Why is (or isn't) a contact in the segment: each condition with its truth value now,
   * computed by the same compiled SQL as membership, and combined by the tree's logic.
   */
  async explain(id: string, contactId: string): Promise<Explanation> {
    const s = await this.get(id);
    const { tree, ctx } = await this.prepare(s.filter, contactId);
    const ls = leaves(tree);
    const values = await q.truthValues(this.db.kysely, ls.map((l) => compileFilter(l.node, ctx)), contactId);
    if (!values) throw new AppError('not_found', 'no such contact');
    const byPath = new Map(ls.map((l, i) => [l.path, values[i]!]));
    const conditions = ls.map((l, i) => ({ path: l.path, condition: l.node, value: values[i]! }));
    const member = s.kind === 'static' ? await q.inSnapshot(this.db.kysely, id, contactId) : combine(tree, (p) => byPath.get(p)!);
    return { member, conditions };
  }

  /**
   * Every segment the contact belongs to now (access requests): static ones from their
   * snapshots, dynamic ones evaluated together, one query per batch of segments.
   */
  async membershipsOf(contactId: string): Promise<{ id: string; name: string; kind: SegmentKind }[]> {
    const all = (await q.listSegments(this.db.kysely, 100_000)).map(toSegment);
    const snap = new Set((await q.snapshotsOf(this.db.kysely, contactId)).map((r) => r.segment_id));
    const dynamic = all.filter((s) => s.kind === 'dynamic');
    const matching = new Set<string>();
    if (dynamic.length) {
      const base = await this.base();
      const preds: RawBuilder<SqlBool>[] = [];
      for (const s of dynamic) {
        const p = await this.prepareWith(base, s.filter, contactId);
        preds.push(compileFilter(p.tree, p.ctx));
      }
      for (let i = 0; i < dynamic.length; i += MEMBERSHIP_BATCH) {
        // No such contact: a member of nothing, as a query over no rows says.
        const values = await q.truthValues(this.db.kysely, preds.slice(i, i + MEMBERSHIP_BATCH), contactId);
        values?.forEach((v, k) => v && matching.add(dynamic[i + k]!.id));
      }
    }
    return all.filter((s) => (s.kind === 'static' ? snap.has(s.id) : matching.has(s.id))).map((s) => ({ id: s.id, name: s.name, kind: s.kind }));
  }
}
