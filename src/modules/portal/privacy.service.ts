import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.ts';
import type { PortalPart, PortalSection } from '../module.ts';
import { isAppError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/module.ts';
import type { AccessExport, AccessExportService, RequestsService } from '../dsr/module.ts';
import { type ExportReading, renderExportHtml } from '../dsr/module.ts';
import type { SegmentsService } from '../segments/module.ts';
import type { SettingsService } from '../settings/module.ts';
import { type PageLink, type PortalLinks, sameOrigin } from './portal.links.ts';
import type { LanguageOf, RequestFacts } from './subscription.service.ts';
import { describeCondition } from './segment-words.ts';

export interface PortalView {
  link: PageLink;
  /** The language the page speaks: the request's `?lang=`, else the contact's, else the browser's. */
  lang: string;
  /** How the export page states values (level and list names, yes/no, dates), in the page's language. */
  reading: ExportReading;
  /** The access export: what the page shows is read from it (built from the data map), not from a list of fields here. */
  data: AccessExport;
  level: { level: number; name: string; description: string } | null;
  levelNames: Map<number, string>;
  listNames: Map<string, string>;
  /** Each segment the person is in, and each of its conditions in words with whether it holds for them. */
  segments: { name: string; kind: string; conditions: { text: string; holds: boolean }[] }[];
  /** What later modules add to the page (core.portalSections), each under its key; those with nothing to say are left out. */
  sections: { key: string; part: PortalPart }[];
  formToken: string;
  centerUrl: string;
}

/**
 * The privacy portal (PRODUCT.md §7, GDPR Art. 15): what Assent holds about the person whose
 * link it is, read from the access export (so every table and column the data map exports is
 * there without a change here), the export itself to read or keep, a link to the subscription
 * center, and an erasure request through the data-subject intake, verified by the link.
 */
export class PrivacyPortalService {
  constructor(
    private readonly clock: Clock,
    private readonly links: PortalLinks,
    private readonly settings: SettingsService,
    private readonly exports: AccessExportService,
    private readonly segments: SegmentsService,
    private readonly requests: RequestsService,
    private readonly audit: AuditService,
    private readonly sections: readonly PortalSection[] = [],
    private readonly log?: Logger,
  ) {}

  /**
   * The later modules' parts for the person. One that fails is left out and logged (ids only):
   * the rest of the page, which tells the person what is held, must not depend on it.
   */
  private async extraSections(contactId: string, lang: string): Promise<PortalView['sections']> {
    const out: PortalView['sections'] = [];
    for (const s of this.sections) {
      try {
        const part = await s.read([contactId], lang);
        if (part) out.push({ key: s.key, part });
      } catch (e) {
        this.log?.error({ section: s.key, err: e instanceof Error ? e.name : 'error' }, 'portal section failed');
      }
    }
    return out;
  }

  private async link(token: string): Promise<PageLink | null> {
    return this.links.open('portal', token, this.clock.now());
  }

  private async build(link: PageLink): Promise<AccessExport | null> {
    return this.exports.build(link.contactId).catch(notFoundAsNull);
  }

  async view(token: string, languageOf: LanguageOf): Promise<PortalView | null> {
    const now = this.clock.now();
    const link = await this.link(token);
    if (!link) return null;
    const data = await this.build(link);
    if (!data) return null;
    const lang = languageOf(contactLanguage(data));
    const s = await this.settings.get();
    const levelNames = new Map(s.consentLevels.map((l) => [l.level, l.name]));
    const stored = data.tables.contacts?.rows[0]?.consent_level;
    const level = s.consentLevels.find((l) => l.level === stored) ?? null;
    const listNames = new Map(data.lists.map((l) => [l.listId, l.name]));
    const segments = [];
    for (const seg of data.segments) {
      if (seg.kind === 'static') {
        segments.push({ name: seg.name, kind: seg.kind, conditions: [] });
        continue;
      }
      const why = await this.segments.explain(seg.id, link.contactId).catch(() => null);
      segments.push({
        name: seg.name,
        kind: seg.kind,
        conditions: (why?.conditions ?? []).map((c) => ({
          text: describeCondition(lang, c.condition, levelNames, listNames),
          holds: c.value,
        })),
      });
    }
    return {
      link,
      lang,
      reading: await this.exports.reading(data, lang),
      data,
      level: level && { level: level.level, name: level.name, description: level.description },
      levelNames,
      listNames,
      segments,
      sections: await this.extraSections(link.contactId, lang),
      formToken: await this.links.formToken(link, now),
      centerUrl: await this.links.centerUrl(link, now),
    };
  }

  /** The whole export, as the page the access export renders or as its JSON document; audited (`portal.export`). */
  async download(token: string, format: 'html' | 'json', requestId: string, languageOf: LanguageOf): Promise<string | null> {
    const link = await this.link(token);
    if (!link) return null;
    const data = await this.build(link);
    if (!data) return null;
    await this.audit.record({
      actor: { type: 'anonymous', id: null },
      action: 'portal.export',
      targetType: 'contact',
      targetId: link.contactId,
      outcome: 'ok',
      requestId,
    });
    if (format === 'json') return JSON.stringify(data);
    // The page the access request mails, with the same plain words, in the portal page's language.
    return renderExportHtml(data, {
      jsonHref: '?format=json',
      reading: await this.exports.reading(data, languageOf(contactLanguage(data))),
    });
  }

  /**
   * Opens an erasure case for the link's contact, verified by the link (it was mailed to the
   * address and is signed): the data-subject intake's case, task and deadline, channel `public`.
   * A case already open for the address is not doubled. Null, with nothing done, for a bad link,
   * a form field not made for it, or a post from another origin.
   */
  async requestErasure(
    token: string,
    form: { form: string },
    req: RequestFacts,
  ): Promise<{ deadline: string; lang: string | null } | null> {
    const now = this.clock.now();
    const link = await this.link(token);
    if (!link) return null;
    if (!sameOrigin(req.headers, await this.links.origin())) return null;
    if (!(await this.links.formTokenValid(link, form.form, now))) return null;
    const data = await this.build(link);
    const email = data?.subject.email;
    if (!email) return null;
    const open = await this.requests.list({ email, type: 'erasure', open: true }, 1);
    const c =
      open[0] ??
      (await this.requests.open(
        { type: 'erasure', email, verified: true, note: 'Verified by the signed privacy-portal link mailed to the address.' },
        { actor: { type: 'requester', id: null }, channel: 'public', ownerId: null },
      ));
    // The page states the case's deadline as a date, in the person's language.
    return { deadline: c.deadline, lang: contactLanguage(data!) };
  }
}

/** The language the person chose (contacts.language), as the export holds it. */
function contactLanguage(data: AccessExport): string | null {
  const v = data.tables.contacts?.rows[0]?.language;
  return typeof v === 'string' ? v : null;
}

function notFoundAsNull(e: unknown): null {
  if (isAppError(e) && e.code === 'not_found') return null;
  throw e;
}
