import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../http/auth.ts';
import { listPage, PageQuery } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, Id, List, Obj, withExamples } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import type { BounceService } from './bounce.service.ts';
import { MAX_REPORT_BYTES } from './dsn.parse.ts';

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface BounceRouteDeps {
  bounces: BounceService;
}

// Base64 of the largest report, with room for line breaks and the JSON around it.
const JSON_BODY_LIMIT = Math.ceil((MAX_REPORT_BYTES * 4) / 3) + 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

const Kind = Type.Union([Type.Literal('hard'), Type.Literal('soft'), Type.Literal('complaint')], {
  description: 'hard: a permanent failure (5.x.x); soft: temporary (4.x.x) or delayed; complaint: an ARF abuse or fraud report',
});

const Outcome = Obj({
  id: Type.Union([Type.String(), Type.Null()], { description: 'the bounce record; null when nothing was recorded' }),
  kind: Kind,
  status: Type.String({ description: 'the DSN status (5.1.1) or the feedback type (abuse)' }),
  sendId: Type.Union([Type.String(), Type.Null()]),
  contactId: Type.Union([Type.String(), Type.Null()]),
  effect: Type.Union(
    [
      Type.Literal('undeliverable'),
      Type.Literal('consent_lowered'),
      Type.Literal('recorded'),
      Type.Literal('duplicate'),
      Type.Literal('unmatched'),
    ],
    {
      description:
        'undeliverable: the address is refused from now on; consent_lowered: the contact is below marketing now; recorded: ' +
        'kept only (soft bounce, a hard bounce of that message only such as 5.7.1 or 5.2.2, or nobody to lower); duplicate: this ' +
        'report for this send was received before; unmatched: it ' +
        'names no send or address of ours',
    },
  ),
});

const Received = Obj({
  report: Type.Union([Type.Literal('delivery-status'), Type.Literal('feedback-report')]),
  outcomes: Type.Array(Outcome),
});

const BounceSchema = Obj({
  id: Type.String(),
  receivedAt: Type.String(),
  kind: Kind,
  address: Type.String({ description: 'the address it reports, normalised' }),
  contactId: Type.Union([Type.String(), Type.Null()]),
  sendId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  source: Type.Union([Type.Literal('smtp'), Type.Literal('api')]),
});

const BOUNCE = {
  id: '01938b10-7a2c-7d3e-8f4a-5b6c7d8e9f0a',
  receivedAt: '2026-12-01T10:20:30.000Z',
  kind: 'hard' as const,
  address: 'lena.fischer@example.org',
  contactId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f',
  sendId: '01938b0f-1111-7222-8333-944455556666',
  status: '5.1.1',
  source: 'api' as const,
};

const DSN_EXAMPLE =
  'Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n' +
  'Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; lena.fischer@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n' +
  '\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: ' +
  '<01938b0f-1111-7222-8333-944455556666@assent.example.com>\r\n\r\n--b--\r\n';

export const bounceRoutes =
  (s: BounceRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Bytes: the report's parts declare their own charsets and transfer encodings.
    app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT }, (_req, body, done) => done(null, body));

    app.post(
      '/bounces',
      {
        bodyLimit: JSON_BODY_LIMIT,
        // The raw report is read by the parser, which never stores what it cannot hold.
        config: { access: { area: 'messages', op: 'write' }, audit: { action: 'bounce.receive', target: 'bounce' }, textBody: 'reader' },
        schema: {
          tags: ['bounces'],
          summary: 'Receive a bounce (RFC 3464 delivery status notification) or a complaint (RFC 5965 feedback report)',
          description:
            'For a relay or a mailbox poller that hands over what comes back. The body is the report as received, at most 1 MiB: ' +
            'raw (Content-Type: message/rfc822) or as JSON `{"raw": "<base64>"}`. The report is matched to the send it is about ' +
            "by the original message's Message-ID (returned in a message/rfc822 or text/rfc822-headers part), else to a contact " +
            'by the address it names; a report about a send is about the address the send went to. A hard bounce (action failed, ' +
            'status 5.x.x) whose status says the address failed (RFC 3463: 5.1.x except 5.1.7 and 5.1.8, 5.2.1 mailbox disabled, ' +
            '5.4.4 no such domain) makes the address undeliverable: later sends to ' +
            'it are refused with reason `undeliverable`. Any other hard bounce (5.7.x policy or spam blocks, 5.2.2 mailbox full, ' +
            '5.2.3 too large, 5.3.x, 5.5.x, 5.6.x) failed that message only: it is recorded and counted, the address stays ' +
            "sendable. A complaint (feedback type abuse or fraud) lowers the contact's consent " +
            'to just below what marketing needs, recorded in the ledger with source `complaint`. A soft bounce (4.x.x, or action ' +
            "delayed) is only recorded. A campaign send adds to its campaign's `bounced` or `complained` totals. The same report " +
            'for the same send twice changes nothing the second time. A report that cannot be read is 422 `report_invalid` ' +
            '(`details.reason` says why); a larger body 413 `payload_too_large`.',
          consumes: ['message/rfc822', 'application/json'],
          body: {
            content: {
              'message/rfc822': { schema: Type.Unsafe<Buffer>({ description: 'The report as received.', examples: [DSN_EXAMPLE] }) },
              'application/json': {
                schema: withExamples(
                  Obj({ raw: Type.String({ minLength: 1, maxLength: JSON_BODY_LIMIT, description: 'the report, base64-encoded' }) }),
                  { raw: Buffer.from(DSN_EXAMPLE).toString('base64') },
                ),
              },
            },
          },
          response: {
            200: withExamples(Data(Received), {
              data: {
                report: 'delivery-status',
                outcomes: [
                  {
                    id: BOUNCE.id,
                    kind: 'hard',
                    status: '5.1.1',
                    sendId: BOUNCE.sendId,
                    contactId: BOUNCE.contactId,
                    effect: 'undeliverable',
                  },
                ],
              },
            }),
            413: ErrorBody,
            415: ErrorBody,
            422: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const raw = rawOf(req.body);
        if (raw.length > MAX_REPORT_BYTES) throw new AppError('payload_too_large', `a report is at most ${MAX_REPORT_BYTES} bytes`);
        const actor = actorOf(req);
        const result = await s.bounces.receive(raw, { source: 'api', actor: { type: actor.type, id: actor.id }, requireSend: false });
        req.auditCount = result.outcomes.filter((o) => o.id !== null).length;
        return { data: result };
      },
    );

    app.get(
      '/bounces',
      {
        config: { access: { area: 'messages', op: 'read' }, audit: { action: 'bounce.list', target: 'bounce' } },
        schema: {
          tags: ['bounces'],
          summary: 'Bounces and complaints received, newest first',
          description:
            'Every report recorded (from the API and the SMTP endpoint), newest first, optionally of one `kind` or one `contact`. ' +
            'Records are kept one year.',
          querystring: withExamples(Obj({ ...PageQuery, kind: Type.Optional(Kind), contact: Type.Optional(Id) }), {
            limit: 20,
            kind: 'hard',
          }),
          response: {
            200: withExamples(List(BounceSchema), { data: [BOUNCE], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const f = { ...(req.query.kind ? { kind: req.query.kind } : {}), ...(req.query.contact ? { contactId: req.query.contact } : {}) };
        return listPage(
          req.query,
          (limit, after) => s.bounces.list(f, limit, after),
          () => s.bounces.total(f),
        );
      },
    );
  };

function rawOf(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  const raw = (body as { raw?: unknown } | null)?.raw;
  if (typeof raw !== 'string') throw new AppError('unsupported_media_type', 'send the report as message/rfc822 or JSON {"raw": base64}');
  if (!BASE64.test(raw))
    throw new AppError('validation_failed', 'raw is not base64', [{ in: 'body', path: '/raw', message: 'not base64' }]);
  return Buffer.from(raw, 'base64');
}
