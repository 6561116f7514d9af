/**
 * The model editor's draft and its conversion to and from the API's model (issue 17's contract):
 * every number is kept as typed (text) until saved, so a half-typed "-" is not lost; the checks
 * the console makes before sending; and the API's problems (JSON pointers such as
 * /rules/2/condition/and/0/value) placed at the field they name. No React here: node:test imports
 * this module (draft.test.ts).
 */
import { ApiFailure } from '../../api/client.ts';
import { fromJson, hasEmptyGroup, newKey, type TreeNode, toJson } from '../segments/filterTree.ts';
import { GRADES, type Grade, type Model, type ModelInput, type RequiredConsent, type Rule } from './scoring.api.ts';

export type RuleKind = 'condition' | 'behaviour';
export interface RuleDraft {
  key: string;
  name: string;
  kind: RuleKind;
  /** The condition, as the segment builder edits it (kept when the kind is switched, so nothing is lost). */
  tree: TreeNode;
  type: string;
  ref: string;
  atLeast: string;
  withinDays: string;
  points: string;
  decayDays: string;
}
export interface Draft {
  name: string;
  requiredConsent: RequiredConsent;
  rules: RuleDraft[];
  grades: Record<Grade, string>;
  salesReady: string;
}
export interface Problem {
  path: string;
  message: string;
}

/** Where a new model starts: profiling required (the default the API applies), grades 80/60/40/20, sales-ready at 70. */
export const NEW_GRADES: Record<Grade, number> = { A: 80, B: 60, C: 40, D: 20 };
export const NEW_SALES_READY = 70;

const text = (n: number | null | undefined): string => (n === null || n === undefined ? '' : String(n));

export function newRule(kind: RuleKind, number: number): RuleDraft {
  return {
    key: newKey(),
    name: kind === 'behaviour' ? `Behaviour ${number}` : `Condition ${number}`,
    kind,
    tree: { key: newKey(), kind: 'and', children: [] },
    type: 'email_opened',
    ref: '',
    atLeast: '1',
    withinDays: '30',
    points: '10',
    decayDays: '',
  };
}

export function ruleFrom(r: Rule): RuleDraft {
  const b = r.behaviour;
  return {
    key: newKey(),
    name: r.name,
    kind: b ? 'behaviour' : 'condition',
    tree: r.condition !== undefined ? fromJson(r.condition) : { key: newKey(), kind: 'and', children: [] },
    type: b?.type ?? 'email_opened',
    ref: b?.ref ?? '',
    atLeast: text(b?.atLeast),
    withinDays: text(b?.withinDays),
    points: text(r.points),
    decayDays: text(r.decayDays),
  };
}

export function fromModel(m: Model | undefined): Draft {
  if (!m)
    return {
      name: '',
      requiredConsent: 'profiling',
      rules: [newRule('condition', 1)],
      grades: { A: '80', B: '60', C: '40', D: '20' },
      salesReady: String(NEW_SALES_READY),
    };
  return {
    name: m.name,
    requiredConsent: m.requiredConsent,
    rules: m.rules.map(ruleFrom),
    grades: { A: text(m.grades.A), B: text(m.grades.B), C: text(m.grades.C), D: text(m.grades.D) },
    salesReady: text(m.salesReady),
  };
}

/** A typed number as the API wants it; what is not a number is sent as typed, for the API to name. */
const num = (s: string): number => (/^\s*-?\d+(\.\d+)?\s*$/.test(s) ? Number(s) : (s as unknown as number));

export function ruleBody(r: RuleDraft): Rule {
  const out: Rule = { name: r.name.trim(), points: num(r.points) };
  if (r.kind === 'condition') out.condition = toJson(r.tree);
  else {
    out.behaviour = {
      type: r.type,
      ...(r.ref.trim() ? { ref: r.ref.trim() } : {}),
      ...(r.atLeast.trim() ? { atLeast: num(r.atLeast) } : {}),
      ...(r.withinDays.trim() ? { withinDays: num(r.withinDays) } : {}),
    };
    if (r.decayDays.trim()) out.decayDays = num(r.decayDays);
  }
  return out;
}

export function toBody(d: Draft): ModelInput {
  return {
    name: d.name.trim(),
    requiredConsent: d.requiredConsent,
    rules: d.rules.map(ruleBody),
    grades: { A: num(d.grades.A), B: num(d.grades.B), C: num(d.grades.C), D: num(d.grades.D) },
    salesReady: num(d.salesReady),
  };
}

const isInt = (s: string) => /^\s*-?\d+\s*$/.test(s);
function intIn(s: string, min: number, max: number): boolean {
  return isInt(s) && Number(s) >= min && Number(s) <= max;
}

/**
 * What the console can tell before sending, by path as the API would name it: names given,
 * points a whole number from -1000 to 1000 and not 0, windows and decay in range, conditions not
 * empty, grades whole numbers with A above B above C above D. The API checks all of it again.
 */
export function check(d: Draft): Problem[] {
  const out: Problem[] = [];
  const add = (path: string, message: string) => out.push({ path, message });
  if (!d.name.trim()) add('/name', 'Give the model a name: it is how people find it.');
  if (d.rules.length === 0) add('/rules', 'Add at least one rule: without rules every lead scores 0.');
  d.rules.forEach((r, i) => {
    const at = `/rules/${i}`;
    if (!r.name.trim()) add(`${at}/name`, 'Give the rule a name: the explanation shows it to the person.');
    if (!intIn(r.points, -1000, 1000) || Number(r.points) === 0)
      add(`${at}/points`, 'A whole number from -1000 to 1000, not 0 (negative takes points away).');
    if (r.kind === 'condition') {
      if (hasEmptyGroup(r.tree)) add(`${at}/condition`, 'Add a condition to every group, or remove the empty group.');
    } else {
      if (r.atLeast.trim() && !intIn(r.atLeast, 1, 100_000)) add(`${at}/behaviour/atLeast`, 'A whole number of times, 1 or more.');
      if (r.withinDays.trim() && !intIn(r.withinDays, 1, 3650)) add(`${at}/behaviour/withinDays`, 'A whole number of days from 1 to 3650.');
      if (r.decayDays.trim() && !intIn(r.decayDays, 1, 3650)) add(`${at}/decayDays`, 'A whole number of days from 1 to 3650, or empty.');
    }
  });
  for (const g of GRADES) if (!intIn(d.grades[g], -1_000_000, 1_000_000)) add(`/grades/${g}`, 'A whole number.');
  if (GRADES.every((g) => isInt(d.grades[g]))) {
    for (let i = 1; i < GRADES.length; i++) {
      const hi = GRADES[i - 1]!;
      const lo = GRADES[i]!;
      if (Number(d.grades[lo]) >= Number(d.grades[hi])) add(`/grades/${lo}`, `Must be below ${hi}'s threshold (${d.grades[hi]}).`);
    }
  }
  if (!intIn(d.salesReady, -1_000_000, 1_000_000)) add('/salesReady', 'A whole number.');
  return out;
}

/** The API's problems with a model: a 400/422 `validation_failed`'s details (a list, or `{problems}`), or an unknown purpose. */
export function problemsOf(e: unknown): Problem[] | null {
  if (!(e instanceof ApiFailure)) return null;
  if (e.code === 'unknown_purpose') return [{ path: '/requiredConsent', message: e.message }];
  if (e.code !== 'validation_failed' && e.code !== 'invalid_filter') return null;
  const d = e.details as unknown;
  const list = Array.isArray(d) ? d : (d as { problems?: unknown } | undefined)?.problems;
  if (!Array.isArray(list) || list.length === 0) return [{ path: '', message: e.message }];
  return (list as { path?: unknown; message?: unknown }[]).map((p) => ({
    path: typeof p.path === 'string' ? p.path : '',
    message: typeof p.message === 'string' ? p.message : 'invalid',
  }));
}

export interface Placed {
  /** By the path of a field the editor shows (/name, /rules/1/points, /grades/B …). */
  fields: Map<string, string[]>;
  /** By rule index: problems in its condition, with paths inside the condition ("" its root). */
  conditions: Map<number, Problem[]>;
  /** What names no field shown: at the top of the editor, so no message is lost. */
  general: string[];
}

/** The paths of the fields the editor shows for this draft. */
export function fieldPaths(d: Draft): string[] {
  const out = ['/name', '/requiredConsent', '/rules', '/grades', ...GRADES.map((g) => `/grades/${g}`), '/salesReady'];
  d.rules.forEach((r, i) => {
    const at = `/rules/${i}`;
    out.push(at, `${at}/name`, `${at}/points`);
    if (r.kind === 'behaviour')
      out.push(`${at}/decayDays`, `${at}/behaviour`, ...['type', 'ref', 'atLeast', 'withinDays'].map((p) => `${at}/behaviour/${p}`));
  });
  return out;
}

/**
 * Each problem at the field its path names (the longest shown path leading to it), a rule's
 * condition problems with the path inside the condition (for the builder to mark the node).
 */
export function place(d: Draft, problems: Problem[]): Placed {
  const fields = new Map<string, string[]>();
  const conditions = new Map<number, Problem[]>();
  const general: string[] = [];
  const known = fieldPaths(d);
  for (const p of problems) {
    const cond = /^\/rules\/(\d+)\/condition(\/.*)?$/.exec(p.path);
    const i = cond ? Number(cond[1]) : -1;
    if (cond && d.rules[i]?.kind === 'condition') {
      conditions.set(i, [...(conditions.get(i) ?? []), { path: cond[2] ?? '', message: p.message }]);
      continue;
    }
    let best = '';
    for (const k of known) if ((p.path === k || p.path.startsWith(`${k}/`)) && k.length > best.length) best = k;
    if (best) fields.set(best, [...(fields.get(best) ?? []), p.message]);
    else general.push(p.path ? `${p.path}: ${p.message}` : p.message);
  }
  return { fields, conditions, general };
}
