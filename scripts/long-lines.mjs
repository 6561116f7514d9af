// Lines longer than the formatter's width (biome.json `formatter.lineWidth`), which the
// formatter cannot wrap: comments, strings, templates, regular expressions.
//
//   node scripts/long-lines.mjs          lists them as file:line, exits 1 if there is any
//   node scripts/long-lines.mjs --fix    rewraps comments and splits long strings and untagged
//                                        templates into concatenations (same value); run the
//                                        formatter after it (scripts/format-all.sh does)
//
// A line that must stay long (a regular expression, a tagged template such as SQL) is allowed
// by a comment on the line before it: `// long-line: <why>`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const WIDTH = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8')).formatter.lineWidth;
const SCOPE = /^(src|test|bench|scripts|bin|admin)\/.*\.(ts|mts|js|mjs|tsx|jsx)$/;
const ALLOW = /^\s*\/\/ long-line: \S/;

const length = (line) => [...line].length;

function sources() {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((f) => SCOPE.test(f) && !f.endsWith('.d.ts'))
    .filter((f) => {
      try {
        readFileSync(join(root, f));
        return true;
      } catch {
        return false; // deleted in the work tree
      }
    });
}

/** 0-based numbers of the lines over the width that no `long-line:` comment allows. */
function longLines(text) {
  const lines = text.split('\n');
  const out = [];
  lines.forEach((line, i) => {
    if (length(line) > WIDTH && !(i > 0 && ALLOW.test(lines[i - 1]))) out.push(i);
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// --fix

/** Words of `text` in lines of at most `room` characters (a longer word gets a line alone). */
function wrapWords(text, room) {
  const lines = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur && length(cur) + 1 + length(word) > room) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}

const LIST_ITEM = /^([-*+]|\d+[.)]) /;

/**
 * Reflows the comment paragraph that starts at line `i` (`//` lines, or ` * ` lines of a block
 * comment): the long line and the lines that continue its paragraph, up to a blank comment line,
 * a list item, a tag or the end of the comment. Returns the new lines and how many it replaces.
 */
function reflowComment(lines, i) {
  const line = lines[i];
  const m = /^(\s*)(\/\/+ ?|\* ?|\/\*\* ?)(.*)$/.exec(line);
  if (!m) return null;
  const [, indent, marker, first] = m;
  if (marker.startsWith('/**')) {
    // `/** one long line */` becomes a block.
    const body = /^(.*?)\s*\*\/\s*$/.exec(first);
    if (!body) return null;
    const room = WIDTH - length(indent) - 3;
    return { replace: 1, with: [`${indent}/**`, ...wrapWords(body[1], room).map((w) => `${indent} * ${w}`), `${indent} */`] };
  }
  const prefix = `${indent}${marker.trimEnd()} `;
  const lead = LIST_ITEM.exec(first);
  const hang = lead ? ' '.repeat(lead[0].length) : '';
  const words = [first];
  let n = 1;
  while (i + n < lines.length) {
    const next = new RegExp(`^${indent.replace(/\s/g, '\\s')}${marker.trim().replace(/[*/]/g, '\\$&')} ?(.*)$`).exec(lines[i + n]);
    if (!next) break;
    const t = next[1];
    if (t.trim() === '' || t.trim() === '/' || t.startsWith('@') || LIST_ITEM.test(t.trimStart()) || t.includes('*/') || /^\s{2,}/.test(t))
      break;
    words.push(t);
    n++;
  }
  const room = WIDTH - length(prefix) - hang.length;
  const wrapped = wrapWords(words.join(' '), room);
  if (wrapped.some((w) => length(w) > room)) return null; // one word longer than the line: leave it to be allowed
  return { replace: n, with: wrapped.map((w, k) => `${prefix}${k === 0 ? '' : hang}${w}`) };
}

/** Every comment's [start, end) in the file, found through the syntax tree (never inside a string). */
function commentRanges(sf) {
  const text = sf.getFullText();
  const seen = new Map();
  const add = (r) => seen.set(r.pos, r);
  const visit = (node) => {
    ts.forEachLeadingCommentRange(text, node.pos, (pos, end, kind) => add({ pos, end, kind }));
    ts.forEachTrailingCommentRange(text, node.end, (pos, end, kind) => add({ pos, end, kind }));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  ts.forEachLeadingCommentRange(text, sf.endOfFileToken.pos, (pos, end, kind) => add({ pos, end, kind }));
  return [...seen.values()];
}

/** Where a string or untagged template may be cut (offsets in the file), by the syntax tree. */
function splittable(sf) {
  const out = [];
  // Where `'a ' + 'b'` stands for `'a b'` as it is; anywhere else (`'a b'.length`) it needs parentheses.
  const bare = (node, parent) =>
    ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== node) ||
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isReturnStatement(parent) ||
    ts.isThrowStatement(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    ts.isParenthesizedExpression(parent) ||
    ts.isTemplateSpan(parent) ||
    ts.isArrowFunction(parent) ||
    ts.isParameter(parent) ||
    (ts.isConditionalExpression(parent) && parent.condition !== node) ||
    (ts.isBinaryExpression(parent) &&
      [ts.SyntaxKind.PlusToken, ts.SyntaxKind.EqualsToken, ts.SyntaxKind.CommaToken].includes(parent.operatorToken.kind));
  const visit = (node) => {
    const parent = node.parent;
    const literalUse =
      parent &&
      (ts.isImportDeclaration(parent) ||
        ts.isExportDeclaration(parent) ||
        ts.isExternalModuleReference(parent) ||
        ts.isLiteralTypeNode(parent) ||
        ts.isImportTypeNode(parent) ||
        ts.isTaggedTemplateExpression(parent) ||
        ts.isEnumMember(parent) ||
        ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) ||
        ts.isExpressionStatement(parent) || // a directive ('use strict')
        ts.isComputedPropertyName(parent));
    if (ts.isTaggedTemplateExpression(node) && /^sql\b/.test(node.tag.getText(sf))) {
      // SQL: a space outside its quotes may become a line break, which the database reads alike
      const t = node.template;
      const parts = ts.isNoSubstitutionTemplateLiteral(t)
        ? [[t.getStart(sf) + 1, t.end - 1]]
        : [
            [t.head.getStart(sf) + 1, t.head.end - 2],
            ...t.templateSpans.map((sp) => [sp.literal.getStart(sf) + 1, sp.literal.end - (ts.isTemplateTail(sp.literal) ? 1 : 2)]),
          ];
      out.push({ start: t.getStart(sf), end: t.end, quote: null, parts, wrap: false });
    } else if (ts.isStringLiteral(node) && !literalUse) {
      const start = node.getStart(sf);
      out.push({ start, end: node.end, quote: sf.text[start], parts: [[start + 1, node.end - 1]], wrap: !bare(node, parent) });
    } else if (ts.isNoSubstitutionTemplateLiteral(node) && !literalUse) {
      const start = node.getStart(sf);
      out.push({ start, end: node.end, quote: '`', parts: [[start + 1, node.end - 1]], wrap: !bare(node, parent) });
    } else if (ts.isTemplateExpression(node) && !literalUse) {
      // literal text only: never inside `${…}`
      const parts = [[node.head.getStart(sf) + 1, node.head.end - 2]];
      for (const span of node.templateSpans) {
        const lit = span.literal;
        parts.push([lit.getStart(sf) + 1, lit.end - (ts.isTemplateTail(lit) ? 1 : 2)]);
      }
      out.push({ start: node.getStart(sf), end: node.end, quote: '`', parts, wrap: !bare(node, parent) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Cut points (offsets of the character a piece ends with) so that pieces of [from, to) fit in `room`. */
function greedy(from, to, room, ok) {
  const cuts = [];
  let pieceStart = from;
  let last = -1;
  for (let p = from; p < to; p++) {
    if (!ok(p)) continue;
    if (p + 1 - pieceStart > room && last >= pieceStart) {
      cuts.push(last);
      pieceStart = last + 1;
    }
    last = p;
  }
  if (to - pieceStart > room && last >= pieceStart && !cuts.includes(last)) cuts.push(last);
  return cuts;
}

/** Whether an offset of a SQL template's text is inside a quoted SQL string or identifier. */
function sqlQuoted(text, s) {
  const inQuotes = new Set();
  let q = null;
  for (const [a, b] of s.parts) {
    for (let p = a; p < b; p++) {
      const c = text[p];
      if (q === null && (c === "'" || c === '"')) q = c;
      else if (q !== null && c === q) q = null;
      else if (q !== null) inQuotes.add(p);
    }
  }
  return (p) => inQuotes.has(p);
}

/** One pass over a file: at most one edit per long line, applied bottom-up. Returns the new text, or null. */
function fixOnce(file, text) {
  const long = longLines(text);
  if (long.length === 0) return null;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.m?tsx?$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const comments = commentRanges(sf);
  const strings = splittable(sf);
  const lines = text.split('\n');
  const starts = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.length + 1;
  }
  const edits = []; // { from, to, text } in offsets
  for (const i of long.reverse()) {
    const lineStart = starts[i];
    const lineEnd = lineStart + lines[i].length;
    const line = lines[i];
    const indent = /^\s*/.exec(line)[0];
    const comment = comments.find((c) => c.pos >= lineStart && c.pos < lineEnd);
    const inBlock = comments.find((c) => c.kind === ts.SyntaxKind.MultiLineCommentTrivia && c.pos < lineStart && c.end > lineStart);
    const codeBefore = comment ? line.slice(0, comment.pos - lineStart).trim() : '';

    if ((comment && codeBefore === '') || inBlock) {
      const r = reflowComment(lines, i);
      if (r) edits.push({ from: lineStart, to: starts[i + r.replace - 1] + lines[i + r.replace - 1].length, text: r.with.join('\n') });
      continue;
    }
    if (comment && comment.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
      // code, then a comment that makes the line long: the comment goes above the line
      const body = text.slice(comment.pos, comment.end).replace(/^\/\/\s?/, '');
      edits.push({ from: lineStart, to: lineEnd, text: `${indent}// ${body}\n${line.slice(0, comment.pos - lineStart).trimEnd()}` });
      continue;
    }
    // a string or untagged template crossing the width: cut it at spaces into pieces that fit
    // the longest string on the line that can be cut; a string that fits its own line is cut
    // once, near its middle, as the line it stands on is too long
    const span = (x) => Math.min(x.end, lineEnd) - Math.max(x.start, lineStart);
    for (const s of strings.filter((x) => x.start < lineEnd && x.end > lineStart).sort((a, b) => span(b) - span(a))) {
      const cut = cutString(text, s, lineStart, lineEnd, indent);
      if (cut.length === 0) continue;
      edits.push(...cut);
      break;
    }
  }
  if (edits.length === 0) return null;
  edits.sort((a, b) => b.from - a.from);
  let out = text;
  for (const e of edits) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

/** The edits that cut string `s` on the line [lineStart, lineEnd) into pieces; none when it has no place to cut. */
function cutString(text, s, lineStart, lineEnd, indent) {
  const edits = [];
  const room = Math.max(40, WIDTH - length(indent) - 8);
  const from = Math.max(s.start, lineStart);
  const to = Math.min(s.end, lineEnd);
  const inside = (p) => s.parts.some(([a, b]) => p >= a && p < b);
  const quoted = s.quote === null ? sqlQuoted(text, s) : () => false;
  const at = (p, chars) => inside(p) && chars.includes(text[p]) && text[p - 1] !== '\\' && !quoted(p);
  // at spaces; a piece still too long (an address, a CSV header) also after , ; & / ? -
  let cuts = greedy(from, to, room, (p) => at(p, ' '));
  if (s.quote !== null) {
    const pieces = [from, ...cuts.map((c) => c + 1), to];
    cuts = pieces.slice(0, -1).flatMap((a, k) => {
      const b = pieces[k + 1];
      const more = b - a > room ? greedy(a, b, room, (p) => at(p, ' ,;&/?-')) : [];
      return [...more, ...(k < pieces.length - 2 ? [b - 1] : [])];
    });
  }
  if (cuts.length === 0) {
    const middle = (from + to) / 2;
    const near = (chars) => {
      let best = -1;
      for (let p = from + 1; p < to - 1; p++) if (at(p, chars) && (best < 0 || Math.abs(p - middle) < Math.abs(best - middle))) best = p;
      return best;
    };
    const p = near(' ') >= 0 ? near(' ') : s.quote === null ? -1 : near(',;&/?-');
    if (p < 0) return [];
    cuts = [p];
  }
  if (s.quote === null) {
    for (const c of cuts.reverse()) edits.push({ from: c, to: c + 1, text: `\n${indent}  ` });
    return edits;
  }
  if (s.wrap) edits.push({ from: s.end, to: s.end, text: ')' });
  for (const c of cuts.reverse()) edits.push({ from: c + 1, to: c + 1, text: `${s.quote} +\n${indent}  ${s.quote}` });
  if (s.wrap) edits.push({ from: s.start, to: s.start, text: '(' });
  return edits;
}

const fix = process.argv.includes('--fix');
let total = 0;
let changed = 0;
for (const file of sources()) {
  const abs = join(root, file);
  let text = readFileSync(abs, 'utf8');
  if (fix) {
    const before = text;
    for (let pass = 0; pass < 8; pass++) {
      const next = fixOnce(file, text);
      if (next === null || next === text) break;
      text = next;
    }
    if (text !== before) {
      writeFileSync(abs, text);
      changed++;
    }
  }
  for (const i of longLines(text)) {
    total++;
    if (!fix) console.log(`${file}:${i + 1}: ${length(text.split('\n')[i])} characters`);
  }
}
if (fix) console.log(`long-lines: rewrapped in ${changed} files; ${total} lines still over ${WIDTH} (run the formatter, then this again)`);
else if (total)
  console.log(
    `${total} lines over ${WIDTH} characters: rewrap them (node scripts/long-lines.mjs --fix, then the formatter), or allow one ` +
      `with a '// long-line: <why>' comment above it`,
  );
process.exit(!fix && total ? 1 : 0);
