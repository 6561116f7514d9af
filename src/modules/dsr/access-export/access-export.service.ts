import type { Db } from '../../database.ts';
import { liveColumns } from '../../../db/introspect.ts';
import { isStatementRefusal } from '../../../db/refusal.ts';
import type { Clock } from '../../../lib/clock.ts';
import { emailKey, normaliseEmail } from '../../../lib/email.ts';
import { writtenForms } from '../../../db/email-match.ts';
import { negotiate } from '../../../i18n/catalogue.ts';
import { AppError } from '../../../lib/errors.ts';
import { isId, newId } from '../../../lib/ids.ts';
import { redactLinks, signToken, verifyToken } from '../../../lib/signed.ts';
import type { Actor, AuditService } from '../../audit/module.ts';
import type { DataMapService, TableDecl } from '../../datamap/module.ts';
import type { ExportSection } from '../../module.ts';
import type { SecretService, SettingsService } from '../../settings/module.ts';
import { renderExportHtml, type ExportReading } from './access-export.html.ts';
import {
  ENVELOPE_KEYS,
  EXPORT_SCHEMA,
  EXPORT_VERSION,
  jsonValue,
  type AccessExport,
  type ExportTable,
  type JsonValue,
} from './access-export.model.ts';
import { exportById, insertExport, linkedRows } from './access-export.queries.ts';
import { contactById, contactsByEmailKeys } from '../../contact-records/module.ts';

export const DOWNLOAD_PURPOSE = 'export-download';
export const DOWNLOAD_DAYS = 7;

export interface Download {
  exportId: string;
  url: string;
  expiresAt: string;
  /** Segments the export names as not evaluated (the case's history says so, for the officer). */
  segmentsNotEvaluated: number;
}

/**
 * Who the export is about: a contact (`contactId`, the oldest when several hold the address),
 * every contact holding the address (`contactIds`: more than one only for contacts that shared
 * it before addresses were compared by key), and the address they were looked up by.
 */
type Subject = { contactId: string | null; contactIds: string[]; email: string | null };

/**
 * The access and portability export, generic over the data map: every table that links rows
 * to a person is read with one query, and every column the map marks `exported` is given
 * with its category. A table or column added to the map is exported without a change here.
 * What modules hold beyond their rows (the consent history, list and segment memberships) is
 * in the sections their manifests declare: `sections` is the core's list, read at each export,
 * so a module listed after this one adds its own too.
 */
export class AccessExportService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly datamap: DataMapService,
    private readonly sections: readonly ExportSection[],
    private readonly secret: SecretService,
    private readonly settings: SettingsService,
    private readonly audit: AuditService,
    /** A list's name by id (null when the list is gone), so the person's page names lists. */
    private readonly listName: (id: string) => Promise<string | null> = async () => null,
  ) {}

  /**
   * What the person's page needs beyond the export: level and list names, the time zone, and
   * the Art. 15 information from the data map (purposes, retention) and the settings (the
   * organisation, the mail relay as recipient).
   */
  async reading(x: AccessExport, lang?: string | ((contactLanguage: string | null) => string)): Promise<ExportReading> {
    const settings = await this.settings.get();
    const contact = x.subject.contactId === null ? undefined : await contactById(this.db.kysely, x.subject.contactId);
    const map = await this.datamap.getMap();
    const listIds = new Set<string>(x.consentHistory.flatMap((e) => (e.listId ? [e.listId] : [])));
    for (const t of Object.values(x.tables))
      for (const [c, meta] of Object.entries(t.columns))
        if (/(^|\.)list$/.test(meta.category)) for (const row of t.rows) if (typeof row[c] === 'string') listIds.add(row[c] as string);
    const listNames: Record<string, string> = {};
    for (const l of x.lists) listNames[l.listId] = l.name;
    for (const id of listIds) {
      if (listNames[id] !== undefined) continue;
      const name = await this.listName(id);
      if (name !== null) listNames[id] = name;
    }
    return {
      // The page's language (a string: the portal's), or as the page's request decides given the
      // person's own (a function: a download's), else the person's own, else English.
      lang:
        typeof lang === 'function'
          ? lang(contact?.language ?? null)
          : negotiate({ page: lang ?? null, contact: contact?.language ?? null, fallback: 'en' }),
      levelNames: Object.fromEntries(settings.consentLevels.map((l) => [l.level, l.name])),
      listNames,
      timeZone: settings.timeZone,
      organisation: settings.organisation,
      tables: Object.fromEntries(map.tables.map((t) => [t.name, { purposes: t.purposes, retention: t.retention }])),
      recipients: settings.smtp ? [settings.smtp.host] : [],
    };
  }

  async build(contactId: string): Promise<AccessExport> {
    const c = await contactById(this.db.kysely, contactId);
    if (!c) throw new AppError('not_found', 'no such contact');
    // Contacts that shared the address before addresses were compared by key are the same person.
    const held = await contactsByEmailKeys(this.db.kysely, [emailKey(c.email)]);
    return this.assemble({ contactId: c.id, contactIds: [c.id, ...held.map((h) => h.id).filter((id) => id !== c.id)], email: c.email });
  }

  /**
   * For a requester known by address: the contact's full export when one holds it, otherwise
   * what email-linked tables hold (messages, requests), possibly nothing (`dataHeld: false`).
   */
  async buildForEmail(email: string): Promise<AccessExport> {
    const normalised = normaliseEmail(email);
    const held = await contactsByEmailKeys(this.db.kysely, [emailKey(normalised)]);
    return this.assemble({ contactId: held[0]?.id ?? null, contactIds: held.map((c) => c.id), email: held[0]?.email ?? normalised });
  }

  private async assemble(subject: Subject): Promise<AccessExport> {
    const generatedAt = this.clock.now().toISOString();
    const map = await this.datamap.getMap();
    const linked = map.tables.filter((t) => t.subjectLink && t.columns.some((c) => c.exported) && this.keyOf(t, subject) !== null);
    const handlingOnly = new Set(
      linked
        .filter((t) => t.purposes.length === 1 && t.purposes[0] === 'legal_obligation' && t.subjectLink!.kind === 'email')
        .map((t) => t.name),
    );
    const live = once(() => this.liveTables());
    // Independent reads: PostgreSQL runs them side by side; SQLite's one connection queues them.
    const [tables, parts] = await Promise.all([
      Promise.all(linked.map(async (t) => [t.name, await this.readTable(t, subject, live)] as const)),
      Promise.all(this.sections.map(async (section) => [section, await section.read(subject.contactIds)] as const)),
    ]);
    // The person's own record first, then the rest by name, so the file reads top-down.
    tables.sort(([a], [b]) => (a === 'contacts' ? -1 : b === 'contacts' ? 1 : a < b ? -1 : a > b ? 1 : 0));
    // Each module's keys in the order it declares them, the modules in list order.
    const sections = parts.flatMap(([section, part]) =>
      section.keys.map((key): [string, JsonValue] => {
        // A programming error in a manifest: the file would lose one of its own keys, or a section.
        if (ENVELOPE_KEYS.includes(key)) throw new Error(`the export section ${key} takes one of the export's own keys`);
        if (!Object.hasOwn(part.values, key)) throw new Error(`the export section ${key} was declared but not read`);
        return [key, part.values[key]!];
      }),
    );
    const x = {
      schema: EXPORT_SCHEMA,
      version: EXPORT_VERSION,
      generatedAt,
      subject: { contactId: subject.contactId, email: subject.email, contactIds: subject.contactIds },
      // What is kept only to answer data-subject requests (the cases, their tasks, earlier
      // exports) is listed but does not count as holding data about the person.
      dataHeld: tables.some(([name, t]) => t.rows.length > 0 && !handlingOnly.has(name)) || parts.some(([, p]) => p.dataHeld),
      tables: Object.fromEntries(tables),
      ...Object.fromEntries(sections),
    };
    // The product's sections (consentHistory, lists, segments…) are its modules' (the type names them).
    return x as AccessExport;
  }

  /** The value a table's subject link matches for this person, or null when the person has none. */
  private keyOf(t: TableDecl, s: Subject): string | null {
    return t.subjectLink!.kind === 'email' ? s.email : s.contactId;
  }

  /**
   * A mapped table's exported columns and the person's rows. When the database refuses the
   * read because a declared column (or the table) is not there any more (dropped outside the
   * application), what is not there holds nothing: the columns that remain are read, and the
   * export goes on rather than giving the person nothing.
   */
  private async readTable(t: TableDecl, s: Subject, live: () => Promise<Map<string, Set<string>>>): Promise<ExportTable> {
    const declared = t.columns.filter((c) => c.exported);
    // By contact ids, or by the address in any case each row wrote it in.
    const link = t.subjectLink!;
    const values =
      link.kind === 'email'
        ? await writtenForms(this.db.kysely, t.name, link.column, [emailKey(s.email!)]).catch(() => [s.email!])
        : s.contactIds;
    const read = (cols: typeof declared) => {
      const orderBy = cols.some((c) => c.name === 'id') ? 'id' : cols[0]!.name;
      return linkedRows(this.db.kysely, { table: t.name, columns: cols.map((c) => c.name), link: link.column, orderBy }, values);
    };
    try {
      return this.exportTable(t, declared, await read(declared));
    } catch (e) {
      if (!isStatementRefusal(e)) throw e;
      const present = (await live()).get(t.name);
      const cols = declared.filter((c) => present?.has(c.name));
      if (!present?.has(t.subjectLink!.column) || cols.length === 0) return this.exportTable(t, cols, []);
      return this.exportTable(t, cols, await read(cols));
    }
  }

  private exportTable(t: TableDecl, cols: TableDecl['columns'], rows: Record<string, unknown>[]): ExportTable {
    // Messages we sent hold bearer links (verification, earlier downloads): staff reading the
    // export must not get a working copy, and the person needs none.
    const sent = new Set(cols.filter((c) => c.category.startsWith('message.')).map((c) => c.name));
    return {
      description: t.description,
      columns: Object.fromEntries(
        cols.map((c) => [c.name, { category: c.category, personal: c.personal, ...(c.description ? { description: c.description } : {}) }]),
      ),
      rows: rows.map((r) => {
        const out: Record<string, JsonValue> = {};
        for (const c of cols) {
          const v = r[c.name];
          out[c.name] = jsonValue(sent.has(c.name) && typeof v === 'string' ? redactLinks(v) : v);
        }
        return out;
      }),
    };
  }

  private async liveTables(): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const c of await liveColumns(this.db)) out.set(c.table, (out.get(c.table) ?? new Set()).add(c.column));
    return out;
  }

  /**
   * Stores the export (JSON and HTML) behind a signed link that expires in DOWNLOAD_DAYS.
   * The link is the only key: it is signed, so the id alone opens nothing.
   */
  async createDownload(contactId: string | null, opts: { email?: string; requestId?: string | null; actor: Actor }): Promise<Download> {
    // By contact when known; otherwise by address, which finds the contact holding it now or,
    // for a requester no contact holds, what the address-linked tables keep (messages, cases).
    const x = contactId !== null ? await this.build(contactId) : opts.email ? await this.buildForEmail(opts.email) : null;
    if (!x?.dataHeld || !x.subject.email)
      throw new AppError('not_found', 'nothing is held about this person; nothing to store behind a link');
    const now = this.clock.now();
    const expires = new Date(now.getTime() + DOWNLOAD_DAYS * 86_400_000);
    const exportId = newId(now.getTime());
    const token = signToken(await this.secret.key(), DOWNLOAD_PURPOSE, exportId, expires);
    const query = `?token=${encodeURIComponent(token)}`;
    const base = (await this.settings.get()).publicBaseUrl.replace(/\/+$/, '');
    const row = {
      id: exportId,
      request_id: opts.requestId ?? null,
      email: x.subject.email,
      contact_id: x.subject.contactId,
      json: JSON.stringify(x),
      html: renderExportHtml(x, { jsonHref: `${query}&format=json`, reading: await this.reading(x) }),
      created_at: now.toISOString(),
      expires_at: expires.toISOString(),
    };
    await this.db.kysely.transaction().execute(async (trx) => {
      await insertExport(trx, row);
      await this.audit.record({ actor: opts.actor, action: 'export.create', targetType: 'export', targetId: exportId, outcome: 'ok' }, trx);
    });
    return {
      exportId,
      url: `${base}/public/v1/exports/${exportId}${query}`,
      expiresAt: row.expires_at,
      segmentsNotEvaluated: x.segmentsNotEvaluated.length,
    };
  }

  /**
   * The stored export behind a link. Every failure (forged, altered, for another export or
   * another use, expired, removed) is the same `link_invalid`, so a probe learns nothing.
   */
  async download(
    exportId: string,
    token: string | undefined,
    format: 'json' | 'html',
    requestId: string,
    languageOf?: (contactLanguage: string | null) => string,
  ): Promise<string> {
    const now = this.clock.now();
    const check = token ? verifyToken(await this.secret.key(), DOWNLOAD_PURPOSE, token, now) : null;
    const row = check?.ok && check.subject === exportId ? await exportById(this.db.kysely, exportId) : undefined;
    const ok = !!row && row.expires_at > now.toISOString();
    await this.audit.record({
      actor: { type: 'anonymous', id: null },
      action: 'export.download',
      targetType: 'export',
      targetId: isId(exportId) ? exportId : null,
      outcome: ok ? 'ok' : 'denied',
      requestId,
    });
    if (!ok) throw new AppError('link_invalid', 'this link is not valid or has expired; ask for a new copy');
    if (format === 'json' || !languageOf || !token) return format === 'json' ? row!.json : row!.html;
    // The page in the language of whoever opens it (the link's ?lang=, else the person's, else the
    // browser's), from the document stored when the request was fulfilled.
    const x = JSON.parse(row!.json) as AccessExport;
    return renderExportHtml(x, {
      jsonHref: `?token=${encodeURIComponent(token)}&format=json`,
      reading: await this.reading(x, languageOf),
    });
  }
}

/** `fn` run at most once, on first call; later calls share its promise. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
