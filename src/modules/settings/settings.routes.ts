import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { commonErrors, Data, ErrorBody, withExamples } from '../../http/schemas.ts';
import { DEFAULT_SETTINGS } from './settings.defaults.ts';
import type { SettingsService } from './settings.service.ts';
import { ConsentVocabularySchema, SettingsPatchSchema, SettingsViewSchema } from './settings.schemas.ts';

const EMAIL_RULES = {
  frequencyCaps: [{ purpose: 'marketing', max: 3, window: 'P7D' }],
  quietHours: { start: '21:00', end: '08:00' },
  dropDeferredWhenCancelled: true,
};

const VIEW = {
  dataProtectionEnabled: true,
  // The levels and purposes as a new installation has them: one source, no second copy to drift.
  consentLevels: DEFAULT_SETTINGS.consentLevels,
  smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'assent', passwordSet: true, from: 'News <news@example.com>' },
  publicBaseUrl: 'https://assent.example.com',
  mailFrom: 'News <news@example.com>',
  purposes: DEFAULT_SETTINGS.purposes,
  majorityAge: 16,
  suppressErasedAddresses: true,
  timeZone: 'Europe/Berlin',
  dkim: {
    domain: 'example.com',
    selector: 'assent',
    privateKeySet: true,
    dnsRecord: {
      name: 'assent._domainkey.example.com',
      type: 'TXT' as const,
      value: 'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
    },
  },
  consentReceipts: false,
  bounceInbound: null,
  emailRules: EMAIL_RULES,
  organisation: {
    name: 'Example Shop GmbH',
    postalAddress: 'Hauptstraße 1\n10115 Berlin\nGermany',
    contactEmail: 'privacy@example.com',
    privacyNoticeUrl: 'https://example.com/privacy',
    dpo: { name: 'Data Protection Officer', email: 'dpo@example.com' },
    supervisoryAuthority: {
      name: 'Berliner Beauftragte für Datenschutz und Informationsfreiheit',
      url: 'https://www.datenschutz-berlin.de/',
    },
  },
  publicFormOrigins: ['https://www.example.com'],
  formConfirmationDays: 7,
};

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
          description:
            'Every setting with its value now: the data protection switch, the consent levels and the level each purpose ' +
            'needs, mail (the SMTP password and the DKIM private key are never returned, only whether one is set, and for DKIM ' +
            'the DNS record to publish, made from the public half of the key), the public base URL, the age of ' +
            'majority and the time zone request deadlines are counted in.',
          response: { 200: withExamples(Data(SettingsViewSchema), { data: VIEW }), ...commonErrors, 422: ErrorBody },
        },
      },
      async () => ({ data: await s.settings.view() }),
    );

    app.get(
      '/settings/consent-levels',
      {
        // Every role that reads consent needs the level names to show it; the rest of the settings stay the settings area's.
        config: { access: { area: 'consent', op: 'read' }, audit: false },
        schema: {
          tags: ['settings'],
          summary: 'The consent levels by name, the level each purpose needs, and whether data protection is on',
          description:
            'The vocabulary every screen that shows consent needs: the six levels with the names and descriptions this ' +
            'installation gave them, the processing purposes with the level each needs, and the data protection switch. ' +
            'Readable by every role that reads consent (the rest of the settings are not).',
          response: {
            200: withExamples(Data(ConsentVocabularySchema), {
              data: { consentLevels: VIEW.consentLevels, purposes: VIEW.purposes, dataProtectionEnabled: true },
            }),
            ...commonErrors,
          },
        },
      },
      async () => {
        const v = await s.settings.view();
        return { data: { consentLevels: v.consentLevels, purposes: v.purposes, dataProtectionEnabled: v.dataProtectionEnabled } };
      },
    );

    app.patch(
      '/settings',
      {
        config: { access: { area: 'settings', op: 'write' }, audit: { action: 'settings.update', target: 'settings' } },
        schema: {
          tags: ['settings'],
          summary: 'Change some settings',
          description:
            'Send only the settings to change; answers every setting as it is now. Consent level numbers are fixed; their ' +
            'names and descriptions can change (all six levels are sent together). The built-in purposes must stay; a ' +
            'purpose can be added with the level it needs. The SMTP password is write-only. A value out of range is 400 ' +
            '`validation_failed` naming the field, and nothing is changed. The DKIM private key is write-only too (the view ' +
            'says `dkim.privateKeySet`); a key that is not an unencrypted PEM RSA (1024 bits or more) or Ed25519 key, or none ' +
            'for a new domain or selector, is 422 `dkim_key_invalid`. `smtp.maxPerSecond` caps the messages per second to ' +
            'the relay across all processes. `emailRules` caps how many messages of a purpose a contact is sent in a window ' +
            "and holds sends in quiet hours of the recipient's time zone; a cap names a purpose of the installation other than " +
            '`requested` and `transactional`, which no rule touches.',
          body: withExamples(
            SettingsPatchSchema,
            { publicBaseUrl: 'https://assent.example.com', timeZone: 'Europe/Berlin' },
            { emailRules: EMAIL_RULES },
            {
              smtp: {
                host: 'smtp.example.com',
                port: 587,
                secure: false,
                user: 'assent',
                password: 'app-password',
                from: 'News <news@example.com>',
              },
            },
          ),
          response: { 200: withExamples(Data(SettingsViewSchema), { data: VIEW }), ...commonErrors, 422: ErrorBody },
        },
      },
      async (req) => ({ data: await s.settings.patch(req.body) }),
    );
  };
