import { escapeHtml } from './html.ts';

/**
 * A small, safe Markdown for the intro texts staff write for public pages: paragraphs, line
 * breaks, `#`–`###` headings (rendered h2–h4: the page's h1 is its title), `*em*`, `**strong**`,
 * `-` and `1.` lists, and `[text](url)` links to http:, https: and mailto: only. Everything is
 * escaped FIRST, so no markup of the author's ever reaches the page; the few elements above are
 * made here around escaped text. One pass over the text with no backtracking regular expression,
 * so its time grows with the text's length, whatever the text.
 */
export function renderMarkdown(src: string): string {
  const lines = escapeHtml(src.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD')).split('\n');
  const out: string[] = [];
  let para: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null;
  const flushPara = () => {
    if (para.length) out.push(`<p>${para.map(inline).join('<br>\n')}</p>`);
    para = [];
  };
  const flushList = () => {
    if (list) out.push(`<${list.tag}>\n${list.items.map((i) => `<li>${inline(i)}</li>`).join('\n')}\n</${list.tag}>`);
    list = null;
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') {
      flushPara();
      flushList();
      continue;
    }
    const heading = headingOf(line);
    if (heading) {
      flushPara();
      flushList();
      out.push(`<h${heading.level + 1}>${inline(heading.text)}</h${heading.level + 1}>`);
      continue;
    }
    const item = listItemOf(line);
    if (item) {
      flushPara();
      if (list && list.tag !== item.tag) flushList();
      list ??= { tag: item.tag, items: [] };
      list.items.push(item.text);
      continue;
    }
    flushList();
    para.push(line);
  }
  flushPara();
  flushList();
  return out.join('\n');
}

/** `# `, `## ` or `### ` and the heading's text; null for anything else (`####` stays text). */
function headingOf(line: string): { level: number; text: string } | null {
  let n = 0;
  while (n < line.length && line[n] === '#') n++;
  if (n < 1 || n > 3 || line[n] !== ' ') return null;
  return { level: n, text: line.slice(n + 1).trim() };
}

/** `- item` or `12. item`. */
function listItemOf(line: string): { tag: 'ul' | 'ol'; text: string } | null {
  if (line.startsWith('- ')) return { tag: 'ul', text: line.slice(2).trim() };
  let n = 0;
  while (n < line.length && n < 9 && line.charCodeAt(n) >= 48 && line.charCodeAt(n) <= 57) n++;
  if (n > 0 && line[n] === '.' && line[n + 1] === ' ') return { tag: 'ol', text: line.slice(n + 2).trim() };
  return null;
}

const SCHEMES = ['http:', 'https:', 'mailto:'];
/** The longest link target taken; longer is text. */
const MAX_URL = 2000;

type Kind = 'em' | 'strong' | 'link';
/** One piece of the output: text as it is, or an opener that becomes markup only when it is closed. */
interface Token {
  text: string;
  open?: Kind;
}

/**
 * Emphasis, strong emphasis and links in one line of escaped text. Openers wait on a stack of at
 * most one of each kind; a closer closes the nearest opener of its kind, and any opener above it
 * (never closed inside it) stays the characters it was, so the markup is always well nested. No
 * link holds another: a second `[` leaves the first one as text.
 */
function inline(s: string): string {
  const tokens: Token[] = [];
  const stack: number[] = [];
  // The end of a link target starting at each position: the next `)` or whitespace (computed once, right to left).
  const stop = new Int32Array(s.length + 1);
  stop[s.length] = s.length;
  for (let i = s.length - 1; i >= 0; i--) stop[i] = s[i] === ')' || s[i] === ' ' || s[i] === '\t' ? i : stop[i + 1]!;
  let text = '';
  const flush = () => {
    if (text) tokens.push({ text });
    text = '';
  };
  const literal = (at: number) => {
    delete tokens[at]!.open;
  };
  /** Closes the opener of `kind` on the stack: those above it stay text. */
  const close = (kind: Kind): number | null => {
    let at = stack.length - 1;
    while (at >= 0 && tokens[stack[at]!]!.open !== kind) at--;
    if (at < 0) return null;
    const opener = stack[at]!;
    for (const i of stack.splice(at)) if (i !== opener) literal(i);
    return opener;
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '*') {
      const kind: Kind = s[i + 1] === '*' ? 'strong' : 'em';
      const width = kind === 'strong' ? 2 : 1;
      flush();
      const opener = close(kind);
      if (opener === null) {
        stack.push(tokens.length);
        tokens.push({ text: '*'.repeat(width), open: kind });
      } else {
        tokens[opener] = { text: `<${kind}>` };
        tokens.push({ text: `</${kind}>` });
      }
      i += width;
      continue;
    }
    if (c === '[') {
      flush();
      const old = stack.findIndex((j) => tokens[j]!.open === 'link');
      if (old >= 0) literal(stack.splice(old, 1)[0]!);
      stack.push(tokens.length);
      tokens.push({ text: '[', open: 'link' });
      i++;
      continue;
    }
    if (c === ']' && s[i + 1] === '(' && stack.some((j) => tokens[j]!.open === 'link')) {
      const end = stop[i + 2]!;
      const url = s.slice(i + 2, end);
      if (s[end] === ')' && url.length <= MAX_URL && allowed(url)) {
        flush();
        const opener = close('link')!;
        tokens[opener] = { text: `<a href="${url}" rel="noopener noreferrer">` };
        tokens.push({ text: '</a>' });
        i = end + 1;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return tokens.map((t) => t.text).join('');
}

/** A link target of an allowed scheme (the text is escaped already, so it is safe inside the quoted attribute). */
function allowed(url: string): boolean {
  const lower = url.slice(0, 8).toLowerCase();
  return SCHEMES.some((scheme) => lower.startsWith(scheme) && url.length > scheme.length);
}
