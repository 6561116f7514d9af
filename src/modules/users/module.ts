import { audit } from '../audit/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { settings } from '../settings/module.ts';
import { sessionRoutes } from './session.routes.ts';
import { LoginThrottle } from './login-throttle.service.ts';
import * as m0020 from './migrations/0020_users_login_throttle.ts';
import { usersDataMap } from './users.data-map.ts';
import { usersRoutes } from './users.routes.ts';
import { UsersService } from './users.service.ts';
import type { ApiKeysTable, LoginThrottleTable, SessionsTable, UsersTable } from './users.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    users: UsersTable;
    sessions: SessionsTable;
    api_keys: ApiKeysTable;
    login_throttle: LoginThrottleTable;
  }
}

/** Staff users, their sessions and API keys. Signing in is throttled (login-throttle.service.ts) and audited. */
export type { UsersService } from './users.service.ts';

export const users = defineModule({
  name: 'users',
  needs: [settings, platform, audit],
  dataMap: usersDataMap,
  migrations: { '0020_users_login_throttle': m0020 },
  create: (core, deps) => {
    const users = new UsersService(
      core.db,
      core.clock,
      core.config.sessionTtlHours * 3600_000,
      // Keyed by the installation secret: a copy of the table cannot confirm a guessed address.
      new LoginThrottle(core.db, core.clock, () => deps.secret.key()),
    );
    // The audit log keeps ids; it reads them as addresses and key names through this directory.
    deps.audit.nameActorsWith({ all: () => users.staffActors(), names: (ids) => users.actorNames(ids) });
    return { users };
  },
  routes: (s) => [
    { prefix: '/api/v1', plugin: sessionRoutes(s) },
    { prefix: '/api/v1', plugin: usersRoutes(s) },
  ],
});
