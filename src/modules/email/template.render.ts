import juice from 'juice';
import { Liquid, Tag, type Template } from 'liquidjs';
import { AppError } from '../../lib/errors.ts';
import { htmlToText, textTemplateFrom } from './template.text.ts';
import { contactVars, knownContactNames, LINK_VARIABLES, sampleContact, type TemplateField, type TemplateVars } from './template.vars.ts';

/**
 * Messages are Liquid templates written by staff and filled with what contacts typed, so the
 * engine is shut tight: every output is HTML-escaped in the HTML part (and `raw` is gone, so a
 * contact's `<script>` stays text whatever the template does), there is no file system (the
 * tags that read files refuse to parse), unknown variables and filters are errors, and a
 * render has a time and an allocation budget, so a loop cannot hold the process.
 */
export const RENDER_LIMIT_MS = 200;
/**
 * A recipient's render may take longer than the check's: what was checked rendered within
 * RENDER_LIMIT_MS for the samples, and a busy process (a collection pause, a loaded machine)
 * must not fail a send that would render in a moment. Long contact values can still make a
 * loop over them slow; this bounds that.
 */
export const SEND_RENDER_LIMIT_MS = 1000;
const MEMORY_LIMIT = 10_000_000;
// Inlined CSS can make the HTML several times longer than the 512 KB a message may hold.
const PARSE_LIMIT = 20_000_000;

const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error('templates cannot read files');
  },
  readFileSync: () => {
    throw new Error('templates cannot read files');
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
};

class NoFiles extends Tag {
  constructor(...args: ConstructorParameters<typeof Tag>) {
    super(...args);
    throw new Error(`{% ${this.name} %} is not available: messages cannot include other templates or files`);
  }
  // Never reached: the constructor refuses every use of the tag while the template is parsed.
  *render(): Generator<unknown, void> {}
}

function engine(escapeOutput: boolean): Liquid {
  const l = new Liquid({
    ...(escapeOutput ? { outputEscape: 'escape' as const } : {}),
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    dynamicPartials: false,
    fs: NO_FILES,
    parseLimit: PARSE_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    timezoneOffset: 0,
  });
  for (const tag of ['include', 'render', 'layout']) l.registerTag(tag, NoFiles);
  l.unregisterFilter('raw');
  return l;
}

const HTML = engine(true);
const TEXT = engine(false);

// Liquid tags in attributes and between table elements survive the CSS inliner untouched.
juice.codeBlocks.LIQUID = { start: '{%', end: '%}' };

/** What a message's templates are checked and compiled from. */
export interface MessageTemplates {
  purpose: string;
  subject: string;
  html: string;
  /** Null: the text part is made from the HTML. */
  text: string | null;
}

/** What compile needs to know of the installation. */
export interface TemplateContext {
  /** The `purposes` setting: purpose -> level. */
  purposes: Record<string, number>;
  /** The contacts' custom fields. */
  fields: readonly TemplateField[];
}

export interface CompiledMessage {
  readonly subject: Template[];
  /** The HTML with its `<style>` rules inlined. */
  readonly html: Template[];
  /** The text template (given, or made from the HTML); null: convert each rendered HTML. */
  readonly text: Template[] | null;
  readonly textLiterals: readonly string[];
  readonly fields: readonly TemplateField[];
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

type Part = 'subject' | 'html' | 'text';

function invalid(part: Part, e: unknown): AppError {
  const err = e as { message?: string; token?: { getPosition?: () => [number, number] } };
  const [line, column] = err.token?.getPosition?.() ?? [null, null];
  const message = String(err.message ?? 'invalid template').replace(/, line:\d+, col:\d+$/, '');
  return new AppError('template_invalid', `the ${part} template is not valid: ${message}`, {
    path: `/${part}`,
    line,
    column,
    message,
  });
}

function parse(l: Liquid, part: Part, source: string): Template[] {
  try {
    return l.parse(source);
  } catch (e) {
    throw invalid(part, e);
  }
}

/** Names no variable of a message can have, found without rendering (so in untaken branches too). */
function checkNames(l: Liquid, part: Part, tpl: Template[], fields: readonly TemplateField[]): void {
  const { top, custom } = knownContactNames(fields);
  const roots: ReadonlySet<string> = new Set(['contact', ...LINK_VARIABLES]);
  const globals = l.analyzeSync(tpl, { partials: false }).globals;
  for (const vars of Object.values(globals))
    for (const v of vars) {
      const [root, field, sub] = v.segments;
      const known =
        typeof root === 'string' &&
        roots.has(root) &&
        (root !== 'contact' || typeof field !== 'string' || top.has(field)) &&
        (field !== 'customFields' || typeof sub !== 'string' || custom.has(sub));
      if (!known) {
        const message = `unknown variable ${v.toString()}`;
        throw new AppError('template_invalid', `the ${part} template is not valid: ${message}`, {
          path: `/${part}`,
          line: v.location.row,
          column: v.location.col,
          message,
        });
      }
    }
}

const SAMPLE_LINKS = {
  subscription_center_url: 'https://assent.invalid/sample/subscription-center',
  unsubscribe_url: 'https://assent.invalid/sample/unsubscribe',
  view_in_browser_url: 'https://assent.invalid/sample/view',
  forward_url: 'https://assent.invalid/sample/forward',
} as const;

function samples(fields: readonly TemplateField[]): TemplateVars[] {
  return [false, true].map((empty) => ({ contact: contactVars(sampleContact(fields, empty), fields), ...SAMPLE_LINKS }));
}

function tryRender(l: Liquid, part: Part, tpl: Template[], vars: object): string {
  try {
    return l.renderSync(tpl, vars);
  } catch (e) {
    throw invalid(part, e);
  }
}

const hasLeaveLink = (out: string) => out.includes(SAMPLE_LINKS.subscription_center_url) || out.includes(SAMPLE_LINKS.unsubscribe_url);

/** The level a purpose needs, or a 400 when the purpose is not one a message may have. */
export function messagePurposeLevel(purpose: string, purposes: Record<string, number>): number {
  const level = Object.hasOwn(purposes, purpose) ? purposes[purpose] : undefined;
  if (purpose === 'requested' || level === undefined)
    throw new AppError(
      'validation_failed',
      purpose === 'requested'
        ? 'purpose requested is kept for the product’s own answers to a person’s action'
        : 'not a purpose of this installation',
      [{ path: '/purpose', message: purpose === 'requested' ? 'not allowed for messages' : 'unknown purpose' }],
    );
  return level;
}

/** Whether mail of this purpose must carry a way to leave (a link, and List-Unsubscribe). */
export function needsLeaveLink(purpose: string, level: number): boolean {
  return purpose === 'marketing' || purpose === 'subscription' || level >= 3;
}

/**
 * Checks a message's templates and prepares them for rendering; throws 422 `template_invalid`
 * (with the part, line and column) or `missing_subscription_link`, or 400 for a purpose no
 * message may have. Every template is rendered against two sample contacts (every field filled,
 * every optional field empty), so an error that would hit some recipients is found now. CSS is
 * inlined and the text template made here, once, not per recipient.
 */
export function compile(m: MessageTemplates, ctx: TemplateContext): CompiledMessage {
  const level = messagePurposeLevel(m.purpose, ctx.purposes);
  const vars = samples(ctx.fields);
  const parts: [Part, Liquid, string][] = [
    ['subject', TEXT, m.subject],
    ['html', HTML, m.html],
  ];
  if (m.text !== null) parts.push(['text', TEXT, m.text]);
  const outputs: Partial<Record<Part, string[]>> = {};
  const parsed: Partial<Record<Part, Template[]>> = {};
  for (const [part, l, source] of parts) {
    const tpl = parse(l, part, source);
    checkNames(l, part, tpl, ctx.fields);
    outputs[part] = vars.map((v) => tryRender(l, part, tpl, v));
    parsed[part] = tpl;
  }
  if (needsLeaveLink(m.purpose, level))
    for (const part of ['html', 'text'] as const) {
      const out = outputs[part];
      if (out && !out.every(hasLeaveLink))
        throw new AppError(
          'missing_subscription_link',
          `a ${m.purpose} message must contain {{ subscription_center_url }} or {{ unsubscribe_url }} in its ${part} part, for ` +
            `every recipient`,
          { path: `/${part}` },
        );
    }
  const html = /<style[\s>]/i.test(m.html) ? inline(m.html) : parsed.html!;
  let text = parsed.text ?? null;
  let textLiterals: string[] = [];
  if (m.text === null) {
    const made = textTemplateFrom(m.html);
    if (made) {
      try {
        text = TEXT.parse(made.source);
        textLiterals = made.literals;
      } catch {
        text = null;
      }
    }
  }
  return { subject: parsed.subject!, html, text, textLiterals, fields: ctx.fields };
}

function inline(source: string): Template[] {
  let out: string;
  try {
    out = juice(source, { preserveMediaQueries: true, preserveFontFaces: true, removeStyleTags: true });
  } catch (e) {
    throw new AppError('template_invalid', 'the CSS of the html template could not be inlined', {
      path: '/html',
      line: null,
      column: null,
      message: String((e as Error).message ?? e).slice(0, 200),
    });
  }
  return parse(HTML, 'html', out);
}

// Line breaks would end the Subject header; other control characters have no place in it.
const SUBJECT_BREAKS = /[\r\n\u2028\u2029\u0085]+/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * One recipient's message. Synchronous and cheap (see the benchmark in template.test.ts). A
 * failure (a limit reached, a name looked up from a value) throws `template_invalid` whose
 * message holds no contact value: only the kind of failure and its position are kept.
 */
export function render(c: CompiledMessage, vars: TemplateVars): RenderedMessage {
  const subject = once('subject', TEXT, c.subject, vars).replace(SUBJECT_BREAKS, ' ').replace(CONTROL, '').trim();
  const html = once('html', HTML, c.html, vars);
  const text = c.text ? once('text', TEXT, c.text, { ...vars, __text: c.textLiterals }) : htmlToText(html);
  return { subject, html, text };
}

// The engine's words for a failure may quote a value (`contact[contact.firstName]` names the
// name it looked up), so only the kind of failure is kept.
function safeMessage(e: unknown, message: string): string {
  if (/limit exceeded/.test(message)) return message;
  if (/^undefined variable/.test(message)) return 'undefined variable (a name looked up from a value)';
  return `rendering failed (${(e as Error).name ?? 'Error'})`;
}

function once(part: Part, l: Liquid, tpl: Template[], vars: object): string {
  try {
    return l.renderSync(tpl, vars, { renderLimit: SEND_RENDER_LIMIT_MS });
  } catch (e) {
    const d = invalid(part, e).details as { path: string; line: number | null; column: number | null; message: string };
    const message = safeMessage(e, d.message);
    throw new AppError('template_invalid', `the ${part} template could not be rendered: ${message}`, { ...d, message });
  }
}
