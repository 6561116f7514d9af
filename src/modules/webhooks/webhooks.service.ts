import type { Logger } from 'pino';
import type { JobRow } from '../../jobs/jobs.model.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { tableTotal } from '../../db/estimate.ts';
import type { Clock } from '../../lib/clock.ts';
import { hmac, randomToken } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { Db } from '../database.ts';
import type { EventLog, StoredEvent } from '../events/module.ts';
import { post, type PostOptions } from './webhooks.client.ts';
import * as q from './webhooks.queries.ts';
import type { WebhookDeliveriesTable, WebhooksTable } from './webhooks.table.ts';
import type { TargetGuard } from './webhooks.target.ts';

export const DELIVER_QUEUE = 'webhooks.deliver';
/** Attempts per delivery; the queue waits 2^n seconds after the n-th (2 s … about 2 min), so a delivery is tried for about 4 minutes. */
export const DELIVERY_ATTEMPTS = 8;
/** A receiver's answer is read up to this size, then the connection is cut. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** The header names a receiver reads (docs/webhooks.md). */
export const HEADERS = {
  signature: 'assent-signature',
  timestamp: 'assent-timestamp',
  eventId: 'assent-event-id',
  eventType: 'assent-event-type',
  webhookId: 'assent-webhook-id',
} as const;

/** Contact events whose payload may carry the contact's values when the webhook asks for them. */
const CONTACT_VALUE_EVENTS = new Set(['contact.created', 'contact.updated']);

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  includePersonalData: boolean;
  status: 'active' | 'disabled';
  consecutiveFailures: number;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookInput {
  url: string;
  events: string[];
  description?: string | null;
  includePersonalData?: boolean;
}

export interface WebhookPatch {
  url?: string;
  events?: string[];
  description?: string | null;
  includePersonalData?: boolean;
  /** `active` re-enables a disabled webhook (its count of failures starts again); `disabled` pauses it. */
  status?: 'active' | 'disabled';
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: 'succeeded' | 'failed' | 'skipped';
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
  createdAt: string;
}

/** The signature of a body sent at `timestamp` (unix seconds): hex HMAC-SHA256 of `timestamp.body` under the webhook's secret. */
export function signature(secret: string, timestamp: number, body: string): string {
  return hmac(secret, `${timestamp}.${body}`);
}

export interface WebhookOptions {
  disableAfter: number;
  timeoutMs: number;
}

/**
 * Webhooks: endpoints subscribed to event types. New events reach them through the job queue:
 * the event log's dispatch enqueues one delivery job per webhook and event (keyed, so a
 * dispatch run twice enqueues nothing twice); each job signs and POSTs the body, logs the
 * attempt, and fails for the queue's retry with backoff. Delivery is at least once: receivers
 * de-duplicate by the event id.
 */
export class WebhooksService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly events: EventLog,
    private readonly contacts: Pick<ContactsService, 'get'>,
    private readonly guard: TargetGuard,
    private readonly opts: WebhookOptions,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  eventTypes(): string[] {
    return this.events.types();
  }

  /** Creates a webhook; the secret is in this answer only. */
  async create(input: WebhookInput): Promise<Webhook & { secret: string }> {
    this.guard.checkUrl(input.url);
    const events = this.checkEvents(input.events);
    const now = this.clock.now().toISOString();
    const row: WebhooksTable = {
      id: newId(),
      url: input.url,
      description: input.description ?? null,
      events: JSON.stringify(events),
      secret: `whsec_${randomToken(32)}`,
      include_personal_data: input.includePersonalData ? 1 : 0,
      status: 'active',
      consecutive_failures: 0,
      disabled_at: null,
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    };
    await q.insertWebhook(this.db.kysely, row);
    return { ...toWebhook(row), secret: row.secret };
  }

  async get(id: string): Promise<Webhook> {
    return toWebhook(await this.row(id));
  }

  async list(limit: number, after?: string): Promise<Webhook[]> {
    return (await q.listWebhooks(this.db.kysely, limit, after)).map(toWebhook);
  }

  async update(id: string, patch: WebhookPatch): Promise<Webhook> {
    await this.row(id);
    const set: Partial<WebhooksTable> = { updated_at: this.clock.now().toISOString() };
    if (patch.url !== undefined) {
      this.guard.checkUrl(patch.url);
      set.url = patch.url;
    }
    if (patch.events !== undefined) set.events = JSON.stringify(this.checkEvents(patch.events));
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.includePersonalData !== undefined) set.include_personal_data = patch.includePersonalData ? 1 : 0;
    if (patch.status === 'active')
      Object.assign(set, { status: 'active', consecutive_failures: 0, disabled_at: null, disabled_reason: null });
    if (patch.status === 'disabled') Object.assign(set, { status: 'disabled', disabled_at: set.updated_at, disabled_reason: 'admin' });
    if (!(await q.updateWebhook(this.db.kysely, id, set))) throw new AppError('not_found', 'no such webhook');
    return this.get(id);
  }

  /** Deletes the webhook and its delivery log; its queued deliveries find it gone and do nothing. */
  async remove(id: string): Promise<void> {
    if (!(await q.deleteWebhook(this.db.kysely, id))) throw new AppError('not_found', 'no such webhook');
  }

  /** The webhooks listing's total (src/db/estimate.ts). */
  total(): Promise<{ total: number; isEstimate: boolean }> {
    return tableTotal(this.db.kysely, 'webhooks');
  }

  /** How many entries the webhook's delivery log holds. */
  deliveryCount(id: string): Promise<number> {
    return q.countDeliveries(this.db.kysely, id);
  }

  /** The delivery log, newest first. */
  async deliveries(id: string, limit: number, before?: string): Promise<Delivery[]> {
    await this.row(id);
    return (await q.listDeliveries(this.db.kysely, id, limit, before)).map(toDelivery);
  }

  /** The event log's consumer: one delivery job per subscribed active webhook and event. */
  async fanOut(events: StoredEvent[]): Promise<void> {
    const hooks = await q.activeWebhooks(this.db.kysely);
    const jobs = [];
    for (const h of hooks) {
      const wanted = new Set(JSON.parse(h.events) as string[]);
      for (const e of events)
        if (wanted.has(e.type))
          jobs.push({
            payload: { webhookId: h.id, eventId: e.id },
            key: `${DELIVER_QUEUE}:${h.id}:${e.id}`,
            maxAttempts: DELIVERY_ATTEMPTS,
          });
    }
    if (jobs.length) await this.jobs.enqueueMany(DELIVER_QUEUE, jobs);
  }

  /** The delivery job: one attempt, logged; throws so the queue retries, unless the webhook is now disabled. */
  async deliver(payload: unknown, job: Pick<JobRow, 'attempts'>): Promise<void> {
    const p = payload as { webhookId?: unknown; eventId?: unknown } | null;
    if (typeof p?.webhookId !== 'string' || typeof p.eventId !== 'string')
      throw new Error('webhooks.deliver: payload names no webhook and event');
    const hook = await q.webhookById(this.db.kysely, p.webhookId);
    // Deleted with its log: nothing to deliver or record.
    if (!hook) return;
    const event = await this.events.get(p.eventId);
    const base = { webhook_id: hook.id, event_id: p.eventId, attempt: job.attempts };
    if (hook.status !== 'active')
      return this.record({
        ...base,
        event_type: event?.type ?? '',
        status: 'skipped',
        response_status: null,
        error: 'webhook_disabled',
        duration_ms: 0,
      });
    // Erased with its contact, or past retention.
    if (!event)
      return this.record({ ...base, event_type: '', status: 'skipped', response_status: null, error: 'event_gone', duration_ms: 0 });

    const body = JSON.stringify(await this.body(event, hook.include_personal_data === 1));
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const headers = {
      'user-agent': 'Assent-Webhooks/1',
      [HEADERS.webhookId]: hook.id,
      [HEADERS.eventId]: event.id,
      [HEADERS.eventType]: event.type,
      [HEADERS.timestamp]: String(timestamp),
      [HEADERS.signature]: `v1=${signature(hook.secret, timestamp, body)}`,
    };
    let outcome: { status: number | null; error: string | null; durationMs: number };
    try {
      // Checked again at each delivery, and the name resolved and checked now: the address connected to is the one checked.
      const url = this.guard.checkUrl(hook.url);
      const target = await this.guard.resolveTarget(url);
      const postOpts: PostOptions = { timeoutMs: this.opts.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES };
      outcome = await post(url, target, headers, body, postOpts);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      outcome = { status: null, error: e.code, durationMs: 0 };
    }
    const ok = outcome.error === null;
    await this.record({
      ...base,
      event_type: event.type,
      status: ok ? 'succeeded' : 'failed',
      response_status: outcome.status,
      error: outcome.error,
      duration_ms: outcome.durationMs,
    });
    const now = this.clock.now().toISOString();
    if (ok) {
      await q.recordSuccess(this.db.kysely, hook.id, now);
      return;
    }
    const status = await q.recordFailure(this.db.kysely, hook.id, this.opts.disableAfter, now);
    if (status === 'disabled') {
      this.log?.warn({ webhookId: hook.id, failures: this.opts.disableAfter }, 'webhook disabled after repeated failures');
      return;
    }
    throw new Error(`webhook delivery failed: ${outcome.error}${outcome.status ? ` (HTTP ${outcome.status})` : ''}`);
  }

  /** The body: the event's ids and changed field names; the contact's values only when the webhook asks for them. */
  private async body(event: StoredEvent, personal: boolean): Promise<Record<string, unknown>> {
    const data: Record<string, unknown> = { ...event.data };
    if (event.contactId) data.contactId = event.contactId;
    if (event.fields) data.fields = event.fields;
    const out: Record<string, unknown> = { id: event.id, type: event.type, createdAt: event.createdAt, data };
    if (personal && event.contactId && CONTACT_VALUE_EVENTS.has(event.type)) {
      const contact = await this.contacts.get(event.contactId).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'not_found') return null;
        throw e;
      });
      if (contact) out.contact = contact;
    }
    return out;
  }

  private async record(row: Omit<WebhookDeliveriesTable, 'id' | 'created_at'>): Promise<void> {
    await q.insertDelivery(this.db.kysely, { id: newId(), created_at: this.clock.now().toISOString(), ...row });
  }

  private async row(id: string): Promise<WebhooksTable> {
    const r = await q.webhookById(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such webhook');
    return r;
  }

  private checkEvents(events: string[]): string[] {
    const known = this.events.types();
    const problems = events.flatMap((e, i) =>
      known.includes(e) ? [] : [{ path: `/events/${i}`, message: `must be one of: ${known.join(', ')}` }],
    );
    if (problems.length) throw new AppError('validation_failed', 'unknown event type', problems);
    return [...new Set(events)];
  }
}

function toWebhook(r: WebhooksTable): Webhook {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: JSON.parse(r.events) as string[],
    includePersonalData: r.include_personal_data === 1,
    status: r.status,
    consecutiveFailures: Number(r.consecutive_failures),
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toDelivery(r: WebhookDeliveriesTable): Delivery {
  return {
    id: r.id,
    eventId: r.event_id,
    eventType: r.event_type,
    attempt: Number(r.attempt),
    status: r.status,
    responseStatus: r.response_status === null ? null : Number(r.response_status),
    error: r.error,
    durationMs: Number(r.duration_ms),
    createdAt: r.created_at,
  };
}
