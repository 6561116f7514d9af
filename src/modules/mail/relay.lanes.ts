import SMTPConnection, { type SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import type { SmtpSettings } from '../settings/module.ts';
import type { HeldBody } from './held-body.ts';
import { configKey, relayTimeouts } from './smtp.relay.ts';

/** As many connections to a relay as nodemailer's pool opens by default. */
export const LANES = 5;
/** A connection is renewed after this many messages, as nodemailer's pool does. */
const MESSAGES_PER_CONNECTION = 100;

/**
 * One SMTP connection, used for one message at a time. It is nodemailer's SMTPConnection
 * rather than its pool because the pool wraps a raw stream in a MIME node that starts reading
 * it at once, before the relay has accepted the envelope; with the connection itself, the
 * stream is read only after the relay's 354, which is what HeldBody.consumed reports.
 */
class Lane {
  private conn: SMTPConnection | null = null;
  private used = 0;

  constructor(private readonly smtp: SmtpSettings) {}

  async send(envelope: { from: string; to: string[] }, body: HeldBody): Promise<SMTPConnectionSendInfo> {
    const c = await this.open();
    this.used++;
    return new Promise((resolve, reject) =>
      c.send(envelope, body, (err, info) => {
        if (!err) return resolve(info!);
        // A refused message leaves the session in a state only RSET repairs; a new connection is simpler and as safe.
        this.drop(c);
        reject(err);
      }),
    );
  }

  /** Cuts the connection now: a message mid-stream is left unterminated, so the relay discards it. */
  abort(): void {
    if (this.conn) this.drop(this.conn);
  }

  close(): void {
    if (this.conn) this.conn.quit();
    this.conn = null;
  }

  private drop(c: SMTPConnection): void {
    c.close();
    if (this.conn === c) this.conn = null;
  }

  private open(): Promise<SMTPConnection> {
    if (this.conn && this.used < MESSAGES_PER_CONNECTION) return Promise.resolve(this.conn);
    this.close();
    const s = this.smtp;
    return new Promise((resolve, reject) => {
      const c = new SMTPConnection({
        host: s.host,
        port: s.port,
        secure: s.secure,
        tls: { rejectUnauthorized: s.rejectUnauthorized ?? true },
        ...relayTimeouts,
        // nodemailer's own logging would write addresses and message data.
        logger: false,
        debug: false,
      });
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        c.close();
        reject(e);
      };
      // A connection that fails to open reports it here, and not always to connect's callback.
      c.on('error', (e) => {
        if (this.conn === c) this.conn = null;
        fail(e);
      });
      c.once('end', () => {
        if (this.conn === c) this.conn = null;
        fail(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' }));
      });
      c.connect((err) => {
        if (err) return fail(err);
        const ready = () => {
          if (settled) return;
          settled = true;
          this.conn = c;
          this.used = 0;
          resolve(c);
        };
        if (!s.user) return ready();
        c.login({ user: s.user, pass: s.password ?? '' }, (e) => (e ? fail(e) : ready()));
      });
    });
  }
}

export class RelayLanes {
  readonly key: string;
  private readonly free: Lane[];
  private readonly waiting: ((lane: Lane) => void)[] = [];
  private busy = 0;
  private closing = false;

  constructor(smtp: SmtpSettings) {
    this.key = configKey(smtp);
    this.free = Array.from({ length: LANES }, () => new Lane(smtp));
  }

  readonly size = LANES;

  acquire(): Promise<Lane> {
    this.busy++;
    const lane = this.free.pop();
    return lane ? Promise.resolve(lane) : new Promise((resolve) => this.waiting.push(resolve));
  }

  release(lane: Lane): void {
    this.busy--;
    const next = this.waiting.shift();
    if (next) return next(lane);
    this.free.push(lane);
    if (this.closing && this.busy === 0) this.closeNow();
  }

  /** Closes idle connections now and the others once their messages are done. */
  close(): void {
    this.closing = true;
    if (this.busy === 0) this.closeNow();
  }

  private closeNow(): void {
    for (const l of this.free) l.close();
  }
}

export type { Lane };
