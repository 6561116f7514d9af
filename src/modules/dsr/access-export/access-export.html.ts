import { escapeHtml } from '../../../lib/html.ts';
import type { Settings } from '../../settings/module.ts';
import { formatDay, tOr } from '../../../i18n/catalogue.ts';
import { tHtml } from '../../../i18n/identity.ts';
import { changeWord, columnWord, purposeText, retentionText, w } from './access-export.text.ts';
import {
  ENVELOPE_KEYS,
  humanise,
  type AccessExport,
  type ExportConsentEntry,
  type ExportTable,
  type JsonValue,
} from './access-export.model.ts';

/** Served with it: nothing may load or run, inline styles aside. */
export const EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Every stored value is the person's or someone's input: all of it is escaped, everywhere.
const esc = escapeHtml;

const STYLE =
  `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;background:#fafafa;margin:0}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 .2em}h3{font-size:1em;margin:1em 0 .2em}caption{text-align:left;font-weight:600;padding:4px ` +
  `0}h2{font-size:1.2em;margin:1.8em 0 .3em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta,.desc,.cat{color:#666}.cat{font-size:.8em;font-weight:normal;display:block}td.cat{display:table-cell}
.none{padding:12px;background:#eef6ee;border:1px solid #cde3cd}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f0f0f3}a:focus,a:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}.null{color:#666}
blockquote{margin:.3em 0;padding:.3em .6em;border-left:3px solid #ccc;white-space:pre-wrap;background:#fff}
nav ul{columns:2;padding-left:1.2em}pre{margin:0;white-space:pre-wrap;font-size:.9em}
.wide{overflow-x:auto;max-width:100%}.wide:focus{outline:3px solid #1a5fb4;outline-offset:2px}main{overflow-wrap:break-word}
@media print{body{background:#fff}nav{display:none}.wide{overflow:visible}}`;

/**
 * What the page needs beyond the export to speak plainly, read when it is made: names for
 * levels and lists, the installation's time zone, and, for Art. 15, the data map's purposes and
 * retention per table, the organisation (settings) and the recipients.
 */
export interface ExportReading {
  /** The language the page speaks (locales/): the page's, else the person's, else English. */
  lang: string;
  levelNames: Record<number, string>;
  listNames: Record<string, string>;
  timeZone: string;
  organisation: Settings['organisation'] | null;
  tables: Record<string, { purposes: string[]; retention: { after: string; from: string } | null }>;
  /** Who receives the data outside the organisation (the mail relay's host). */
  recipients: string[];
}

/** Staff-internal records: in the JSON (complete), not on the person's page. */
export const STAFF_INTERNAL_TABLES: ReadonlySet<string> = new Set(['tasks', 'outbox']);

const NO_READING: ExportReading = {
  lang: 'en',
  levelNames: {},
  listNames: {},
  timeZone: 'UTC',
  organisation: null,
  tables: {},
  recipients: [],
};

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** "2026-03-10T10:00:00.000Z" → "10 March 2026, 10:00 UTC" in the installation's zone; "2026-03-10" → "10 March 2026". */
export function plainDate(v: string, timeZone: string, lang = 'en'): string {
  const d = new Date(DAY.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) return v;
  if (DAY.test(v)) return formatDay(lang, v);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(d);
}

/** A 0/1 column, by what the data map says it holds: a flag, guardian consent, or an is_/has_ name. */
function isYesNo(column: string, category: string): boolean {
  return /(^|\.)(flag|guardian)$/.test(category) || /^(is|has)_/.test(column) || column === 'flagged';
}

const levelName = (n: number, r: ExportReading) =>
  r.levelNames[n] !== undefined ? w(r.lang, 'level', { name: r.levelNames[n], level: n }) : String(n);

/** A stored value as a person reads it, escaped: names for levels and lists, yes/no, dates as dates. */
export function plain(v: JsonValue, r: ExportReading, column = '', category = ''): string {
  if (v === null) return '<span class="null">—</span>';
  if (typeof v === 'object') return `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
  if (typeof v === 'boolean' || ((v === 0 || v === 1) && isYesNo(column, category))) return esc(w(r.lang, v ? 'yes' : 'no'));
  if (typeof v === 'number' && category === 'consent.level') return esc(levelName(v, r));
  if (typeof v === 'string' && /(^|\.)list$/.test(category) && r.listNames[v] !== undefined) return esc(r.listNames[v]);
  if (typeof v === 'string' && (INSTANT.test(v) || DAY.test(v)))
    return `<time datetime="${esc(v)}">${esc(plainDate(v, r.timeZone, r.lang))}</time>`;
  return esc(v);
}

/**
 * A wide table scrolls sideways in its own box on a narrow screen instead of widening the page;
 * the box takes the keyboard focus (so it scrolls without a mouse) and is named by its table.
 */
const wide = (name: string) => `<div class="wide" role="region" tabindex="0" aria-label="${name}">`;

function tableSection(name: string, t: ExportTable, r: ExportReading): string {
  const l = r.lang;
  const title = esc(humanise(name));
  const info = r.tables[name];
  const why = info
    ? `<p class="desc">${esc(
        w(l, 'why', { purposes: info.purposes.map((p) => purposeText(l, p)).join('; '), kept: retentionText(l, info.retention) }),
      )}</p>`
    : '';
  const out = [`<section id="t-${esc(name)}"><h2>${title}</h2><p class="desc">${esc(t.description)}</p>${why}`];
  if (t.rows.length === 0) return `${out[0]}<p class="null">${esc(w(l, 'nothingHeld'))}</p></section>`;
  const cols = Object.entries(t.columns);
  // One record reads best as a list of fields; many as a grid with the categories in the header.
  if (t.rows.length === 1) {
    const row = t.rows[0]!;
    out.push(
      `${wide(title)}<table><caption>${title}</caption><tr><th scope="col">${esc(w(l, 'field'))}</th><th ` +
        `scope="col">${esc(w(l, 'value'))}</th>` +
        `<th scope="col">${esc(w(l, 'category'))}</th></tr>`,
    );
    for (const [c, meta] of cols)
      out.push(
        `<tr><th scope="row">${esc(columnWord(l, name, c))}</th><td>${plain(row[c] ?? null, r, c, meta.category)}</td>` +
          `<td class="cat">${esc(meta.category)}</td></tr>`,
      );
  } else {
    out.push(`<p class="meta">${esc(w(l, 'records', { count: t.rows.length }))}</p>${wide(title)}<table><caption>${title}</caption><tr>`);
    for (const [c, meta] of cols)
      out.push(`<th scope="col">${esc(columnWord(l, name, c))}<span class="cat">${esc(meta.category)}</span></th>`);
    out.push('</tr>');
    for (const row of t.rows)
      out.push(`<tr>${cols.map(([c, meta]) => `<td>${plain(row[c] ?? null, r, c, meta.category)}</td>`).join('')}</tr>`);
  }
  out.push('</table></div></section>');
  return out.join('');
}

function change(e: ExportConsentEntry, r: ExportReading): string {
  const l = r.lang;
  if (e.erased) return esc(w(l, 'erasedEntry'));
  const what = changeWord(l, e.kind);
  const yesNo = (n: number | null) => (n === null ? '—' : w(l, n ? 'yes' : 'no'));
  const day = (v: string | null) => (v ? plainDate(v, r.timeZone, l) : '—');
  const values =
    e.kind === 'list_join' || e.kind === 'list_leave'
      ? e.listId === null
        ? ''
        : (r.listNames[e.listId] ?? e.listId)
      : e.kind === 'birth_date'
        ? `${day(e.oldText)} → ${day(e.newText)}`
        : e.kind === 'guardian'
          ? `${e.oldText ?? '—'} → ${e.newText ?? '—'}`
          : e.kind === 'level'
            ? `${e.oldValue === null ? '—' : levelName(e.oldValue, r)} → ${e.newValue === null ? '—' : levelName(e.newValue, r)}`
            : `${yesNo(e.oldValue)} → ${yesNo(e.newValue)}`;
  return `${esc(what)} ${esc(values)}`;
}

function consentSection(entries: ExportConsentEntry[], r: ExportReading): string {
  const l = r.lang;
  const out = [`<section id="consent"><h2>${esc(w(l, 'consent.title'))}</h2><p class="desc">${esc(w(l, 'consent.text'))}</p>`];
  if (entries.length === 0) return `${out[0]}<p class="null">${esc(w(l, 'consent.none'))}</p></section>`;
  out.push(
    `${wide(esc(w(l, 'consent.title')))}<table><caption>${esc(w(l, 'consent.title'))}</caption><tr><th ` +
      `scope="col">${esc(w(l, 'when'))}</th><th scope="col">` +
      `${esc(w(l, 'change'))}</th><th scope="col">${esc(w(l, 'source'))}</th><th scope="col">${esc(w(l, 'notice'))}</th></tr>`,
  );
  for (const e of entries) {
    const notice = e.notice
      ? e.notice.text !== null
        ? `<blockquote>${esc(e.notice.text)}</blockquote>`
        : `<span class="cat">${esc(w(l, 'noticeHash', { hash: e.notice.hash }))}</span>`
      : '<span class="null">—</span>';
    // History brought from another system: when and where that system says the consent was given.
    const imported = e.imported
      ? `<br><span class="cat">${tHtml(l, 'export.imported', { at: { html: plain(e.imported.at, r) } })}` +
        `${e.imported.source !== null ? ` (${esc(e.imported.source)})` : ''}</span>`
      : '';
    const source = e.source ? tOr(l, `consent.source.${e.source}`, e.source.replace(/_/g, ' ')) : null;
    out.push(`<tr><td>${plain(e.at, r)}${imported}</td><td>${change(e, r)}</td><td>${plain(source, r)}</td><td>${notice}</td></tr>`);
  }
  out.push('</table></div></section>');
  return out.join('');
}

/** Art. 15(1): the controller and DPO, purposes, recipients, retention, the rights, the right to complain. */
function aboutSection(x: AccessExport, r: ExportReading): string {
  const l = r.lang;
  const o = r.organisation;
  const out = [`<section id="about"><h2>${esc(w(l, 'about'))}</h2>`];
  if (o) {
    const lines = [`<strong>${esc(o.name)}</strong>`];
    if (o.postalAddress) lines.push(...o.postalAddress.split('\n').map((line) => esc(line)));
    if (o.contactEmail) lines.push(esc(w(l, 'contactUs', { email: o.contactEmail })));
    out.push(`<h3>${esc(w(l, 'controller'))}</h3><p>${lines.join('<br>')}</p>`);
    if (o.dpo) out.push(`<p>${esc(w(l, 'dpo', { name: o.dpo.email ? `${o.dpo.name}, ${o.dpo.email}` : o.dpo.name }))}</p>`);
    if (o.privacyNoticeUrl) out.push(`<p><a href="${esc(o.privacyNoticeUrl)}">${esc(w(l, 'privacyNotice'))}</a></p>`);
  }
  // The purposes of the tables that hold something about the person, as the data map declares them.
  const purposes = [
    ...new Set(
      Object.entries(x.tables)
        .filter(([, t]) => t.rows.length > 0)
        .flatMap(([name]) => r.tables[name]?.purposes ?? []),
    ),
  ].sort();
  if (purposes.length)
    out.push(
      `<h3>${esc(w(l, 'purposes'))}</h3>${listItems(
        purposes.map((p) => esc(purposeText(l, p))),
        '',
      )}`,
    );
  out.push(
    `<h3>${esc(w(l, 'recipients'))}</h3>${
      r.recipients.length
        ? listItems(
            r.recipients.map((h) => `${esc(h)} <span class="cat">${esc(w(l, 'relay'))}</span>`),
            '',
          )
        : `<p>${esc(w(l, 'noRecipients'))}</p>`
    }`,
  );
  out.push(`<h3>${esc(w(l, 'retention'))}</h3><p>${esc(w(l, 'retentionSee'))}</p>`);
  out.push(`<p>${esc(w(l, 'rights'))}</p>`);
  const sa = o?.supervisoryAuthority;
  const authority = sa && { html: sa.url ? `<a href="${esc(sa.url)}">${esc(sa.name)}</a>` : esc(sa.name) };
  out.push(`<p>${authority ? tHtml(l, 'export.complainTo', { authority }) : esc(w(l, 'complain'))}</p>`);
  out.push(`<p class="desc">${esc(w(l, 'staffOnly'))}</p></section>`);
  return out.join('');
}

function listItems(items: string[], empty: string): string {
  return items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : `<p class="null">${empty}</p>`;
}

/** The sections this page lays out itself; another module's section is shown as its JSON. */
const LAID_OUT = new Set([...ENVELOPE_KEYS, 'consentHistory', 'lists', 'segments', 'segmentsNotEvaluated']);

/** "sampleNotes" → "Sample notes". */
const sectionTitle = (key: string) => humanise(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());

function otherSection(key: string, v: unknown, r: ExportReading): string {
  const empty = v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  const body = empty ? `<p class="null">${esc(w(r.lang, 'nothingHeld'))}</p>` : plain(v as JsonValue, r);
  return `<section id="s-${esc(key)}"><h2>${esc(sectionTitle(key))}</h2>${body}</section>`;
}

/** A segment's kind in words ("fixed group"); a kind the catalogue does not name, as it is. */
const segmentKind = (l: string, kind: string) => tOr(l, `export.segments.${kind}`, kind);

/** A self-contained, readable page of the export: inline CSS, no scripts, no external resources, in the reading's language. */
export function renderExportHtml(x: AccessExport, opts: { jsonHref?: string; reading?: ExportReading } = {}): string {
  const r = opts.reading ?? NO_READING;
  const l = r.lang;
  const tables = Object.entries(x.tables).filter(([name]) => !STAFF_INTERNAL_TABLES.has(name));
  // Sections other modules add to the export (a module added to the list), after the product's.
  const others = Object.entries(x).filter(([k]) => !LAID_OUT.has(k));
  const out: string[] = [];
  out.push(
    `<!doctype html><html lang="${esc(l)}"><head><meta charset="utf-8"><meta name="viewport" ` +
      `content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(w(l, 'title'))}` +
      `</title><style>${STYLE}</style></head><body><main>`,
  );
  out.push(`<h1>${esc(w(l, 'title'))}</h1>`);
  const date = { html: plain(x.generatedAt, r) };
  out.push(
    `<p class="meta">${
      x.subject.email ? tHtml(l, 'export.madeFor', { date, email: x.subject.email }) : tHtml(l, 'export.made', { date })
    } · ${esc(w(l, 'format', { schema: x.schema, version: x.version }))}</p>`,
  );
  if (opts.jsonHref) out.push(`<p><a href="${esc(opts.jsonHref)}">${esc(w(l, 'jsonLink'))}</a></p>`);
  if (!x.dataHeld) out.push(`<p class="none">${esc(w(l, 'noData'))}</p>`);
  out.push(
    `<nav aria-labelledby="contents"><h2 id="contents">${esc(w(l, 'contents'))}</h2><ul><li><a href="#about">${esc(w(l, 'about'))}` +
      `</a></li><li><a href="#consent">${esc(w(l, 'consent.title'))}</a></li><li><a href="#lists">${esc(w(l, 'lists.title'))}` +
      `</a></li><li><a href="#segments">${esc(w(l, 'segments.title'))}</a></li>`,
  );
  for (const [key] of others) out.push(`<li><a href="#s-${esc(key)}">${esc(sectionTitle(key))}</a></li>`);
  for (const [name, t] of tables) out.push(`<li><a href="#t-${esc(name)}">${esc(humanise(name))}</a> (${t.rows.length})</li>`);
  out.push('</ul></nav>');
  out.push(aboutSection(x, r));
  out.push(consentSection(x.consentHistory, r));
  out.push(
    `<section id="lists"><h2>${esc(w(l, 'lists.title'))}</h2>${listItems(
      x.lists.map(
        (list) => `${esc(list.name)} <span class="cat">${tHtml(l, 'export.since', { date: { html: plain(list.joinedAt, r) } })}</span>`,
      ),
      esc(w(l, 'lists.none')),
    )}</section>`,
  );
  const unknown = x.segmentsNotEvaluated.length
    ? `<p class="desc">${esc(w(l, 'segments.unknown'))}</p>${listItems(
        x.segmentsNotEvaluated.map(
          (s) =>
            `${esc(s.name)} <span class="cat">${esc(segmentKind(l, s.kind))} · ${esc(w(l, 'segments.notEvaluated'))} ` +
            `(${esc(s.reason.replace(/_/g, ' '))})</span>`,
        ),
        '',
      )}`
    : '';
  out.push(
    `<section id="segments"><h2>${esc(w(l, 'segments.title'))}</h2><p class="desc">${esc(w(l, 'segments.text'))}</p>${listItems(
      x.segments.map((s) => `${esc(s.name)} <span class="cat">${esc(segmentKind(l, s.kind))}</span>`),
      esc(w(l, 'segments.none')),
    )}${unknown}</section>`,
  );
  for (const [key, v] of others) out.push(otherSection(key, v, r));
  for (const [name, t] of tables) out.push(tableSection(name, t, r));
  out.push('</main></body></html>');
  return out.join('');
}
