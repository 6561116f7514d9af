// One installation for a harness case: a database (a fresh PostgreSQL database, on the suite's
// cluster or on a cluster of the case's own that it may stop, or a SQLite file), the processes
// that share it, API keys to drive them, and the test process's own services for setup and checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { connect, type Dialect } from '../../src/db/connect.ts';
import type { Db } from '../../src/modules/database.ts';
import { migrate } from '../../src/services.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { createLogger } from '../../src/lib/log.ts';
import { ROLES, type Role } from '../../src/modules/users/users.model.ts';
import { createServices, type Services } from '../../src/services.ts';
import { PG_URL } from '../helpers/db.ts';
import { Proc } from './processes.ts';

/** Every process of an installation shares the secret (links, address hashes) and so the ledger key derived from it. */
export const HARNESS_SECRET = 'multiprocess-harness-secret-0123456789abcdef';

interface Cluster {
  url: string;
  stop(): void;
  pause(mode?: 'fast' | 'immediate'): Promise<void>;
  resume(): Promise<void>;
}

// Plain JS shared with the test runner; a computed specifier keeps tsc from demanding its types.
const { startCluster } = (await import(new URL('../../scripts/pg-cluster.mjs', import.meta.url).href)) as {
  startCluster(opts?: { fsyncOff?: boolean; sharedBuffers?: string }): Promise<Cluster | null>;
};

export interface StartOptions {
  dialect: Dialect;
  /** `assent serve` processes (default 2). */
  servers?: number;
  /** `assent worker` processes (default 0). */
  workers?: number;
  /** Whether serving processes also work the job queue (ASSENT_WORKER; default: only when there are no workers). */
  serverWorkers?: boolean;
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** PostgreSQL: a small cluster of the installation's own, which the case may stop (the suite's is shared). */
  ownCluster?: boolean;
  /** Start the workers later (`inst.workers[i].start()`), e.g. once a backlog of jobs is queued. */
  deferWorkers?: boolean;
  /** Runs against the migrated database before any process starts (settings, data). */
  setup?: (inst: Installation) => Promise<void>;
}

/** What a case erased, for the shared checks: none of it may be found afterwards. */
export interface Erased {
  contactIds: Set<string>;
  emails: Set<string>;
}

export class Installation {
  readonly servers: Proc[] = [];
  readonly workers: Proc[] = [];
  readonly erased: Erased = { contactIds: new Set(), emails: new Set() };
  keys = {} as Record<Role, string>;
  services!: Services;
  private dropDatabase: () => Promise<void> = async () => undefined;

  private constructor(
    readonly dialect: Dialect,
    readonly url: string,
    readonly db: Db,
    /** The installation's own PostgreSQL cluster, when it asked for one. */
    readonly cluster: Cluster | null,
  ) {}

  static async start(opts: StartOptions): Promise<Installation> {
    const inst = await Installation.database(opts);
    try {
      await migrate(inst.db);
      inst.services = createServices(loadConfig(inst.env()), inst.db, systemClock, createLogger('silent'));
      await inst.services.settings.ensureDefaults();
      for (const role of ROLES) inst.keys[role] = (await inst.services.users.createKey({ name: `harness ${role}`, role })).secret;
      await opts.setup?.(inst);
      const serverWorkers = opts.serverWorkers ?? !opts.workers;
      const env = { ...inst.env(), ...opts.env };
      for (let i = 0; i < (opts.servers ?? 2); i++)
        inst.servers.push(new Proc(`server ${i + 1}`, 'serve', { ...env, ASSENT_WORKER: serverWorkers ? 'on' : 'off' }));
      for (let i = 0; i < (opts.workers ?? 0); i++) inst.workers.push(new Proc(`worker ${i + 1}`, 'worker', env));
      await Promise.all((opts.deferWorkers ? inst.servers : inst.processes()).map((p) => p.start()));
      return inst;
    } catch (e) {
      await inst.close();
      throw e;
    }
  }

  private static async database(opts: StartOptions): Promise<Installation> {
    if (opts.dialect === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'assent-harness-'));
      const url = `sqlite:${join(dir, 'assent.db')}`;
      const inst = new Installation('sqlite', url, connect(url), null);
      inst.dropDatabase = async () => rmSync(dir, { recursive: true, force: true });
      return inst;
    }
    // Durable commits: a case that crashes the server must find every acknowledged write after it.
    const cluster = opts.ownCluster ? await startCluster({ fsyncOff: false, sharedBuffers: '32MB' }) : null;
    if (opts.ownCluster && !cluster) throw new Error('no PostgreSQL server binaries for a cluster of its own');
    const base = cluster?.url ?? PG_URL;
    if (!base) throw new Error('no PostgreSQL for the harness (see npm test output)');
    const name = `h_${newId().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    const inst = new Installation('postgres', u.toString(), connect(u.toString(), { poolSize: 4 }), cluster);
    inst.dropDatabase = async () => {
      if (cluster) return cluster.stop();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
    return inst;
  }

  /** The environment every process of this installation gets. */
  env(): Record<string, string> {
    // The default job lease (10 s). A 4 s lease shortened the crash cases, but under a loaded CI run the
    // SQLite busy case then timed out: heartbeats every 1.3 s each wait out the 5 s busy timeout while
    // the lock is held, and lapsed leases add takeovers to the contention.
    return { DATABASE_URL: this.url, ASSENT_SECRET: HARNESS_SECRET };
  }

  processes(): Proc[] {
    return [...this.servers, ...this.workers];
  }

  auth(role: Role = 'admin'): { authorization: string } {
    return { authorization: `Bearer ${this.keys[role]}` };
  }

  /** Records what a case erased, so the shared checks look for it. */
  noteErased(what: { contactIds?: Iterable<string>; emails?: Iterable<string> }): void {
    for (const id of what.contactIds ?? []) this.erased.contactIds.add(id);
    for (const e of what.emails ?? []) this.erased.emails.add(e.toLowerCase());
  }

  /** Exits nobody asked for, over the whole case. */
  crashes(): string[] {
    return this.processes().flatMap((p) => p.crashes);
  }

  /** Stops every process (politely, then by force). */
  async stopProcesses(): Promise<void> {
    await Promise.all(this.processes().map((p) => p.stop()));
  }

  async close(): Promise<void> {
    await Promise.all(this.processes().map((p) => p.kill()));
    await this.services?.close();
    if (!this.services) await this.db.close();
    await this.dropDatabase();
  }
}
