import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import addressparser from 'nodemailer/lib/addressparser';
import { type DkimKey, dkimSign } from './dkim.ts';
import { buildSync } from './mime.build.ts';
import type { CheckedMessage } from './mail.validate.ts';

/**
 * `<sendId@domain of the From>`: one per send, so a reply, bounce or complaint that quotes it
 * names the send, and a relay that deduplicates on it sees a repeat as one message.
 */
export function messageIdFor(sendId: string, from: string): string {
  const address = addressparser(from)[0]?.address ?? '';
  const domain = address.slice(address.lastIndexOf('@') + 1) || 'localhost';
  return `<${sendId}@${domain}>`;
}

/** The envelope sender: the address inside `from` (checked by checkMessage to be one mailbox). */
export function envelopeFrom(from: string): string {
  return addressparser(from)[0]?.address ?? from;
}

/** Random bytes drawn a page at a time: each draw is a system call, and a message needs eight bytes. */
let pool = Buffer.alloc(0);
let used = 0;

/**
 * The random part of a message's MIME boundaries, unguessable so no content can forge one
 * (nodemailer draws it per part, three draws for a two-part mail; one is enough, its parts are
 * numbered).
 */
function boundaryBase(): string {
  if (used + 8 > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += 8;
  return pool.toString('hex', used - 8, used);
}

/** The message's bytes as the relay will get them, DKIM-signed when a key is set. */
export async function composeMessage(m: CheckedMessage, messageId: string, date: Date, dkim: DkimKey | null): Promise<Buffer> {
  const root = new MailComposer({
    from: m.from,
    to: m.to,
    subject: m.subject,
    ...(m.text !== null && { text: m.text }),
    ...(m.html !== null && { html: m.html }),
    headers: m.headers,
    messageId,
    date,
    baseBoundary: boundaryBase(),
    // Bodies are strings we were given; nothing in a message may make the server read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  const raw = buildSync(root) ?? (await root.build());
  return dkim ? dkimSign(raw, dkim) : raw;
}
