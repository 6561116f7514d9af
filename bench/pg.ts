// PostgreSQL for the benchmarks: the server named by DATABASE_URL, else a throwaway cluster
// (the test runner's helper), and scratch databases on it that are dropped afterwards, so a
// named server is left as found.
import pg from 'pg';
import { newId } from '../src/lib/ids.ts';

// The cluster helper is plain JS shared with the test runner; a computed specifier keeps tsc from demanding its types.
const { startCluster } = (await import(new URL('../scripts/pg-cluster.mjs', import.meta.url).href)) as {
  startCluster(): Promise<{ url: string; stop(): void } | null>;
};

export interface PgServer {
  url: string;
  stop(): void;
}

/** The server to use, or null after printing why `label`'s PostgreSQL part is skipped. */
export async function pgServer(label: string): Promise<PgServer | null> {
  if (process.env.BENCH_POSTGRES === 'off') {
    console.log(`${label} postgres: SKIPPED (BENCH_POSTGRES=off)`);
    return null;
  }
  const given = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;
  if (given) return { url: given, stop: () => undefined };
  try {
    const cluster = await startCluster();
    if (cluster) return cluster;
    console.log(`${label} postgres: SKIPPED (no server binaries: apt-get install postgresql, or set DATABASE_URL)`);
  } catch (e) {
    console.log(`${label} postgres: SKIPPED (could not start a throwaway cluster: ${(e as Error).message})`);
  }
  return null;
}

/**
 * Runs `body` against a new database on the server, dropped afterwards. With `template`, the
 * database starts as a copy of that one (a loaded data set cloned for each contender).
 */
export async function scratchDatabase<T>(
  server: string,
  body: (url: string, name: string) => Promise<T>,
  opts: { template?: string; name?: string } = {},
): Promise<T> {
  const name = opts.name ?? `bench_${newId().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}${opts.template ? ` template ${opts.template}` : ''}`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    return await body(u.toString(), name);
  } finally {
    // Connections close asynchronously after a pool ends; wait for them rather than fail the drop.
    for (let i = 0; i < 100; i++) {
      const r = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      if (r.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
