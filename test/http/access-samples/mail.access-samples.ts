import { SMTPServer } from 'smtp-server';
import type { Samples } from '../../helpers/access-samples.ts';
import { transportOf } from '../../helpers/mail.ts';

/**
 * A relay for the test message: a real SMTP server that takes everything, started once and
 * unreferenced (it never keeps the test process alive). The sample leaves the relay set: mail of
 * later samples then goes through it instead of the outbox, which none of them reads.
 */
let relay: Promise<number> | undefined;
function relayPort(): Promise<number> {
  relay ??= new Promise((resolve) => {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      onData(stream, _session, cb) {
        stream.on('data', () => undefined);
        stream.on('end', () => cb());
      },
    });
    server.on('error', () => undefined);
    server.listen(0, '127.0.0.1', () => {
      server.server.unref();
      resolve((server.server.address() as { port: number }).port);
    });
  });
  return relay;
}

/** A request that succeeds for each route of the mail module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'GET /api/v1/outbox': async () => ({ expect: 200 }),
  'GET /api/v1/outbox/:id': async (t) => {
    const r = await transportOf(t.services).send({ to: 'reader@example.com', subject: 'Hello', text: 'Hi' });
    return { url: `/api/v1/outbox/${r.id}`, expect: 200, target: r.id };
  },
  'POST /api/v1/settings/smtp/test': async (t) => {
    await t.services.settings.patch({ smtp: { host: '127.0.0.1', port: await relayPort(), secure: false, from: 'ops@example.com' } });
    return { payload: { to: 'ops@example.com' }, expect: 200 };
  },
};
