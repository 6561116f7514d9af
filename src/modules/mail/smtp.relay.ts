import nodemailer, { type SMTPPoolSentMessageInfo, type SMTPPoolOptions, type Transporter } from 'nodemailer';
import { AppError } from '../../lib/errors.ts';
import { sha256 } from '../../lib/crypto.ts';
import type { SmtpSettings } from '../settings/module.ts';
import type { CheckedMessage } from './mail.validate.ts';

// A dead or blackholed relay must fail a send in seconds, not after nodemailer's defaults
// (two minutes to connect, ten of silence); the overall cap also ends a relay that trickles
// replies, which no socket timeout notices.
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;
const DNS_TIMEOUT_MS = 10_000;
const SEND_TIMEOUT_MS = 60_000;

/** The connection timeouts, shared with the batch sender's connections (relay.lanes.ts). */
export const relayTimeouts = {
  connectionTimeout: CONNECTION_TIMEOUT_MS,
  greetingTimeout: GREETING_TIMEOUT_MS,
  socketTimeout: SOCKET_TIMEOUT_MS,
  dnsTimeout: DNS_TIMEOUT_MS,
} as const;

type Pool = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

interface Relay {
  key: string;
  transport: Pool;
  /** Sends in flight: a replaced relay is closed only once they are done, so none of them is cut off. */
  busy: number;
}

/**
 * Pooled SMTP transports, one per distinct relay configuration. Settings are read on every
 * send, so a changed configuration shows up as a new key: a new pool is built and the old
 * one closed. The pool is a connection cache, not state another process needs.
 */
export class SmtpRelays {
  private current: Relay | null = null;
  private readonly draining = new Set<Relay>();

  async send(smtp: SmtpSettings, msg: CheckedMessage): Promise<string> {
    const relay = this.relayFor(smtp);
    relay.busy++;
    try {
      const info = await relay.transport.sendMail({
        from: msg.from,
        to: msg.to,
        subject: msg.subject,
        ...(msg.text !== null && { text: msg.text }),
        ...(msg.html !== null && { html: msg.html }),
        headers: msg.headers,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      return info.messageId;
    } catch (e) {
      throw relayFailure(e);
    } finally {
      relay.busy--;
      if (relay !== this.current && relay.busy === 0) this.shut(relay);
    }
  }

  /** Drops the current pool (SMTP was switched off): idle connections to a relay no longer used would linger. */
  release(): void {
    if (this.current) this.retire(this.current);
    this.current = null;
  }

  /** Closes every pool; deliveries already under way finish first. */
  close(): void {
    if (this.current) this.current.transport.close();
    for (const r of this.draining) r.transport.close();
    this.current = null;
    this.draining.clear();
  }

  private relayFor(smtp: SmtpSettings): Relay {
    const key = configKey(smtp);
    if (this.current?.key === key) return this.current;
    if (this.current) this.retire(this.current);
    this.current = { key, transport: buildTransport(smtp), busy: 0 };
    return this.current;
  }

  private retire(relay: Relay): void {
    if (relay.busy === 0) relay.transport.close();
    else this.draining.add(relay);
  }

  private shut(relay: Relay): void {
    this.draining.delete(relay);
    relay.transport.close();
  }
}

/** Only what the connection depends on: a new `from` is a message default and reuses the pool. Hashed so no password sits in a map key. */
export function configKey(s: SmtpSettings): string {
  return sha256(JSON.stringify([s.host, s.port, s.secure, s.user ?? null, s.password ?? null, s.rejectUnauthorized ?? true]));
}

function buildTransport(s: SmtpSettings): Pool {
  return nodemailer.createTransport({
    pool: true,
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    tls: { rejectUnauthorized: s.rejectUnauthorized ?? true },
    ...relayTimeouts,
    // nodemailer's own logging would write addresses and message data.
    logger: false,
    debug: false,
    // Bodies are strings we were given; nothing in a message may make the server read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

// Failures before any of the message was handed over: it was certainly not taken. A timeout
// (nodemailer reports every timeout as ETIMEDOUT) or a connection lost on the way may come after
// the data was sent, and so may have delivered it.
const BEFORE_DATA = new Set(['EDNS', 'EAUTH', 'ETLS', 'EENVELOPE', 'ECONFIG', 'EREQUIRETLS']);
// The socket's own code, for a connection that never opened.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const refused = new WeakSet<AppError>();

/**
 * Whether a failed send certainly did not deliver: the relay answered with a refusal (a reply
 * code), or the failure came before the message was handed over. Anything else may have
 * delivered it, and a send under a key is then not repeated.
 */
export function certainlyNotSent(e: unknown): boolean {
  return e instanceof AppError && refused.has(e);
}

/**
 * nodemailer's messages and server replies often quote the recipient ("550 <a@b>: no such
 * user"), so only the error code and the reply's status number are passed on.
 */
function relayFailure(e: unknown): AppError {
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    code?: unknown;
    originalCode?: unknown;
    responseCode?: unknown;
    permanent?: unknown;
  };
  const reason = typeof err.code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(err.code) ? err.code : 'UNKNOWN';
  const status = typeof err.responseCode === 'number' && Number.isInteger(err.responseCode) ? err.responseCode : undefined;
  const details: { reason: string; status?: number; permanent?: boolean } = { reason };
  if (status !== undefined) details.status = status;
  if (typeof err.permanent === 'boolean') details.permanent = err.permanent;
  const failure = new AppError(
    'mail_failed',
    `the SMTP relay did not take the message (${reason}${status !== undefined ? ` ${status}` : ''})`,
    details,
  );
  if (status !== undefined || BEFORE_DATA.has(reason) || (typeof err.originalCode === 'string' && NEVER_CONNECTED.has(err.originalCode)))
    refused.add(failure);
  return failure;
}
