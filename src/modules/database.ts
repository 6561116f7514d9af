import type { Db as DbOf } from '../db/connect.ts';

/**
 * Every table, by its SQL name. Empty here: each module declares the tables it owns in its
 * module.ts (`declare module '../database.ts' { interface Database { … } }`), so the type is the
 * union of the modules' declarations and adding a module edits no shared file. See ADR 0013
 * for why not a type computed from the list of modules.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an interface, so each module's declaration merges into it
export interface Database {}

/** A database holding these tables: what every module's services take. */
export type Db = DbOf<Database>;
