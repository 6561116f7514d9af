import { t } from '../../i18n/catalogue.ts';
import { tHtml } from '../../i18n/identity.ts';
import { type PageShell, PUBLIC_PAGE_HEADERS, publicPage, SAME_ORIGIN_PAGE_HEADERS } from '../../http/public-page.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import { NOTE_MAX } from './forward.service.ts';

/**
 * The forward page: plain HTML without scripts, every value escaped (the subject is rendered from
 * a contact's fields), a label on every input, errors next to their fields, a visible focus. Its
 * form posts back under an Origin check, so it says `same-origin` for the referrer (a
 * `no-referrer` page makes the browser send `Origin: null`). Texts: the catalogue's `forward.*`.
 */
export const PAGE_HEADERS = SAME_ORIGIN_PAGE_HEADERS;
export const REFUSAL_HEADERS = PUBLIC_PAGE_HEADERS;

const STYLE =
  '<style>label{display:block;font-weight:bold;margin:1rem 0 .3rem}input,textarea{font:inherit;width:100%;box-sizing:border-box;' +
  'padding:.4rem;border:1px solid #555;border-radius:.3rem}input:focus,textarea:focus,a:focus,button:focus{outline:3px solid #0b5fff;' +
  'outline-offset:2px}.hint{color:#444;font-size:.95rem}.error{color:#a00000;font-weight:bold}form p{margin:.3rem 0}</style>';

const p = (lang: string, key: string, params?: Parameters<typeof tHtml>[2]) => `<p>${tHtml(lang, key, params)}</p>`;

/** What the form shows again after a post with a field at fault: the values typed and the problems by field. */
export interface FormState {
  email: string;
  note: string;
  errors: { email?: boolean; note?: boolean };
}

/** The one page for every bad link (forged, altered, expired, another kind's, its person erased) or foreign post. */
export function refusalPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'forward.invalid.title'), p(shell.lang, 'forward.invalid.text'));
}

export function forwardPage(shell: PageShell, v: { subject: string; formToken: string; organisation: string }, state?: FormState): string {
  const L = shell.lang;
  const err = state?.errors ?? {};
  const field = (name: 'email' | 'note', bad: boolean | undefined) =>
    `${bad ? ` aria-invalid="true" aria-describedby="${name}-error ${name}-hint"` : ` aria-describedby="${name}-hint"`}`;
  return publicPage(
    shell,
    t(L, 'forward.title'),
    `${STYLE}
${p(L, 'forward.message', { subject: v.subject })}
<ul>
<li>${tHtml(L, 'forward.what.once', { organisation: v.organisation })}</li>
<li>${tHtml(L, 'forward.what.kept')}</li>
<li>${tHtml(L, 'forward.what.noContact')}</li>
</ul>
<form method="post" novalidate>
<input type="hidden" name="form" value="${e(v.formToken)}">
<label for="email">${e(t(L, 'forward.email.label'))}</label>
<p class="hint" id="email-hint">${e(t(L, 'forward.email.hint'))}</p>
${err.email ? `<p class="error" id="email-error">${e(t(L, 'forward.email.error'))}</p>\n` : ''}<input type="email" name="email" id="email" \
maxlength="254" required autocomplete="off" value="${e(state?.email ?? '')}"${field('email', err.email)}>
<label for="note">${e(t(L, 'forward.note.label'))}</label>
<p class="hint" id="note-hint">${e(t(L, 'forward.note.hint', { max: NOTE_MAX }))}</p>
${err.note ? `<p class="error" id="note-error">${e(t(L, 'forward.note.error', { max: NOTE_MAX }))}</p>\n` : ''}<textarea ` +
      `name="note" id="note" \
rows="4" maxlength="${NOTE_MAX}"${field('note', err.note)}>${e(state?.note ?? '')}</textarea>
<p><button type="submit">${e(t(L, 'forward.button'))}</button></p>
</form>`,
    { referrer: 'same-origin' },
  );
}

/** The answer to every valid post: the same page whatever became of the forward. */
export function sentPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'forward.sent.title'), p(shell.lang, 'forward.sent.text'));
}

/** Where the friend's copy points instead of the sender's own links: what this message is, for whoever holds it. */
export function aboutPage(shell: PageShell): string {
  return publicPage(
    shell,
    t(shell.lang, 'forward.about.title'),
    `${p(shell.lang, 'forward.about.text')}\n${p(shell.lang, 'forward.about.kept')}`,
  );
}
