import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Data, ErrorBody, Obj, withExamples } from '../../http/schemas.ts';
import type { RelayTest } from './relay-test.service.ts';

const RelayTestBody = Obj({ to: Type.String({ minLength: 3, maxLength: 254, description: 'the address to send the test message to' }) });
const RelayTestResultSchema = Obj({
  messageId: Type.String({ description: 'the Message-ID the relay took the message under' }),
  host: Type.String(),
  port: Type.Integer(),
});

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface RelayTestRouteDeps {
  relayTest: RelayTest;
}

export const relayTestRoutes =
  (s: RelayTestRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/settings/smtp/test',
      {
        config: { access: { area: 'settings', op: 'write' }, audit: { action: 'settings.smtp_test', target: 'settings' } },
        schema: {
          tags: ['mail'],
          summary: 'Send a test message through the configured SMTP relay',
          description:
            'Sends one short message through the relay in the `smtp` setting (as saved) to `to`, and answers once the relay ' +
            'took it, with its Message-ID. A relay that refuses or cannot be reached is 502 `mail_failed`, with `details.reason` ' +
            '(the failure: `ECONNECTION`, `ETIMEDOUT`, `EAUTH`, `ETLS`, `EENVELOPE`, …) and `details.status` (the SMTP reply code, ' +
            'when it answered one); no relay set is 409 `smtp_not_set`; an address that cannot receive mail is 400 ' +
            '`validation_failed`. Nothing is kept of the address.',
          body: withExamples(RelayTestBody, { to: 'postmaster@example.com' }),
          response: {
            200: withExamples(Data(RelayTestResultSchema), {
              data: { messageId: '<5c1a9e2f-7d3b-4c8a-9e0f-1a2b3c4d5e6f@example.com>', host: 'smtp.example.com', port: 587 },
            }),
            409: ErrorBody,
            502: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.relayTest.send(req.body.to) }),
    );
  };
