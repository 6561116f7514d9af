import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  to: string;
  raw: Buffer;
  /** When the terminator arrived (ms since the epoch). */
  at: number;
}

/** How the sink answers a recipient: `rcpt` at RCPT TO, `data` after the terminator; null accepts. */
export type SinkScript = (address: string) => { rcpt?: number; data?: number } | null;

/**
 * A real SMTP server on a loopback port that answers each recipient as the test scripts it
 * (`451` or `550` at RCPT, or after the data), keeps every accepted message whole, and shows
 * the bytes of messages still being streamed (no terminator yet).
 */
export interface ScriptedSink {
  port: number;
  relay(): { host: string; port: number; secure: false; from: string };
  messages(): SinkMessage[];
  count(address: string): number;
  /** Recipients whose message has bytes here but no terminator yet, with the bytes so far. */
  streaming(): Map<string, number>;
  /** Connections the sink has seen close. */
  closed(): number;
  script(s: SinkScript): void;
  close(): Promise<void>;
}

export async function startScriptedSink(initial: SinkScript = () => null): Promise<ScriptedSink> {
  let script = initial;
  const got: SinkMessage[] = [];
  const inFlight = new Map<string, { to: string; bytes: number }>();
  let closed = 0;
  const reply = (code: number) => Object.assign(new Error(`${code} scripted answer`), { responseCode: code });
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: 0,
    onRcptTo(address, _session, cb) {
      const a = script(address.address.toLowerCase());
      if (a?.rcpt) return cb(reply(a.rcpt));
      cb();
    },
    onData(stream, session, cb) {
      const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(',');
      const chunks: Buffer[] = [];
      const entry = { to, bytes: 0 };
      inFlight.set(session.id, entry);
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        entry.bytes += c.length;
      });
      stream.on('end', () => {
        inFlight.delete(session.id);
        const a = script(to);
        if (a?.data) return cb(reply(a.data));
        got.push({ to, raw: Buffer.concat(chunks), at: Date.now() });
        cb();
      });
    },
    onClose(session) {
      // A message without its terminator is dropped with its connection: what a relay does.
      inFlight.delete(session.id);
      closed++;
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    relay: () => ({ host: '127.0.0.1', port, secure: false, from: 'News <news@example.com>' }),
    messages: () => [...got],
    count: (a) => got.filter((m) => m.to === a.toLowerCase()).length,
    streaming: () => new Map([...inFlight.values()].map((e) => [e.to, e.bytes])),
    closed: () => closed,
    script: (s) => {
      script = s;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
