import type { Db } from '../database.ts';
import { SideEffects } from '../../jobs/effects.ts';
import type { Clock } from '../../lib/clock.ts';
import { isAppError } from '../../lib/errors.ts';
import type { ChangeContext, ConsentService } from '../consent/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { SettingsService } from '../settings/module.ts';
import { sendOfToken } from './links.ts';
import { linkedSend, type LinkedSend } from './tracking.queries.ts';
import { countOnce, type LinkContext } from './tracking.service.ts';

/** What leaving through a message's link does. */
export type Leaving =
  /** Leaves the list the message is a newsletter of. */
  | { kind: 'list'; listId: string; listName: string }
  /** Lowers the consent level to just below the level the message's purpose needs (`atMost`). */
  | { kind: 'level'; purpose: string; atMost: number; levelName: string };

/** A purpose the settings no longer name (an installation's own, removed since): leaving lowers below marketing. */
const FALLBACK_PURPOSE = 'marketing';

/**
 * One-click unsubscribe (RFC 8058) and the page in front of it. The link names a send; the send
 * names the contact and the message. Leaving is a consent change written to the ledger with
 * source `unsubscribe`, the message as the actor (`{type: 'message', id}`: the change came
 * through that mail) and the request's truncated address and user agent as evidence.
 * Idempotent: leaving twice changes and records nothing more.
 */
export class UnsubscribeService {
  private readonly effects: SideEffects;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly links: LinkContext,
    private readonly settings: SettingsService,
    private readonly consent: ConsentService,
    private readonly lists: ListsService,
  ) {
    this.effects = new SideEffects(db, clock);
  }

  /** What the link would do, for the page a GET shows; null for a link that names no send. Changes nothing. */
  async preview(token: string): Promise<Leaving | null> {
    const send = await this.sendOf(token);
    return send ? this.leavingFor(send) : null;
  }

  /**
   * Leaves: the message's list when it has one (and the list still exists), else the level capped
   * just below the purpose's. Null for a link that names no send, or a contact erased meanwhile:
   * nothing is written then.
   */
  async unsubscribe(token: string, evidence: { ip: string | null; userAgent: string | null }): Promise<Leaving | null> {
    const send = await this.sendOf(token);
    if (!send) return null;
    const leaving = await this.leavingFor(send);
    const ctx: ChangeContext = { source: 'unsubscribe', actor: { type: 'message', id: send.message_id }, evidence };
    try {
      if (leaving.kind === 'list') await this.lists.leave(send.contact_id, leaving.listId, ctx);
      else await this.consent.capLevel(send.contact_id, leaving.atMost, ctx);
    } catch (e) {
      // The contact was erased between the lookup and the lock: there is nobody left to unsubscribe.
      if (isAppError(e) && e.code === 'not_found') return null;
      throw e;
    }
    await countOnce(this.db, this.effects, send, 'unsubscribed');
    return leaving;
  }

  private async sendOf(token: string): Promise<LinkedSend | undefined> {
    const sendId = sendOfToken(await this.links.key(), 'unsubscribe', token, this.clock.now());
    return sendId === null ? undefined : linkedSend(this.db.kysely, sendId);
  }

  private async leavingFor(send: LinkedSend): Promise<Leaving> {
    if (send.list_id !== null) {
      try {
        const list = await this.lists.get(send.list_id);
        return { kind: 'list', listId: list.id, listName: list.name };
      } catch (e) {
        // The list was deleted since: leaving lowers the level instead, so the link still works.
        if (!(isAppError(e) && e.code === 'not_found')) throw e;
      }
    }
    const s = await this.settings.get();
    const purpose = s.purposes[send.purpose] !== undefined ? send.purpose : FALLBACK_PURPOSE;
    const atMost = Math.max(0, (s.purposes[purpose] ?? 1) - 1);
    return { kind: 'level', purpose, atMost, levelName: s.consentLevels.find((l) => l.level === atMost)?.name ?? String(atMost) };
  }
}
