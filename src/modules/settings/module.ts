import { defineModule } from '../module.ts';
import { LedgerKey } from './ledger-key.ts';
import { SecretService } from './secret.service.ts';
import { settingsDataMap } from './settings.data-map.ts';
import { settingsMigrations } from './settings.migrations.ts';
import { settingsRoutes } from './settings.routes.ts';
import { SettingsService } from './settings.service.ts';
import type { SettingsTable } from './settings.table.ts';

// What other modules may use: the settings and the installation secret they read.
export type { DkimSettings, Settings, SmtpSettings } from './settings.schemas.ts';
export type { EmailRules, FrequencyCap, QuietHours } from './email-rules.schemas.ts';
export { UNCAPPED_PURPOSES } from './email-rules.schemas.ts';
export type { SettingsService } from './settings.service.ts';
export type { SecretService } from './secret.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    settings: SettingsTable;
  }
}

/** The installation's settings, its secret, and the ledger key (read from configuration or its file). */
export const settings = defineModule({
  name: 'settings',
  needs: [],
  migrations: settingsMigrations,
  dataMap: settingsDataMap,
  create: (core) => ({
    settings: new SettingsService(core.db, core.clock, core.config.listenBaseUrl),
    secret: new SecretService(core.db, core.clock, core.config.secret),
    ledgerKey: new LedgerKey(core.config, core.db.target),
  }),
  routes: (s) => [{ prefix: '/api/v1', plugin: settingsRoutes(s) }],
});
