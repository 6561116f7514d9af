import { Type, type Static } from 'typebox';
import { isIP } from 'node:net';
import { Value } from 'typebox/value';
import { namedChoices } from './lib/choices.ts';
import { AppError } from './lib/errors.ts';

/** Everything the process reads from its environment, validated once at boot. */
const ConfigSchema = Type.Object(
  {
    databaseUrl: Type.String({ minLength: 1 }),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    logLevel: Type.Union([
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ]),
    /** Largest JSON body a route accepts unless it says otherwise. */
    bodyLimit: Type.Integer({ minimum: 1024 }),
    /** Console session lifetime. */
    sessionTtlHours: Type.Integer({ minimum: 1, maximum: 24 * 90 }),
    /** Cookies get `Secure` when the public URL is https; this forces it either way. */
    secureCookies: Type.Optional(Type.Boolean()),
    /**
     * Which proxies' X-Forwarded-For to believe for the client address (rate limits per client
     * depend on it): false (default: the TCP peer is the client), true (any), a hop count, or
     * addresses/CIDRs of the proxies.
     */
    trustProxy: Type.Union([
      Type.Boolean(),
      Type.Integer({ minimum: 1, maximum: 10 }),
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    ]),
    /** Signs email links and keys erased-address hashes; generated and stored when unset. */
    secret: Type.Optional(Type.String({ minLength: 32 })),
    /**
     * PostgreSQL: erasures within one window of this many seconds share the rewrite of the
     * relations that held their people, which runs when the window ends (the storage purge).
     */
    purgeWindowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    /**
     * How long a claimed job is its worker's before another process may take it over: a killed
     * worker's jobs wait this long. Heartbeats renew it every third, so it must outlast two
     * missed beats on a busy machine.
     */
    jobLeaseMs: Type.Integer({ minimum: 1_000, maximum: 600_000 }),
    /** SQLite: page cache per connection, in MiB (default: a sixteenth of memory, 16 MiB to 1 GiB). */
    sqliteCacheMb: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_048_576 })),
    /** SQLite: memory-mapped I/O, in MiB; 0 turns it off (default: a quarter of memory, 64 MiB to 8 GiB). */
    sqliteMmapMb: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_048_576 })),
    /** Authenticates the consent ledger's head; never stored in the database (see LedgerKey). */
    ledgerKey: Type.Optional(Type.String({ minLength: 32 })),
    /** A file holding the ledger key, created with a random one (mode 0600) on first use. */
    ledgerKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * Where links point while the `publicBaseUrl` setting is not set: the address the server is
     * started on (HOST, PORT; see listenBaseUrl). A serving process replaces it with the port it
     * actually listens on (PORT=0 picks one).
     */
    listenBaseUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    /** Webhooks may target plain http URLs (default: https only). */
    webhookAllowHttp: Type.Boolean(),
    /** Address ranges (CIDRs) webhooks may reach although they are loopback, private, link-local or metadata addresses. */
    webhookAllowRanges: Type.Array(Type.String({ minLength: 1 })),
    /** One delivery's deadline (connection, request and response). */
    webhookTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000 }),
    /** Failed delivery attempts in a row after which a webhook is disabled. */
    webhookDisableAfter: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
);
export type Config = Static<typeof ConfigSchema>;

export const DEFAULT_DATABASE_URL = 'sqlite:./data/assent.db';

/** What connect() takes of the configuration: the SQLite memory settings when the operator set them. */
export function connectOptions(c: Config): { sqlite: { cacheMb?: number; mmapMb?: number } } {
  return {
    sqlite: {
      ...(c.sqliteCacheMb !== undefined ? { cacheMb: c.sqliteCacheMb } : {}),
      ...(c.sqliteMmapMb !== undefined ? { mmapMb: c.sqliteMmapMb } : {}),
    },
  };
}

function intFrom(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new AppError('validation_failed', `${name} must be a whole number, got "${v}"`);
  return Number(v);
}

/** ASSENT_TRUST_PROXY: `true`, `false`, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
function trustProxyFrom(v: string | undefined): Config['trustProxy'] {
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v.split(',').map((x) => x.trim());
  if (list.some((x) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(x)))
    throw new AppError(
      'validation_failed',
      'ASSENT_TRUST_PROXY must be true, false, a hop count, or proxy addresses/CIDRs separated by commas',
    );
  return list;
}

/**
 * The base of links to a server listening on `host`:`port`. An unspecified address (0.0.0.0, ::,
 * every interface) and 127.0.0.1 stand for this machine: links say `localhost`, as the start
 * message does. An IPv6 address is bracketed (`[::1]`: `localhost` may resolve to 127.0.0.1 only).
 */
export function listenBaseUrl(host: string, port: number): string {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  const local = h === '' || h === '0.0.0.0' || h === '::' || h === '127.0.0.1' || h === 'localhost';
  const name = local ? 'localhost' : h.includes(':') ? `[${h}]` : h;
  return `http://${name}:${port}`;
}

/** ASSENT_WEBHOOK_ALLOW_RANGES: addresses or CIDRs separated by commas. */
function rangesFrom(v: string | undefined): string[] {
  if (v === undefined || v.trim() === '') return [];
  const list = v.split(',').map((x) => x.trim());
  for (const x of list) {
    const [addr, bits] = x.split('/');
    const type = isIP(addr ?? '');
    if (type === 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (type === 4 ? 32 : 128))))
      throw new AppError('validation_failed', `ASSENT_WEBHOOK_ALLOW_RANGES must list addresses or CIDRs separated by commas, got "${x}"`);
  }
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const cfg: Config = {
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    host: env.HOST || '127.0.0.1',
    port: intFrom(env.PORT, 'PORT', 8080),
    logLevel: (env.LOG_LEVEL as Config['logLevel']) || 'info',
    bodyLimit: intFrom(env.ASSENT_BODY_LIMIT, 'ASSENT_BODY_LIMIT', 1024 * 1024),
    sessionTtlHours: intFrom(env.ASSENT_SESSION_TTL_HOURS, 'ASSENT_SESSION_TTL_HOURS', 12),
    trustProxy: trustProxyFrom(env.ASSENT_TRUST_PROXY),
    purgeWindowSeconds: intFrom(env.ASSENT_PURGE_WINDOW_SECONDS, 'ASSENT_PURGE_WINDOW_SECONDS', 60),
    jobLeaseMs: intFrom(env.ASSENT_JOB_LEASE_MS, 'ASSENT_JOB_LEASE_MS', 10_000),
    ...(env.ASSENT_SQLITE_CACHE_MB ? { sqliteCacheMb: intFrom(env.ASSENT_SQLITE_CACHE_MB, 'ASSENT_SQLITE_CACHE_MB', 0) } : {}),
    ...(env.ASSENT_SQLITE_MMAP_MB ? { sqliteMmapMb: intFrom(env.ASSENT_SQLITE_MMAP_MB, 'ASSENT_SQLITE_MMAP_MB', 0) } : {}),
    webhookAllowHttp: env.ASSENT_WEBHOOK_ALLOW_HTTP === 'true',
    webhookAllowRanges: rangesFrom(env.ASSENT_WEBHOOK_ALLOW_RANGES),
    webhookTimeoutMs: intFrom(env.ASSENT_WEBHOOK_TIMEOUT_MS, 'ASSENT_WEBHOOK_TIMEOUT_MS', 10_000),
    webhookDisableAfter: intFrom(env.ASSENT_WEBHOOK_DISABLE_AFTER, 'ASSENT_WEBHOOK_DISABLE_AFTER', 20),
    ...(env.ASSENT_SECURE_COOKIES ? { secureCookies: env.ASSENT_SECURE_COOKIES === 'true' } : {}),
    ...(env.ASSENT_SECRET ? { secret: env.ASSENT_SECRET } : {}),
    ...(env.ASSENT_LEDGER_KEY ? { ledgerKey: env.ASSENT_LEDGER_KEY } : {}),
    ...(env.ASSENT_LEDGER_KEY_FILE ? { ledgerKeyFile: env.ASSENT_LEDGER_KEY_FILE } : {}),
    ...overrides,
  };
  if (overrides.listenBaseUrl === undefined) cfg.listenBaseUrl = listenBaseUrl(cfg.host, cfg.port);
  if (!Value.Check(ConfigSchema, cfg)) {
    const errs = namedChoices([...Value.Errors(ConfigSchema, cfg)], ConfigSchema).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new AppError('validation_failed', `invalid configuration: ${errs.join('; ')}`, errs);
  }
  return cfg;
}
