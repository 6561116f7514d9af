import { isId } from '../../lib/ids.ts';
import { HIGHEST_LEVEL, isConsentLevel, LOWEST_LEVEL } from '../../lib/consent-levels.ts';
import { isDate } from '../contacts/module.ts';
import { INTERACTION_TYPES } from '../interactions/module.ts';
import type { FilterConditionKind } from './filter.kinds.ts';
import { CONTACT_FIELDS, type FieldScope, type FilterProblem, LIMITS, OPS_BY_TYPE, type ResolvedField } from './filter.model.ts';

export type { FilterProblem } from './filter.model.ts';

export interface ValidationContext {
  /** Custom fields by name: column and type. */
  customFields: Map<string, ResolvedField>;
  purposes: Set<string>;
  /** The condition kinds later modules registered (`score`), by key (filter.kinds.ts); none when absent. */
  kinds?: ReadonlyMap<string, FilterConditionKind>;
  /** Extra field namespaces (FieldScope), for callers that join another table; none for segments. */
  scopes?: readonly FieldScope[];
}

const ISO_DT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export function resolveField(name: string, ctx: ValidationContext): ResolvedField | null {
  for (const scope of ctx.scopes ?? []) {
    if (!name.startsWith(`${scope.prefix}.`)) continue;
    const f = scope.fields.get(name.slice(scope.prefix.length + 1));
    return f ? { ...f, alias: scope.alias } : null;
  }
  if (name.startsWith('customFields.')) return ctx.customFields.get(name.slice('customFields.'.length)) ?? null;
  if (!Object.hasOwn(CONTACT_FIELDS, name)) return null;
  const f = CONTACT_FIELDS[name]!;
  return name === 'isChild' ? { ...f, childStatus: true } : f;
}

function scalarOk(v: unknown, type: ResolvedField['type']): string | null {
  switch (type) {
    case 'text':
      if (typeof v !== 'string') return 'expected a string';
      if (v.length > LIMITS.string) return `at most ${LIMITS.string} characters`;
      // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
      if (v.includes('\u0000')) return 'NUL characters are not allowed';
      return null;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'expected a finite number';
    case 'boolean':
      return typeof v === 'boolean' ? null : 'expected true or false';
    case 'date':
      return typeof v === 'string' && isDate(v) ? null : 'expected a date YYYY-MM-DD';
    case 'datetime':
      return typeof v === 'string' && ISO_DT.test(v) && !Number.isNaN(Date.parse(v))
        ? null
        : 'expected a UTC date-time like 2026-01-31T12:00:00.000Z';
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const keysAre = (o: Record<string, unknown>, allowed: string[]) => Object.keys(o).every((k) => allowed.includes(k));

/**
 * Checks a tree against the language; every problem names its node by JSON pointer.
 * Returns the problems (empty when the tree is valid).
 */
export function validateFilter(tree: unknown, ctx: ValidationContext): FilterProblem[] {
  const problems: FilterProblem[] = [];
  let nodes = 0;
  let values = 0;
  /** Counts a condition's values; the condition that takes the tree past the bound is named once. */
  const count = (n: number, path: string): void => {
    values += n;
    if (values > LIMITS.values && values - n <= LIMITS.values)
      problems.push({ path, message: `a filter holds at most ${LIMITS.values} values in all its conditions together` });
  };
  const walk = (n: unknown, path: string, depth: number): void => {
    if (problems.length >= 20) return;
    nodes++;
    if (nodes > LIMITS.nodes) {
      if (nodes === LIMITS.nodes + 1) problems.push({ path, message: `a filter has at most ${LIMITS.nodes} nodes` });
      return;
    }
    if (depth > LIMITS.depth) {
      problems.push({ path, message: `nesting deeper than ${LIMITS.depth} levels` });
      return;
    }
    if (!isObj(n)) {
      problems.push({ path: path || '/', message: 'a node is an object' });
      return;
    }
    const keys = Object.keys(n);
    if ('and' in n || 'or' in n) {
      const k = 'and' in n ? 'and' : 'or';
      if (keys.length !== 1) return void problems.push({ path, message: `"${k}" stands alone in its node` });
      const list = n[k];
      if (!Array.isArray(list) || list.length === 0 || list.length > LIMITS.children)
        return void problems.push({ path: `${path}/${k}`, message: `a list of 1 to ${LIMITS.children} nodes` });
      list.forEach((c, i) => walk(c, `${path}/${k}/${i}`, depth + 1));
      return;
    }
    if ('not' in n) {
      if (keys.length !== 1) return void problems.push({ path, message: '"not" stands alone in its node' });
      return walk(n.not, `${path}/not`, depth + 1);
    }
    if ('field' in n) {
      if (!keysAre(n, ['field', 'op', 'value']))
        return void problems.push({ path, message: 'a field condition has field, op and value only' });
      if (typeof n.field !== 'string') return void problems.push({ path: `${path}/field`, message: 'expected a field name' });
      const f = resolveField(n.field, ctx);
      if (!f) return void problems.push({ path: `${path}/field`, message: 'unknown field' });
      const ops = OPS_BY_TYPE[f.type];
      if (typeof n.op !== 'string' || !ops.includes(n.op as never))
        return void problems.push({ path: `${path}/op`, message: `the operator for this field is one of ${ops.join(' ')}` });
      if (n.op === 'is_null') {
        if (n.value !== undefined && typeof n.value !== 'boolean')
          problems.push({ path: `${path}/value`, message: 'is_null takes true, false or no value' });
        return;
      }
      if (n.op === 'in') {
        if (!Array.isArray(n.value) || n.value.length === 0 || n.value.length > LIMITS.inValues)
          return void problems.push({ path: `${path}/value`, message: `in takes a list of 1 to ${LIMITS.inValues} values` });
        count(n.value.length, `${path}/value`);
        n.value.forEach((v, i) => {
          const m = scalarOk(v, f.type);
          if (m && problems.length < 20) problems.push({ path: `${path}/value/${i}`, message: m });
        });
        return;
      }
      count(1, `${path}/value`);
      const m = scalarOk(n.value, f.type);
      if (m) problems.push({ path: `${path}/value`, message: m });
      return;
    }
    if ('consent' in n) {
      const c = n.consent;
      if (keys.length !== 1 || !isObj(c) || !keysAre(c, ['atLeast']) || !isConsentLevel(c.atLeast)) {
        problems.push({ path, message: `consent takes {"atLeast": ${LOWEST_LEVEL}..${HIGHEST_LEVEL}}` });
      }
      return;
    }
    if ('allowed' in n) {
      if (keys.length !== 1 || typeof n.allowed !== 'string' || !ctx.purposes.has(n.allowed))
        problems.push({ path: `${path}/allowed`, message: 'a purpose the installation defines' });
      return;
    }
    if ('list' in n) {
      if (keys.length !== 1 || !isId(n.list)) problems.push({ path: `${path}/list`, message: 'a list id' });
      return;
    }
    if ('behaviour' in n) {
      const b = n.behaviour;
      if (keys.length !== 1 || !isObj(b) || !keysAre(b, ['type', 'ref', 'withinDays', 'atLeast']))
        return void problems.push({ path, message: 'behaviour takes type, ref, withinDays and atLeast' });
      if (typeof b.type !== 'string' || !(INTERACTION_TYPES as readonly string[]).includes(b.type))
        problems.push({ path: `${path}/behaviour/type`, message: 'an interaction type' });
      if (b.ref !== undefined && (typeof b.ref !== 'string' || b.ref.length === 0 || b.ref.length > 200 || b.ref.includes('\u0000')))
        problems.push({ path: `${path}/behaviour/ref`, message: 'a reference of 1 to 200 characters' });
      if (
        b.withinDays !== undefined &&
        (!Number.isInteger(b.withinDays) || (b.withinDays as number) < 1 || (b.withinDays as number) > LIMITS.withinDays)
      )
        problems.push({ path: `${path}/behaviour/withinDays`, message: `a whole number of days from 1 to ${LIMITS.withinDays}` });
      if (b.atLeast !== undefined && (!Number.isInteger(b.atLeast) || (b.atLeast as number) < 1 || (b.atLeast as number) > LIMITS.atLeast))
        problems.push({ path: `${path}/behaviour/atLeast`, message: `a whole number from 1 to ${LIMITS.atLeast}` });
      return;
    }
    const kind = keys.length === 1 ? ctx.kinds?.get(keys[0]!) : undefined;
    if (kind) {
      count(1, path);
      for (const p of kind.validate(n[kind.key], `${path}/${kind.key}`)) if (problems.length < 20) problems.push(p);
      return;
    }
    const extra = [...(ctx.kinds?.keys() ?? [])].map((k) => `, ${k}`).join('');
    problems.push({ path: path || '/', message: `unknown node: expected and, or, not, field, consent, allowed, list, behaviour${extra}` });
  };
  walk(tree, '', 1);
  return problems;
}
