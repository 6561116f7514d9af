import type { Db } from '../database.ts';
import { SideEffects } from '../../jobs/effects.ts';
import type { Clock } from '../../lib/clock.ts';
import { isAppError } from '../../lib/errors.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { InteractionsService } from '../interactions/module.ts';
import type { SecretService, SettingsService } from '../settings/module.ts';
import type { RenderContact, RenderStep } from './engine.model.ts';
import { clickOfToken, sendOfToken, sendUrls, type SendUrls } from './links.ts';
import { countForCampaign, linkedSend, messageById, type LinkedSend } from './tracking.queries.ts';
import { trackedLinks } from './tracking.ts';

/**
 * A message's HTML as that send's contact got it, links in and tracking off: what the view link
 * shows, and where the click route finds the link a token names. Null when it cannot be made.
 */
export type RenderSendHtml = (send: LinkedSend, urls: SendUrls) => Promise<string | null>;

/**
 * The message rendered for the send's contact by the same template step the send pipeline uses
 * (module.ts hands both the one step), with the send's links: what the person got, before
 * tracking. Null when the contact is gone or the template no longer renders (the view and the
 * click then give the one refusal).
 */
export function renderedBy(render: RenderStep, contacts: ContactsService, db: Db): RenderSendHtml {
  return async (send, urls) => {
    const message = await messageById(db.kysely, send.message_id);
    if (!message) return null;
    let c: Awaited<ReturnType<ContactsService['get']>>;
    try {
      c = await contacts.get(send.contact_id);
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') return null;
      throw e;
    }
    const contact: RenderContact = {
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
    try {
      return (await render.compile(message))(contact, urls).html;
    } catch (e) {
      if (isAppError(e)) return null;
      throw e;
    }
  };
}

/** What a campaign's anonymous totals count once per send, however often the person acts. */
export type OncePerSend = 'opened' | 'clicked' | 'unsubscribed';

/** What the links of a sent message need: the secret that signed them and the base they start with. */
export class LinkContext {
  constructor(
    private readonly settings: SettingsService,
    private readonly secret: SecretService,
  ) {}

  key(): Promise<Buffer> {
    return this.secret.key();
  }

  async baseUrl(): Promise<string> {
    return (await this.settings.get()).publicBaseUrl;
  }
}

/**
 * The first time a person of a campaign does `outcome` with this send, the campaign's total moves:
 * the count and its record (side_effects, key `email.<outcome>:<send id>`) are one transaction,
 * so a repeated open or a retried request never counts twice. Direct sends have no totals.
 */
export async function countOnce(db: Db, effects: SideEffects, send: Pick<LinkedSend, 'id' | 'campaign_id'>, outcome: OncePerSend) {
  const campaignId = send.campaign_id;
  if (campaignId === null) return;
  await db.kysely.transaction().execute(async (trx) => {
    if (await effects.once(`email.${outcome}:${send.id}`, trx)) await countForCampaign(trx, campaignId, outcome);
  });
}

/**
 * Opens, clicks and the view in a browser. Behaviour becomes an interaction through the ingest,
 * which links it to the contact only where the gate allows profiling at that moment and counts
 * it anonymously always; campaign totals count each send's first open and first click.
 */
export class TrackingService {
  private readonly effects: SideEffects;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly links: LinkContext,
    private readonly interactions: InteractionsService,
    private readonly render: RenderSendHtml,
  ) {
    this.effects = new SideEffects(db, clock);
  }

  /**
   * Records an open of a tracked send. `doNotTrack` (the browser sent `Sec-GPC: 1` or `DNT: 1`):
   * counted only, nothing per contact. Returns whether the token named a send (the route answers
   * the same pixel either way).
   */
  async open(token: string, opts: { doNotTrack: boolean }): Promise<boolean> {
    const sendId = sendOfToken(await this.links.key(), 'open', token, this.clock.now());
    const send = sendId === null ? undefined : await linkedSend(this.db.kysely, sendId);
    // Only a tracked mail holds a pixel; an untracked send's open is not ours to record.
    if (send?.tracked !== 1) return false;
    await this.interactions.ingest([{ type: 'email_opened', contactId: send.contact_id, messageId: send.message_id }], {
      countOnly: opts.doNotTrack,
    });
    await countOnce(this.db, this.effects, send, 'opened');
    return true;
  }

  /**
   * Where a click link leads, or null (no redirect). The token names a send, an index and a URL's
   * hash; the URL itself comes from the message as rendered for the send: the link at that index
   * when its hash matches, else another link of the message with that hash (the message was edited
   * since, and the links moved). A URL the message does not hold is never a destination.
   */
  async click(token: string): Promise<{ url: string; record: () => Promise<void> } | null> {
    const now = this.clock.now();
    const key = await this.links.key();
    const click = clickOfToken(key, token, now);
    const send = click === null ? undefined : await linkedSend(this.db.kysely, click.sendId);
    if (!click || !send) return null;
    const base = await this.links.baseUrl();
    const html = await this.render(send, sendUrls(base, key, send.id, now, send.contact_id));
    if (html === null) return null;
    const links = trackedLinks(html, base);
    const at = links[click.index];
    const link = at?.hash === click.urlHash ? at : links.find((l) => l.hash === click.urlHash);
    if (!link) return null;
    return {
      url: link.url,
      // An explicit action: counted whatever the browser's signals; per contact where the gate allows profiling.
      record: async () => {
        if (send.tracked !== 1) return;
        await this.interactions.ingest([
          {
            type: 'email_clicked',
            contactId: send.contact_id,
            messageId: send.message_id,
            ...(link.url.length <= 2000 ? { url: link.url } : {}),
          },
        ]);
        await countOnce(this.db, this.effects, send, 'clicked');
      },
    };
  }

  /** The message as its recipient got it, without tracking; null for a link that names no send. Records nothing. */
  async view(token: string): Promise<string | null> {
    const now = this.clock.now();
    const key = await this.links.key();
    const sendId = sendOfToken(key, 'view', token, now);
    const send = sendId === null ? undefined : await linkedSend(this.db.kysely, sendId);
    if (!send) return null;
    return this.render(send, sendUrls(await this.links.baseUrl(), key, send.id, now, send.contact_id));
  }
}
