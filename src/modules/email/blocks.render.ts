/**
 * The block editor's document and its renderer to responsive email HTML. Shared by the server (which
 * may check a saved document) and the console (which renders as the marketer edits): it imports only
 * the house's HTML escaping (src/lib/html.ts, itself free of imports), so the console's bundle takes
 * both as they are (admin imports this file by relative path).
 *
 * The output is a Liquid template (the message's HTML, compiled like any other): every text the user
 * typed is HTML-escaped and its `{` written as an entity, so text can never become markup or Liquid
 * code; only a plain output tag such as `{{ contact.firstName }}` or `{{ contact.city | default: "you" }}`
 * passes through as Liquid (whose output is escaped again at render time). Links go only to http(s),
 * mailto or one of the message's own link variables (`{{ unsubscribe_url }}` and its kin). Layout is
 * tables with inline styles, the one thing every mail client lays out alike; one `<style>` holds the
 * media query that stacks columns on narrow screens (a client that drops it shows them side by side).
 */
import { escapeHtml } from '../../lib/html.ts';

export interface BlockDocument {
  version: 1;
  settings: DocumentSettings;
  blocks: Block[];
}

export interface DocumentSettings {
  /** Content width in CSS pixels on a wide screen (320–900); narrower screens get the full width. */
  width: number;
  /** The page behind the content, `#rrggbb`. */
  background: string;
  font: FontName;
}

export type FontName = 'sans' | 'serif' | 'mono';

/** A run of text in a paragraph, with its marks. `href` makes it a link. */
export interface Span {
  text: string;
  bold?: boolean;
  italic?: boolean;
  href?: string;
}

export type Align = 'left' | 'center' | 'right';

export interface HeadingBlock {
  type: 'heading';
  id: string;
  level: 1 | 2 | 3;
  text: string;
  align?: Align;
}
export interface TextBlock {
  type: 'text';
  id: string;
  /** Paragraphs, each a list of spans; a line break inside a span's text is a line break. */
  paragraphs: Span[][];
  align?: Align;
}
export interface ImageBlock {
  type: 'image';
  id: string;
  src: string;
  alt: string;
  href?: string;
  /** Displayed width in pixels; the image never grows past its column. */
  width?: number;
  align?: Align;
}
export interface ButtonBlock {
  type: 'button';
  id: string;
  label: string;
  href: string;
  color?: string;
  align?: Align;
}
export interface DividerBlock {
  type: 'divider';
  id: string;
}
export interface SpacerBlock {
  type: 'spacer';
  id: string;
  height: number;
}
/** Two or three columns side by side, stacked on a narrow screen; a column holds any block but columns. */
export interface ColumnsBlock {
  type: 'columns';
  id: string;
  columns: LeafBlock[][];
}

export type LeafBlock = HeadingBlock | TextBlock | ImageBlock | ButtonBlock | DividerBlock | SpacerBlock;
export type Block = LeafBlock | ColumnsBlock;
export type BlockType = Block['type'];

export const BLOCK_LIMITS = {
  minWidth: 320,
  maxWidth: 900,
  /** All blocks of a document, those inside columns included. */
  blocks: 200,
  text: 10_000,
  short: 500,
  url: 2_000,
  minSpacer: 4,
  maxSpacer: 160,
  minColumns: 2,
  maxColumns: 3,
} as const;

export const FONTS: Record<FontName, string> = {
  sans: 'Arial, Helvetica, sans-serif',
  serif: "Georgia, 'Times New Roman', serif",
  mono: "'Courier New', Courier, monospace",
};

export const DEFAULT_SETTINGS: DocumentSettings = { width: 600, background: '#f4f4f5', font: 'sans' };

/** The variables a link may be, whole: the message's own links (filled in per send). */
export const LINK_VARIABLES = ['unsubscribe_url', 'subscription_center_url', 'view_in_browser_url', 'forward_url'] as const;

/** `#rrggbb` only: a colour goes into a style attribute, so nothing else may. */
export const COLOR_PATTERN = '^#[0-9a-fA-F]{6}$';
/** http(s) and mailto with no spaces, quotes or angle brackets, or one of the message's link variables whole. */
export const HREF_PATTERN = `^(?:https?://[^\\s"'<>\\\\{}]+|mailto:[^\\s"'<>\\\\{}]+|\\{\\{\\s*(?:${LINK_VARIABLES.join('|')})\\s*\\}\\})$`;
/** Images load from https only (mail clients block or warn on plain http). */
export const IMAGE_SRC_PATTERN = '^https://[^\\s"\'<>\\\\{}]+$';

const colorRe = new RegExp(COLOR_PATTERN);
const hrefRe = new RegExp(HREF_PATTERN, 'i');
const srcRe = new RegExp(IMAGE_SRC_PATTERN, 'i');

export const isSafeHref = (href: unknown): href is string =>
  typeof href === 'string' && href.length <= BLOCK_LIMITS.url && hrefRe.test(href);
export const isSafeImageSrc = (src: unknown): src is string => typeof src === 'string' && src.length <= BLOCK_LIMITS.url && srcRe.test(src);

// A Liquid output tag the blocks let through: a variable path, then filters whose arguments are
// numbers or quoted strings free of markup and braces. In an attribute only single quotes (a double
// quote would end the attribute for any HTML parser that reads the template before Liquid does).
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const FILTER_NAMES = ['default', 'upcase', 'downcase', 'capitalize', 'strip', 'truncate', 'truncatewords', 'date'];
const arg = (attr: boolean) => `(?:${attr ? '' : `"[^"<>&{}%\\\\]*"|`}'[^'<>&{}%\\\\]*'|-?\\d+(?:\\.\\d+)?)`;
const outputTag = (attr: boolean) =>
  new RegExp(
    `\\{\\{\\s*${NAME}(?:\\.${NAME})*(?:\\s*\\|\\s*(?:${FILTER_NAMES.join('|')})(?:\\s*:\\s*${arg(attr)}(?:\\s*,\\s*${arg(attr)})*)?` +
      `)*\\s*\\}\\}`,
    'g',
  );
const textTag = outputTag(false);
const attrTag = outputTag(true);

const BRACES: Record<string, string> = { '{': '&#123;', '}': '&#125;' };
/** Escapes for HTML text and attributes, and breaks every brace so no Liquid can form from it. */
const escapeAll = (s: string): string => escapeHtml(s).replace(/[{}]/g, (c) => BRACES[c]!);

/** The user's text as template text: escaped whole, except the Liquid output tags let through. */
function templateText(raw: unknown, attr = false): string {
  // Lone surrogates and control characters (other than tab and newline) have no place in mail.
  const s = (typeof raw === 'string' ? raw : '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  const re = attr ? attrTag : textTag;
  let out = '';
  let at = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out += escapeAll(s.slice(at, m.index)) + m[0];
    at = m.index + m[0].length;
  }
  return out + escapeAll(s.slice(at));
}

/** Line breaks in text become `<br>`. */
const withBreaks = (s: string): string => s.split(/\r\n|\r|\n/).join('<br>');

const clamp = (n: unknown, lo: number, hi: number, fallback: number): number =>
  typeof n === 'number' && Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : fallback;
const color = (c: unknown, fallback: string): string => (typeof c === 'string' && colorRe.test(c) ? c : fallback);
const align = (a: unknown): Align => (a === 'center' || a === 'right' ? a : 'left');
/** An href as an attribute value: its `{{ variable }}` form kept (Liquid fills it), anything else escaped. */
const hrefAttr = (href: string): string => (href.startsWith('{{') ? href.replace(/\s+/g, ' ') : escapeAll(href));

const TEXT = '#1f2937';
const LINK = '#2563eb';
const HEADING_SIZES = { 1: 28, 2: 22, 3: 18 } as const;

function spanHtml(span: Span): string {
  let html = withBreaks(templateText(span.text));
  if (span.bold) html = `<strong>${html}</strong>`;
  if (span.italic) html = `<em>${html}</em>`;
  if (isSafeHref(span.href)) html = `<a href="${hrefAttr(span.href)}" style="color:${LINK};text-decoration:underline;">${html}</a>`;
  return html;
}

/** One block's HTML, at most `width` pixels wide. */
function blockHtml(block: Block, width: number, font: string): string {
  switch (block.type) {
    case 'heading': {
      const level = block.level === 2 || block.level === 3 ? block.level : 1;
      const size = HEADING_SIZES[level];
      return (
        `<h${level} style="margin:0;font-family:${font};font-size:${size}px;line-height:1.25;font-weight:bold;color:#111827;` +
        `text-align:${align(block.align)};">${withBreaks(templateText(block.text))}</h${level}>`
      );
    }
    case 'text': {
      const paragraphs = Array.isArray(block.paragraphs) ? block.paragraphs : [];
      return paragraphs
        .map(
          (p, i) =>
            `<p style="margin:0${i < paragraphs.length - 1 ? ' 0 12px' : ''};font-family:${font};font-size:16px;line-height:1.5;` +
            `color:${TEXT};text-align:${align(block.align)};">${(Array.isArray(p) ? p : []).map(spanHtml).join('')}</p>`,
        )
        .join('');
    }
    case 'image': {
      if (!isSafeImageSrc(block.src)) return '';
      const w = clamp(block.width, 16, width, width);
      let img =
        `<img src="${escapeAll(block.src)}" alt="${templateText(block.alt, true)}" width="${w}" class="a-img" ` +
        `style="display:block;width:${w}px;max-width:100%;height:auto;border:0;outline:none;text-decoration:none;">`;
      if (isSafeHref(block.href)) img = `<a href="${hrefAttr(block.href)}" style="display:block;">${img}</a>`;
      const a = align(block.align);
      return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" align="${a}"><tr><td>${img}</td></tr></table>`;
    }
    case 'button': {
      const bg = color(block.color, LINK);
      const label = withBreaks(templateText(block.label));
      const a = align(block.align);
      const link = isSafeHref(block.href)
        ? `<a href="${hrefAttr(block.href)}" style="display:inline-block;padding:12px 24px;font-family:${font};font-size:16px;` +
          `font-weight:bold;line-height:1.25;color:#ffffff;text-decoration:none;border-radius:6px;">${label}</a>`
        : `<span style="display:inline-block;padding:12px ` +
          `24px;font-family:${font};font-size:16px;font-weight:bold;color:#ffffff;">${label}</span>`;
      return (
        `<table role="presentation" cellpadding="0" cellspacing="0" border="0" align="${a}" style="margin:0 ` +
        `${a === 'left' ? 'auto 0 0' : a === 'right' ? '0 0 auto' : 'auto'};">` +
        `<tr><td style="border-radius:6px;background-color:${bg};">${link}</td></tr></table>`
      );
    }
    case 'divider':
      return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>' +
        '<td style="border-top:1px solid #e5e7eb;font-size:0;line-height:0;height:1px;">&nbsp;</td></tr></table>'
      );
    case 'spacer': {
      const h = clamp(block.height, BLOCK_LIMITS.minSpacer, BLOCK_LIMITS.maxSpacer, 24);
      return `<div style="height:${h}px;line-height:${h}px;font-size:0;">&nbsp;</div>`;
    }
    case 'columns': {
      const columns = (Array.isArray(block.columns) ? block.columns : []).slice(0, BLOCK_LIMITS.maxColumns);
      if (columns.length === 0) return '';
      const share = Math.floor(100 / columns.length);
      const inner = Math.floor(width / columns.length) - 16;
      const cells = columns
        .map((col) => {
          const content = (Array.isArray(col) ? col : [])
            .filter((b) => b && b.type !== ('columns' as string))
            .map((b) => `<div style="padding:0 0 12px;">${blockHtml(b, inner, font)}</div>`)
            .join('');
          return (
            `<td class="a-col" width="${share}%" valign="top" style="width:${share}%;max-width:${inner + 16}px;padding:0 8px;` +
            `vertical-align:top;">${content}</td>`
          );
        })
        .join('');
      return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>${cells}</tr></table>`;
    }
    default:
      return '';
  }
}

const STACK_CSS = (width: number) =>
  `@media only screen and (max-width:${width + 20}px){` +
  '.a-container{width:100% !important;}' +
  '.a-col{display:block !important;width:100% !important;max-width:100% !important;padding:0 !important;}' +
  '.a-img{width:auto !important;max-width:100% !important;height:auto !important;}}';

/**
 * The document as a complete email HTML document (a Liquid template: see the file's comment). Tolerant:
 * it renders what it can of a document that would not validate (the console renders while the user
 * types), dropping unsafe links and images rather than failing.
 */
export function renderBlocks(doc: BlockDocument): string {
  const s = (doc?.settings ?? {}) as Partial<DocumentSettings>;
  const width = clamp(s.width, BLOCK_LIMITS.minWidth, BLOCK_LIMITS.maxWidth, DEFAULT_SETTINGS.width);
  const font = FONTS[s.font as FontName] ?? FONTS.sans;
  const background = color(s.background, DEFAULT_SETTINGS.background);
  const rows = (Array.isArray(doc?.blocks) ? doc.blocks : [])
    .map((b) => (b && typeof b === 'object' ? `<tr><td style="padding:8px 24px;">${blockHtml(b, width - 48, font)}</td></tr>` : ''))
    .join('');
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="x-apple-disable-message-reformatting">' +
    `<style>${STACK_CSS(width)}</style></head>` +
    `<body style="margin:0;padding:0;background-color:${background};">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${background};">` +
    '<tr><td align="center" style="padding:24px 8px;">' +
    `<table role="presentation" class="a-container" width="${width}" cellpadding="0" cellspacing="0" border="0" ` +
    `style="width:${width}px;max-width:100%;background-color:#ffffff;font-family:${font};color:${TEXT};">` +
    `<tr><td style="height:16px;font-size:0;line-height:0;"></td></tr>${rows}` +
    '<tr><td style="height:16px;font-size:0;line-height:0;"></td></tr>' +
    '</table></td></tr></table></body></html>'
  );
}

/** Every block of a document, those inside columns included, in reading order. */
export function allBlocks(doc: BlockDocument): LeafBlock[] {
  return doc.blocks.flatMap((b) => (b.type === 'columns' ? b.columns.flat() : [b]));
}

/** A short id for a new block (unique within a document; not a secret). */
export function blockId(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** A new document: a heading, a paragraph, and the unsubscribe link a marketing message needs. */
export function emptyDocument(): BlockDocument {
  return {
    version: 1,
    settings: { ...DEFAULT_SETTINGS },
    blocks: [
      { type: 'heading', id: blockId(), level: 1, text: 'Hello {{ contact.firstName }}' },
      { type: 'text', id: blockId(), paragraphs: [[{ text: 'Write your message here.' }]] },
      { type: 'divider', id: blockId() },
      {
        type: 'text',
        id: blockId(),
        align: 'center',
        paragraphs: [
          [
            { text: 'You receive this because you subscribed. ' },
            { text: 'Manage your subscriptions', href: '{{ subscription_center_url }}' },
            { text: ' or ' },
            { text: 'unsubscribe', href: '{{ unsubscribe_url }}' },
            { text: '.' },
          ],
        ],
      },
    ],
  };
}
