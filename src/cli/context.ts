import { type Config, connectOptions, loadConfig } from '../config.ts';
import { connect, parseDatabaseUrl } from '../db/connect.ts';
import { isDatabaseFile } from '../db/files.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/log.ts';
import { createServices, migrate, prepareServices, type Services } from '../services.ts';

/**
 * Opens the configured database and the services for one CLI command. Logs go to stderr
 * so stdout stays for the command's own output (keys, JSON) that scripts read.
 */
export async function openServices(opts: { migrate?: boolean; overrides?: Partial<Config> } = {}): Promise<Services> {
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

export function fail(message: string, code = 1): never {
  process.stderr.write(`assent: ${message}\n`);
  process.exit(code);
}

/**
 * Refuses a file argument that names one of the configured database's own files: writing it
 * destroys the database, and even reading it here, where the database is open, drops SQLite's
 * locks when the descriptor closes.
 */
export function refuseDatabaseFile(file: string): void {
  if (isDatabaseFile(parseDatabaseUrl(loadConfig(process.env).databaseUrl), file))
    fail(`refusing ${file}: it is one of the database's own files`);
}
