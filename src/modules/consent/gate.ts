import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { EFFECTIVE_LEVEL, GATE_RULES, type Caller, type Cond, type LevelExpr, type Reason } from './gate.rule.ts';

/** What the rule knows about one contact. */
export interface ContactConsentState {
  storedLevel: number;
  isChildFlag: boolean;
  birthDate: string | null;
  guardianConsent: boolean;
}

/** What the rule knows about the question being asked. */
export interface GateQuestion {
  purpose: string;
  required: number;
  dataProtection: boolean;
  /** Birth dates after this day (YYYY-MM-DD) belong to children. */
  childCutoff: string;
  caller?: Caller;
}

export interface GateAnswer {
  allowed: boolean;
  reason: Reason;
  effectiveLevel: number;
}

/** The day `years` before `at`, as YYYY-MM-DD: whoever was born after it is younger than `years`. */
export function majorityCutoff(at: Date, years: number): string {
  const y = at.getUTCFullYear() - years;
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  // 29 February in a year without one: the birthday counts as 28 February.
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

// ---- in memory --------------------------------------------------------------------------

interface Env {
  child: boolean;
  guardianConsent: boolean;
  stored: number;
  q: GateQuestion;
}

function level(e: LevelExpr, env: Env): number {
  if (typeof e === 'number') return e;
  if (e === 'stored') return env.stored;
  return Math.min(env.stored, e.min[1]);
}

function effective(env: Env): number {
  for (const r of EFFECTIVE_LEVEL) if (holds(r.when, env)) return level(r.level, env);
  throw new Error('EFFECTIVE_LEVEL has no default');
}

function holds(c: Cond, env: Env): boolean {
  if (c === true) return true;
  if ('var' in c) return c.var === 'child' ? env.child : c.var === 'guardianConsent' ? env.guardianConsent : env.q.dataProtection;
  if ('requiredAtLeast' in c) return env.q.required >= c.requiredAtLeast;
  if ('purposeIs' in c) return env.q.purpose === c.purposeIs;
  if ('callerIn' in c) return env.q.caller !== undefined && c.callerIn.includes(env.q.caller);
  if ('effectiveBelowRequired' in c) return effective(env) < env.q.required;
  if ('and' in c) return c.and.every((x) => holds(x, env));
  return !holds(c.not, env);
}

export function isChild(s: Pick<ContactConsentState, 'isChildFlag' | 'birthDate'>, childCutoff: string): boolean {
  return s.isChildFlag || (s.birthDate !== null && s.birthDate > childCutoff);
}

export function decide(s: ContactConsentState, q: GateQuestion): GateAnswer {
  const env: Env = { child: isChild(s, q.childCutoff), guardianConsent: s.guardianConsent, stored: s.storedLevel, q };
  for (const r of GATE_RULES) if (holds(r.when, env)) return { allowed: r.allowed, reason: r.reason, effectiveLevel: effective(env) };
  throw new Error('GATE_RULES has no default');
}

/**
 * Whether the rule closes a purpose to a caller whoever the contact is (`requested` to the
 * callers acting on their own initiative): asked of the rule for an adult at the highest level,
 * so a design-time check (a journey's message) reads the same rule the run-time answer does.
 */
export function closedToCaller(purpose: string, caller: Caller): boolean {
  const adult: ContactConsentState = { storedLevel: Number.MAX_SAFE_INTEGER, isChildFlag: false, birthDate: null, guardianConsent: true };
  return (
    decide(adult, { purpose, required: 0, dataProtection: true, childCutoff: '0000-01-01', caller }).reason === 'purpose_not_for_caller'
  );
}

// ---- in SQL -----------------------------------------------------------------------------

/** A condition compiled for one question: constant, or SQL over a contact row. */
type Sym = boolean | RawBuilder<SqlBool>;

const and2 = (a: Sym, b: Sym): Sym =>
  a === false || b === false ? false : a === true ? b : b === true ? a : sql<SqlBool>`(${a} and ${b})`;
const or2 = (a: Sym, b: Sym): Sym => (a === true || b === true ? true : a === false ? b : b === false ? a : sql<SqlBool>`(${a} or ${b})`);
const not1 = (a: Sym): Sym => (typeof a === 'boolean' ? !a : sql<SqlBool>`(not ${a})`);

interface SqlEnv {
  alias: string;
  q: GateQuestion;
}

const col = (env: SqlEnv, name: string) => sql.ref(`${env.alias}.${name}`);

/** Whether a contacts row (alias) is a child: the one SQL definition, used by the gate and by segments. */
export function isChildSql(alias: string, childCutoff: string): RawBuilder<SqlBool> {
  const c = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<SqlBool>`(${c('is_child')} = 1 or (${c('birth_date')} is not null and ${c('birth_date')} > ${childCutoff}))`;
}

function childSql(env: SqlEnv): Sym {
  return isChildSql(env.alias, env.q.childCutoff);
}

function levelSql(e: LevelExpr, env: SqlEnv): RawBuilder<number> {
  if (typeof e === 'number') return sql<number>`${sql.lit(e)}`;
  const stored = col(env, 'consent_level');
  if (e === 'stored') return sql<number>`${stored}`;
  return sql<number>`(case when ${stored} < ${sql.lit(e.min[1])} then ${stored} else ${sql.lit(e.min[1])} end)`;
}

function effectiveSql(env: SqlEnv): RawBuilder<number> {
  const branches: RawBuilder<unknown>[] = [];
  let fallback: RawBuilder<number> | null = null;
  for (const r of EFFECTIVE_LEVEL) {
    const c = compile(r.when, env);
    if (c === false) continue;
    if (c === true) {
      fallback = levelSql(r.level, env);
      break;
    }
    branches.push(sql`when ${c} then ${levelSql(r.level, env)}`);
  }
  if (!fallback) throw new Error('EFFECTIVE_LEVEL has no default');
  if (branches.length === 0) return fallback;
  return sql<number>`(case ${sql.join(branches, sql` `)} else ${fallback} end)`;
}

function compile(c: Cond, env: SqlEnv): Sym {
  if (c === true) return true;
  if ('var' in c)
    return c.var === 'child'
      ? childSql(env)
      : c.var === 'guardianConsent'
        ? sql<SqlBool>`(${col(env, 'guardian_consent')} = 1)`
        : env.q.dataProtection;
  if ('requiredAtLeast' in c) return env.q.required >= c.requiredAtLeast;
  if ('purposeIs' in c) return env.q.purpose === c.purposeIs;
  if ('callerIn' in c) return env.q.caller !== undefined && c.callerIn.includes(env.q.caller);
  if ('effectiveBelowRequired' in c) return sql<SqlBool>`(${effectiveSql(env)} < ${sql.lit(env.q.required)})`;
  if ('and' in c) return c.and.reduce<Sym>((acc, x) => and2(acc, compile(x, env)), true);
  return not1(compile(c.not, env));
}

/** Every effective level is at most the stored one (a child's is 0 or capped), checked from the rule data. */
const EFFECTIVE_NEVER_ABOVE_STORED = EFFECTIVE_LEVEL.every(
  ({ level }) => level === 'stored' || (typeof level === 'number' ? level <= 0 : level.min[0] === 'stored'),
);

/**
 * A condition's negation. "Effective level not below required" also states `consent_level >=
 * required` outright when the rule data guarantees it (the effective level never exceeds the
 * stored one): the same truth, but a plain column comparison that an index on consent_level
 * can serve, where the case expression alone makes every row be read.
 */
function negate(c: Cond, compiled: Sym, env: SqlEnv): Sym {
  if (typeof compiled === 'boolean' || c === true || !('effectiveBelowRequired' in c) || !EFFECTIVE_NEVER_ABOVE_STORED)
    return not1(compiled);
  return sql<SqlBool>`(${col(env, 'consent_level')} >= ${sql.lit(env.q.required)} and ${effectiveSql(env)} >= ${sql.lit(env.q.required)})`;
}

/**
 * The gate as a predicate over a contacts row (`alias`): true exactly where `decide` allows.
 * First-match semantics become "this rule holds and no earlier one did".
 */
export function gateSql(q: GateQuestion, alias = 'contacts'): RawBuilder<SqlBool> {
  const env: SqlEnv = { alias, q };
  let allowed: Sym = false;
  let noEarlier: Sym = true;
  for (const r of GATE_RULES) {
    const c = compile(r.when, env);
    if (r.allowed) allowed = or2(allowed, and2(noEarlier, c));
    noEarlier = and2(noEarlier, negate(r.when, c, env));
    if (noEarlier === false) break;
  }
  return typeof allowed === 'boolean' ? sql<SqlBool>`${sql.lit(allowed ? 1 : 0)} = 1` : allowed;
}

/** The effective level as a SQL expression (for reports and segment conditions). */
export function effectiveLevelSql(q: GateQuestion, alias = 'contacts'): RawBuilder<number> {
  return effectiveSql({ alias, q });
}

/**
 * The gate's reason as a SQL expression over a contacts row: the first rule whose condition
 * holds, from the same rule table `gateSql` and `decide` read (a refusal's reason for a set of
 * contacts in one statement, as lead scoring records it).
 */
export function gateReasonSql(q: GateQuestion, alias = 'contacts'): RawBuilder<Reason> {
  const env: SqlEnv = { alias, q };
  const branches: RawBuilder<unknown>[] = [];
  for (const r of GATE_RULES) {
    const c = compile(r.when, env);
    if (c === false) continue;
    if (c === true) {
      if (branches.length === 0) return sql<Reason>`${sql.lit(r.reason)}`;
      return sql<Reason>`(case ${sql.join(branches, sql` `)} else ${sql.lit(r.reason)} end)`;
    }
    branches.push(sql`when ${c} then ${sql.lit(r.reason)}`);
  }
  throw new Error('GATE_RULES has no default');
}
