import { audit } from '../audit/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { settings } from '../settings/module.ts';
import { sessionRoutes } from './session.routes.ts';
import { usersDataMap } from './users.data-map.ts';
import { usersRoutes } from './users.routes.ts';
import { UsersService } from './users.service.ts';
import type { ApiKeysTable, SessionsTable, UsersTable } from './users.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    users: UsersTable;
    sessions: SessionsTable;
    api_keys: ApiKeysTable;
  }
}

/** Staff users, their sessions and API keys. Signing in is rate-limited and audited (the needs). */
export type { UsersService } from './users.service.ts';

export const users = defineModule({
  name: 'users',
  needs: [settings, platform, audit],
  dataMap: usersDataMap,
  create: (core) => ({ users: new UsersService(core.db, core.clock, core.config.sessionTtlHours * 3600_000) }),
  routes: (s) => [
    { prefix: '/api/v1', plugin: sessionRoutes(s) },
    { prefix: '/api/v1', plugin: usersRoutes(s) },
  ],
});
