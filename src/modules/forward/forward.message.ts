import { t } from '../../i18n/catalogue.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import type { SentCopy } from '../email/module.ts';

/** What the friend's copy says about itself: who sent it (a first name or "Someone"), their note, and why it came. */
export interface ForwardFrame {
  lang: string;
  senderFirstName: string | null;
  note: string | null;
  organisation: string;
}

// Line breaks stay (the note is a short letter); every other control character goes.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/g;

/** A note as the page took it: trimmed, at most `max` characters, control characters out; null when empty. */
export function cleanNote(note: string | undefined | null): string | null {
  const s = (note ?? '').replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
  return s === '' ? null : s;
}

/**
 * The friend's message: the campaign's message as the sender got it (rendered with neutral links
 * in place of the sender's own, and without tracking: forwarding.ts), headed by a line naming the
 * sender by first name, their note, and why the friend got it. Every value the sender or the
 * contact record gave is escaped in the HTML: a name or note with markup arrives as text.
 */
export function forwardMail(copy: SentCopy, f: ForwardFrame): { subject: string; html: string; text: string } {
  const name = f.senderFirstName?.trim() || t(f.lang, 'forward.mail.someone');
  const header = t(f.lang, 'forward.mail.header', { name });
  const why = t(f.lang, 'forward.mail.why', { organisation: f.organisation });
  const noteHtml = f.note ? `<p style="margin:0 0 8px">${e(f.note).replace(/\n/g, '<br>')}</p>` : '';
  const frame =
    '<div style="font-family:Arial,Helvetica,sans-serif;border-bottom:1px solid #ccc;margin:0 0 16px;padding:12px 0">' +
    `<p style="margin:0 0 8px;font-weight:bold">${e(header)}</p>${noteHtml}` +
    `<p style="margin:0;font-size:13px;color:#555">${e(why)}</p></div>`;
  const body = /<body\b[^>]*>/i.exec(copy.html);
  const html = body
    ? copy.html.slice(0, body.index + body[0].length) + frame + copy.html.slice(body.index + body[0].length)
    : frame + copy.html;
  const text = [header, ...(f.note ? ['', f.note] : []), '', why, '', '----', '', copy.text].join('\n');
  return { subject: copy.subject, html, text };
}
