import type { Logger } from 'pino';
import type { JobQueue } from '../../jobs/queue.ts';
import type { LedgerEntry, LedgerService } from '../consent/module.ts';
import { contactById } from '../contact-records/module.ts';
import type { Db } from '../database.ts';
import type { EventLog, StoredEvent } from '../events/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { MailSender } from '../mail/module.ts';
import type { SettingsService } from '../settings/module.ts';
import { negotiate } from '../../i18n/catalogue.ts';
import { receiptMessage } from './receipts.messages.ts';

export const RECEIPT_QUEUE = 'email.receipt';

/**
 * Ledger sources that are the person's own doing: they submitted a form or a page, used the
 * subscription center, or clicked an unsubscribe link (`unsubscribe`, once the one-click route
 * records it). Not the person's own: `admin` and `api` (staff or a program acting for the
 * organisation), `import`, `journey`, `system`, `data_request` (staff carrying out a request:
 * the request's own mails answer it), `complaint` (a provider's report, and mailing someone who
 * complained is what they complained about).
 */
export const SELF_SOURCES: readonly string[] = ['form', 'page', 'subscription_center', 'unsubscribe'];

/**
 * Consent receipts (issue 14, point 8; setting `consentReceipts`). The ledger publishes
 * `consent.changed` in the change's own transaction; this consumer enqueues, for a change the
 * person made themselves, one job keyed by the event, so a repeated dispatch enqueues nothing
 * more and a failed send never undoes the change. The job reads the entries the change made (the
 * event names the first and their number), and sends the receipt through the gated sender as
 * purpose `requested`, caller `form` (an answer to the person's own action), under the event's
 * key: at most one receipt per change, whatever crashes.
 */
export class ReceiptService {
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly jobs: Pick<JobQueue, 'enqueue'>,
    private readonly events: Pick<EventLog, 'get'>,
    private readonly ledger: Pick<LedgerService, 'history'>,
    private readonly settings: Pick<SettingsService, 'get'>,
    private readonly lists: Pick<ListsService, 'get'>,
    private readonly mail: Pick<MailSender, 'send'>,
    /** The privacy portal's link for a contact (links.ts), put in every receipt. */
    private readonly portalLink?: (contactId: string) => Promise<string>,
  ) {}

  /** The event consumer: one keyed job per change the person made, while receipts are on. */
  async onEvents(events: StoredEvent[]): Promise<void> {
    const own = events.filter((e) => e.type === 'consent.changed' && e.contactId && SELF_SOURCES.includes(String(e.data.source)));
    if (own.length === 0 || !(await this.settings.get()).consentReceipts) return;
    for (const e of own) await this.jobs.enqueue(RECEIPT_QUEUE, { event: e.id }, { key: `${RECEIPT_QUEUE}:${e.id}` });
  }

  /** The job: sends the receipt of one change; nothing when the person was erased meanwhile. */
  async run(payload: unknown): Promise<void> {
    const id = (payload as { event?: unknown } | null)?.event;
    if (typeof id !== 'string') throw new Error(`${RECEIPT_QUEUE}: payload names no event`);
    const event = await this.events.get(id);
    if (!event?.contactId) return;
    const entries = await this.entriesOf(event);
    if (entries.length === 0) return;
    const contact = await contactById(this.db.kysely, event.contactId);
    if (!contact) return;
    const s = await this.settings.get();
    const levels = new Map(s.consentLevels.map((l) => [l.level, l.name]));
    const lists = new Map<string, string>();
    for (const e of entries)
      if (e.listId && !lists.has(e.listId))
        lists.set(
          e.listId,
          await this.lists.get(e.listId).then(
            (l) => l.name,
            () => e.listId!,
          ),
        );
    const message = receiptMessage(
      entries,
      {
        level: (n) => (n === null ? '–' : `"${levels.get(n) ?? n}" (${n})`),
        list: (listId) => (listId ? `"${lists.get(listId) ?? listId}"` : '–'),
      },
      {
        lang: negotiate({ contact: contact.language, fallback: 'en' }),
        organisation: s.organisation,
        timeZone: s.timeZone,
        ...(this.portalLink && { portalUrl: await this.portalLink(contact.id) }),
      },
    );
    const r = await this.mail.send(
      { to: contact.email, subject: message.subject, text: message.text, purpose: 'requested', caller: 'form', contactId: contact.id },
      `${RECEIPT_QUEUE}:${event.id}`,
    );
    this.log.info({ event: event.id, outcome: r.sent ? 'sent' : 'reason' in r ? r.reason : r.earlier }, 'consent receipt');
  }

  /** The entries one change made: the event's first entry and the ones after it in the contact's history. */
  private async entriesOf(event: StoredEvent): Promise<LedgerEntry[]> {
    const first = event.data.entry;
    const count = Number(event.data.entries ?? 1);
    if (typeof first !== 'string') return [];
    const history = await this.ledger.history(event.contactId!);
    const at = history.findIndex((e) => e.id === first);
    if (at < 0) return [];
    return history.slice(at, at + count).filter((e) => !e.erased && SELF_SOURCES.includes(e.source ?? ''));
  }
}
