import { t } from '../../i18n/catalogue.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import { type FieldDef, HONEYPOT } from './forms.model.ts';
import type { Form } from './forms.service.ts';
import type { ListsService } from '../lists/module.ts';
import type { SettingsService } from '../settings/module.ts';

/**
 * What a form shows besides its definition: the names of the lists and levels it offers, and after a refused post the values and problems.
 */
export interface FieldState {
  lang: string;
  listNames: ReadonlyMap<string, string>;
  levelNames: ReadonlyMap<number, string>;
  /** The values posted, shown again (escaped) beside the problems. */
  values?: Readonly<Record<string, unknown>>;
  /** Each problem by field name. */
  errors?: ReadonlyMap<string, string>;
  /** Prefix of every id, so two forms on one page never share one. */
  idPrefix?: string;
}

/**
 * The honeypot's box, hidden from people and from assistive technology: off-screen (not only
 * display:none, which some robots skip), out of the tab order, and aria-hidden. An inline style,
 * so it stays hidden in a snippet pasted into another site's page too.
 */
const HONEYPOT_STYLE = 'position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden';
/** The look of a form's fields: labels above inputs, a visible focus, errors beside their fields. */
export const FORM_CSS =
  'form .field{margin:1rem 0}form label{display:block;font-weight:600}fieldset label{display:inline;font-weight:400}' +
  'input[type=text],input[type=email],input[type=number],input[type=date],select,textarea{font:inherit;width:100%;' +
  'box-sizing:border-box;padding:.4rem;border:1px solid #555;border-radius:.2rem}' +
  'input:focus,select:focus,textarea:focus{outline:3px solid #0b5fff;outline-offset:2px}' +
  'fieldset{border:1px solid #888;border-radius:.3rem;margin:1rem 0;padding:.5rem 1rem}.choice{margin:.5rem 0}' +
  '.hint{color:#444;font-size:.95rem;margin:.2rem 0 0 1.8rem}.error{color:#b00020;font-weight:600;margin:.3rem 0}' +
  '[aria-invalid=true]{border-color:#b00020}.summary{border:2px solid #b00020;padding:.5rem 1rem;border-radius:.3rem}';

const one = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const many = (v: unknown): string[] => (Array.isArray(v) ? v.map(one) : v === undefined || v === null ? [] : [one(v)]);
const TRUE = new Set(['on', 'true', '1', 'yes']);

/** The id of a field's input (the first choice's, for a group): what the error summary links to. */
export const fieldId = (f: FieldDef, s: Pick<FieldState, 'idPrefix'>, choice?: number) =>
  `${s.idPrefix ?? 'f'}-${f.name}${choice === undefined ? '' : `-${choice}`}`;

/**
 * The form's fields as plain HTML (no script): a label on every input, `required` where the field
 * is, the type's input, choices as radios or checkboxes, each consent level with its notice text
 * beside it, each list with the field's notice; then the honeypot. Every label, notice, name and
 * value is escaped. After a refused post each problem is next to its field (`aria-describedby`,
 * `aria-invalid`) and the values typed are kept.
 */
export function formFieldsHtml(form: Pick<Form, 'fields'>, s: FieldState): string {
  const parts = form.fields.map((f) => fieldHtml(f, s));
  parts.push(
    `<div style="${HONEYPOT_STYLE}" aria-hidden="true"><label ` +
      `for="${e(s.idPrefix ?? 'f')}-${HONEYPOT}">${e(t(s.lang, 'embed.honeypot'))}</label>` +
      `<input type="text" id="${e(s.idPrefix ?? 'f')}-${HONEYPOT}" name="${HONEYPOT}" value="" tabindex="-1" autocomplete="off"></div>`,
  );
  return parts.join('\n');
}

/** The list of problems at the top of a refused form, each a link to its field. */
export function errorSummaryHtml(form: Pick<Form, 'fields'>, s: FieldState): string {
  if (!s.errors?.size) return '';
  const items = form.fields
    .filter((f) => s.errors!.has(f.name))
    .map((f) => `<li><a href="#${e(fieldId(f, s, isGroup(f) ? 0 : undefined))}">${e(f.label)}: ${e(s.errors!.get(f.name))}</a></li>`);
  return (
    `<div class="summary" role="alert" aria-labelledby="${e(s.idPrefix ?? 'f')}-summary"><h2 id="${e(s.idPrefix ?? 'f')}-summary">` +
    `${e(t(s.lang, 'embed.summary'))}</h2>\n<ul>\n${items.join('\n')}\n</ul></div>`
  );
}

const isGroup = (f: FieldDef) => f.maps === 'consentLevel' || f.maps === 'lists' || (f.type === 'radio' && !!f.choices?.length);

function fieldHtml(f: FieldDef, s: FieldState): string {
  const id = fieldId(f, s);
  const error = s.errors?.get(f.name);
  const errId = `${id}-error`;
  const errHtml = error === undefined ? '' : `<p class="error" id="${e(errId)}">${e(error)}</p>`;
  const invalid = error === undefined ? '' : ` aria-invalid="true" aria-describedby="${e(errId)}"`;
  const required = f.required ? ' required' : '';
  const mark = f.required ? ` <span class="req">(${e(t(s.lang, 'embed.required'))})</span>` : '';
  const value = s.values?.[f.name];
  const name = e(f.name);

  if (isGroup(f)) {
    const choices: { value: string; label: string; hint?: string }[] =
      f.maps === 'consentLevel'
        ? (f.levels ?? []).map((l) => ({ value: String(l.level), label: s.levelNames.get(l.level) ?? String(l.level), hint: l.notice }))
        : f.maps === 'lists'
          ? (f.listIds ?? []).map((lid) => ({ value: lid, label: s.listNames.get(lid) ?? lid }))
          : (f.choices ?? []).map((c) => ({ value: c, label: c }));
    const multiple = f.maps === 'lists';
    const chosen = new Set(many(value));
    const inputs = choices.map((c, i) => {
      const cid = fieldId(f, s, i);
      const hintId = `${cid}-notice`;
      const described = [c.hint === undefined ? null : hintId, error === undefined ? null : errId].filter(Boolean).join(' ');
      return (
        `<div class="choice"><input type="${multiple ? 'checkbox' : 'radio'}" id="${e(cid)}" name="${name}" value="${e(c.value)}"` +
        `${chosen.has(c.value) ? ' checked' : ''}${!multiple ? required : ''}${error === undefined ? '' : ' aria-invalid="true"'}` +
        `${described ? ` aria-describedby="${e(described)}"` : ''}> <label for="${e(cid)}">${e(c.label)}</label>` +
        `${c.hint === undefined ? '' : `<div class="hint" id="${e(hintId)}">${e(c.hint)}</div>`}</div>`
      );
    });
    return `<fieldset class="field"><legend>${e(f.label)}${mark}</legend>\n${errHtml}${inputs.join('\n')}\n</fieldset>`;
  }

  if (f.type === 'checkbox') {
    const on = TRUE.has(one(value).toLowerCase());
    return (
      `<div class="field choice"><input type="checkbox" id="${e(id)}" name="${name}" ` +
      `value="on"${on ? ' checked' : ''}${required}${invalid}>` +
      ` <label for="${e(id)}" style="display:inline">${e(f.label)}${mark}</label>${errHtml}</div>`
    );
  }

  const label = `<label for="${e(id)}">${e(f.label)}${mark}</label>`;
  const max = f.maxLength ? ` maxlength="${f.maxLength}"` : '';
  if (f.type === 'select') {
    const v = one(value);
    const options = [`<option value="">${e(t(s.lang, 'embed.choose'))}</option>`]
      .concat((f.choices ?? []).map((c) => `<option value="${e(c)}"${c === v ? ' selected' : ''}>${e(c)}</option>`))
      .join('');
    return `<div class="field">${label}<select id="${e(id)}" name="${name}"${required}${invalid}>${options}</select>${errHtml}</div>`;
  }
  if (f.type === 'textarea')
    return (
      `<div class="field">${label}<textarea id="${e(id)}" name="${name}" ` +
      `rows="4"${max}${required}${invalid}>${e(one(value))}</textarea>${errHtml}</div>`
    );
  const type = f.maps === 'email' ? 'email' : (f.type ?? 'text');
  const auto = f.maps === 'email' ? ' autocomplete="email"' : f.maps === 'firstName' ? ' autocomplete="given-name"' : '';
  return (
    `<div class="field">${label}<input type="${e(type)}" id="${e(id)}" name="${name}" value="${e(one(value))}"${max}${auto}` +
    `${required}${invalid}>${errHtml}</div>`
  );
}

/** The names a form's choices show: its lists' (a list deleted since shows its id) and the installation's level names. */
export async function choiceNames(
  form: Pick<Form, 'fields'>,
  ports: { lists: Pick<ListsService, 'get'>; settings: Pick<SettingsService, 'get'> },
): Promise<{ listNames: Map<string, string>; levelNames: Map<number, string> }> {
  const listNames = new Map<string, string>();
  for (const id of new Set(form.fields.flatMap((f) => f.listIds ?? []))) {
    const l = await ports.lists.get(id).catch(() => null);
    if (l) listNames.set(id, l.name);
  }
  const levelNames = new Map((await ports.settings.get()).consentLevels.map((l) => [l.level, l.name]));
  return { listNames, levelNames };
}

/**
 * The form as a plain HTML snippet for another site: no script, no style sheet (the honeypot's
 * box hides itself), posting form-encoded to `action`. Every label and notice is escaped.
 */
export function embedSnippet(form: Pick<Form, 'id' | 'name' | 'fields'>, s: FieldState, action: string): string {
  return (
    `<form method="post" action="${e(action)}" accept-charset="utf-8" novalidate>\n` +
    `${formFieldsHtml(form, s)}\n<button type="submit">${e(t(s.lang, 'embed.submit'))}</button>\n</form>\n`
  );
}

/** The iframe snippet: the frame page, titled with the form's name. */
export function iframeSnippet(form: Pick<Form, 'name'>, frameUrl: string): string {
  return `<iframe src="${e(frameUrl)}" title="${e(form.name)}" style="width:100%;min-height:40rem;border:0" loading="lazy"></iframe>\n`;
}

/**
 * The headers of a page another site may frame: the public page's, with `frame-ancestors` the
 * form's allowed origins (none when it has none) and no X-Frame-Options (which cannot name them).
 */
export function frameHeaders(allowedOrigins: readonly string[], base: Record<string, string>): Record<string, string> {
  const { 'x-frame-options': _deny, ...rest } = base;
  const ancestors = allowedOrigins.length ? allowedOrigins.join(' ') : "'none'";
  return {
    ...rest,
    'content-security-policy': (rest['content-security-policy'] ?? '').replace("frame-ancestors 'none'", `frame-ancestors ${ancestors}`),
  };
}
