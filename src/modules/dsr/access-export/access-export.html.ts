import { escapeHtml } from '../../../lib/html.ts';
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

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;background:#fafafa;margin:0}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.8em 0 .3em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta,.desc,.cat{color:#666}.cat{font-size:.8em;font-weight:normal;display:block}
.none{padding:12px;background:#eef6ee;border:1px solid #cde3cd}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f0f0f3}.null{color:#aaa}
blockquote{margin:.3em 0;padding:.3em .6em;border-left:3px solid #ccc;white-space:pre-wrap;background:#fff}
nav ul{columns:2;padding-left:1.2em}pre{margin:0;white-space:pre-wrap;font-size:.9em}
@media print{body{background:#fff}nav{display:none}}`;

function value(v: JsonValue): string {
  if (v === null) return '<span class="null">—</span>';
  if (typeof v === 'object') return `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
  return esc(v);
}

function tableSection(name: string, t: ExportTable): string {
  const out = [`<section id="t-${esc(name)}"><h2>${esc(humanise(name))}</h2><p class="desc">${esc(t.description)}</p>`];
  if (t.rows.length === 0) return `${out[0]}<p class="null">Nothing held.</p></section>`;
  const cols = Object.entries(t.columns);
  // One record reads best as a list of fields; many as a grid with the categories in the header.
  if (t.rows.length === 1) {
    const r = t.rows[0]!;
    out.push('<table><tr><th>Field</th><th>Value</th><th>Category</th></tr>');
    for (const [c, meta] of cols)
      out.push(`<tr><td>${esc(humanise(c))}</td><td>${value(r[c] ?? null)}</td><td class="cat">${esc(meta.category)}</td></tr>`);
  } else {
    out.push(`<p class="meta">${t.rows.length} records</p><table><tr>`);
    for (const [c, meta] of cols) out.push(`<th>${esc(humanise(c))}<span class="cat">${esc(meta.category)}</span></th>`);
    out.push('</tr>');
    for (const r of t.rows) out.push(`<tr>${cols.map(([c]) => `<td>${value(r[c] ?? null)}</td>`).join('')}</tr>`);
  }
  out.push('</table></section>');
  return out.join('');
}

const CHANGE_NAMES: Record<string, string> = {
  level: 'consent level',
  guardian_consent: 'guardian consent',
  list_join: 'joined list',
  list_leave: 'left list',
  child_flag: 'marked as a child',
  birth_date: 'birth date',
  guardian: 'guardian',
};

function change(e: ExportConsentEntry): string {
  if (e.erased) return 'erased entry (only its hash is kept)';
  const what = CHANGE_NAMES[e.kind] ?? e.kind;
  const text = e.kind === 'birth_date' || e.kind === 'guardian';
  const values =
    e.kind === 'list_join' || e.kind === 'list_leave'
      ? (e.listId ?? '')
      : text
        ? `${e.oldText ?? '—'} → ${e.newText ?? '—'}`
        : `${e.oldValue ?? '—'} → ${e.newValue ?? '—'}`;
  return `${esc(what)} ${esc(values)}`;
}

function consentSection(entries: ExportConsentEntry[]): string {
  const out = [
    '<section id="consent"><h2>Consent history</h2><p class="desc">Every change to your consent, oldest first, with the notice you ' +
      'were shown.</p>',
  ];
  if (entries.length === 0) return `${out[0]}<p class="null">No consent changes recorded.</p></section>`;
  out.push('<table><tr><th>When</th><th>Change</th><th>Source</th><th>Notice shown</th></tr>');
  for (const e of entries) {
    const notice = e.notice
      ? e.notice.text !== null
        ? `<blockquote>${esc(e.notice.text)}</blockquote>`
        : `<span class="cat">notice ${esc(e.notice.hash)}</span>`
      : '<span class="null">—</span>';
    // History brought from another system: when and where that system says the consent was given.
    const imported = e.imported
      ? `<br><span class="cat">imported; given ${esc(e.imported.at)}` +
        `${e.imported.source !== null ? ` (${esc(e.imported.source)})` : ''}</span>`
      : '';
    out.push(`<tr><td>${esc(e.at)}${imported}</td><td>${change(e)}</td><td>${value(e.source)}</td><td>${notice}</td></tr>`);
  }
  out.push('</table></section>');
  return out.join('');
}

function listItems(items: string[], empty: string): string {
  return items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : `<p class="null">${empty}</p>`;
}

/** The sections this page lays out itself; another module's section is shown as its JSON. */
const LAID_OUT = new Set([...ENVELOPE_KEYS, 'consentHistory', 'lists', 'segments', 'segmentsNotEvaluated']);

/** "sampleNotes" → "Sample notes". */
const sectionTitle = (key: string) => humanise(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());

function otherSection(key: string, v: unknown): string {
  const empty = v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  const body = empty ? '<p class="null">Nothing held.</p>' : value(v as JsonValue);
  return `<section id="s-${esc(key)}"><h2>${esc(sectionTitle(key))}</h2>${body}</section>`;
}

/** A self-contained, readable page of the export: inline CSS, no scripts, no external resources. */
export function renderExportHtml(x: AccessExport, opts: { jsonHref?: string } = {}): string {
  const tables = Object.entries(x.tables);
  // Sections other modules add to the export (a module added to the list), after the product's.
  const others = Object.entries(x).filter(([k]) => !LAID_OUT.has(k));
  const out: string[] = [];
  out.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" ` +
      `content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>Your personal ` +
      `data</title><style>${STYLE}</style></head><body><main>`,
  );
  out.push('<h1>Your personal data</h1>');
  out.push(
    `<p class="meta">Generated ${esc(x.generatedAt)}${x.subject.email ? ` for ${esc(x.subject.email)}` : ''} · format ` +
      `${esc(x.schema)} version ${esc(x.version)}</p>`,
  );
  if (opts.jsonHref) out.push(`<p><a href="${esc(opts.jsonHref)}">Download the machine-readable copy (JSON)</a></p>`);
  if (!x.dataHeld) out.push('<p class="none">We hold no personal data about you.</p>');
  out.push(
    '<nav><h2>Contents</h2><ul><li><a href="#consent">Consent history</a></li><li><a href="#lists">Lists</a></li><li><a ' +
      'href="#segments">Segments</a></li>',
  );
  for (const [key] of others) out.push(`<li><a href="#s-${esc(key)}">${esc(sectionTitle(key))}</a></li>`);
  for (const [name, t] of tables) out.push(`<li><a href="#t-${esc(name)}">${esc(humanise(name))}</a> (${t.rows.length})</li>`);
  out.push('</ul></nav>');
  out.push(consentSection(x.consentHistory));
  out.push(
    `<section id="lists"><h2>Lists</h2>${listItems(
      x.lists.map((l) => `${esc(l.name)} <span class="cat">since ${esc(l.joinedAt)}</span>`),
      'You are on no list.',
    )}</section>`,
  );
  const unknown = x.segmentsNotEvaluated.length
    ? `<p class="desc">These segments could not be evaluated when this copy was made, so this copy cannot say whether you belong to ` +
      `them:</p>${listItems(
        x.segmentsNotEvaluated.map(
          (s) => `${esc(s.name)} <span class="cat">${esc(s.kind)} · could not be evaluated (${esc(s.reason.replace(/_/g, ' '))})</span>`,
        ),
        '',
      )}`
    : '';
  out.push(
    `<section id="segments"><h2>Segments</h2><p class="desc">Groups you belong to as of this copy.</p>${listItems(
      x.segments.map((s) => `${esc(s.name)} <span class="cat">${esc(s.kind)}</span>`),
      'You are in no segment.',
    )}${unknown}</section>`,
  );
  for (const [key, v] of others) out.push(otherSection(key, v));
  for (const [name, t] of tables) out.push(tableSection(name, t));
  out.push('</main></body></html>');
  return out.join('');
}
