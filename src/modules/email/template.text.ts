import { compile as compileConverter } from 'html-to-text';

/**
 * The text part of a message that has none, made from its HTML. Converting each recipient's
 * rendered HTML costs about 0.1 ms, a tenth of a campaign's whole budget per mail, so the HTML
 * *template* is converted once instead: its Liquid tags and outputs are set aside as
 * placeholders, the rest is converted, and the tags are put back, giving a text template that
 * renders like the HTML but without escaping. Where that cannot work (a tag sat inside an
 * element the converter drops, so the result does not parse), `htmlToText` converts each
 * rendered HTML instead: slower, same words.
 */

// Headings keep their case: converting them to upper case would treat the
// placeholders and the rendered values differently.
const KEEP_CASE = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));
const convert = compileConverter({ wordwrap: 80, selectors: KEEP_CASE });

export function htmlToText(html: string): string {
  return convert(html);
}

// Liquid outputs and tags. A `}}` or `%}` inside a string literal ends the match early; the
// text template then fails to parse and the caller falls back to converting rendered HTML.
const TOKEN = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

export interface TextTemplate {
  /** Liquid source: the tags of the HTML template around literal text (or `{{ __text[N] }}`). */
  source: string;
  /** Literal text that would read as Liquid (e.g. from `&#123;&#123;` in the HTML), output as a value instead. */
  literals: string[];
}

/** The text template for an HTML template, or null when it cannot be made (see above). */
export function textTemplateFrom(html: string): TextTemplate | null {
  if (html.includes(OPEN) || html.includes(CLOSE)) return null;
  const tokens: string[] = [];
  const marked = html.replace(TOKEN, (t) => `${OPEN}${tokens.push(t) - 1}${CLOSE}`);
  const text = convert(marked);
  const literals: string[] = [];
  let source = '';
  let last = 0;
  const literal = (s: string) => {
    // Text the converter decoded from entities may spell Liquid; it must stay text.
    if (/\{[{%]|[}%]\}/.test(s)) source += `{{ __text[${literals.push(s) - 1}] }}`;
    else source += s;
  };
  for (const m of text.matchAll(PLACEHOLDER)) {
    literal(text.slice(last, m.index));
    const t = tokens[Number(m[1])];
    if (t === undefined) return null;
    source += t;
    last = m.index + m[0].length;
  }
  literal(text.slice(last));
  return { source, literals };
}
