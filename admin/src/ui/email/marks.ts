import type { Span } from '../../../../src/modules/email/blocks.render.ts';

/**
 * A text block as the marketer types it: paragraphs apart by a blank line, `**bold**`, `*italic*`,
 * `[words](https://…)` for a link, a backslash before a mark character to type it as itself. Plain
 * text with a few marks, never HTML: what is typed is shown as typed (the renderer escapes it).
 */
export function parseMarks(source: string): Span[][] {
  return source
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => trimEdges(parseParagraph(p)))
    .filter((p) => p.length > 0);
}

/**
 * Line breaks at a paragraph's edges mean nothing, and kept they would join the blank line between
 * paragraphs when typed back (a paragraph "\n" before one " " read back as one paragraph "\n ").
 */
function trimEdges(spans: Span[]): Span[] {
  const out = spans.map((s) => ({ ...s }));
  while (out.length > 0 && (out[0]!.text = out[0]!.text.replace(/^\n+/, '')) === '') out.shift();
  while (out.length > 0 && (out[out.length - 1]!.text = out[out.length - 1]!.text.replace(/\n+$/, '')) === '') out.pop();
  return out;
}

function parseParagraph(src: string): Span[] {
  const spans: Span[] = [];
  let bold = false;
  let italic = false;
  let href: string | undefined;
  let text = '';
  let linkEnd = -1;
  const flush = () => {
    if (text !== '')
      spans.push({ text, ...(bold ? { bold } : {}), ...(italic ? { italic } : {}), ...(href !== undefined ? { href } : {}) });
    text = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      text += src[++i];
    } else if (c === '*' && src[i + 1] === '*') {
      flush();
      bold = !bold;
      i++;
    } else if (c === '*') {
      flush();
      italic = !italic;
    } else if (c === '[' && href === undefined) {
      // A link only when its `](url)` follows; else the bracket is text.
      const close = findLinkEnd(src, i + 1);
      if (!close) {
        text += c;
        continue;
      }
      flush();
      href = close.url;
      linkEnd = close.textEnd;
    } else if (href !== undefined && i === linkEnd) {
      flush();
      href = undefined;
      i = skipUrl(src, i);
    } else text += c;
  }
  flush();
  return merge(spans);
}
/** From just after `[`: where the link text ends (the `]` of `](`) and the url, or null. */
function findLinkEnd(src: string, from: number): { textEnd: number; url: string } | null {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === '[') return null;
    else if (src[i] === ']') {
      if (src[i + 1] !== '(') return null;
      let url = '';
      for (let j = i + 2; j < src.length; j++) {
        if (src[j] === '\\' && j + 1 < src.length) url += src[++j];
        else if (src[j] === ')') return { textEnd: i, url: url.trim() };
        else if (src[j] === '\n') return null;
        else url += src[j];
      }
      return null;
    }
  }
  return null;
}
/** From a link's `]`: the index of its closing `)`. */
function skipUrl(src: string, i: number): number {
  for (let j = i + 2; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === ')') return j;
  }
  return src.length;
}

/** Neighbouring spans with the same marks are one. */
function merge(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && !!last.bold === !!s.bold && !!last.italic === !!s.italic && last.href === s.href) last.text += s.text;
    else out.push({ ...s });
  }
  return out;
}

const esc = (s: string) => s.replace(/[\\*[\]]/g, (c) => `\\${c}`);
const escUrl = (s: string) => s.replace(/[\\)]/g, (c) => `\\${c}`);

/**
 * The paragraphs back as typed text (parseMarks of it gives them again). Marks are written as the
 * changes between spans, bold's before italic's, so two never run together into a different mark
 * (`*` closing italic then `**` opening bold would read `***`, which is the same two changes).
 */
export function toMarks(paragraphs: Span[][]): string {
  return paragraphs
    .map((p) => {
      let bold = false;
      let italic = false;
      const to = (b: boolean, it: boolean) => {
        let m = '';
        if (b !== bold) m += '**';
        if (it !== italic) m += '*';
        bold = b;
        italic = it;
        return m;
      };
      let out = '';
      for (const s of merge(p.filter((x) => x.text !== ''))) {
        // A blank line inside a span would split the paragraph: keep it one line break.
        const t = esc(s.text.replace(/\n[ \t]*\n/g, '\n'));
        if (s.href !== undefined) out += `[${to(!!s.bold, !!s.italic)}${t}${to(false, false)}](${escUrl(s.href)})`;
        else out += to(!!s.bold, !!s.italic) + t;
      }
      return out + to(false, false);
    })
    .filter((p) => p !== '')
    .join('\n\n');
}
