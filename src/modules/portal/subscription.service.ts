import type { Clock } from '../../lib/clock.ts';
import { isAppError } from '../../lib/errors.ts';
import type { ChangeContext, ConsentService } from '../consent/module.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { ListsService } from '../lists/module.ts';
import type { SettingsService } from '../settings/module.ts';
import { type PageLink, type PortalLinks, sameOrigin } from './portal.links.ts';
import { levelNotice, listNotice } from './portal.text.ts';

/** At most this many lists are offered (a page of checkboxes, not a catalogue). */
const MAX_LISTS = 200;

/** The page's language, given the language of the contact the link is bound to (the route knows the request). */
export type LanguageOf = (contactLanguage: string | null) => string;

export interface CenterView {
  link: PageLink;
  /** The language the page speaks: the request's `?lang=`, else the contact's, else the browser's. */
  lang: string;
  level: number;
  levels: { level: number; name: string; description: string }[];
  lists: { id: string; name: string; description: string | null; member: boolean }[];
  formToken: string;
  portalUrl: string;
}

/** What the page's form posts, as the route validated it. */
export interface CenterForm {
  form: string;
  level: string;
  list?: string | string[];
}

export interface RequestFacts {
  headers: Record<string, string | string[] | undefined>;
  ip: string | null;
  userAgent: string | null;
}

/**
 * The subscription center (PRODUCT.md §7): the person's level and lists, and any level (lower
 * included) and any list joined or left, from a signed link bound to the contact. Each change is
 * the consent module's or the lists module's, with ledger source `subscription_center`, the
 * person as actor, the notice text the page showed, and the request's minimised evidence.
 */
export class SubscriptionCenterService {
  constructor(
    private readonly clock: Clock,
    private readonly links: PortalLinks,
    private readonly settings: SettingsService,
    private readonly contacts: ContactsService,
    private readonly consent: ConsentService,
    private readonly lists: ListsService,
  ) {}

  /** The page's content; null for any link that is not a genuine, unexpired one of a contact that exists. */
  async view(token: string, languageOf: LanguageOf): Promise<CenterView | null> {
    const now = this.clock.now();
    const link = await this.links.open('subscription_center', token, now);
    if (!link) return null;
    const contact = await this.contacts.get(link.contactId).catch(notFoundAsNull);
    if (!contact) return null;
    const s = await this.settings.get();
    const member = new Set((await this.lists.memberships(link.contactId)).map((m) => m.listId));
    const lists = await this.lists.list(MAX_LISTS);
    return {
      link,
      lang: languageOf(contact.language),
      level: contact.consentLevel,
      levels: s.consentLevels.map((l) => ({ level: l.level, name: l.name, description: l.description })),
      lists: lists.map((l) => ({ id: l.id, name: l.name, description: l.description, member: member.has(l.id) })),
      formToken: await this.links.formToken(link, now),
      portalUrl: await this.links.portalUrl(link, now),
    };
  }

  /**
   * Applies the form: the level chosen (when it differs from the stored one) and the lists ticked
   * (joined) or not (left), among the lists the page offered. Null, with nothing changed, for a
   * bad link, a form field not made for this link, or a post from another origin.
   */
  async save(token: string, form: CenterForm, req: RequestFacts, languageOf: LanguageOf): Promise<CenterView | null> {
    const now = this.clock.now();
    const link = await this.links.open('subscription_center', token, now);
    if (!link) return null;
    if (!sameOrigin(req.headers, await this.links.origin())) return null;
    if (!(await this.links.formTokenValid(link, form.form, now))) return null;
    const view = await this.view(token, languageOf);
    if (!view) return null;
    const level = Number(form.level);
    const chosen = view.levels.find((l) => l.level === level);
    if (!chosen) return null;
    const ticked = new Set(form.list === undefined ? [] : Array.isArray(form.list) ? form.list : [form.list]);
    const ctx = (notice: string): ChangeContext => ({
      source: 'subscription_center',
      actor: { type: 'contact', id: link.contactId },
      notice,
      evidence: { ip: req.ip, userAgent: req.userAgent },
    });
    try {
      if (level !== view.level) await this.consent.setLevel(link.contactId, level, ctx(levelNotice(view.lang, chosen)));
      for (const l of view.lists) {
        const want = ticked.has(l.id);
        if (want === l.member) continue;
        // The notice in the language the page showed it in: the ledger records what the person read.
        const c = ctx(listNotice(view.lang, l.name));
        if (want) await this.lists.join(link.contactId, l.id, c);
        else await this.lists.leave(link.contactId, l.id, c);
      }
    } catch (e) {
      // Erased, or a list deleted, between the page and the post: nobody (or nothing) left to change.
      if (isAppError(e) && e.code === 'not_found') return null;
      throw e;
    }
    return this.view(token, languageOf);
  }
}

function notFoundAsNull(e: unknown): null {
  if (isAppError(e) && e.code === 'not_found') return null;
  throw e;
}
