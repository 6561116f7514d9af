import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from './lib/errors.ts';

/** Everything the process reads from its environment, validated once at boot. */
export const ConfigSchema = Type.Object(
  {
    databaseUrl: Type.String({ minLength: 1 }),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]),
    /** Largest JSON body a route accepts unless it says otherwise. */
    bodyLimit: Type.Integer({ minimum: 1024 }),
    /** Console session lifetime. */
    sessionTtlHours: Type.Integer({ minimum: 1, maximum: 24 * 90 }),
    /** Cookies get `Secure` when the public URL is https; this forces it either way. */
    secureCookies: Type.Optional(Type.Boolean()),
    /** Signs email links and keys erased-address hashes; generated and stored when unset. */
    secret: Type.Optional(Type.String({ minLength: 32 })),
  },
  { additionalProperties: false },
);
export type Config = Static<typeof ConfigSchema>;

export const DEFAULT_DATABASE_URL = 'sqlite:./data/assent.db';

function intFrom(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new AppError('validation_failed', `${name} must be a whole number, got "${v}"`);
  return Number(v);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const cfg: Config = {
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    host: env.HOST || '127.0.0.1',
    port: intFrom(env.PORT, 'PORT', 8080),
    logLevel: (env.LOG_LEVEL as Config['logLevel']) || 'info',
    bodyLimit: intFrom(env.ASSENT_BODY_LIMIT, 'ASSENT_BODY_LIMIT', 1024 * 1024),
    sessionTtlHours: intFrom(env.ASSENT_SESSION_TTL_HOURS, 'ASSENT_SESSION_TTL_HOURS', 12),
    ...(env.ASSENT_SECURE_COOKIES ? { secureCookies: env.ASSENT_SECURE_COOKIES === 'true' } : {}),
    ...(env.ASSENT_SECRET ? { secret: env.ASSENT_SECRET } : {}),
    ...overrides,
  };
  if (!Value.Check(ConfigSchema, cfg)) {
    const errs = [...Value.Errors(ConfigSchema, cfg)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new AppError('validation_failed', `invalid configuration: ${errs.join('; ')}`, errs);
  }
  return cfg;
}
