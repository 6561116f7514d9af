import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { hmac, sha256 } from '../../lib/crypto.ts';
import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { negotiate } from '../../i18n/catalogue.ts';
import { AppError } from '../../lib/errors.ts';
import { truncateIp, truncateUserAgent } from '../../lib/evidence.ts';
import { newId } from '../../lib/ids.ts';
import type { ChangeContext, ConsentService } from '../consent/module.ts';
import { contactForUpdate } from '../contact-records/module.ts';
import type { ContactsService, CustomField, CustomFieldsService } from '../contacts/module.ts';
import type { Database, Db } from '../database.ts';
import type { EventLog } from '../events/module.ts';
import type { InteractionsService } from '../interactions/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { MailSender } from '../mail/module.ts';
import type { SecretService, Settings, SettingsService } from '../settings/module.ts';
import type { SuppressionService } from '../suppression/module.ts';
import { checkFields, type FieldDef, HONEYPOT, type Posted, readSubmission, type Wanted } from './forms.model.ts';
import { FormIntake } from './forms.intake.ts';
import * as q from './forms.queries.ts';
import { SharedRead } from './forms.shared-reads.ts';
import type { FormsTable } from './forms.table.ts';
import { confirmMail } from './forms.text.ts';

export interface Form {
  id: string;
  name: string;
  doubleOptIn: boolean;
  allowedOrigins: string[];
  version: number;
  fields: FieldDef[];
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

export interface FormInput {
  name: string;
  doubleOptIn?: boolean;
  allowedOrigins?: string[];
  fields: FieldDef[];
}

/** Where a submission came from: the request's evidence (minimised before it is stored). */
export interface SubmitContext {
  ip?: string | null;
  userAgent?: string | null;
  /** The page the form was on, when a page served it (the interaction's reference); else the form. */
  pageId?: string;
  /** The request's Origin header: a cross-site post must come from one of the form's allowed origins. */
  origin?: string | null;
  /** The page's own language (`?lang=`) if it named one, and the request's (Accept-Language): the double opt-in mail speaks them. */
  language?: { page: string | null; request: string };
}

export const CONFIRM_PATH = '/public/v1/forms/confirm';
/** The queue of submissions waiting to be applied (or their double opt-in link to be mailed). */
export const FORM_QUEUE = 'form-submission';
/** Per client address: generous for a shared office network, tight for a script. */
export const PER_CLIENT: Limit = { scope: 'form:ip', max: 30, windowMs: 10 * 60_000 };
/** Per address submitted: a few sign-ups an hour; more are dropped silently (the same answer). */
export const PER_ADDRESS: Limit = { scope: 'form:email', max: 5, windowMs: 60 * 60_000 };
const MAX_ORIGINS = 50;

/** What the confirmation waits to apply: the submission's wanted changes (JSON in form_confirmations.changes). */
type Pending = Omit<Wanted, 'email'> & { doubleOptIn: boolean; pageId?: string; language?: SubmitContext['language'] };

/**
 * Forms: their versioned field definitions, and the one path every submission takes (`submit`):
 * validated per field, matched to a contact by address, applied through the contacts, consent and
 * lists services, or held for a double opt-in until the person confirms.
 */
export class FormsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deps: {
      settings: SettingsService;
      customFields: CustomFieldsService;
      contacts: ContactsService;
      consent: ConsentService;
      lists: ListsService;
      suppressions: Pick<SuppressionService, 'isSuppressed'>;
      interactions: Pick<InteractionsService, 'ingest'>;
      events: Pick<EventLog, 'publish'>;
      mail: Pick<MailSender, 'send'>;
      limiter: Pick<RateLimiter, 'hitMany' | 'keysOf' | 'countKeys'>;
      secret: Pick<SecretService, 'key' | 'emailHash'>;
      jobs: Pick<JobQueue, 'enqueueMany'>;
    },
  ) {
    this.intake = new FormIntake(db, {
      limiter: deps.limiter,
      jobs: deps.jobs,
      perClient: PER_CLIENT,
      perAddress: PER_ADDRESS,
      queue: FORM_QUEUE,
    });
  }

  /** The reads every submission makes, shared by those of the same moment: none is kept longer. */
  private readonly reads = {
    form: new SharedRead((id: string) => this.live(id)),
    settings: new SharedRead(() => this.deps.settings.get()),
    customFields: new SharedRead(() => this.deps.customFields.list()),
  };

  /** The group commit of accepted submissions and the batched per-client limit (one per process). */
  private readonly intake: FormIntake;

  async create(input: FormInput): Promise<Form> {
    const checked = await this.check(input);
    const now = this.clock.now().toISOString();
    const row: FormsTable = {
      id: newId(),
      name: checked.name,
      double_opt_in: input.doubleOptIn ? 1 : 0,
      allowed_origins: JSON.stringify(checked.allowedOrigins),
      current_version: 1,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.insertForm(trx, row);
      await q.insertVersion(trx, { form_id: row.id, version: 1, fields: JSON.stringify(input.fields), created_at: now });
    });
    return this.get(row.id);
  }

  /** The form with its current version's fields; not_found for an unknown id. */
  async get(id: string, db: Kysely<Database> = this.db.kysely): Promise<Form> {
    const row = await q.formById(db, id);
    if (!row) throw new AppError('not_found', 'no such form');
    const v = await q.versionOf(db, id, row.current_version);
    return toForm(row, v!.fields);
  }

  async list(limit: number, after?: string): Promise<Form[]> {
    return (await q.liveForms(this.db.kysely, limit, after)).map((r) => toForm(r, r.fields));
  }

  async total(): Promise<{ total: number; isEstimate: boolean }> {
    return { total: await q.countLiveForms(this.db.kysely), isEstimate: false };
  }

  /**
   * Changes what is given; the form as it would then be is checked whole. New fields on a form
   * that has submissions make a new version (each submission names the version it was made on);
   * on a form without, the current version is changed in place.
   */
  async update(id: string, patch: Partial<FormInput>): Promise<Form> {
    const current = await this.get(id);
    if (current.archivedAt) throw new AppError('not_found', 'no such form');
    const next: FormInput = {
      name: patch.name ?? current.name,
      doubleOptIn: patch.doubleOptIn ?? current.doubleOptIn,
      allowedOrigins: patch.allowedOrigins ?? current.allowedOrigins,
      fields: patch.fields ?? current.fields,
    };
    const checked = await this.check(next);
    const now = this.clock.now().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      let version = current.version;
      if (patch.fields !== undefined && JSON.stringify(patch.fields) !== JSON.stringify(current.fields)) {
        const fields = JSON.stringify(patch.fields);
        if (await q.hasSubmissions(trx, id)) {
          version++;
          await q.insertVersion(trx, { form_id: id, version, fields, created_at: now });
        } else await q.replaceFields(trx, id, version, fields);
      }
      await q.updateForm(trx, id, {
        name: checked.name,
        double_opt_in: next.doubleOptIn ? 1 : 0,
        allowed_origins: JSON.stringify(checked.allowedOrigins),
        current_version: version,
        updated_at: now,
      });
    });
    return this.get(id);
  }

  /** Deletes a form nobody submitted; one with submissions is archived (they name it), and no longer accepts any. */
  async delete(id: string): Promise<{ archived: boolean }> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const row = await q.formById(trx, id);
      if (!row || row.archived_at) throw new AppError('not_found', 'no such form');
      if (await q.hasSubmissions(trx, id)) {
        await q.updateForm(trx, id, { archived_at: this.clock.now().toISOString() });
        return { archived: true };
      }
      await q.deleteForm(trx, id);
      return { archived: false };
    });
  }

  /** A live form for a public entry (archived ones are gone for the public). */
  async live(id: string): Promise<Form> {
    const row = await q.formWithFields(this.db.kysely, id);
    if (!row || row.archived_at) throw new AppError('not_found', 'no such form');
    return toForm(row, row.fields);
  }

  private async check(input: FormInput): Promise<{ name: string; allowedOrigins: string[] }> {
    const problems = [];
    const name = input.name.trim();
    if (!name) problems.push({ path: '/name', message: 'a form needs a name' });
    const origins: string[] = [];
    (input.allowedOrigins ?? []).forEach((o, i) => {
      const canonical = originOf(o);
      if (canonical === null || canonical !== o.replace(/\/+$/, '').toLowerCase())
        problems.push({ path: `/allowedOrigins/${i}`, message: 'an origin: scheme, host and port only (https://shop.example)' });
      else if (!origins.includes(canonical)) origins.push(canonical);
    });
    if (origins.length > MAX_ORIGINS) problems.push({ path: '/allowedOrigins', message: `at most ${MAX_ORIGINS}` });
    const [custom, lists] = await Promise.all([this.deps.customFields.list(), this.listIds(input.fields)]);
    problems.push(...checkFields(input.fields, custom, lists));
    if (problems.length) throw new AppError('form_invalid', 'the form is not valid', problems);
    return { name, allowedOrigins: origins };
  }

  /** The ids among those the fields name that are lists. */
  private async listIds(fields: FieldDef[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const id of new Set(fields.flatMap((f) => f.listIds ?? []))) {
      try {
        await this.deps.lists.get(id);
        found.add(id);
      } catch (e) {
        if (!(e instanceof AppError && e.code === 'not_found')) throw e;
      }
    }
    return found;
  }

  /**
   * The one path of every public submission. Per client address a limit (`rate_limited`); then
   * each field is checked (`validation_failed`, details `/<field name>`). A filled honeypot or an
   * address over its own limit is dropped silently. Everything else takes one path whatever the
   * address: the submission and its changes are stored and a job queued (`FORM_QUEUE`), which
   * matches the contact, refuses a suppressed address silently, and applies the changes or
   * mails the double opt-in link. So a known, an unknown and a suppressed address get the same
   * answer after the same statements: the answer and its timing reveal nothing.
   */
  async submit(formId: string, posted: Posted, ctx: SubmitContext): Promise<void> {
    const client = await this.intake.hitClient(ctx.ip ?? '');
    if (client.count > PER_CLIENT.max)
      throw new AppError('rate_limited', 'too many requests; try again later', { retryAfter: client.retryAfterS });
    // Read once for the whole submission (the origin, each field, the contact's rules and the link's
    // lifetime use them), and shared with the submissions that asked in the same moment (forms.shared-reads.ts).
    const [form, settings, custom] = await Promise.all([
      this.reads.form.get(formId),
      this.reads.settings.get(null),
      this.reads.customFields.get(null),
    ]);
    this.checkOrigin(form, ctx.origin, settings);
    const wanted = readSubmission(form.fields, posted, custom);
    if (Array.isArray(wanted)) throw new AppError('validation_failed', 'the submission is not valid', wanted);
    await this.checkProfile(form, wanted, this.deps.contacts.contextOf(custom, settings));
    const trap = posted[HONEYPOT];
    const now = this.clock.now();
    const submissionId = newId();
    const { email, ...rest } = wanted;
    const pending: Pending = {
      ...rest,
      doubleOptIn: form.doubleOptIn,
      ...(ctx.pageId ? { pageId: ctx.pageId } : {}),
      ...(ctx.language ? { language: ctx.language } : {}),
    };
    // Stored with the submissions of the same moment, in one transaction (forms.intake.ts); the
    // per-address limit is taken there, and an address over it (or a filled trap) is dropped silently.
    await this.intake.accept({
      addressKey: await this.deps.secret.emailHash(email),
      trapped: trap !== undefined && trap !== null && trap !== '',
      // The anonymous counters (the form's, and the page's it was posted on): counted when stored, whatever the address.
      counted: [{ kind: 'form', id: form.id }, ...(ctx.pageId ? [{ kind: 'page' as const, id: ctx.pageId }] : [])],
      submission: {
        id: submissionId,
        form_id: form.id,
        version: form.version,
        contact_id: null,
        created_at: now.toISOString(),
        ip_prefix: truncateIp(ctx.ip),
        user_agent: truncateUserAgent(ctx.userAgent),
        confirmed_at: null,
      },
      confirmation: {
        id: newId(),
        submission_id: submissionId,
        token_hash: null,
        email,
        changes: JSON.stringify(pending),
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + settings.formConfirmationDays * 86_400_000).toISOString(),
      },
    });
  }

  /**
   * A post from a browser names its page's origin: Assent's own pages, or a site the form allows
   * (an embedded form). No Origin header (a server, an old browser) is let through: the limits
   * and the silent refusals protect the rest.
   */
  private checkOrigin(form: Form, origin: string | null | undefined, settings: Settings): void {
    if (origin === undefined || origin === null) return;
    const own = originOf(settings.publicBaseUrl);
    const o = origin.toLowerCase();
    if (o === own || form.allowedOrigins.includes(o)) return;
    throw new AppError('forbidden', 'this site may not post this form');
  }

  /**
   * The contact fields as the contacts service would take them, checked now (a country code, a
   * custom field's type), each problem named by the form field that maps it.
   */
  private async checkProfile(form: Form, wanted: Wanted, context: { fields: CustomField[]; cutoff: string }): Promise<void> {
    const input = { email: wanted.email, ...wanted.profile, customFields: wanted.customFields };
    try {
      await this.deps.contacts.toColumns(input, context, this.db.kysely);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'validation_failed') throw e;
      const problems = (Array.isArray(e.details) ? e.details : []) as { path: string; message: string }[];
      const byMaps = new Map(
        form.fields.map((f) => [f.maps.startsWith('custom.') ? `/customFields/${f.maps.slice(7)}` : `/${f.maps}`, f.name]),
      );
      throw new AppError(
        'validation_failed',
        'the submission is not valid',
        problems.map((p) => ({ path: `/${byMaps.get(p.path) ?? form.fields.find((f) => f.maps === 'email')!.name}`, message: p.message })),
      );
    }
  }

  /**
   * The job of one submission: a suppressed address is refused silently (its rows go); a double
   * opt-in mails its link (once: the token is derived from the secret and the row, so a run
   * repeated after a crash mails nothing new); otherwise the changes are applied.
   */
  async run(payload: unknown): Promise<void> {
    const id = (payload as { submissionId?: unknown } | null)?.submissionId;
    if (typeof id !== 'string') return;
    const sub = await q.submissionById(this.db.kysely, id);
    const c = sub && (await q.confirmationOf(this.db.kysely, id));
    if (!sub || !c) return;
    if (await this.deps.suppressions.isSuppressed(c.email)) {
      await this.forget(sub.id);
      return;
    }
    const pending = JSON.parse(c.changes) as Pending;
    if (!pending.doubleOptIn) {
      await this.apply(c.email, pending, sub, c.id, false);
      return;
    }
    const token = await this.tokenOf(c.id);
    await q.setTokenHash(this.db.kysely, c.id, sha256(token));
    const form = await this.get(sub.form_id);
    const settings = await this.deps.settings.get();
    const link = `${settings.publicBaseUrl.replace(/\/+$/, '')}${CONFIRM_PATH}/${token}`;
    // The page's language if it named one, else the contact's (when the address is one's), else the browser's.
    const lang = negotiate({
      page: pending.language?.page,
      contact: (await this.deps.contacts.findByEmail(c.email))?.language ?? null,
      acceptLanguage: pending.language?.request,
      fallback: 'en',
    });
    const mail = confirmMail(lang, {
      form: form.name,
      link,
      expires: new Date(c.expires_at),
      timeZone: settings.timeZone,
      organisation: settings.organisation,
    });
    // Purpose `requested`, the person's own action; a refusal (the gate, the relay) leaves the link unsent, and it expires.
    await this.deps.mail.send(
      {
        to: c.email,
        subject: mail.subject,
        text: mail.text,
        purpose: 'requested',
        caller: 'form',
        contactId: null,
      },
      `form-confirm:${c.id}`,
    );
  }

  /** The link's token: unguessable without the installation secret, and the same at every run for one confirmation. */
  private async tokenOf(confirmationId: string): Promise<string> {
    return hmac(await this.deps.secret.key(), `form-confirm:${confirmationId}`);
  }

  /** A submission and its waiting changes removed: nothing of it stays. */
  private async forget(submissionId: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('form_confirmations').where('submission_id', '=', submissionId).execute();
      await trx.deleteFrom('form_submissions').where('id', '=', submissionId).execute();
    });
  }

  /** Whether a confirmation link is valid now (the GET page: it changes nothing). */
  async pendingConfirmation(token: string): Promise<boolean> {
    const c = await this.confirmationFor(token);
    return c !== null;
  }

  private async confirmationFor(token: string) {
    if (!/^[0-9a-f]{64}$/.test(token)) return null;
    const c = await q.confirmationByHash(this.db.kysely, sha256(token));
    return c && c.expires_at > this.clock.now().toISOString() ? c : null;
  }

  /**
   * Applies a confirmed double opt-in, once (the waiting row goes in the same transaction). False
   * for a forged, expired or used link: one answer for all. The ledger names the submission and
   * the confirmation; the evidence is the submission's (network and browser family).
   */
  async confirm(token: string): Promise<boolean> {
    const c = await this.confirmationFor(token);
    if (!c) return false;
    const sub = await q.submissionById(this.db.kysely, c.submission_id);
    if (!sub) return false;
    if (await this.deps.suppressions.isSuppressed(c.email)) {
      await this.forget(sub.id);
      return true;
    }
    return this.apply(c.email, JSON.parse(c.changes) as Pending, sub, c.id, true);
  }

  /**
   * Matches the contact by address or creates it, sets the mapped fields, raises the level and
   * joins the lists chosen (never lowers, never leaves), marks the submission with its contact,
   * records the interaction and publishes `form.submitted`. The waiting row is deleted in the
   * same transaction, and only the run that deleted it goes on (a repeated job, two POSTs).
   */
  private async apply(email: string, pending: Pending, sub: q.SubmissionRow, pendingId: string, confirmed: boolean): Promise<boolean> {
    const change = (notice?: string): ChangeContext => ({
      source: 'form',
      actor: confirmed ? { type: 'form_confirmation', id: `${sub.id}/${pendingId}` } : { type: 'form_submission', id: sub.id },
      ...(notice === undefined ? {} : { notice }),
      evidence: { ip: sub.ip_prefix, userAgent: sub.user_agent },
    });
    const profile = { ...pending.profile, ...(Object.keys(pending.customFields).length ? { customFields: pending.customFields } : {}) };
    const contactId = await this.contactFor(email, profile, change());
    const now = this.clock.now().toISOString();
    const applied = await this.db.kysely.transaction().execute(async (trx) => {
      // Locked before the ledger head, as every consent writer takes them; the level compared is the one under the lock.
      const row = await contactForUpdate(trx, this.db.dialect, contactId);
      if (!row) throw new AppError('not_found', 'no such contact');
      const gone = await trx.deleteFrom('form_confirmations').where('id', '=', pendingId).executeTakeFirst();
      if (Number(gone.numDeletedRows) !== 1) return false;
      if (pending.level && pending.level.level > row.consent_level)
        await this.deps.consent.setLevel(contactId, pending.level.level, change(pending.level.notice), trx);
      for (const l of pending.lists) await this.deps.lists.joinMany(trx, l.listId, [contactId], change(l.notice));
      await q.setSubmissionContact(trx, sub.id, contactId, confirmed ? now : null);
      await this.deps.events.publish(trx, {
        type: 'form.submitted',
        contactId,
        data: { formId: sub.form_id, version: sub.version, submissionId: sub.id },
      });
      return true;
    });
    // Operational: stored per contact always (the interactions module's rule), and counted.
    if (applied) await this.deps.interactions.ingest([{ type: 'form_submitted', contactId, pageId: pending.pageId ?? sub.form_id }]);
    return applied;
  }

  /** The contact holding the address, its mapped fields set; created when none does. */
  private async contactFor(email: string, profile: Record<string, unknown>, who: ChangeContext): Promise<string> {
    const found = await this.deps.contacts.findByEmail(email);
    if (found) {
      if (Object.keys(profile).length) await this.deps.contacts.update(found.id, profile, who);
      return found.id;
    }
    try {
      return (await this.deps.contacts.create({ ...profile, email }, who)).id;
    } catch (e) {
      // Another submission created it between the lookup and the insert.
      if (!(e instanceof AppError && e.code === 'contact_exists')) throw e;
      return this.contactFor(email, profile, who);
    }
  }

  /** The daily work: submissions of double opt-ins never confirmed, whose link retention removed, go too. */
  async removeUnconfirmed(): Promise<number> {
    return Number((await q.deleteUnconfirmedOrphans(this.db.kysely)).numDeletedRows);
  }
}

function toForm(r: FormsTable, fields: string): Form {
  return {
    id: r.id,
    name: r.name,
    doubleOptIn: r.double_opt_in === 1,
    allowedOrigins: JSON.parse(r.allowed_origins) as string[],
    version: r.current_version,
    fields: JSON.parse(fields) as FieldDef[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    archivedAt: r.archived_at,
  };
}

/** The web origin of a URL (scheme, host, port), lower-cased; null for anything not http(s). */
export function originOf(s: string): string | null {
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return u.origin.toLowerCase();
  } catch {
    return null;
  }
}
