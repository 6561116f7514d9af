import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely, Migration } from 'kysely';
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
  /** Every module's own erasers, by table, filled by the composition root from the manifests; read when an erasure runs. */
  erasers: ReadonlyMap<string, TableEraser>;
  /**
   * Every module's sections of the access export, in list order, filled by the composition root
   * from the manifests (a module listed after the export's adds to it too); read when an export is built.
   */
  exportSections: readonly ExportSection[];
  /**
   * Every module's sections of the privacy portal's page, in list order, filled by the
   * composition root from the manifests (`portalSections`; modules listed after the portal add to
   * it too); read when a person opens the page.
   */
  portalSections: readonly PortalSection[];
  /** Every event type the manifests declare (`events`), in list order: what the event log accepts and webhooks subscribe to. */
  eventTypes: readonly string[];
}

/** A value as JSON has it: what an export section gives. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/**
 * A part of the access export that a module owns beyond its tables' rows (which the data map
 * exports by itself): the ledger's history with the notices shown, list and segment memberships.
 * It fills top-level keys of the export (each key belongs to one module; the composition root
 * refuses a second), from one read of the person's data.
 */
export interface ExportSection {
  /** The export's keys it fills, in the order they appear in the export. */
  readonly keys: readonly string[];
  /**
   * Reads the person's part. A person may hold several contact ids (contacts that shared an
   * address before addresses were compared by key), none for a requester known only by address:
   * the section merges what each holds into one value per key.
   */
  read(contactIds: readonly string[]): Promise<ExportPart>;
}

export interface ExportPart {
  /** A JSON value for each of the section's keys. */
  values: Readonly<Record<string, JsonValue>>;
  /** Whether what was read counts as holding data about the person (the export's `dataHeld`). */
  dataHeld: boolean;
}

/**
 * A part of the privacy portal's page that a later module adds (scoring's "How we score you"):
 * what the person should be told that their data's rows alone do not say. The portal renders
 * it: headings and lines of plain text, every one escaped.
 */
export interface PortalSection {
  /** Its anchor on the page; one module's, unique among the sections (the composition root refuses a second). */
  readonly key: string;
  /**
   * The part for the person, in the page's language. A person may hold several contact ids;
   * null when there is nothing to tell them (the section is then not shown).
   */
  read(contactIds: readonly string[], lang: string): Promise<PortalPart | null>;
}

export interface PortalPart {
  heading: string;
  /** A paragraph under the heading. */
  intro?: string;
  /** Each a sub-heading with lines of plain text (a rule, a reason). */
  items: readonly { heading: string; lines: readonly string[] }[];
}

/**
 * Erases a module's table itself, inside the erasure's transaction, instead of by the erase
 * actions its data map declares: evidence whose entries become stubs (the consent ledger).
 * Returns how many rows it changed.
 */
export type TableEraser = (trx: Kysely<any>, contactIds: string[]) => Promise<number>;

export interface DataMapRegistry {
  readonly tables: readonly TableDecl[];
  readonly providers: readonly DataMapProvider[];
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The faces of the modules named, as one bag (`{}` for none). */
export type FacesOf<Ms extends readonly AnyModule[]> = [Ms[number]] extends [never] ? {} : UnionToIntersection<FaceOf<Ms[number]>>;
export type FaceOf<M> = M extends Module<string, infer F> ? F : never;

/** What routes, job handlers and the daily work of a module see: the core, its face, and the faces it needs. */
export type Context<F, Needs extends readonly AnyModule[]> = Core & F & FacesOf<Needs>;

/** A Fastify plugin, built from what the route file declares it uses, and where it is mounted. */
export interface RouteEntry {
  /** `/p`: the pages served by Assent (module `pages`), whose addresses people see and share. */
  prefix: '/api/v1' | '/public/v1' | '/p';
  plugin: FastifyPluginAsyncTypebox;
}

export interface ModuleSpec<N extends string, Needs extends readonly AnyModule[], F extends object> {
  name: N;
  /** The modules whose faces `create` receives; each must come earlier in the list. */
  needs: Needs;
  /**
   * Its tables' declarations (category, subject link, erase action, export, retention). Their
   * row types go into the one `Database` type by declaration merging, in the module's module.ts.
   */
  dataMap: readonly TableDecl[];
  /**
   * Its migrations, for a module that has its own (the history before manifests stays in
   * src/db/migrations, frozen). Names continue the global numbering (`0014_email_…`): the
   * migrator merges every list with the history and applies them in name order.
   */
  migrations?: Readonly<Record<string, Migration>>;
  /**
   * The event types it publishes to the event log (src/modules/events), `<noun>.<verb>`: a
   * module that adds events declares them here, and webhooks may subscribe to them.
   */
  events?: readonly string[];
  /** Builds its face (its services) from the core and only the faces it needs. */
  create(core: Core, deps: FacesOf<Needs>): F;
  /** Tables declared at run time (custom fields, custom entities). */
  providers?: (face: NoInfer<F>) => DataMapProvider[];
  /** Its tables that an erasure hands to it rather than erasing them by the data map (one of its own tables each). */
  erasers?: (face: NoInfer<F>) => Readonly<Record<string, TableEraser>>;
  /**
   * What it adds to a person's access export besides its tables' exported columns: sections
   * under keys of their own (no key another module fills), read through its own services.
   */
  exportSections?: (face: NoInfer<F>) => readonly ExportSection[];
  /** What it adds to the person's privacy portal page (PortalSection), read through its own services. */
  portalSections?: (face: NoInfer<F>) => readonly PortalSection[];
  /** Its route plugins, each built from the context (a route file declares the part it uses). */
  routes?: (ctx: Context<NoInfer<F>, Needs>) => readonly RouteEntry[];
  /** Queue name -> handler; payloads carry ids and options only, and handlers key their side effects. */
  jobs?: (ctx: Context<NoInfer<F>, Needs>) => Record<string, JobHandler>;
  /** What the daily tick does for it (every process ticks: it must be safe to run at once in several). */
  daily?: (ctx: Context<NoInfer<F>, Needs>) => Promise<void>;
  /** Releases what its services hold (connections, child processes), before the database closes. */
  close?: (face: NoInfer<F>) => Promise<void>;
}

/** A module as the composition root handles it. */
export interface Module<N extends string, F extends object> {
  readonly name: N;
  readonly needs: readonly AnyModule[];
  readonly dataMap: readonly TableDecl[];
  readonly migrations?: Readonly<Record<string, Migration>>;
  readonly events?: readonly string[];
  create(core: Core, deps: any): F;
  readonly providers?: (face: F) => DataMapProvider[];
  readonly erasers?: (face: F) => Readonly<Record<string, TableEraser>>;
  readonly exportSections?: (face: F) => readonly ExportSection[];
  readonly portalSections?: (face: F) => readonly PortalSection[];
  readonly routes?: (ctx: any) => readonly RouteEntry[];
  readonly jobs?: (ctx: any) => Record<string, JobHandler>;
  readonly daily?: (ctx: any) => Promise<void>;
  readonly close?: (face: F) => Promise<void>;
}

export type AnyModule = Module<string, any>;

/**
 * Declares a module. Typed so that `create`, the routes, jobs and daily work see only the faces
 * of the modules it `needs` (asking for another is a type error), and so that the list of modules
 * yields the flat bag of services.
 */
export function defineModule<const N extends string, const Needs extends readonly AnyModule[], F extends object>(
  spec: ModuleSpec<N, Needs, F>,
): Module<N, F> {
  return spec as Module<N, F>;
}
