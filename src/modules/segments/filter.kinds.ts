import type { RawBuilder, SqlBool } from 'kysely';
import type { TSchema } from 'typebox';
import type { FilterProblem } from './filter.model.ts';

/** The language's own node keys: a registered kind may not take one. */
export const BUILT_IN_KEYS = ['and', 'or', 'not', 'field', 'consent', 'allowed', 'list', 'behaviour'] as const;

/** What compiling a registered condition may use (a part of CompileContext, without a cycle of imports). */
export interface KindCompileContext {
  dialect: 'sqlite' | 'postgres';
  now: Date;
  /** Set when the predicate is only tested against this one contact (explain, memberships): narrow subqueries to it. */
  contact?: string;
}

/**
 * A condition kind a later module adds to the segment language (`{"score": {…}}` from scoring):
 * segments come before those modules in the list and never name their tables, so the module
 * that owns the data says how its node is checked, compiled and told in words. The node is an
 * object with this one key; its value is the kind's.
 */
export interface FilterConditionKind {
  /** The node's one key (`score`); not one of the language's own. */
  readonly key: string;
  /** The node in one line, for the API's description of a filter (and so the console's types). */
  readonly summary: string;
  /** The JSON schema of the node's value, for the API document. */
  readonly schema: TSchema;
  /**
   * The shape of the value, synchronously (no database): each problem names its JSON pointer
   * under `path` (the node's pointer followed by `/<key>`).
   */
  validate(value: unknown, path: string): FilterProblem[];
  /**
   * What the value names that must exist (a model), asked of the database once per filter for
   * every node of the kind: problems by path. Run for a filter being written, and for a saved one
   * being evaluated (a saved filter whose model was deleted makes only its segment unevaluable).
   */
  check?(nodes: readonly { value: unknown; path: string }[]): Promise<FilterProblem[]>;
  /**
   * The validated value as a two-valued predicate (never SQL NULL) over contacts aliased `alias`.
   * With `ctx.contact`, subqueries may be narrowed to that contact's rows.
   */
  compile(value: unknown, alias: string, ctx: KindCompileContext): RawBuilder<SqlBool>;
}

/**
 * The kinds registered, by key. Modules register in their `create` (after segments was made and
 * before any request is served), so every process built from the same list has the same ones.
 */
export class FilterConditions {
  private readonly kinds = new Map<string, FilterConditionKind>();

  register(kind: FilterConditionKind): void {
    if ((BUILT_IN_KEYS as readonly string[]).includes(kind.key)) throw new Error(`filter condition ${kind.key} is the language's own`);
    if (!/^[a-z][a-zA-Z]{1,30}$/.test(kind.key)) throw new Error(`filter condition key ${kind.key} is not a plain word`);
    if (this.kinds.has(kind.key)) throw new Error(`filter condition ${kind.key} is registered twice`);
    this.kinds.set(kind.key, kind);
  }

  get(key: string): FilterConditionKind | undefined {
    return this.kinds.get(key);
  }

  list(): FilterConditionKind[] {
    return [...this.kinds.values()];
  }

  /** The registered kinds as the validation context holds them. */
  map(): ReadonlyMap<string, FilterConditionKind> {
    return this.kinds;
  }
}
