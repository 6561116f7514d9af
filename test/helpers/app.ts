import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/modules/database.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { ROLES, type Role } from '../../src/modules/users/users.model.ts';
import { MODULES } from '../../src/modules/index.ts';
import type { AnyModule } from '../../src/modules/module.ts';
import { composeServices, type Services } from '../../src/services.ts';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  /** An API key per role. */
  keys: Record<Role, string>;
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

/** The real app on a test database, with one API key per role. Closing leaves the database open. */
export async function testApp(
  db: Db,
  opts: { clock?: Clock; env?: Record<string, string>; modules?: readonly AnyModule[] } = {},
): Promise<TestApp> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', ...opts.env });
  // Another list of modules (a fixture's added) composes the same way; its faces are there at run time.
  const services = composeServices(opts.modules ?? MODULES, config, db, opts.clock ?? systemClock, createLogger('silent')) as Services;
  await services.settings.ensureDefaults();
  const app = await buildApp(services);
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await services.users.createKey({ name: `test ${role}`, role })).secret;
  return {
    app,
    services,
    keys,
    auth: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    close: async () => {
      await app.close();
      await services.mail.close();
      await services.erasure.close();
    },
  };
}

export function json<T = any>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}
