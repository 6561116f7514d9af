import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { commonErrors, Data } from '../../http/schemas.ts';
import type { SettingsService } from './settings.service.ts';
import { SettingsPatchSchema, SettingsViewSchema } from './settings.schemas.ts';

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface SettingsRouteDeps {
  settings: SettingsService;
}

export const settingsRoutes =
  (s: SettingsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/settings',
      {
        config: { access: { area: 'settings', op: 'read' }, audit: { action: 'settings.view', target: 'settings' } },
        schema: {
          tags: ['settings'],
          summary: 'Read the installation settings',
          response: { 200: Data(SettingsViewSchema), ...commonErrors },
        },
      },
      async () => ({ data: await s.settings.view() }),
    );

    app.patch(
      '/settings',
      {
        config: { access: { area: 'settings', op: 'write' }, audit: { action: 'settings.update', target: 'settings' } },
        schema: {
          tags: ['settings'],
          summary: 'Change some settings',
          description:
            'Send only the settings to change. Consent level numbers are fixed; their names and descriptions can change. The SMTP ' +
            'password is write-only.',
          body: SettingsPatchSchema,
          response: { 200: Data(SettingsViewSchema), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.settings.patch(req.body) }),
    );
  };
