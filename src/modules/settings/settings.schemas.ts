import { Type, type Static } from 'typebox';
import { HIGHEST_LEVEL, LOWEST_LEVEL } from '../../lib/consent-levels.ts';
import { isTimeZone, TIME_ZONE_PATTERN } from '../../lib/time-zones.ts';
import { EmailRulesSchema } from './email-rules.schemas.ts';

const ConsentLevelSchema = Type.Object(
  {
    level: Type.Integer({ format: 'int32', minimum: LOWEST_LEVEL, maximum: HIGHEST_LEVEL }),
    name: Type.String({ minLength: 1, maxLength: 60 }),
    description: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);

const SmtpSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Integer({ format: 'int32', minimum: 1, maximum: 65535 }),
    secure: Type.Boolean({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when offered' }),
    user: Type.Optional(Type.String({ maxLength: 255 })),
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'write-only: never returned' })),
    from: Type.String({ minLength: 3, maxLength: 320, description: 'default sender address' }),
    rejectUnauthorized: Type.Optional(Type.Boolean({ description: 'verify the relay certificate (default true)' })),
    maxPerSecond: Type.Optional(
      Type.Union([Type.Integer({ format: 'int32', minimum: 1, maximum: 100_000 }), Type.Null()], {
        description: 'most messages per second to this relay, counted across all processes; null or absent: no limit',
      }),
    ),
  },
  { additionalProperties: false },
);

const DkimSchema = Type.Object(
  {
    domain: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: '^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$',
      description: 'd= of the signature',
    }),
    selector: Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: '^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$',
      description: 's= of the signature',
    }),
    privateKey: Type.Optional(
      Type.String({
        maxLength: 20_000,
        description:
          'write-only: never returned. A PEM RSA (1024 bits or more) or Ed25519 private key; may be left out to keep the stored key ' +
          'for the same domain and selector.',
      }),
    ),
  },
  { additionalProperties: false },
);

const BounceInboundSchema = Type.Object(
  {
    port: Type.Integer({ format: 'int32', minimum: 1, maximum: 65535 }),
    host: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'the address to listen on (127.0.0.1 when only a local mail server forwards reports to it)',
    }),
  },
  { additionalProperties: false },
);

// Ajv checks the shape; the service's Value.Check asks Intl whether the zone exists, so the
// name accepted is exactly one the deadline arithmetic can use.
const TimeZoneSchema = Type.Refine(
  Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: TIME_ZONE_PATTERN,
    description: 'IANA time zone of the installation (e.g. Europe/Berlin): request deadlines are dates there.',
  }),
  isTimeZone,
  () => 'not an IANA time zone',
);

const Contact = (what: string) =>
  Type.Union([Type.String({ minLength: 3, maxLength: 320, format: 'email' }), Type.Null()], { description: what });
const Url = (what: string) =>
  Type.Union([Type.String({ format: 'uri', pattern: '^https?://', maxLength: 500 }), Type.Null()], { description: what });

/**
 * Who the installation processes data for: what every public page, every mail the product
 * writes itself, the access export (Art. 15) and the records of processing (Art. 30) name.
 */
const OrganisationSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'The controller: the organisation people deal with.' }),
    postalAddress: Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()], {
      description: 'Its postal address, as one text (lines separated by newlines).',
    }),
    contactEmail: Contact('Where people write about their data.'),
    privacyNoticeUrl: Url('The privacy notice, linked from every public page and mail.'),
    dpo: Type.Union(
      [
        Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), email: Contact('The DPO’s address.') },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'The data-protection officer, where the organisation has one.' },
    ),
    supervisoryAuthority: Type.Union(
      [
        Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), url: Url('Its website.') }, { additionalProperties: false }),
        Type.Null(),
      ],
      { description: 'Where people may complain (Art. 77), named in the access export.' },
    ),
  },
  { additionalProperties: false },
);
export type OrganisationSettings = Static<typeof OrganisationSchema>;

/** An origin as browsers send it: scheme, lower-case host, optional port; no path, no trailing slash. */
const OriginSchema = Type.String({
  maxLength: 300,
  pattern: '^https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$',
  description: 'e.g. https://www.example.com',
});
const PublicFormOriginsSchema = Type.Array(OriginSchema, {
  maxItems: 100,
  uniqueItems: true,
  description:
    'Web sites whose pages may post to the public intake (`POST /public/v1/requests`) from the browser and read its answer: ' +
    'CORS preflights are answered and CORS headers set for these origins only. A plain HTML form needs none.',
});

/** Every setting and its type. PATCH accepts any subset; GET returns all. */
export const SettingsSchema = Type.Object(
  {
    dataProtectionEnabled: Type.Boolean({
      description:
        'The data protection switch: when off, consent levels are stored and shown but gate nothing (children are still never profiled).',
    }),
    consentLevels: Type.Array(ConsentLevelSchema, { minItems: 6, maxItems: 6 }),
    smtp: Type.Union([SmtpSchema, Type.Null()], { description: 'SMTP relay; null keeps mail in the local outbox.' }),
    publicBaseUrl: Type.String({
      format: 'uri',
      pattern: '^https?://',
      maxLength: 500,
      description:
        'Where people reach public pages and links in emails. Until it is set, links use the address the server listens on ' +
        '(HOST and PORT; localhost for 0.0.0.0, :: and 127.0.0.1): set it for production.',
    }),
    mailFrom: Type.String({ minLength: 3, maxLength: 320, description: 'Sender used by the outbox and when the SMTP settings name none.' }),
    purposes: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
      Type.Integer({ format: 'int32', minimum: LOWEST_LEVEL, maximum: HIGHEST_LEVEL }),
      {
        description:
          'Processing purposes and the consent level each needs. The built-in purposes must stay; installations may add their own.',
        maxProperties: 100,
      },
    ),
    majorityAge: Type.Integer({
      format: 'int32',
      minimum: 13,
      maximum: 21,
      description: 'Age below which a contact with a birth date counts as a child.',
    }),
    suppressErasedAddresses: Type.Boolean({
      description:
        'Keep a keyed hash of each erased address, so that creating, importing or submitting it again is refused (an admin can lift it).',
    }),
    timeZone: TimeZoneSchema,
    dkim: Type.Union([DkimSchema, Type.Null()], { description: 'DKIM signing of outgoing mail; null signs nothing.' }),
    consentReceipts: Type.Boolean({
      description:
        'Send a person a receipt (purpose `requested`) after each consent change they made themselves (a form, a page, the ' +
        'subscription center, an unsubscribe link): what changed, when, and the notice shown.',
    }),
    bounceInbound: Type.Union([BounceInboundSchema, Type.Null()], {
      description:
        'The SMTP endpoint that receives bounces and complaints (RFC 3464, RFC 5965); null: off. Read when the server starts: ' +
        'restart it after a change.',
    }),
    emailRules: EmailRulesSchema,
    organisation: OrganisationSchema,
    publicFormOrigins: PublicFormOriginsSchema,
    formConfirmationDays: Type.Integer({
      format: 'int32',
      minimum: 1,
      maximum: 90,
      description:
        'Days a double opt-in link of a form stays valid; an unconfirmed submission is then removed by the daily retention, ' +
        'leaving nothing personal.',
    }),
  },
  { additionalProperties: false },
);
export type Settings = Static<typeof SettingsSchema>;
export type SmtpSettings = Static<typeof SmtpSchema>;
export type DkimSettings = Static<typeof DkimSchema>;

export const SettingsPatchSchema = Type.Partial(SettingsSchema, { additionalProperties: false, minProperties: 1 });
export type SettingsPatch = Static<typeof SettingsPatchSchema>;

/** The wire form: the SMTP password never leaves the server. */
const SmtpViewSchema = Type.Object(
  {
    host: Type.String(),
    port: Type.Integer(),
    secure: Type.Boolean(),
    user: Type.Optional(Type.String()),
    passwordSet: Type.Boolean(),
    from: Type.String(),
    rejectUnauthorized: Type.Optional(Type.Boolean()),
    maxPerSecond: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  },
  { additionalProperties: false },
);
/** The wire form: the DKIM private key never leaves the server. */
const DkimViewSchema = Type.Object(
  {
    domain: Type.String(),
    selector: Type.String(),
    privateKeySet: Type.Boolean(),
    dnsRecord: Type.Union(
      [
        Type.Object(
          {
            name: Type.String({ description: 'where to publish it: `<selector>._domainkey.<domain>`' }),
            type: Type.Literal('TXT'),
            value: Type.String({ description: '`v=DKIM1; k=rsa|ed25519; p=<public key>`' }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      {
        description:
          'The DNS record receivers check the signatures against, derived from the public half of the stored key (the private ' +
          'key is never returned); null when no key is stored.',
      },
    ),
  },
  { additionalProperties: false },
);
export const SettingsViewSchema = Type.Object(
  {
    dataProtectionEnabled: Type.Boolean(),
    consentLevels: Type.Array(ConsentLevelSchema),
    smtp: Type.Union([SmtpViewSchema, Type.Null()]),
    publicBaseUrl: Type.String(),
    mailFrom: Type.String(),
    purposes: Type.Record(Type.String(), Type.Integer()),
    majorityAge: Type.Integer(),
    suppressErasedAddresses: Type.Boolean(),
    timeZone: Type.String(),
    dkim: Type.Union([DkimViewSchema, Type.Null()]),
    consentReceipts: Type.Boolean(),
    bounceInbound: Type.Union([BounceInboundSchema, Type.Null()]),
    emailRules: EmailRulesSchema,
    organisation: OrganisationSchema,
    publicFormOrigins: Type.Array(Type.String()),
    formConfirmationDays: Type.Integer(),
  },
  { additionalProperties: false },
);
export type SettingsView = Static<typeof SettingsViewSchema>;

/** What every screen showing consent needs (GET /settings/consent-levels): names, purposes, the switch. */
export const ConsentVocabularySchema = Type.Object(
  {
    consentLevels: Type.Array(ConsentLevelSchema),
    purposes: Type.Record(Type.String(), Type.Integer()),
    dataProtectionEnabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
