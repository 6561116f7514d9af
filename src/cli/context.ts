import type { Config } from '../config.ts';
import type { Services } from '../services.ts';

// What the command bodies share. Everything heavy (the database drivers, the services, the
// logger) is imported when a command runs, never when the command line is read: `assent --help`
// and a usage error load commander and the command definitions only (docs/cli.md, "Start time").

/**
 * Opens the configured database and the services for one CLI command. Logs go to stderr
 * so stdout stays for the command's own output (keys, JSON) that scripts read.
 */
export async function openServices(opts: { migrate?: boolean; overrides?: Partial<Config> } = {}): Promise<Services> {
  const [{ loadConfig, connectOptions }, { connect }, { systemClock }, { createLogger }, { createServices, migrate, prepareServices }] =
    await Promise.all([
      import('../config.ts'),
      import('../db/connect.ts'),
      import('../lib/clock.ts'),
      import('../lib/log.ts'),
      import('../services.ts'),
    ]);
  const config = loadConfig(process.env, opts.overrides);
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr as never);
  const db = connect(config.databaseUrl, connectOptions(config));
  if (opts.migrate !== false) await migrate(db);
  const services = createServices(config, db, systemClock, log);
  await prepareServices(services);
  return services;
}

/** Runs a command body with services, closing them however it ends. */
export async function withServices<T>(fn: (s: Services) => Promise<T>, opts?: Parameters<typeof openServices>[0]): Promise<T> {
  const s = await openServices(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** The documented exit codes (docs/cli.md): scripts may rely on them. */
export const EXIT = {
  ok: 0,
  /** The command could not do its work: a database it cannot reach, a record that is not there, a refused value. */
  runtime: 1,
  /** The command line itself is wrong: an unknown command or option, a missing or malformed argument. */
  usage: 2,
  /** An erasure committed but the residue scan still found the person (`assent dsr erase`). */
  residue: 3,
} as const;

export function fail(message: string, code: number = EXIT.runtime): never {
  process.stderr.write(`assent: ${message}\n`);
  process.exit(code);
}

/**
 * Refuses a file argument that names one of the configured database's own files: writing it
 * destroys the database, and even reading it here, where the database is open, drops SQLite's
 * locks when the descriptor closes.
 */
export async function refuseDatabaseFile(file: string): Promise<void> {
  const [{ loadConfig }, { parseDatabaseUrl }, { isDatabaseFile }] = await Promise.all([
    import('../config.ts'),
    import('../db/connect.ts'),
    import('../db/files.ts'),
  ]);
  if (isDatabaseFile(parseDatabaseUrl(loadConfig(process.env).databaseUrl), file))
    fail(`refusing ${file}: it is one of the database's own files`);
}

/** `--json` on a list command: one JSON document `{"data":[…]}` on stdout, the field names of docs/cli.md. */
export function printJson(data: unknown[]): void {
  process.stdout.write(`${JSON.stringify({ data })}\n`);
}
