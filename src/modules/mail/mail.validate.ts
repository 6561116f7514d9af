import addressparser from 'nodemailer/lib/addressparser';
import { isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { isId } from '../../lib/ids.ts';
import type { MailMessage } from './mail.model.ts';

/** RFC 5322 caps a header line at 998 characters; a longer subject is a mistake, not a message. */
export const MAX_SUBJECT = 998;
export const MAX_BODY = 1_000_000;
export const MAX_HEADERS = 30;
export const MAX_HEADER_VALUE = 2_000;

// Any control character but TAB in a header would let a value end its line and start another
// header (CR/LF injection) or smuggle bytes a relay reads differently; C1 controls (NEL among
// them) are refused too, as some software treats them as line ends.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
const HEADER_NAME = /^[!-9;-~]{1,76}$/;
const PURPOSE = /^[a-z][a-z_]{0,39}$/;

/** Set from the message's own fields; a custom header must not contradict them. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'sender',
  'subject',
  'content-type',
  'content-transfer-encoding',
  'mime-version',
]);

export interface Problem {
  path: string;
  message: string;
}

/** The message as it will be sent: recipient normalised, sender resolved. */
export interface CheckedMessage {
  to: string;
  from: string;
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
  contactId: string | null;
  purpose: string | null;
}

/**
 * Problems name the field and the rule, never the value: addresses and subjects are personal
 * data and these messages reach logs and API clients.
 */
export function checkMessage(msg: MailMessage, from: string): { ok: true; message: CheckedMessage } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const bad = (path: string, message: string) => problems.push({ path, message });
  if (typeof msg !== 'object' || msg === null) return { ok: false, problems: [{ path: '', message: 'must be an object' }] };

  const to = typeof msg.to === 'string' ? normaliseEmail(msg.to) : '';
  if (!isValidEmail(to)) bad('/to', 'must be one valid email address');

  if (typeof msg.subject !== 'string' || msg.subject.trim() === '') bad('/subject', 'must be a non-empty string');
  else if (msg.subject.length > MAX_SUBJECT) bad('/subject', `must be at most ${MAX_SUBJECT} characters`);
  else if (CONTROL.test(msg.subject)) bad('/subject', 'must not contain line breaks or control characters');

  for (const key of ['text', 'html'] as const) {
    const v = msg[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') bad(`/${key}`, 'must be a string');
    else if (v.length > MAX_BODY) bad(`/${key}`, `must be at most ${MAX_BODY} characters`);
  }
  const hasBody = [msg.text, msg.html].some((v) => typeof v === 'string' && v.trim() !== '');
  if (!hasBody) bad('/text', 'a text or an html body is required');

  const headers = msg.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) bad('/headers', 'must be an object of strings');
  else {
    const entries = Object.entries(headers);
    if (entries.length > MAX_HEADERS) bad('/headers', `at most ${MAX_HEADERS} headers`);
    for (const [name, value] of entries) {
      if (!HEADER_NAME.test(name)) bad('/headers', 'a header name must be printable ASCII without a colon');
      else if (RESERVED_HEADERS.has(name.toLowerCase())) bad(`/headers/${name}`, 'is set from the message fields');
      else if (typeof value !== 'string') bad(`/headers/${name}`, 'must be a string');
      else if (value.length > MAX_HEADER_VALUE) bad(`/headers/${name}`, `must be at most ${MAX_HEADER_VALUE} characters`);
      else if (CONTROL.test(value)) bad(`/headers/${name}`, 'must not contain line breaks or control characters');
    }
  }

  if (!isSingleMailbox(from)) bad('/from', 'must be one mailbox, such as "Name <address@example.com>"');
  if (msg.contactId !== undefined && !isId(msg.contactId)) bad('/contactId', 'must be a contact id');
  if (msg.purpose !== undefined && (typeof msg.purpose !== 'string' || !PURPOSE.test(msg.purpose)))
    bad('/purpose', 'must be a purpose name');

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    message: {
      to,
      from,
      subject: msg.subject,
      text: msg.text ?? null,
      html: msg.html ?? null,
      headers: { ...headers },
      contactId: msg.contactId ?? null,
      purpose: msg.purpose ?? null,
    },
  };
}

/**
 * Parsed the way nodemailer will parse it, so what passes here is what gets sent. The default
 * sender `no-reply@localhost` has no dotted domain, hence a looser rule than for recipients.
 */
function isSingleMailbox(from: string): boolean {
  if (typeof from !== 'string' || from.length > 320 || CONTROL.test(from)) return false;
  const parsed = addressparser(from);
  if (parsed.length !== 1) return false;
  const only = parsed[0]!;
  return only.group === undefined && /^[^\s@<>]+@[^\s@<>]+$/.test(only.address);
}
