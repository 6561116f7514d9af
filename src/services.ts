import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { DataMapProvider, TableDecl } from './db/datamap.types.ts';
import { migrateToLatest, type Migrations } from './db/migrate.ts';
import { startBackground as runBackground } from './jobs/background.ts';
import type { JobHandler } from './jobs/worker.ts';
import type { Clock } from './lib/clock.ts';
import type { Db } from './modules/database.ts';
import { MODULES } from './modules/index.ts';
import type { AnyModule, Core, DataMapRegistry, ExportSection, FacesOf, PortalSection, RouteEntry, TableEraser } from './modules/module.ts';

/** What every process has before any module: configuration, the database, the clock, the log. */
export interface Base {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
}

/** The flat bag of every module's face (`services.contacts`, `services.ledger`…), for the CLI and tests. */
export type ServicesOf<Ms extends readonly AnyModule[]> = Base & FacesOf<Ms> & { close(): Promise<void> };
export type Services = ServicesOf<typeof MODULES>;

/** How a bag of services was composed: the list, and what each module's routes and jobs may see. */
interface Composition {
  modules: readonly AnyModule[];
  contexts: Map<string, object>;
}
const composed = new WeakMap<object, Composition>();

function composition(s: Base): Composition {
  const c = composed.get(s);
  if (!c) throw new Error('services not made by composeServices');
  return c;
}

/** A list's declared tables and run-time providers (providers are added as their modules are created). */
export function declaredDataMap(modules: readonly AnyModule[] = MODULES): DataMapRegistry & { providers: DataMapProvider[] } {
  const tables: TableDecl[] = modules.flatMap((m) => m.dataMap);
  return { tables, providers: [] };
}

/** Every module's own migrations, by name. */
function moduleMigrations(modules: readonly AnyModule[] = MODULES): Migrations {
  const all: Record<string, Migrations[string]> = {};
  for (const m of modules) {
    for (const [name, mig] of Object.entries(m.migrations ?? {})) {
      if (Object.hasOwn(all, name)) throw new Error(`migration ${name} is declared by two modules`);
      all[name] = mig;
    }
  }
  return all;
}

/** Brings the database to the latest schema: the frozen history and every module's own migrations. */
export function migrate(db: Db, modules: readonly AnyModule[] = MODULES) {
  return migrateToLatest(db, moduleMigrations(modules));
}

/** A module may only name modules that come before it in the list, and names are unique. */
function checkOrder(modules: readonly AnyModule[]): void {
  const seen = new Set<string>();
  for (const m of modules) {
    if (seen.has(m.name)) throw new Error(`module ${m.name} is listed twice`);
    for (const n of m.needs)
      if (!seen.has(n.name)) throw new Error(`module ${m.name} needs ${n.name}, which does not come before it in the list`);
    seen.add(m.name);
  }
}

/**
 * The composition root: creates each module in list order, handing it the core and only the
 * faces it names; gathers the data map's providers; flattens every face into one bag. Two modules
 * offering the same member is refused, so `services.<name>` always means one thing.
 */
export function composeServices<const Ms extends readonly AnyModule[]>(
  modules: Ms,
  config: Config,
  db: Db,
  clock: Clock,
  log: Logger,
): ServicesOf<Ms> {
  checkOrder(modules);
  const dataMap = declaredDataMap(modules);
  const erasers = new Map<string, TableEraser>();
  const exportSections: ExportSection[] = [];
  // Which module fills each key of the export, so that a key means one thing.
  const exportKeys = new Map<string, string>();
  const eventTypes = modules.flatMap((m) => m.events ?? []);
  if (new Set(eventTypes).size !== eventTypes.length) throw new Error('an event type is declared by two modules');
  const portalSections: PortalSection[] = [];
  const core: Core = { config, db, clock, log, dataMap, erasers, exportSections, portalSections, eventTypes };
  const base: Base = { config, db, clock, log };
  const bag: Record<string, unknown> = { ...base };
  const faces = new Map<string, object>();
  const contexts = new Map<string, object>();
  for (const m of modules) {
    const deps: object = Object.assign({}, ...m.needs.map((n) => faces.get(n.name)));
    const face = m.create(core, deps);
    for (const key of Object.keys(face))
      if (Object.hasOwn(bag, key)) throw new Error(`module ${m.name} offers ${key}, which another module or the core already offers`);
    faces.set(m.name, face);
    // Routes, jobs and daily work see the core, the module's face and what it needs: nothing else.
    contexts.set(m.name, { ...base, ...deps, ...face });
    Object.assign(bag, face);
    if (m.providers) dataMap.providers.push(...m.providers(face));
    for (const [table, erase] of Object.entries(m.erasers?.(face) ?? {})) {
      if (!m.dataMap.some((t) => t.name === table)) throw new Error(`module ${m.name} offers to erase ${table}, which it does not declare`);
      erasers.set(table, erase);
    }
    for (const section of m.exportSections?.(face) ?? []) {
      for (const key of section.keys) {
        const owner = exportKeys.get(key);
        if (owner !== undefined) throw new Error(`module ${m.name} offers the export section ${key}, which ${owner} already offers`);
        exportKeys.set(key, m.name);
      }
      exportSections.push(section);
    }
    for (const section of m.portalSections?.(face) ?? []) {
      if (portalSections.some((s) => s.key === section.key))
        throw new Error(`module ${m.name} offers the portal ` + `section ${section.key} twice`);
      portalSections.push(section);
    }
  }
  bag.close = async () => {
    // Later modules first (they may use earlier ones while closing), the database last.
    for (const m of [...modules].reverse()) await m.close?.(faces.get(m.name) as never);
    await db.close();
  };
  composed.set(bag, { modules, contexts });
  return bag as ServicesOf<Ms>;
}

/** Every module of the product, composed. */
export function createServices(config: Config, db: Db, clock: Clock, log: Logger): Services {
  return composeServices(MODULES, config, db, clock, log);
}

/** Each module's routes, built from what that module may see, in list order. */
export function moduleRoutes(s: Base): (RouteEntry & { module: string })[] {
  const { modules, contexts } = composition(s);
  return modules.flatMap((m) => (m.routes?.(contexts.get(m.name)) ?? []).map((r) => ({ ...r, module: m.name })));
}

/** The migrations the composed modules add to the history (what /health checks). */
export function composedMigrations(s: Base): Migrations {
  return moduleMigrations(composition(s).modules);
}

/**
 * Every queue the product runs and its handler, gathered from the modules. Payloads carry ids
 * and options only. A job can run more than once (its worker dies, its lease lapses): every
 * handler keys its side effects so that a second run does none of them again (jobs/effects.ts).
 */
export function jobHandlers(s: Base): Record<string, JobHandler> {
  const { modules, contexts } = composition(s);
  const handlers: Record<string, JobHandler> = {};
  for (const m of modules) {
    for (const [queue, h] of Object.entries(m.jobs?.(contexts.get(m.name)) ?? {})) {
      if (Object.hasOwn(handlers, queue)) throw new Error(`queue ${queue} is handled by two modules`);
      handlers[queue] = h;
    }
  }
  return handlers;
}

/** The modules' daily work, in list order (each safe to run in several processes at once). */
export async function scheduleDaily(s: Base): Promise<void> {
  const { modules, contexts } = composition(s);
  for (const m of modules) await m.daily?.(contexts.get(m.name));
}

/** The background worker a serving process (or `assent worker`) runs. */
export function startBackground(s: Services): { stop(): Promise<void> } {
  return runBackground(s.jobs, {
    handlers: jobHandlers(s),
    daily: () => scheduleDaily(s),
    leaseMs: s.config.jobLeaseMs,
    onError: (e, what) => s.log.error({ err: e }, what === 'worker' ? 'job worker error' : 'scheduling failed'),
  });
}

/**
 * What a process does once before it serves or runs a command: the settings' defaults, and the
 * ledger key read (created, for the default key file) so a misconfigured key fails at start. A
 * key created just now has signed no head yet: the head as it stands is sealed when it carries
 * no MAC and the ledger verifies (LedgerService.sealUnsigned).
 */
export async function prepareServices(s: Services): Promise<{ ledgerKey: 'none' | 'configured' | 'created' }> {
  await s.settings.ensureDefaults();
  if (s.ledgerKey.get() === null) return { ledgerKey: 'none' };
  if (!s.ledgerKey.createdNow) return { ledgerKey: 'configured' };
  await s.ledger.sealUnsigned();
  return { ledgerKey: 'created' };
}
