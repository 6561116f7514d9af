import { type PageShell, PUBLIC_PAGE_HEADERS, publicPage, SAME_ORIGIN_PAGE_HEADERS } from '../../http/public-page.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import { formatDateTime, formatDay, type Params, t, tOr } from '../../i18n/catalogue.ts';
import { humanise, plainValue } from '../dsr/module.ts';
import type { PortalView } from './privacy.service.ts';
import type { CenterView } from './subscription.service.ts';
import { sourceWord } from './portal.text.ts';

/**
 * The pages of the subscription center and the portal: plain HTML without scripts, every value
 * escaped (a contact's fields, list and segment names, notices are anyone's input), a label for
 * every input, a visible focus. Their forms post back under an Origin check, so they say
 * `same-origin` for the referrer (a `no-referrer` page makes the browser send `Origin: null`).
 */
export const PAGE_HEADERS = SAME_ORIGIN_PAGE_HEADERS;
export const REFUSAL_HEADERS = PUBLIC_PAGE_HEADERS;

/** The look of these pages' forms (a page of type `subscription_center` shows the center's form with it). */
export const STYLE =
  '<style>fieldset{border:1px solid #888;border-radius:.3rem;margin:1rem 0;padding:.5rem 1rem}label{display:inline}' +
  'input:focus,a:focus{outline:3px solid #0b5fff;outline-offset:2px}.hint{color:#444;font-size:.95rem}' +
  'table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem;text-align:left;vertical-align:top;' +
  'overflow-wrap:break-word;hyphens:auto}td.n{white-space:nowrap;text-align:right}td.v{overflow-wrap:anywhere}caption{text-' +
  'align:left;font-weight:600;' +
  'padding:.3rem 0}.choice{margin:.5rem 0}.wide{overflow-x:auto;max-width:100%}.wide:focus{outline:3px solid #0b5fff}</style>';
const page = (shell: PageShell, title: string, body: string) => publicPage(shell, title, `${STYLE}\n${body}`, { referrer: 'same-origin' });

/**
 * A table's box: on a narrow screen a wide table scrolls sideways in it rather than widening the
 * page; it takes the keyboard focus, so it scrolls without a mouse, and is named by its caption.
 */
const wide = (name: string) => `<div class="wide" role="region" tabindex="0" aria-label="${name}">`;

/** A catalogue string of the page's language, escaped. */
const say = (shell: PageShell, key: string, params?: Params) => e(t(shell.lang, key, params));

/**
 * The one page for every bad link (forged, altered, expired, another kind's, its person erased):
 * no hint which. Its language is the request's.
 */
export function refusalPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'portal.refused.title'), `<p>${say(shell, 'portal.refused.text')}</p>`);
}

export function centerPage(shell: PageShell, v: CenterView): string {
  return page(shell, t(shell.lang, 'center.title'), centerBody(shell, v));
}

/**
 * The subscription center's form, for this module's page and for a page of type
 * `subscription_center` (module `pages`), which shows it under its own title and posts it here
 * (`action`: this page's address; empty posts back to the page that shows it).
 */
export function centerBody(shell: PageShell, v: CenterView, action = ''): string {
  const levels = v.levels
    .map(
      (l) =>
        `<div class="choice"><input type="radio" name="level" id="level-${l.level}" ` +
        `value="${l.level}"${l.level === v.level ? ' checked' : ''} aria-describedby="level-${l.level}-d">
<label for="level-${l.level}">${e(l.name)}${l.level === v.level ? ` (${say(shell, 'center.current')})` : ''}</label>
<div class="hint" id="level-${l.level}-d">${e(l.description)}</div></div>`,
    )
    .join('\n');
  const lists = v.lists.length
    ? v.lists
        .map(
          (l, i) => `<div class="choice"><input type="checkbox" name="list" id="list-${i}" value="${e(l.id)}"${l.member ? ' checked' : ''}>
<label for="list-${i}">${e(l.name)}</label>${l.description ? `<div class="hint">${e(l.description)}</div>` : ''}</div>`,
        )
        .join('\n')
    : `<p>${say(shell, 'center.noLists')}</p>`;
  return `<form method="post"${action ? ` action="${e(action)}"` : ''}>
<input type="hidden" name="form" value="${e(v.formToken)}">
<fieldset><legend>${say(shell, 'center.levelLegend')}</legend>
<p class="hint">${say(shell, 'center.levelHelp')}</p>
<p class="hint">${say(shell, 'center.levelNotice')}</p>
${levels}
</fieldset>
<fieldset><legend>${say(shell, 'center.listsLegend')}</legend>
<p class="hint">${say(shell, 'center.listsHelp')}</p>
${lists}
</fieldset>
<button type="submit">${say(shell, 'center.save')}</button>
</form>
<p><a href="${e(v.portalUrl)}">${say(shell, 'center.portal')}</a></p>`;
}

export function centerSavedPage(shell: PageShell, selfUrl: string): string {
  return page(
    shell,
    t(shell.lang, 'center.saved.title'),
    `<p>${say(shell, 'center.saved.text')}</p>\n<p><a href="${e(selfUrl)}">${say(shell, 'center.back')}</a></p>`,
  );
}

function changeOf(lang: string, entry: PortalView['data']['consentHistory'][number], v: PortalView): string {
  const level = (n: number | null) => (n === null ? '–' : (v.levelNames.get(n) ?? String(n)));
  const list = (id: string | null) => (id ? (v.listNames.get(id) ?? id) : '–');
  if (entry.erased) return t(lang, 'portal.erasedEntry');
  if (entry.kind === 'level') return t(lang, 'portal.levelChange', { from: level(entry.oldValue), to: level(entry.newValue) });
  if (entry.kind === 'list_join') return t(lang, 'portal.joined', { list: list(entry.listId) });
  if (entry.kind === 'list_leave') return t(lang, 'portal.left', { list: list(entry.listId) });
  return t(lang, 'portal.otherChange', { what: tOr(lang, `receipt.other.${entry.kind}`, humanise(entry.kind)) });
}

/** A later module's part of the page (PortalSection): its heading, intro and items, every word escaped. */
function sectionHtml(s: PortalView['sections'][number]): string {
  const id = `section-${s.key.replace(/[^a-z0-9-]/gi, '')}`;
  const items = s.part.items.map((i) => `<h3>${e(i.heading)}</h3>\n<ul>${i.lines.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`).join('\n');
  return `<section id="${id}" aria-labelledby="${id}-h">
<h2 id="${id}-h">${e(s.part.heading)}</h2>
${s.part.intro ? `<p class="hint">${e(s.part.intro)}</p>\n` : ''}${items}
</section>`;
}

export function portalPage(shell: PageShell, v: PortalView): string {
  const l = shell.lang;
  const x = v.data;
  const profile = x.tables.contacts;
  const row = profile?.rows[0] ?? {};
  const empty = say(shell, 'portal.empty');
  // Values as the export's page states them: level and list names, yes/no, dates as dates, in the page's language.
  const cell = (name: string, category: string) => {
    const value = row[name];
    return value === null || value === undefined || value === '' ? empty : plainValue(value, v.reading, name, category);
  };
  const profileRows = profile
    ? Object.entries(profile.columns)
        .map(
          ([name, col]) =>
            `<tr><th scope="row">${e(tOr(l, `column.contacts.${name}`, col.description ?? humanise(name)))}</th>` +
            // A value (an id, an address) may be one long word: it wraps anywhere rather than widen the table.
            `<td class="v">${cell(name, col.category)}</td></tr>`,
        )
        .join('\n')
    : '';
  const history = x.consentHistory
    .map(
      (h) =>
        `<tr><td><time datetime="${e(h.at)}">${e(formatDateTime(l, new Date(h.at), v.reading.timeZone))}</time></td>` +
        `<td>${e(changeOf(l, h, v))}</td><td>${e(h.source ? sourceWord(l, h.source) : '')}</td>` +
        `<td>${h.notice?.text ? e(h.notice.text).replace(/\n/g, '<br>') : say(shell, 'portal.noNotice')}</td></tr>`,
    )
    .join('\n');
  const lists = x.lists.length
    ? `<ul>${x.lists.map((list) => `<li>${e(list.name)}</li>`).join('')}</ul>`
    : `<p>${say(shell, 'portal.noListsHeld')}</p>`;
  const why = (s: PortalView['segments'][number]) =>
    s.kind === 'static'
      ? `<div class="hint">${say(shell, 'portal.staticSegment')}</div>`
      : `<ul>${s.conditions
          .map((c) => `<li>${e(c.text)}: ${say(shell, c.holds ? 'portal.holds' : 'portal.doesNotHold')}</li>`)
          .join('')}</ul>`;
  const segments = v.segments.length
    ? `<ul>${v.segments.map((s) => `<li>${e(s.name)}${why(s)}</li>`).join('')}</ul>`
    : `<p>${say(shell, 'portal.noSegments')}</p>`;
  const others = Object.entries(x.tables)
    .filter(([name, table]) => name !== 'contacts' && table.rows.length > 0)
    .map(([name, table]) => `<tr><td>${e(table.description || humanise(name))}</td><td class="n">${table.rows.length}</td></tr>`)
    .join('\n');
  // The export and erasure links keep a language the page was asked in (?lang=), so they speak as it did.
  const langQuery = l === 'en' ? '' : `&lang=${encodeURIComponent(l)}`;
  return page(
    shell,
    t(l, 'portal.title'),
    `<p>${say(shell, 'portal.intro')}</p>
<h2>${say(shell, 'portal.profile')}</h2>
${wide(say(shell, 'portal.profileCaption'))}<table><caption>${say(shell, 'portal.profileCaption')}</caption>
<thead><tr><th scope="col">${say(shell, 'portal.field')}</th><th scope="col">${say(shell, 'portal.value')}</th></tr></thead><tbody>
${profileRows}
</tbody></table></div>
<h2>${say(shell, 'portal.level')}</h2>
<p>${v.level ? `${e(v.level.name)}: ${e(v.level.description)}` : empty}</p>
<h2>${say(shell, 'portal.history')}</h2>
${wide(say(shell, 'portal.historyCaption'))}<table><caption>${say(shell, 'portal.historyCaption')}</caption>
<thead><tr><th scope="col">${say(shell, 'portal.when')}</th><th scope="col">${say(shell, 'portal.change')}</th><th ` +
      `scope="col">${say(shell, 'portal.source')}</th><th scope="col">${say(shell, 'portal.notice')}</th></tr></thead>
<tbody>
${history}
</tbody></table></div>
<h2>${say(shell, 'portal.lists')}</h2>
${lists}
<h2>${say(shell, 'portal.segments')}</h2>
<p class="hint">${say(shell, 'portal.segmentsHelp')}</p>
${segments}
${v.sections.map(sectionHtml).join('\n')}
${
  others
    ? `<h2>${say(shell, 'portal.tables')}</` +
      `h2>\n${wide(say(shell, 'portal.tablesCaption'))}<table><caption>${say(shell, 'portal.tablesCaption')}</caption><thead><tr><th ` +
      `` +
      `scope="col">${say(shell, 'portal.kind')}</th><th scope="col">${say(shell, 'portal.count')}</th></tr></thead><tbody>\n${others}\n` +
      '</tbody></table></div>'
    : ''
}
<h2>${say(shell, 'portal.actions')}</h2>
<ul>
<li><a href="${e(`${v.link.token}/export?format=html${langQuery}`)}">${say(shell, 'portal.downloadHtml')}</a></li>
<li><a href="${e(`${v.link.token}/export?format=json`)}">${say(shell, 'portal.downloadJson')}</a></li>
<li><a href="${e(v.centerUrl)}">${say(shell, 'portal.changeConsent')}</a></li>
</ul>
<form method="post" action="${e(`${v.link.token}/erasure${langQuery.replace('&', '?')}`)}">
<input type="hidden" name="form" value="${e(v.formToken)}">
<fieldset><legend>${say(shell, 'portal.erasureLegend')}</legend>
<p class="hint">${say(shell, 'portal.erasureHelp')}</p>
<button type="submit">${say(shell, 'portal.erasureButton')}</button>
</fieldset>
</form>`,
  );
}

/** The erasure case's deadline as a date ("by 4 January 2027"), in the page's language. */
export function erasureRequestedPage(shell: PageShell, deadline: string): string {
  return page(
    shell,
    t(shell.lang, 'portal.erasureRequested.title'),
    `<p>${say(shell, 'portal.erasureRequested.text', { deadline: formatDay(shell.lang, deadline) })}</p>`,
  );
}
