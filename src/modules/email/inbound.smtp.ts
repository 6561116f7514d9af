import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import { isAppError } from '../../lib/errors.ts';
import type { SettingsService } from '../settings/module.ts';
import type { BounceService } from './bounce.service.ts';
import { MAX_REPORT_BYTES } from './dsn.parse.ts';
import type { UnsubscribeService } from './unsubscribe.service.ts';

/** Connections and reports per client address and minute, counted in the database (every process shares them). */
const CONNECTIONS: Limit = { scope: 'bounce-smtp:connect', max: 60, windowMs: 60_000 };
const REPORTS: Limit = { scope: 'bounce-smtp:report', max: 120, windowMs: 60_000 };
/** Connections at once, per process. */
const MAX_CLIENTS = 20;

/** An SMTP reply the client sees: smtp-server sends `responseCode` and the message. */
function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The SMTP endpoint for bounces and complaints (setting `bounceInbound`, off by default): a mail
 * server that receives what comes back (the envelope sender's domain points its MX here, or a
 * local mail server forwards to it) hands each report over in an SMTP conversation, and it is
 * handled as `POST /api/v1/bounces` would, except that only reports naming one of our sends by
 * Message-ID do anything: the endpoint has no authentication. No AUTH, no STARTTLS (listen on
 * loopback or a private network, behind the mail server that faces the internet); reports of at
 * most 1 MiB (SIZE is announced); limits per client address on connections and reports.
 * Replies: 250 taken (whatever it matched: a sender learns nothing about our sends), 550 not a
 * report we can read, 552 too large, 421 rate-limited, 451 our failure (the sender retries).
 *
 * It also reads the mail that the List-Unsubscribe header's mailto sends (`unsubscribe@` the
 * sender's domain, subject `unsubscribe <token>`; links.ts): routed here by the mail server, such
 * a mail leaves exactly as the one-click POST does. The token is the proof, as in the link; the
 * answer is 250 whether it named a send or not.
 */
export class BounceInbound {
  private server: SMTPServer | null = null;

  constructor(
    private readonly bounces: Pick<BounceService, 'receive'>,
    private readonly unsubscribes: Pick<UnsubscribeService, 'unsubscribe'>,
    private readonly settings: Pick<SettingsService, 'get'>,
    private readonly limiter: Pick<RateLimiter, 'hit'>,
    private readonly log: Logger,
  ) {}

  /** Starts listening when the setting is set; returns the bound port, or null when off. */
  async start(): Promise<number | null> {
    if (this.server) return this.port();
    const where = (await this.settings.get()).bounceInbound;
    if (!where) return null;
    const server = new SMTPServer({
      logger: false,
      banner: 'Assent bounce endpoint',
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      size: MAX_REPORT_BYTES,
      maxClients: MAX_CLIENTS,
      socketTimeout: 60_000,
      closeTimeout: 10_000,
      onConnect: (session, cb) => void this.limit(CONNECTIONS, session).then(() => cb(), cb),
      onData: (stream, session, cb) => void this.onData(stream, session).then(() => cb(), cb),
    });
    // A client that drops mid-conversation is its own business, not the server's failure.
    server.on('error', (e: Error & { code?: string }) => this.log.warn({ code: e.code ?? 'error' }, 'bounce endpoint: connection error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(where.port, where.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info({ port: this.port() }, 'bounce endpoint listening');
    return this.port();
  }

  port(): number | null {
    const a = this.server?.server.address();
    return a && typeof a === 'object' ? a.port : null;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async limit(limit: Limit, session: SMTPServerSession): Promise<void> {
    const { count } = await this.limiter.hit(limit, session.remoteAddress || 'unknown');
    if (count > limit.max) throw reply(421, 'Too many connections or reports; try again later');
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Past the limit the rest is read and dropped: the conversation must reach its end to answer.
      if (size <= MAX_REPORT_BYTES) parts.push(chunk);
    }
    if (stream.sizeExceeded || size > MAX_REPORT_BYTES) throw reply(552, 'Report too large');
    await this.limit(REPORTS, session);
    const raw = Buffer.concat(parts);
    const token = unsubscribeToken(raw);
    try {
      // The client is the person's mail server, not the person: no address or agent of theirs to keep.
      if (token !== null) await this.unsubscribes.unsubscribe(token, { ip: null, userAgent: 'mailto unsubscribe' });
      else await this.bounces.receive(raw, { source: 'smtp', actor: { type: 'system', id: null }, requireSend: true });
    } catch (e) {
      if (isAppError(e) && e.code === 'report_invalid') throw reply(550, 'Not a delivery status notification or feedback report');
      this.log.error({ code: isAppError(e) ? e.code : 'internal' }, 'bounce endpoint: report not handled');
      throw reply(451, 'Try again later');
    }
  }
}

/** Header lines end at the first empty line; a long one is folded over several (RFC 5322 §2.2.3). */
const HEADER_END = /\r?\n\r?\n/;
/** The mailto's subject: `unsubscribe` and one token (signed.ts tokens are base64url and dots). */
const UNSUBSCRIBE_SUBJECT = /^subject:[ \t]*unsubscribe[ \t]+([A-Za-z0-9_.-]{16,1000})[ \t]*$/im;

/** The token of a mail the List-Unsubscribe mailto wrote, or null for any other mail (a report). */
export function unsubscribeToken(raw: Buffer): string | null {
  // Headers only, and at most 64 KiB of them: the subject is near the top of any real mail.
  const head = raw.subarray(0, 65_536).toString('latin1');
  const end = HEADER_END.exec(head);
  const headers = (end ? head.slice(0, end.index) : head).replace(/\r?\n[ \t]+/g, ' ');
  return UNSUBSCRIBE_SUBJECT.exec(headers)?.[1] ?? null;
}
