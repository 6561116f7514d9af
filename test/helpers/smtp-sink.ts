import { SMTPServer } from 'smtp-server';

/** A real SMTP server on a loopback port that counts the messages it accepts, per recipient. */
export interface SmtpSink {
  port: number;
  /** Messages accepted for the address (lower case). */
  count(address: string): number;
  /** Every recipient and how many messages it got. */
  counts(): Map<string, number>;
  total(): number;
  /** The settings `smtp` value that sends here. */
  relay(): { host: string; port: number; secure: false; from: string };
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const got = new Map<string, number>();
  let total = 0;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        // Counted when the message is accepted: what a relay has taken is what was sent.
        total++;
        for (const r of session.envelope.rcptTo) got.set(r.address.toLowerCase(), (got.get(r.address.toLowerCase()) ?? 0) + 1);
        cb();
      });
    },
  });
  // A client killed mid-conversation resets its connection: that is the test, not a failure of the sink.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    count: (a) => got.get(a.toLowerCase()) ?? 0,
    counts: () => new Map(got),
    total: () => total,
    relay: () => ({ host: '127.0.0.1', port, secure: false, from: 'privacy@example.com' }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
