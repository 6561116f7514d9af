import type { Kysely, Migration } from 'kysely';

/**
 * Until issue 12 the first boot stored `publicBaseUrl` as its default, http://localhost:8080,
 * whatever the server listened on, so data-request links of a server on another port pointed to
 * a port nobody listens on. An unset value now follows the listening address; a stored value
 * still equal to that old default is taken as never set (for a server on localhost:8080 the
 * links are the same). A value an operator chose stays. Self-contained, as migrations are frozen.
 */
const m0021: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db
      .deleteFrom('settings')
      .where('key', '=', 'publicBaseUrl')
      .where('value', '=', JSON.stringify('http://localhost:8080'))
      .execute();
  },
};

export const settingsMigrations: Readonly<Record<string, Migration>> = { '0021_settings_public_base_url': m0021 };
