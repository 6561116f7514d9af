import type { FastifyPluginAsync } from 'fastify';
import type { Migration } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { DataMapProvider, TableDecl } from '../db/datamap.types.ts';
import type { JobHandler } from '../jobs/worker.ts';
import type { Clock } from '../lib/clock.ts';

/**
 * What every module receives before any other module exists. `dataMap` is the composed
 * declaration (every module's tables and run-time providers), filled by the composition root
 * from the manifests, which the datamap module reads.
 */
export interface Core {
  config: Config;
  // Typed loosely here only: a module's services declare the typed `Db` (src/modules/database.ts)
  // themselves, and that type is derived from the list of modules, which holds this one.
  db: Db<any>;
  clock: Clock;
  log: Logger;
  dataMap: DataMapRegistry;
}

export interface DataMapRegistry {
  readonly tables: readonly TableDecl[];
  readonly providers: readonly DataMapProvider[];
}

/** Carries a module's table types without a value: `tables: tableTypes<{ contacts: ContactsTable }>()`. */
export interface TableTypes<T> {
  readonly __tables?: T;
}
export const tableTypes = <T>(): TableTypes<T> => ({});

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The faces of the modules named, as one bag (`{}` for none). */
export type FacesOf<Ms extends readonly AnyModule[]> = [Ms[number]] extends [never] ? {} : UnionToIntersection<FaceOf<Ms[number]>>;
export type FaceOf<M> = M extends Module<string, unknown, infer F> ? F : never;
export type TablesOf<Ms extends readonly AnyModule[]> = UnionToIntersection<Ms[number] extends Module<string, infer T, object> ? Exclude<T, undefined> : never>;

/** What routes, job handlers and the daily work of a module see: the core, its face, and the faces it needs. */
export type Context<F, Needs extends readonly AnyModule[]> = Core & F & FacesOf<Needs>;

/** A Fastify plugin built from what the route file declares it uses. */
export interface RouteEntry<Ctx> {
  prefix: '/api/v1' | '/public/v1';
  plugin: (s: Ctx) => FastifyPluginAsync<any, any, any>;
}

export interface ModuleSpec<N extends string, Needs extends readonly AnyModule[], T, F extends object> {
  name: N;
  /** The modules whose faces `create` receives; each must come earlier in the list. */
  needs: Needs;
  tables: TableTypes<T>;
  /** Its tables' declarations (category, subject link, erase action, export, retention). */
  dataMap: readonly TableDecl[];
  /**
   * Its migrations, for a module that has its own (the history before manifests stays in
   * src/db/migrations, frozen). Names continue the global numbering (`0014_email_…`): the
   * migrator merges every list with the history and applies them in name order.
   */
  migrations?: Readonly<Record<string, Migration>>;
  /** Builds its face (its services) from the core and only the faces it needs. */
  create(core: Core, deps: FacesOf<Needs>): F;
  /** Tables declared at run time (custom fields, custom entities). */
  providers?: (face: F) => DataMapProvider[];
  routes?: readonly RouteEntry<Context<F, Needs>>[];
  /** Queue name -> handler; payloads carry ids and options only, and handlers key their side effects. */
  jobs?: (ctx: Context<F, Needs>) => Record<string, JobHandler>;
  /** What the daily tick does for it (every process ticks: it must be safe to run at once in several). */
  daily?: (ctx: Context<F, Needs>) => Promise<void>;
  /** Releases what its services hold (connections, child processes), before the database closes. */
  close?: (face: F) => Promise<void>;
}

/** A module as the composition root handles it. */
export interface Module<N extends string, T, F extends object> {
  readonly name: N;
  readonly needs: readonly AnyModule[];
  readonly tables: TableTypes<T>;
  readonly dataMap: readonly TableDecl[];
  readonly migrations?: Readonly<Record<string, Migration>>;
  create(core: Core, deps: any): F;
  readonly providers?: (face: F) => DataMapProvider[];
  readonly routes?: readonly RouteEntry<any>[];
  readonly jobs?: (ctx: any) => Record<string, JobHandler>;
  readonly daily?: (ctx: any) => Promise<void>;
  readonly close?: (face: F) => Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: the list holds modules of every face
export type AnyModule = Module<string, any, any>;

/**
 * Declares a module. Typed so that `create`, the routes, jobs and daily work see only the faces
 * of the modules it `needs` (asking for another is a type error), and so that the list of modules
 * yields the database type and the flat bag of services.
 */
export function defineModule<const N extends string, const Needs extends readonly AnyModule[], T, F extends object>(spec: ModuleSpec<N, Needs, T, F>): Module<N, T, F> {
  return spec as Module<N, T, F>;
}
