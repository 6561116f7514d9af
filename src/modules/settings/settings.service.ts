import { randomBytes } from 'node:crypto';
import { Value } from 'typebox/value';
import type { Kysely } from 'kysely';
import type { Database, Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { namedChoices } from '../../lib/choices.ts';
import { AppError } from '../../lib/errors.ts';
import { DEFAULT_SETTINGS } from './settings.defaults.ts';
import { INSTALLATION_SECRET_KEY } from './secret.service.ts';
import { allSettings, insertMissing, upsertSetting } from './settings.queries.ts';
import { type EmailRules, UNCAPPED_PURPOSES } from './email-rules.schemas.ts';
import { SettingsPatchSchema, SettingsSchema, type Settings, type SettingsPatch, type SettingsView } from './settings.schemas.ts';
import { dkimKeyProblem } from '../../lib/dkim-key.ts';
import { dkimDnsRecord } from './dkim-record.ts';
import { CONSENT_LEVELS, HIGHEST_LEVEL, LOWEST_LEVEL } from '../../lib/consent-levels.ts';

const PUBLIC_BASE_URL = 'publicBaseUrl';

/**
 * Settings live in the database (every process reads the same truth); values are read on
 * each call rather than cached in memory, so a change made through one process is seen by all.
 */
export class SettingsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Where links point while `publicBaseUrl` is not set: the address the server is started on (Config.listenBaseUrl). */
    private listenBase: string = DEFAULT_SETTINGS.publicBaseUrl,
  ) {}

  /**
   * The address this process serves on, once it listens (the port may have been chosen then):
   * links point there while `publicBaseUrl` is not set, never to a port nobody listens on.
   */
  listeningAt(base: string): void {
    this.listenBase = base;
  }

  /** Whether an operator set `publicBaseUrl`; when not, links use the listening address (`assent start` says to set it). */
  async publicBaseUrlSet(): Promise<boolean> {
    return (await allSettings(this.db.kysely)).some((r) => r.key === PUBLIC_BASE_URL);
  }

  /**
   * Writes the defaults of any setting not yet stored (first boot, or a setting added by an
   * upgrade). `publicBaseUrl` is not one: unset, it follows the address the server listens on.
   */
  async ensureDefaults(): Promise<void> {
    const rows = Object.entries(DEFAULT_SETTINGS)
      .filter(([key]) => key !== PUBLIC_BASE_URL)
      .map(([key, value]) => ({ key, value: JSON.stringify(value) }));
    // The installation secret is made at first boot too, so no later read ever has to write.
    rows.push({ key: INSTALLATION_SECRET_KEY, value: JSON.stringify(randomBytes(32).toString('base64')) });
    await insertMissing(this.db.kysely, rows, this.clock.now().toISOString());
  }

  /** `db`: a caller's transaction (a journey's run reads the settings in it: on SQLite a read beside it would wait for it). */
  async get(db: Kysely<Database> = this.db.kysely): Promise<Settings> {
    const stored = Object.fromEntries((await allSettings(db)).map((r) => [r.key, JSON.parse(r.value) as unknown]));
    const merged = { ...DEFAULT_SETTINGS, publicBaseUrl: this.listenBase } as Record<string, unknown>;
    for (const key of Object.keys(DEFAULT_SETTINGS)) if (key in stored) merged[key] = stored[key];
    return merged as Settings;
  }

  async view(): Promise<SettingsView> {
    return toView(await this.get());
  }

  async patch(patch: SettingsPatch): Promise<SettingsView> {
    if (!Value.Check(SettingsPatchSchema, patch)) {
      const details = namedChoices([...Value.Errors(SettingsPatchSchema, patch)], SettingsPatchSchema).map((e) => ({
        path: e.instancePath,
        message: e.message,
      }));
      throw new AppError('validation_failed', 'invalid settings', details);
    }
    if (patch.consentLevels) {
      const levels = patch.consentLevels.map((l) => l.level).sort();
      if (levels.join(',') !== CONSENT_LEVELS.join(',')) {
        throw new AppError(
          'validation_failed',
          `consentLevels must name each level ${LOWEST_LEVEL} to ${HIGHEST_LEVEL} exactly once; only names and descriptions can change`,
          [{ path: '/consentLevels', message: 'levels are fixed' }],
        );
      }
      patch = { ...patch, consentLevels: [...patch.consentLevels].sort((a, b) => a.level - b.level) };
    }
    if (patch.purposes) {
      const missing = Object.keys(DEFAULT_SETTINGS.purposes).filter((p) => !(p in patch.purposes!));
      if (missing.length)
        throw new AppError(
          'validation_failed',
          `the built-in purposes cannot be removed: ${missing.join(', ')}`,
          missing.map((p) => ({ path: `/purposes/${p}`, message: 'required' })),
        );
      // `requested` covers only answers to the person's own action; it needs no consent by definition.
      if (patch.purposes.requested !== 0)
        throw new AppError('validation_failed', 'the requested purpose needs level 0', [
          { path: '/purposes/requested', message: 'must be 0' },
        ]);
    }
    const current = await this.get();
    if (patch.emailRules) checkCapPurposes(patch.emailRules, patch.purposes ?? current.purposes);
    const same =
      patch.smtp &&
      current.smtp &&
      patch.smtp.host === current.smtp.host &&
      patch.smtp.port === current.smtp.port &&
      patch.smtp.user === current.smtp.user;
    if (patch.smtp && same && patch.smtp.password === undefined && current.smtp?.password !== undefined) {
      // Editing the same account on the same relay without retyping its password keeps the stored
      // one; pointing at another relay or user never carries the old password over.
      patch = { ...patch, smtp: { ...patch.smtp, password: current.smtp.password } };
    }
    if (patch.dkim) patch = { ...patch, dkim: withDkimKey(patch.dkim, current.dkim) };
    const next = { ...current, ...patch };
    if (!Value.Check(SettingsSchema, next)) throw new AppError('validation_failed', 'invalid settings');
    const now = this.clock.now().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      for (const [key, value] of Object.entries(patch)) await upsertSetting(trx, key, JSON.stringify(value), now);
    });
    return toView(next);
  }
}

/**
 * A cap names a purpose of the installation, and not one the rules never touch: `requested` and
 * `transactional` mail is never capped or held (email module, policy.ts).
 */
function checkCapPurposes(rules: EmailRules, purposes: Settings['purposes']): void {
  const details = rules.frequencyCaps.flatMap((c, i) => {
    const path = `/emailRules/frequencyCaps/${i}/purpose`;
    if (!(c.purpose in purposes)) return [{ path, message: 'not a purpose of this installation' }];
    if (UNCAPPED_PURPOSES.includes(c.purpose)) return [{ path, message: `${c.purpose} mail is never capped` }];
    return [];
  });
  if (details.length) throw new AppError('validation_failed', 'invalid frequency caps', details);
}

/**
 * The DKIM key is write-only, like the SMTP password: a patch for the same domain and selector
 * may leave it out and keeps the stored one; for another domain or selector (another DNS
 * record) it must be given. A key that is not a usable PEM RSA or Ed25519 key is 422
 * `dkim_key_invalid`, naming the rule, never the key.
 */
function withDkimKey(dkim: NonNullable<Settings['dkim']>, current: Settings['dkim']): NonNullable<Settings['dkim']> {
  let privateKey = dkim.privateKey;
  if (privateKey === undefined && current && current.domain === dkim.domain && current.selector === dkim.selector)
    privateKey = current.privateKey;
  if (privateKey === undefined)
    throw new AppError('dkim_key_invalid', 'a DKIM private key is required for a new domain or selector', [
      { path: '/dkim/privateKey', message: 'required' },
    ]);
  const problem = dkimKeyProblem(privateKey);
  if (problem)
    throw new AppError('dkim_key_invalid', 'the DKIM private key cannot be used', [{ path: '/dkim/privateKey', message: problem }]);
  return { ...dkim, privateKey };
}

function toView(s: Settings): SettingsView {
  const { smtp, dkim, ...rest } = s;
  const dkimView = dkim
    ? {
        domain: dkim.domain,
        selector: dkim.selector,
        privateKeySet: !!dkim.privateKey,
        dnsRecord: dkimDnsRecord(dkim.domain, dkim.selector, dkim.privateKey),
      }
    : null;
  if (!smtp) return { ...rest, smtp: null, dkim: dkimView };
  const { password, ...smtpRest } = smtp;
  return { ...rest, smtp: { ...smtpRest, passwordSet: password !== undefined && password !== '' }, dkim: dkimView };
}
