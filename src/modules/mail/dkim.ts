import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** The `dkim` setting as the sender uses it. */
export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
}

/**
 * The headers signed when present, in this order: RFC 6376 §5.4.1's list plus the
 * List-Unsubscribe pair, which RFC 8058 §4 requires a signature to cover before a receiver
 * offers one-click unsubscribe. The same list as nodemailer's signer, so a test can compare
 * the two signatures byte for byte.
 */
const SIGNED_FIELDS = [
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'to',
  'cc',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'resent-date',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-message-id',
  'in-reply-to',
  'references',
  'list-id',
  'list-help',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-subscribe',
  'list-post',
  'list-owner',
  'list-archive',
  'otp-token',
];

const keys = new Map<string, KeyObject>();

function keyObject(pem: string): KeyObject {
  let k = keys.get(pem);
  if (!k) {
    // One key in use at a time; a changed setting replaces it rather than growing the cache.
    keys.clear();
    keys.set(pem, (k = createPrivateKey({ key: pem, format: 'pem' })));
  }
  return k;
}

/**
 * Signs a complete message (CRLF line ends, as MailComposer builds it) with relaxed/relaxed
 * canonicalisation and returns it with the DKIM-Signature header in front. Done on the whole
 * message before any byte goes to the relay: the signature header comes first, and a message
 * is small enough to hold.
 */
export function dkimSign(message: Buffer, dkim: DkimKey): Buffer {
  const split = message.indexOf('\r\n\r\n');
  const head = split < 0 ? message.toString('latin1') : message.subarray(0, split + 2).toString('latin1');
  const body = split < 0 ? Buffer.alloc(0) : message.subarray(split + 4);
  const bh = createHash('sha256').update(relaxedBody(body)).digest('base64');

  const fields = new Map<string, string>();
  // The last instance of a field is the one signed first (RFC 6376 §5.4.2); one instance each here.
  for (const line of unfoldHeaders(head).reverse()) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, relaxedHeader(line));
  }
  const signed = SIGNED_FIELDS.filter((f) => fields.has(f));
  const key = keyObject(dkim.privateKey);
  const ed = key.asymmetricKeyType === 'ed25519';
  const tags = [
    'v=1',
    `a=${ed ? 'ed25519' : 'rsa'}-sha256`,
    'c=relaxed/relaxed',
    `d=${clean(dkim.domain).toLowerCase()}`,
    'q=dns/txt',
    `s=${clean(dkim.selector)}`,
    `bh=${bh}`,
    `h=${signed.join(':')}`,
  ].join('; ');
  const header = `DKIM-Signature: ${tags};\r\n b=`;
  const data = `${signed.map((f) => fields.get(f)).join('')}${relaxedHeader(header)}`.replace(/\r\n$/, '');
  const bytes = Buffer.from(data, 'latin1');
  // RFC 8463: Ed25519 signs the SHA-256 hash of the data; RSA signs the data with SHA-256.
  const b = (ed ? sign(null, createHash('sha256').update(bytes).digest(), key) : sign('sha256', bytes, key)).toString('base64');
  const folded = b.replace(/.{1,72}/g, (chunk, at: number) => (at === 0 ? chunk : `\r\n ${chunk}`));
  return Buffer.concat([Buffer.from(`${header}${folded}\r\n`, 'latin1'), message]);
}

/** A tag value cannot end its tag or open another. */
function clean(v: string): string {
  return v.replace(/[\u0000-\u0020\u007f;=]/g, '');
}

function unfoldHeaders(head: string): string[] {
  const lines: string[] = [];
  for (const line of head.split('\r\n')) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && lines.length) lines[lines.length - 1] += `\r\n${line}`;
    else lines.push(line);
  }
  return lines;
}

/** RFC 6376 §3.4.2: lower-case name, unfolded, runs of WSP as one SP, none around the colon or at the end. */
function relaxedHeader(line: string): string {
  const colon = line.indexOf(':');
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}\r\n`;
}

/** RFC 6376 §3.4.4: runs of WSP as one SP, none at line ends, no empty lines at the end; CRLF-terminated when not empty. */
function relaxedBody(body: Buffer): Buffer {
  const lines = body
    .toString('latin1')
    .split('\r\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return Buffer.from(lines.length ? `${lines.join('\r\n')}\r\n` : '', 'latin1');
}
