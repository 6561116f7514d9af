import type { PageShell } from '../../http/public-page.ts';
import { t } from '../../i18n/catalogue.ts';
import type { Clock } from '../../lib/clock.ts';
import { isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { isAppError } from '../../lib/errors.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import type { IntakeService } from '../dsr/module.ts';
import {
  choiceNames,
  errorSummaryHtml,
  type FieldDef,
  type FormsService,
  formFieldsHtml,
  problemText,
  receivedPage,
} from '../forms/module.ts';
import type { ListsService } from '../lists/module.ts';
import { centerBody, PORTAL_STYLE, REFUSAL_HEADERS, refusalPage, type SubscriptionCenterService, sameOrigin } from '../portal/module.ts';
import type { SecretService, SettingsService } from '../settings/module.ts';
import { formField, formFieldValid } from './pages.csrf.ts';
import { type PageType, pageUrl, type StoredPage } from './pages.model.ts';
import { answer, framed, limited, message, notFound, type PageAnswer, reload } from './pages.render.ts';

/**
 * The forward module's face as a page of type `forward` uses it (u-contract.md): declared here,
 * so this module needs nothing of it until the composition root hands one in.
 */
export interface ForwardPort {
  /** What a page of type `forward` shows: null = the generic refusal (bad, expired or erased link). */
  view(token: string): Promise<{ subject: string } | null>;
  /** Sends the forward (once per link and friend address). Same answer for any valid input. */
  send(
    token: string,
    input: { friendEmail: string; note?: string },
    ctx: { ip: string; userAgent: string | null },
  ): Promise<'sent' | 'refused'>;
}

/** What the page types use. */
export interface PageTypeDeps {
  clock: Clock;
  forms: Pick<FormsService, 'live' | 'submit'>;
  lists: Pick<ListsService, 'get'>;
  settings: Pick<SettingsService, 'get'>;
  secret: Pick<SecretService, 'key'>;
  requestIntake: Pick<IntakeService, 'fromPublic'>;
  subscriptionCenter: Pick<SubscriptionCenterService, 'view'>;
  /** The forward module's face: a page of type `forward` sends through it. */
  forward: ForwardPort;
}

/** One request to a page: the page, the language and organisation it speaks for, the person's link (`?t=`), what was posted. */
export interface PageRequest {
  page: StoredPage;
  shell: PageShell;
  token: string | null;
  /** The editor's preview: nothing is counted, no field is signed, a person's page shows a placeholder. */
  preview: boolean;
  body: Record<string, unknown>;
  ip: string;
  userAgent: string | null;
  headers: Record<string, string | string[] | undefined>;
}

/** A page type: what its GET shows and what its POST does. */
export interface PageTypeDef {
  render(r: PageRequest): Promise<PageAnswer>;
  post(r: PageRequest): Promise<PageAnswer>;
}

const DATA_REQUEST_TYPES = ['access', 'rectification', 'erasure', 'objection'] as const;
const MAX_NOTE = 500;

/** The registry: one entry per page type. */
export function pageTypes(d: PageTypeDeps): Record<PageType, PageTypeDef> {
  const base = async () => (await d.settings.get()).publicBaseUrl;
  const self = async (r: PageRequest) => {
    const url = pageUrl(await base(), r.page.slug);
    return r.token === null ? url : `${url}?t=${encodeURIComponent(r.token)}`;
  };
  const field = async (r: PageRequest) => (r.preview ? '' : formField(await d.secret.key(), r.page.id, r.token, d.clock.now()));
  /** The post came from this page: its hidden field is genuine and fresh, and the browser says it came from our origin. */
  const genuine = async (r: PageRequest) =>
    formFieldValid(await d.secret.key(), r.page.id, r.token, r.body.form, d.clock.now()) &&
    sameOrigin(r.headers, new URL(await base()).origin);
  const hidden = (value: string) => `<input type="hidden" name="form" value="${e(value)}">`;
  const submit = (r: PageRequest, key: string) => `<button type="submit">${e(t(r.shell.lang, key))}</button>`;
  const refusal = (r: PageRequest) => answer(404, refusalPage(r.shell), REFUSAL_HEADERS);
  const placeholder = (r: PageRequest) => answer(200, framed(r.page, r.shell, `<p>${e(t(r.shell.lang, 'pages.preview.personal'))}</p>`));

  const landing: PageTypeDef = {
    async render(r) {
      return landingPage(r, new Map(), {});
    },
    async post(r) {
      if (!(await genuine(r))) return reload(r.shell, await self(r));
      const { form: _field, ...posted } = r.body;
      if (!r.page.formId) return notFound(r.shell);
      try {
        await d.forms.submit(r.page.formId, posted, {
          ip: r.ip,
          userAgent: r.userAgent,
          pageId: r.page.id,
          origin: typeof r.headers.origin === 'string' ? r.headers.origin : null,
        });
      } catch (err) {
        if (!isAppError(err)) throw err;
        if (err.code === 'validation_failed') {
          const problems = (err.details ?? []) as { path: string; message: string }[];
          // The check's words are English, for programs; the person reads them in the page's language.
          return landingPage(r, new Map(problems.map((p) => [p.path.slice(1), problemText(r.shell.lang, p.message)])), posted, 400);
        }
        if (err.code === 'rate_limited') return limited(r.shell, (err.details as { retryAfter?: number } | undefined)?.retryAfter);
        if (err.code === 'not_found') return notFound(r.shell);
        throw err;
      }
      return answer(200, receivedPage(r.shell));
    },
  };

  async function landingPage(r: PageRequest, errors: Map<string, string>, values: Record<string, unknown>, status = 200) {
    if (!r.page.formId) return notFound(r.shell);
    const form = await d.forms.live(r.page.formId).catch((err: unknown) => {
      if (isAppError(err) && err.code === 'not_found') return null;
      throw err;
    });
    if (!form) return notFound(r.shell);
    const state = { lang: r.shell.lang, ...(await choiceNames(form, d)), errors, values };
    return answer(
      status,
      framed(
        r.page,
        r.shell,
        `${errorSummaryHtml(form, state)}\n<form method="post" action="${e(await self(r))}" accept-charset="utf-8" novalidate>\n` +
          `${hidden(await field(r))}\n${formFieldsHtml(form, state)}\n${submit(r, 'embed.submit')}\n</form>`,
      ),
    );
  }

  /** The data-request form over the public intake: the same fields it takes, as a plain HTML form. */
  const dataRequestFields: FieldDef[] = [
    { name: 'type', label: '', maps: 'type', required: true, type: 'radio', choices: [...DATA_REQUEST_TYPES] },
    { name: 'email', label: '', maps: 'email', required: true, type: 'email' },
  ];
  async function dataRequestPage(r: PageRequest, errors: Map<string, string>, values: Record<string, unknown>, status = 200) {
    const l = r.shell.lang;
    const chosen = typeof values.type === 'string' ? values.type : '';
    const typeError = errors.get('type');
    const emailError = errors.get('email');
    const summary = errors.size
      ? errorSummaryHtml(
          {
            fields: dataRequestFields.map((f) => ({
              ...f,
              label: t(l, f.name === 'type' ? 'pages.dataRequest.legend' : 'pages.dataRequest.email'),
            })),
          },
          { lang: l, listNames: new Map(), levelNames: new Map(), errors },
        )
      : '';
    const radios = DATA_REQUEST_TYPES.map(
      (type, i) =>
        `<div class="choice"><input type="radio" id="f-type-${i}" name="type" value="${type}" required` +
        `${chosen === type ? ' checked' : ''}${typeError ? ' aria-invalid="true"' : ''} aria-describedby="f-type-${i}-notice` +
        `${typeError ? ' f-type-error' : ''}"> <label for="f-type-${i}">${e(t(l, `pages.dataRequest.${type}`))}</label>` +
        `<div class="hint" id="f-type-${i}-notice">${e(t(l, `pages.dataRequest.${type}.hint`))}</div></div>`,
    ).join('\n');
    const email = typeof values.email === 'string' ? values.email : '';
    const described = ['f-email-hint', ...(emailError ? ['f-email-error'] : [])].join(' ');
    return answer(
      status,
      framed(
        r.page,
        r.shell,
        `${summary}\n<form method="post" action="${e(await self(r))}" accept-charset="utf-8" novalidate>\n${hidden(await field(r))}\n` +
          `<fieldset class="field"><legend>${e(t(l, 'pages.dataRequest.legend'))}</legend>\n` +
          `${typeError ? `<p class="error" id="f-type-error">${e(typeError)}</p>\n` : ''}${radios}\n</fieldset>\n` +
          `<div class="field"><label for="f-email">${e(t(l, 'pages.dataRequest.email'))}</label>` +
          `<p class="hint" id="f-email-hint" style="margin-left:0">${e(t(l, 'pages.dataRequest.email.hint'))}</p>` +
          `<input type="email" id="f-email" name="email" value="${e(email)}" autocomplete="email" maxlength="254" required` +
          `${emailError ? ' aria-invalid="true"' : ''} aria-describedby="${described}">` +
          `${emailError ? `<p class="error" id="f-email-error">${e(emailError)}</p>` : ''}</div>\n` +
          `${formFieldsHtml({ fields: [] }, { lang: l, listNames: new Map(), levelNames: new Map() })}\n` +
          `${submit(r, 'pages.dataRequest.submit')}\n</form>`,
      ),
    );
  }

  const dataRequest: PageTypeDef = {
    render: (r) => dataRequestPage(r, new Map(), {}),
    async post(r) {
      if (!(await genuine(r))) return reload(r.shell, await self(r));
      const l = r.shell.lang;
      const type = r.body.type;
      const email = typeof r.body.email === 'string' ? r.body.email.trim() : '';
      const errors = new Map<string, string>();
      if (typeof type !== 'string' || !(DATA_REQUEST_TYPES as readonly string[]).includes(type))
        errors.set('type', t(l, 'pages.dataRequest.chooseType'));
      if (email.length > 254 || !isValidEmail(normaliseEmail(email))) errors.set('email', t(l, 'pages.dataRequest.badEmail'));
      if (errors.size) return dataRequestPage(r, errors, { type, email }, 400);
      const website = typeof r.body.website === 'string' ? r.body.website : '';
      try {
        await d.requestIntake.fromPublic({ type: type as (typeof DATA_REQUEST_TYPES)[number], email, website }, { ip: r.ip });
      } catch (err) {
        if (isAppError(err) && err.code === 'rate_limited')
          return limited(r.shell, (err.details as { retryAfter?: number } | undefined)?.retryAfter);
        if (isAppError(err) && err.code === 'validation_failed')
          return dataRequestPage(r, new Map([['email', t(l, 'pages.dataRequest.badEmail')]]), { type, email }, 400);
        throw err;
      }
      return answer(200, message(r.shell, 'pages.dataRequest.received'));
    },
  };

  const subscriptionCenter: PageTypeDef = {
    async render(r) {
      if (r.preview) return placeholder(r);
      // The page speaks its own language, whoever the person is.
      const v = r.token === null ? null : await d.subscriptionCenter.view(r.token, () => r.shell.lang);
      if (!v) return refusal(r);
      // The center's own form, posted to the center's own address (the portal module checks and applies it), in the
      // page's language: the ledger keeps the notice in the language the person read it in.
      const action =
        `${(await base()).replace(/\/+$/, '')}/public/v1/subscription/${encodeURIComponent(r.token!)}` +
        `?lang=${encodeURIComponent(r.shell.lang)}`;
      return answer(200, framed(r.page, r.shell, `${PORTAL_STYLE}\n${centerBody(r.shell, v, action)}`));
    },
    // Its form posts to the subscription center's address, never here.
    post: async (r) => notFound(r.shell),
  };

  async function forwardPage(r: PageRequest, subject: string, errors: Map<string, string>, values: Record<string, unknown>, status = 200) {
    const l = r.shell.lang;
    const friend = typeof values.friendEmail === 'string' ? values.friendEmail : '';
    const note = typeof values.note === 'string' ? values.note : '';
    const fe = errors.get('friendEmail');
    const ne = errors.get('note');
    const inv = (err: string | undefined, id: string) => (err ? ` aria-invalid="true" aria-describedby="${id}-error"` : '');
    const msg = (err: string | undefined, id: string) => (err ? `<p class="error" id="${id}-error">${e(err)}</p>` : '');
    return answer(
      status,
      framed(
        r.page,
        r.shell,
        `<p>${e(t(l, 'pages.forward.about', { subject }))}</p>\n` +
          `<p>${e(t(l, 'pages.forward.explain', { organisation: r.shell.organisation.name }))}</p>\n` +
          `<form method="post" action="${e(await self(r))}" accept-charset="utf-8" novalidate>\n${hidden(await field(r))}\n` +
          `<div class="field"><label for="f-friendEmail">${e(t(l, 'pages.forward.friend'))}</label><input type="email" ` +
          `id="f-friendEmail" name="friendEmail" value="${e(friend)}" maxlength="254" required${inv(fe, 'f-friendEmail')}>` +
          `${msg(fe, 'f-friendEmail')}</div>\n<div class="field"><label for="f-note">${e(t(l, 'pages.forward.note'))}</label>` +
          `<textarea id="f-note" name="note" rows="4" maxlength="${MAX_NOTE}"${inv(ne, 'f-note')}>${e(note)}</textarea>` +
          `${msg(ne, 'f-note')}</div>\n${submit(r, 'pages.forward.submit')}\n</form>`,
      ),
    );
  }

  const forward: PageTypeDef = {
    async render(r) {
      // The editor's preview has no person's link: it shows the page's frame.
      if (r.preview) return placeholder(r);
      const v = r.token === null ? null : await d.forward.view(r.token);
      return v ? forwardPage(r, v.subject, new Map(), {}) : refusal(r);
    },
    async post(r) {
      const v = r.token === null ? null : await d.forward.view(r.token);
      if (!v) return refusal(r);
      if (!(await genuine(r))) return reload(r.shell, await self(r));
      const l = r.shell.lang;
      const friendEmail = typeof r.body.friendEmail === 'string' ? r.body.friendEmail.trim() : '';
      const note = typeof r.body.note === 'string' ? r.body.note.trim() : '';
      const errors = new Map<string, string>();
      if (friendEmail.length > 254 || !isValidEmail(normaliseEmail(friendEmail))) errors.set('friendEmail', t(l, 'pages.forward.badEmail'));
      if (note.length > MAX_NOTE) errors.set('note', t(l, 'pages.forward.noteTooLong'));
      if (errors.size) return forwardPage(r, v.subject, errors, { friendEmail, note }, 400);
      // 'sent' or 'refused': the same page, so nothing tells whether the friend's address is known or suppressed.
      await d.forward.send(r.token!, { friendEmail, ...(note ? { note } : {}) }, { ip: r.ip, userAgent: r.userAgent });
      return answer(200, message(r.shell, 'pages.forward.sent'));
    },
  };

  return { landing, data_request: dataRequest, subscription_center: subscriptionCenter, forward };
}
