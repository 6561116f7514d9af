import { simpleParser } from 'mailparser';
import { isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';

/**
 * Reads what a returned report says about mail we sent: RFC 3464 delivery status
 * notifications (bounces and delays) and RFC 5965 ARF feedback reports (complaints). Pure: no
 * database, no clock. Anything it cannot read is one AppError `report_invalid` (422) whose
 * `details.reason` names why; it never throws anything else, whatever the bytes.
 */

export type BounceKind = 'hard' | 'soft' | 'complaint';

export interface ReportedProblem {
  kind: BounceKind;
  /** The recipient the report names, normalised (lib/email.ts); null when it names none we could read. */
  address: string | null;
  /** The DSN status (`5.1.1`, `4.2.2`) or, for a complaint, the feedback type (`abuse`, `fraud`). */
  status: string;
}

export interface ParsedReport {
  report: 'delivery-status' | 'feedback-report';
  /** The original message's Message-ID without angle brackets, when the report returned its headers. */
  messageId: string | null;
  /** What the report says went wrong; empty for notices of success and feedback that is no complaint. */
  problems: ReportedProblem[];
}

export type ReportInvalidReason =
  | 'empty'
  | 'too_large'
  | 'unreadable'
  | 'not_a_report'
  | 'unsupported_report_type'
  | 'missing_report_part'
  | 'malformed_report';

// The rule of which hard bounces make an address undeliverable: pure, so the console shows it too.
export { addressFailed } from './bounce.rule.ts';

/** The largest report read: the API route and the SMTP endpoint take no more either. */
export const MAX_REPORT_BYTES = 1024 * 1024;
// A report about one of our mails names one recipient; a relay may batch a few. More are noise.
const MAX_PROBLEMS = 100;
const MAX_FIELDS_BYTES = 64 * 1024;

// Feedback types (RFC 5965 §7.3 and its registry) that say the person did not want the mail.
// `not-spam`, `auth-failure`, `virus` and `other` are about the message or the sender's
// authentication, not the person's wish, and change nothing about their consent.
const COMPLAINT_TYPES = new Set(['abuse', 'fraud']);

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const HEADER_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global-headers',
]);

function invalid(reason: ReportInvalidReason, message: string): AppError {
  return new AppError('report_invalid', message, { reason });
}

export async function parseReport(raw: Buffer, maxBytes = MAX_REPORT_BYTES): Promise<ParsedReport> {
  if (raw.length === 0) throw invalid('empty', 'The report is empty.');
  if (raw.length > maxBytes) throw invalid('too_large', `The report is larger than ${maxBytes} bytes.`);
  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(raw, {
      keepDeliveryStatus: true,
      ignoreEmbedded: true,
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      checksumAlgo: false,
      maxHeadSize: MAX_FIELDS_BYTES,
      maxChildNodes: 50,
    });
  } catch {
    // The parser's message may quote the input; the reason is enough.
    throw invalid('unreadable', 'The message could not be parsed as MIME.');
  }
  const type = mail.headers.get('content-type');
  const value = typeof type === 'object' && type !== null && 'value' in type ? String(type.value).toLowerCase() : '';
  const params = typeof type === 'object' && type !== null && 'params' in type ? (type.params as Record<string, string>) : {};
  if (value !== 'multipart/report') throw invalid('not_a_report', 'The message is not a multipart/report.');
  const reportType = String(params['report-type'] ?? '').toLowerCase();
  // A part cut off after `Content-Type:` has no type at all (mailparser leaves it undefined).
  const parts = mail.attachments.map((a) => ({ type: String(a.contentType ?? '').toLowerCase(), text: a.content.toString('utf8') }));
  const original = parts.find((p) => HEADER_TYPES.has(p.type));
  const messageId = original ? originalMessageId(original.text) : null;

  if (reportType === 'delivery-status') {
    const part = parts.find((p) => DSN_TYPES.has(p.type));
    if (!part) throw invalid('missing_report_part', 'The report has no message/delivery-status part.');
    return { report: 'delivery-status', messageId, problems: deliveryProblems(part.text) };
  }
  if (reportType === 'feedback-report') {
    const part = parts.find((p) => p.type === 'message/feedback-report');
    if (!part) throw invalid('missing_report_part', 'The report has no message/feedback-report part.');
    return { report: 'feedback-report', messageId, problems: feedbackProblems(part.text) };
  }
  throw invalid('unsupported_report_type', 'The report type is neither delivery-status nor feedback-report.');
}

/** Groups of `Name: value` fields separated by blank lines, folded lines unfolded, names lower-cased. */
export function fieldGroups(text: string): Map<string, string[]>[] {
  const groups: Map<string, string[]>[] = [];
  let current: Map<string, string[]> | null = null;
  let last: { name: string; index: number } | null = null;
  for (const line of text.slice(0, MAX_FIELDS_BYTES).split(/\r?\n/)) {
    if (line.trim() === '') {
      current = null;
      last = null;
      continue;
    }
    if (/^[ \t]/.test(line) && current && last) {
      const values = current.get(last.name)!;
      values[last.index] += ' ' + line.trim();
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:(.*)$/.exec(line);
    if (!m) continue;
    if (!current) groups.push((current = new Map()));
    const name = m[1]!.toLowerCase();
    const values = current.get(name) ?? [];
    values.push(m[2]!.trim());
    current.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return groups;
}

function first(group: Map<string, string[]>, name: string): string | undefined {
  return group.get(name)?.[0];
}

function deliveryProblems(text: string): ReportedProblem[] {
  // The first group holds per-message fields (Reporting-MTA…); each later one is a recipient.
  const groups = fieldGroups(text).filter((g) => g.has('final-recipient') || g.has('action'));
  const problems: ReportedProblem[] = [];
  let readable = 0;
  for (const g of groups) {
    const action = (first(g, 'action') ?? '').toLowerCase().replace(/\s*\(.*$/, '');
    const status = statusOf(g);
    if (!action || !g.has('final-recipient')) continue;
    if (action !== 'failed' && action !== 'delayed') {
      if (['delivered', 'relayed', 'expanded'].includes(action)) readable++;
      continue;
    }
    if (!status) continue;
    readable++;
    const kind: BounceKind = action === 'failed' && status.startsWith('5.') ? 'hard' : 'soft';
    if (problems.length < MAX_PROBLEMS) problems.push({ kind, address: typedAddress(first(g, 'final-recipient')!), status });
  }
  if (readable === 0) throw invalid('malformed_report', 'No recipient in the report has a readable Final-Recipient, Action and Status.');
  return problems;
}

// `Status: 5.1.1 (comment)`; when missing or malformed, the enhanced or basic code of an SMTP
// Diagnostic-Code (`smtp; 550 5.1.1 …`, `smtp; 450 …` → 4.0.0).
function statusOf(g: Map<string, string[]>): string | null {
  const s = /^([245])\.(\d{1,3})\.(\d{1,3})(?!\d)/.exec(first(g, 'status') ?? '');
  if (s) return `${s[1]}.${Number(s[2])}.${Number(s[3])}`;
  const d = /^\s*smtp\s*;\s*([245])\d\d(?:[ -]+([245])\.(\d{1,3})\.(\d{1,3})(?!\d))?/i.exec(first(g, 'diagnostic-code') ?? '');
  if (!d) return null;
  if (d[2] && d[2] === d[1]) return `${d[2]}.${Number(d[3])}.${Number(d[4])}`;
  return `${d[1]}.0.0`;
}

function feedbackProblems(text: string): ReportedProblem[] {
  const fields = new Map<string, string[]>();
  for (const g of fieldGroups(text)) for (const [k, v] of g) fields.set(k, [...(fields.get(k) ?? []), ...v]);
  const type = (fields.get('feedback-type')?.[0] ?? '').toLowerCase();
  if (!/^[a-z0-9-]+$/.test(type)) throw invalid('malformed_report', 'The feedback report has no readable Feedback-Type.');
  if (!COMPLAINT_TYPES.has(type)) return [];
  const recipients = (fields.get('original-rcpt-to') ?? []).slice(0, MAX_PROBLEMS);
  if (recipients.length === 0) return [{ kind: 'complaint', address: null, status: type }];
  return recipients.map((r) => ({ kind: 'complaint', address: address(r), status: type }));
}

// `rfc822; ada@example.org` or (RFC 6533) `utf-8; ada@exämple.org`; other address types
// (x400…) are not mail addresses we sent to.
function typedAddress(value: string): string | null {
  const m = /^([^;]*);(.*)$/.exec(value);
  if (!m) return null;
  const type = m[1]!.trim().toLowerCase();
  if (type !== 'rfc822' && type !== 'utf-8') return null;
  return address(m[2]!);
}

function address(value: string): string | null {
  const bare = value
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .trim();
  const written = normaliseEmail(bare);
  return isValidEmail(written) ? written : null;
}

// The returned message (or its headers): the header block up to the first blank line.
function originalMessageId(text: string): string | null {
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const values = fieldGroups(head)[0]?.get('message-id');
  // Printable ASCII only (RFC 5322 msg-id): it is looked up in the database, where a NUL cannot go.
  const m = /^<?([\x21-\x3b\x3d\x3f-\x7e]{1,250})>?$/.exec(values?.[0]?.trim() ?? '');
  return m ? m[1]! : null;
}
