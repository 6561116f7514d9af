import { type PageShell, PUBLIC_PAGE_HEADERS, publicPage, SAME_ORIGIN_PAGE_HEADERS } from '../../http/public-page.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import { humanise } from '../dsr/module.ts';
import type { PortalView } from './privacy.service.ts';
import type { CenterView } from './subscription.service.ts';
import { PORTAL_TEXT } from './portal.text.ts';

/**
 * The pages of the subscription center and the portal: plain HTML without scripts, every value
 * escaped (a contact's fields, list and segment names, notices are anyone's input), a label for
 * every input, a visible focus. Their forms post back under an Origin check, so they say
 * `same-origin` for the referrer (a `no-referrer` page makes the browser send `Origin: null`).
 */
export const PAGE_HEADERS = SAME_ORIGIN_PAGE_HEADERS;
export const REFUSAL_HEADERS = PUBLIC_PAGE_HEADERS;

const T = PORTAL_TEXT;
/** The look of these pages' forms (a page of type `subscription_center` shows the center's form with it). */
export const STYLE =
  '<style>fieldset{border:1px solid #888;border-radius:.3rem;margin:1rem 0;padding:.5rem 1rem}label{display:inline}' +
  'input:focus,a:focus{outline:3px solid #0b5fff;outline-offset:2px}.hint{color:#444;font-size:.95rem}' +
  'table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem;text-align:left;vertical-align:top}' +
  '.choice{margin:.5rem 0}</style>';
const page = (shell: PageShell, title: string, body: string) => publicPage(shell, title, `${STYLE}\n${body}`, { referrer: 'same-origin' });

/** The one page for every bad link (forged, altered, expired, another kind's, its person erased): no hint which. */
export function refusalPage(shell: PageShell): string {
  return publicPage(shell, T.refused.title, `<p>${e(T.refused.body)}</p>`);
}

export function centerPage(shell: PageShell, v: CenterView): string {
  return page(shell, T.center.title, centerBody(v));
}

/**
 * The subscription center's form, for this module's page and for a page of type
 * `subscription_center` (module `pages`), which shows it under its own title and posts it here
 * (`action`: this page's address; empty posts back to the page that shows it).
 */
export function centerBody(v: CenterView, action = ''): string {
  const levels = v.levels
    .map(
      (l) =>
        `<div class="choice"><input type="radio" name="level" id="level-${l.level}" ` +
        `value="${l.level}"${l.level === v.level ? ' checked' : ''} aria-describedby="level-${l.level}-d">
<label for="level-${l.level}">${e(l.name)}${l.level === v.level ? ` (${e(T.center.current)})` : ''}</label>
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
    : `<p>${e(T.center.noLists)}</p>`;
  return `<form method="post"${action ? ` action="${e(action)}"` : ''}>
<input type="hidden" name="form" value="${e(v.formToken)}">
<fieldset><legend>${e(T.center.levelLegend)}</legend>
<p class="hint">${e(T.center.levelHelp)}</p>
<p class="hint">${e(T.center.levelNotice)}</p>
${levels}
</fieldset>
<fieldset><legend>${e(T.center.listsLegend)}</legend>
<p class="hint">${e(T.center.listsHelp)}</p>
${lists}
</fieldset>
<button type="submit">${e(T.center.save)}</button>
</form>
<p><a href="${e(v.portalUrl)}">${e(T.center.portal)}</a></p>`;
}

export function centerSavedPage(shell: PageShell, selfUrl: string): string {
  return page(shell, T.center.saved, `<p>${e(T.center.savedBody)}</p>\n<p><a href="${e(selfUrl)}">${e(T.center.back)}</a></p>`);
}

const cell = (v: unknown) =>
  v === null || v === undefined || v === '' ? e(T.portal.empty) : e(typeof v === 'object' ? JSON.stringify(v) : v);

function changeOf(entry: PortalView['data']['consentHistory'][number], v: PortalView): string {
  const level = (n: number | null) => (n === null ? '–' : (v.levelNames.get(n) ?? String(n)));
  const list = (id: string | null) => (id ? (v.listNames.get(id) ?? id) : '–');
  if (entry.erased) return T.portal.erasedEntry;
  if (entry.kind === 'level') return T.portal.levelChange(level(entry.oldValue), level(entry.newValue));
  if (entry.kind === 'list_join') return T.portal.joined(list(entry.listId));
  if (entry.kind === 'list_leave') return T.portal.left(list(entry.listId));
  return T.portal.otherChange(humanise(entry.kind));
}

export function portalPage(shell: PageShell, v: PortalView): string {
  const x = v.data;
  const profile = x.tables.contacts;
  const row = profile?.rows[0] ?? {};
  const profileRows = profile
    ? Object.entries(profile.columns)
        .map(([name, col]) => `<tr><th scope="row">${e(col.description ?? humanise(name))}</th><td>${cell(row[name])}</td></tr>`)
        .join('\n')
    : '';
  const history = x.consentHistory
    .map(
      (h) =>
        `<tr><td>${e(h.at.slice(0, 16).replace('T', ' '))} UTC</td><td>${e(changeOf(h, v))}</td><td>${e(h.source ?? '')}</td>` +
        `<td>${h.notice?.text ? e(h.notice.text).replace(/\n/g, '<br>') : e(T.portal.noNotice)}</td></tr>`,
    )
    .join('\n');
  const lists = x.lists.length ? `<ul>${x.lists.map((l) => `<li>${e(l.name)}</li>`).join('')}</ul>` : `<p>${e(T.portal.noListsHeld)}</p>`;
  const why = (s: PortalView['segments'][number]) =>
    s.kind === 'static'
      ? `<div class="hint">${e(T.portal.staticSegment)}</div>`
      : `<ul>${s.conditions.map((c) => `<li>${e(c.text)}: ${e(c.holds ? T.portal.holds : T.portal.doesNotHold)}</li>`).join('')}</ul>`;
  const segments = v.segments.length
    ? `<ul>${v.segments.map((s) => `<li>${e(s.name)}${why(s)}</li>`).join('')}</ul>`
    : `<p>${e(T.portal.noSegments)}</p>`;
  const others = Object.entries(x.tables)
    .filter(([name, t]) => name !== 'contacts' && t.rows.length > 0)
    .map(([name, t]) => `<tr><td>${e(t.description || humanise(name))}</td><td>${t.rows.length}</td></tr>`)
    .join('\n');
  return page(
    shell,
    T.portal.title,
    `<p>${e(T.portal.intro)}</p>
<h2>${e(T.portal.profile)}</h2>
<table><thead><tr><th scope="col">${e(T.portal.field)}</th><th scope="col">${e(T.portal.value)}</th></tr></thead><tbody>
${profileRows}
</tbody></table>
<h2>${e(T.portal.level)}</h2>
<p>${v.level ? `${e(v.level.name)}: ${e(v.level.description)}` : e(T.portal.empty)}</p>
<h2>${e(T.portal.history)}</h2>
<table><caption>${e(T.portal.historyCaption)}</caption>
<thead><tr><th scope="col">${e(T.portal.when)}</th><th scope="col">${e(T.portal.change)}</th><th ` +
      `scope="col">${e(T.portal.source)}</th><th scope="col">${e(T.portal.notice)}</th></tr></thead>
<tbody>
${history}
</tbody></table>
<h2>${e(T.portal.lists)}</h2>
${lists}
<h2>${e(T.portal.segments)}</h2>
<p class="hint">${e(T.portal.segmentsHelp)}</p>
${segments}
${
  others
    ? `<h2>${e(T.portal.tables)}</h2>\n<table><caption>${e(T.portal.tablesCaption)}</caption><thead><tr><th ` +
      `scope="col">${e(T.portal.kind)}</th><th scope="col">${e(T.portal.count)}</th></tr></thead><tbody>\n${others}\n</tbody></table>`
    : ''
}
<h2>${e(T.portal.actions)}</h2>
<ul>
<li><a href="${e(`${v.link.token}/export?format=html`)}">${e(T.portal.downloadHtml)}</a></li>
<li><a href="${e(`${v.link.token}/export?format=json`)}">${e(T.portal.downloadJson)}</a></li>
<li><a href="${e(v.centerUrl)}">${e(T.portal.changeConsent)}</a></li>
</ul>
<form method="post" action="${e(`${v.link.token}/erasure`)}">
<input type="hidden" name="form" value="${e(v.formToken)}">
<fieldset><legend>${e(T.portal.erasureLegend)}</legend>
<p class="hint">${e(T.portal.erasureHelp)}</p>
<button type="submit">${e(T.portal.erasureButton)}</button>
</fieldset>
</form>`,
  );
}

export function erasureRequestedPage(shell: PageShell): string {
  return page(shell, T.portal.erasureRequested, `<p>${e(T.portal.erasureRequestedBody)}</p>`);
}
