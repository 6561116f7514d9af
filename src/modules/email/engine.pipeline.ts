import type { Transaction } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { emailKey, isValidEmail } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import type { Caller, ConsentService } from '../consent/module.ts';
import { contactsByIds } from '../contact-records/module.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { Database, Db } from '../database.ts';
import type { SettingsService } from '../settings/module.ts';
import type { SuppressionService } from '../suppression/module.ts';
import type { BatchItem, EngineSteps, RenderContact } from './engine.model.ts';
import type { MessagesTable, SendStatus, SendsTable } from './email.table.ts';
import { campaignById } from './campaign.queries.ts';
import {
  addCounts,
  type BatchSelector,
  countKey,
  dueSends,
  HandOverTaken,
  handOverSends,
  lockContacts,
  messageRow,
  moveSends,
  nextDue,
  PENDING,
  undeliverableAmong,
} from './send.queries.ts';

/** Delivery attempts before a temporary failure counts as final. */
export const MAX_ATTEMPTS = 5;

/** Wait before the next attempt after `attempts` failed ones: one minute, doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Who asks the gate for a send, by its origin: a campaign, a journey, or a staff member's direct send. */
export function callerOf(origin: string): Caller {
  if (origin.startsWith('campaign:')) return 'campaign';
  if (origin.startsWith('journey:')) return 'journey';
  return 'staff';
}

/** Purposes whose mail carries the one-click unsubscribe headers whatever their level. */
const UNSUBSCRIBE_PURPOSES = new Set(['marketing', 'subscription']);

/** What became of a batch: how many sends it took, and when a send it selects is next due (null: none pending). */
export interface BatchRun {
  taken: number;
  next: Date | null;
}

/** `retry`: tried again later with `attempts` counted (a render that ran out of time on a busy process). */
type Decision = { refused: string } | { deferUntil: Date } | { failed: string } | { retry: string; attempts: number };

/**
 * The send pipeline, one code path for direct sends, campaigns and (later) journeys. For a
 * batch of due sends, in this order: the gate for the message's purpose, the suppression list,
 * undeliverable addresses, a valid address, frequency caps and quiet hours, the template, the
 * tracking decision (the gate for `profiling`, caller `tracking`), the headers, and delivery
 * through the mail module's gated sender, which asks the gate again at the moment of sending.
 * Everything is asked once per batch. Every refusal is written on its send and counted in the
 * campaign's anonymous totals; every change of a send is conditional on its status, so a batch
 * run twice (a lapsed lease, a crash) changes and counts nothing twice and mails no one twice.
 */
export class SendEngine {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly consent: ConsentService,
    private readonly suppressions: SuppressionService,
    private readonly contacts: ContactsService,
    private readonly steps: EngineSteps,
  ) {}

  async run(sel: BatchSelector): Promise<BatchRun> {
    const statuses = await this.statusesFor(sel);
    if (statuses.length === 0) return { taken: 0, next: null };
    const sends = await dueSends(this.db.kysely, sel, statuses, this.clock.now().toISOString());
    const groups = new Map<string, SendsTable[]>();
    for (const s of sends) {
      const k = `${s.message_id}|${s.campaign_id ?? ''}|${callerOf(s.origin)}`;
      const g = groups.get(k);
      if (g) g.push(s);
      else groups.set(k, [s]);
    }
    for (const group of groups.values()) await this.runGroup(group, statuses);
    const next = await nextDue(this.db.kysely, sel, statuses);
    return { taken: sends.length, next: next === null ? null : next === 'now' ? this.clock.now() : new Date(next) };
  }

  /**
   * What a batch may take: nothing of a paused campaign; of a cancelled one only the deferred
   * sends that cancelling kept (the `dropDeferredWhenCancelled` rule); else queued and deferred.
   */
  private async statusesFor(sel: BatchSelector): Promise<readonly SendStatus[]> {
    if (!('campaignId' in sel)) return PENDING;
    const c = await campaignById(this.db.kysely, sel.campaignId);
    if (!c || c.status === 'paused') return [];
    if (c.status === 'cancelled') return ['deferred'];
    return PENDING;
  }

  private async runGroup(sends: SendsTable[], from: readonly SendStatus[]): Promise<void> {
    const first = sends[0]!;
    const message = await messageRow(this.db.kysely, first.message_id);
    if (!message) return;
    const campaignId = first.campaign_id;
    const caller = callerOf(first.origin);
    const now = this.clock.now();
    const decisions = new Map<string, Decision>();
    const open = () => sends.filter((s) => !decisions.has(s.id));

    const contacts = new Map(
      (await this.contacts.fromRows(await contactsByIds(this.db.kysely, [...new Set(sends.map((s) => s.contact_id))]))).map((c) => [
        c.id,
        c,
      ]),
    );
    // A contact erased since its send was made took the send with it; nothing to do for it.
    sends = sends.filter((s) => contacts.has(s.contact_id));
    const contactOf = (s: SendsTable) => contacts.get(s.contact_id)!;

    // The gate, for the message's purpose: asked here to spare the rest of the work, and again by the sender at delivery.
    const gate = await this.consent.checkMany(
      sends.map((s) => s.contact_id),
      message.purpose,
      { caller },
    );
    for (const s of sends) {
      const a = gate.get(s.contact_id);
      if (a && !a.allowed) decisions.set(s.id, { refused: a.reason });
    }
    const suppressed = await this.suppressions.among(open().map((s) => contactOf(s).email));
    for (const s of open()) if (suppressed.has(contactOf(s).email)) decisions.set(s.id, { refused: 'suppressed' });
    const undeliverable = await undeliverableAmong(
      this.db.kysely,
      open().map((s) => emailKey(contactOf(s).email)),
    );
    for (const s of open()) if (undeliverable.has(emailKey(contactOf(s).email))) decisions.set(s.id, { refused: 'undeliverable' });
    for (const s of open()) if (!isValidEmail(contactOf(s).email)) decisions.set(s.id, { refused: 'invalid_address' });
    const policy = await this.steps.policy.decide(
      open().map((s) => ({ contactId: s.contact_id, purpose: message.purpose })),
      now,
    );
    for (const s of open()) {
      const p = policy.get(s.contact_id);
      if (p && 'refused' in p) decisions.set(s.id, { refused: p.refused });
      else if (p && 'deferUntil' in p) decisions.set(s.id, { deferUntil: p.deferUntil });
    }

    const ready = open();
    const items: BatchItem[] = [];
    const tracked = new Map<string, number>();
    const messageIds = new Map<string, string>();
    if (ready.length > 0) {
      const settings = await this.settings.get();
      const render = await this.steps.render.compile(message).catch((e: unknown) => {
        // The message no longer compiles (a custom field or purpose it names was changed since it
        // was stored): its sends fail with the template's code, and the batch goes on.
        if (!(e instanceof AppError)) throw e;
        for (const s of ready) decisions.set(s.id, { failed: e.code });
        return null;
      });
      const decorations = await this.steps.tracking.forBatch(message);
      const profiling = await this.profilingAllowed(ready.map((s) => s.contact_id));
      const sender = senderOf(message);
      const domain = domainOf(sender ?? settings.smtp?.from ?? settings.mailFrom);
      const withUnsubscribe = UNSUBSCRIBE_PURPOSES.has(message.purpose) || (settings.purposes[message.purpose] ?? 0) >= 3;
      for (const s of render ? ready : []) {
        const c = contactOf(s);
        let out: ReturnType<Awaited<ReturnType<typeof this.steps.render.compile>>>;
        try {
          out = render!(renderContact(c), decorations.links(s.id, s.contact_id));
        } catch (e) {
          // A render that ran out of time may only have met a busy process (a collection pause, a
          // loaded machine): it is tried again later like a relay's temporary refusal, and fails
          // after as many attempts. Any other failure is the template's for this contact's values:
          // the send fails, named by code only.
          if (isRenderTimeout(e) && s.attempts + 1 < MAX_ATTEMPTS)
            decisions.set(s.id, { retry: 'render_timeout', attempts: s.attempts + 1 });
          else decisions.set(s.id, { failed: e instanceof AppError ? e.code : 'template_failed' });
          continue;
        }
        const track = profiling.has(s.contact_id);
        const messageId = `<${s.id}@${domain}>`;
        tracked.set(s.id, track ? 1 : 0);
        messageIds.set(s.id, messageId);
        items.push({
          sendId: s.id,
          to: c.email,
          subject: out.subject,
          html: decorations.decorate(out.html, { sendId: s.id, track }),
          ...(out.text !== undefined && { text: out.text }),
          ...(sender !== undefined && { from: sender }),
          headers: {
            'Message-ID': messageId,
            ...(message.reply_to ? { 'Reply-To': message.reply_to } : {}),
            ...(withUnsubscribe ? decorations.unsubscribeHeaders(s.id) : {}),
          },
          purpose: message.purpose,
          caller,
          contactId: s.contact_id,
        });
      }
    }

    if (decisions.size > 0) await this.db.kysely.transaction().execute((trx) => this.record(trx, campaignId, decisions, from, now));
    if (items.length === 0) return;

    const handedOver = new Set<string>();
    const capCheck = await this.steps.policy.capCheck(message.purpose);
    const personOf = new Map(sends.map((s) => [s.id, s.contact_id]));
    const outcomes = await this.steps.delivery.sendBatch(items, {
      caller,
      handOver: async (ids, q) => {
        const at = this.clock.now();
        const marks = ids.map((id) => ({ id, messageId: messageIds.get(id) ?? '', tracked: tracked.get(id) ?? 0 }));
        // Another run of this batch sent some of them first: it throws, and none of this group may leave.
        if (!capCheck) await handOverSends(this.db, q, marks, at.toISOString(), campaignId);
        else {
          // The caps were judged before rendering; another batch (another campaign, another
          // worker) may have mailed one of these people since. Counted again under their locks,
          // a full cap stops the group: its sends go again later, and the policy refuses them then.
          const people = ids.map((id) => personOf.get(id)!);
          const run = async (trx: typeof q) => {
            await lockContacts(trx, people);
            if ((await capCheck(trx, people, at)).size > 0) throw new HandOverTaken();
            await handOverSends(this.db, trx, marks, at.toISOString(), campaignId);
          };
          await (q.isTransaction ? run(q) : this.db.kysely.transaction().execute(run));
        }
        for (const id of ids) handedOver.add(id);
      },
    });
    await this.afterDelivery(outcomes, sends, handedOver, campaignId);
  }

  /** Whom the gate allows profiling (caller `tracking`): only their mail gets the pixel and rewritten links. Children never. */
  private async profilingAllowed(contactIds: string[]): Promise<Set<string>> {
    const answers = await this.consent.checkMany(contactIds, 'profiling', { caller: 'tracking' });
    return new Set([...answers].filter(([, a]) => a.allowed).map(([id]) => id));
  }

  /** Refusals, deferrals and template failures: one statement per kind and reason, counted once per batch. */
  private async record(
    trx: Transaction<Database>,
    campaignId: string | null,
    decisions: Map<string, Decision>,
    from: readonly SendStatus[],
    now: Date,
  ): Promise<void> {
    const at = now.toISOString();
    const groups = new Map<string, { set: Parameters<typeof moveSends>[3]; outcome: string | null; reason: string; ids: string[] }>();
    for (const [id, d] of decisions) {
      const g =
        'refused' in d
          ? {
              k: `r:${d.refused}`,
              set: { status: 'refused' as const, reason: d.refused, not_before: null, updated_at: at },
              outcome: 'refused',
              reason: d.refused,
            }
          : 'failed' in d
            ? {
                k: `f:${d.failed}`,
                set: { status: 'failed' as const, reason: d.failed, not_before: null, updated_at: at },
                outcome: 'failed',
                reason: d.failed,
              }
            : 'retry' in d
              ? {
                  k: `t:${d.retry}:${d.attempts}`,
                  set: {
                    status: 'queued' as const,
                    reason: d.retry,
                    attempts: d.attempts,
                    not_before: new Date(now.getTime() + retryDelayMs(d.attempts)).toISOString(),
                    updated_at: at,
                  },
                  outcome: null,
                  reason: '',
                }
              : {
                  k: `d:${d.deferUntil.toISOString()}`,
                  set: { status: 'deferred' as const, not_before: d.deferUntil.toISOString(), updated_at: at },
                  outcome: null,
                  reason: '',
                };
      const have = groups.get(g.k) ?? { set: g.set, outcome: g.outcome, reason: g.reason, ids: [] as string[] };
      have.ids.push(id);
      groups.set(g.k, have);
    }
    const counts = new Map<string, number>();
    for (const g of groups.values()) {
      const moved = await moveSends(trx, g.ids, from, g.set);
      if (g.outcome) counts.set(countKey(g.outcome, g.reason), (counts.get(countKey(g.outcome, g.reason)) ?? 0) + moved.length);
    }
    if (campaignId) await addCounts(trx, campaignId, counts);
  }

  /**
   * Writes what delivery answered. A send handed over is already `sent` (and counted); the
   * stand-in delivery hands over before sending, so a refusal or failure it reports afterwards
   * moves the send from `sent` and takes it off that count.
   */
  private async afterDelivery(
    outcomes: Awaited<ReturnType<EngineSteps['delivery']['sendBatch']>>,
    sends: SendsTable[],
    handedOver: Set<string>,
    campaignId: string | null,
  ): Promise<void> {
    if (outcomes.every((o) => o.status === 'sent' || o.status === 'unknown')) return;
    const byId = new Map(sends.map((s) => [s.id, s]));
    const at = this.clock.now();
    const iso = at.toISOString();
    const counts = new Map<string, number>();
    const bump = (k: string, n: number) => counts.set(k, (counts.get(k) ?? 0) + n);
    await this.db.kysely.transaction().execute(async (trx) => {
      for (const o of outcomes) {
        const s = byId.get(o.sendId);
        if (!s || o.status === 'sent' || o.status === 'unknown') continue;
        const was = handedOver.has(o.sendId);
        const from: readonly SendStatus[] = was ? ['sent'] : PENDING;
        let moved: string[];
        if (o.status === 'refused') {
          moved = await moveSends(trx, [s.id], from, { status: 'refused', reason: o.reason, sent_at: null, updated_at: iso });
          if (moved.length) bump(countKey('refused', o.reason), 1);
        } else {
          const attempts = s.attempts + 1;
          const final = o.status === 'failed' || attempts >= MAX_ATTEMPTS;
          const reason = `smtp_${o.code}`;
          moved = await moveSends(
            trx,
            [s.id],
            from,
            final
              ? { status: 'failed', reason, attempts, sent_at: null, not_before: null, updated_at: iso }
              : {
                  status: 'queued',
                  reason,
                  attempts,
                  sent_at: null,
                  not_before: new Date(at.getTime() + retryDelayMs(attempts)).toISOString(),
                  updated_at: iso,
                },
          );
          if (moved.length && final) bump(countKey('failed', codeClass(o.code)), 1);
        }
        if (moved.length && was) bump(countKey('sent'), -1);
      }
      if (campaignId) await addCounts(trx, campaignId, counts);
    });
  }
}

/** Whether a render failed for its time limit alone (liquidjs: "template render limit exceeded"). */
function isRenderTimeout(e: unknown): boolean {
  if (!(e instanceof AppError) || e.code !== 'template_invalid') return false;
  return /render limit exceeded/.test(String((e.details as { message?: unknown } | undefined)?.message ?? ''));
}

/** `smtp_5xx` for 550: the class of an SMTP reply, what the anonymous totals keep. */
function codeClass(code: string | number): string {
  const s = String(code);
  return /^[245]\d\d$/.test(s) ? `smtp_${s[0]}xx` : `smtp_${s.slice(0, 20)}`;
}

/** The message's own sender, if it names one. */
function senderOf(m: MessagesTable): string | undefined {
  if (!m.from_email) return undefined;
  if (!m.from_name) return m.from_email;
  return `${JSON.stringify(m.from_name)} <${m.from_email}>`;
}

/** The domain of a sender (`Name <a@example.com>` or `a@example.com`), for Message-IDs. */
export function domainOf(from: string): string {
  const m = /@([^\s<>@]+?)>?\s*$/.exec(from);
  return m?.[1] ?? 'localhost';
}

function renderContact(c: Awaited<ReturnType<ContactsService['fromRows']>>[number]): RenderContact {
  return {
    id: c.id,
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    phone: c.phone,
    company: c.company,
    country: c.country,
    language: c.language,
    birthDate: c.birthDate,
    customFields: c.customFields,
  };
}
