import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { mayRaiseConsent, WITHDRAWAL_ACCESS } from '../../http/access.ts';
import { actorOf } from '../../http/auth.ts';
import { commonErrors, Data, IdParams, Obj, Id } from '../../http/schemas.ts';
import type { Clock } from '../../lib/clock.ts';
import type { ConsentService } from './consent.service.ts';
import type { LedgerService } from './ledger.service.ts';
import type { Source } from './consent.model.ts';
import { formatAnchor, parseAnchor } from './ledger.chain.ts';
import {
  Caller,
  GateAnswerSchema,
  GuardianConsentSchema,
  LedgerEntrySchema,
  NoticeSchema,
  Purpose,
  SetLevelSchema,
} from './consent.schemas.ts';

const read = { area: 'consent', op: 'read' } as const;
const write = { area: 'consent', op: 'write' } as const;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface ConsentRouteDeps {
  clock: Clock;
  consent: ConsentService;
  ledger: LedgerService;
}

export const consentRoutes =
  (s: ConsentRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/contacts/:id/consent/check',
      {
        config: { access: read, audit: { action: 'consent.check', target: 'contact' } },
        schema: {
          tags: ['consent'],
          summary: 'Ask the consent gate: may this contact be processed for a purpose (now, or at a time)?',
          params: IdParams,
          querystring: Obj({
            purpose: Purpose,
            at: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
            caller: Type.Optional(Caller),
          }),
          response: { 200: Data(GateAnswerSchema), ...commonErrors },
        },
      },
      async (req) => ({
        data: await s.consent.check(req.params.id, req.query.purpose, {
          ...(req.query.at ? { at: new Date(req.query.at) } : {}),
          ...(req.query.caller ? { caller: req.query.caller } : {}),
        }),
      }),
    );

    app.post(
      '/consent/check',
      {
        config: { access: read, audit: { action: 'consent.check_many', target: 'contact' } },
        schema: {
          tags: ['consent'],
          summary: 'Ask the gate about many contacts at once (unknown ids are left out of the answer)',
          body: Obj({
            contactIds: Type.Array(Id, { minItems: 1, maxItems: 10_000, uniqueItems: true }),
            purpose: Purpose,
            caller: Type.Optional(Caller),
          }),
          response: {
            200: Data(
              Type.Array(Obj({ contactId: Type.String(), allowed: Type.Boolean(), reason: Type.String(), effectiveLevel: Type.Integer() })),
            ),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const answers = await s.consent.checkMany(
          req.body.contactIds,
          req.body.purpose,
          req.body.caller ? { caller: req.body.caller } : {},
        );
        return { data: req.body.contactIds.filter((id) => answers.has(id)).map((id) => ({ contactId: id, ...answers.get(id)! })) };
      },
    );

    app.put(
      '/contacts/:id/consent',
      {
        config: { access: WITHDRAWAL_ACCESS, audit: { action: 'consent.set_level', target: 'contact' } },
        schema: {
          tags: ['consent'],
          summary: 'Set the consent level; the change is appended to the ledger with its notice and minimised evidence',
          description:
            'Lowering the level (a withdrawal) is open to every role that may edit contacts; raising it needs consent write access ' +
            '(admin, privacy officer): a marketer raising it gets 403 `forbidden`. The comparison is with the level stored when ' +
            'the change is written.',
          params: IdParams,
          body: SetLevelSchema,
          response: { 200: Data(Obj({ level: Type.Integer(), entry: Type.Union([LedgerEntrySchema, Type.Null()]) })), ...commonErrors },
        },
      },
      async (req) => ({
        data: await s.consent.setLevel(
          req.params.id,
          req.body.level,
          {
            source: req.body.source as Source,
            actor: actorOf(req),
            ...(req.body.notice !== undefined ? { notice: req.body.notice } : {}),
            ...(req.body.evidence ? { evidence: req.body.evidence } : {}),
          },
          undefined,
          { withdrawalOnly: !mayRaiseConsent(req.principal!.role) },
        ),
      }),
    );

    app.put(
      '/contacts/:id/guardian-consent',
      {
        config: { access: WITHDRAWAL_ACCESS, audit: { action: 'consent.guardian', target: 'contact' } },
        schema: {
          tags: ['consent'],
          summary: "Record a guardian's consent (or its withdrawal) for a child contact",
          description:
            'Withdrawing (`granted: false`) is open to every role that may edit contacts; granting needs consent write access ' +
            '(403 `forbidden` otherwise).',
          params: IdParams,
          body: GuardianConsentSchema,
          response: { 200: Data(Obj({ granted: Type.Boolean(), entry: Type.Union([LedgerEntrySchema, Type.Null()]) })), ...commonErrors },
        },
      },
      async (req) => ({
        data: await s.consent.setGuardianConsent(
          req.params.id,
          req.body.granted,
          {
            source: req.body.source as Source,
            actor: actorOf(req),
            ...(req.body.notice !== undefined ? { notice: req.body.notice } : {}),
            ...(req.body.evidence ? { evidence: req.body.evidence } : {}),
          },
          { withdrawalOnly: !mayRaiseConsent(req.principal!.role) },
        ),
      }),
    );

    app.get(
      '/contacts/:id/consent/history',
      {
        config: { access: read, audit: { action: 'consent.history', target: 'contact' } },
        schema: {
          tags: ['consent'],
          summary: 'Every consent change of the contact, oldest first',
          params: IdParams,
          response: { 200: Data(Type.Array(LedgerEntrySchema)), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.consent.history(req.params.id) }),
    );

    app.get(
      '/contacts/:id/consent',
      {
        config: { access: read, audit: { action: 'consent.view', target: 'contact' } },
        schema: {
          tags: ['consent'],
          summary: 'The consent level at a time (default now) and the ledger entry that set it',
          params: IdParams,
          querystring: Obj({ at: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })) }),
          response: { 200: Data(Obj({ level: Type.Integer(), entry: Type.Union([LedgerEntrySchema, Type.Null()]) })), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.consent.levelAt(req.params.id, req.query.at ? new Date(req.query.at) : s.clock.now()) }),
    );

    app.post(
      '/notices',
      {
        config: { access: write, audit: { action: 'notice.create', target: 'notice' } },
        schema: {
          tags: ['consent'],
          summary: 'Store a notice text once (by its hash) to reference from consent changes',
          body: Obj({ text: Type.String({ minLength: 1, maxLength: 20_000 }) }),
          response: { 201: Data(NoticeSchema), ...commonErrors },
        },
      },
      async (req, reply) => {
        const n = await s.ledger.putNotice(req.body.text);
        req.auditTargetId = n.id;
        return reply.status(201).send({ data: await s.ledger.getNotice(n.id) });
      },
    );

    app.get(
      '/notices/:id',
      {
        config: { access: read, audit: false },
        schema: { tags: ['consent'], summary: 'One notice text', params: IdParams, response: { 200: Data(NoticeSchema), ...commonErrors } },
      },
      async (req) => ({ data: await s.ledger.getNotice(req.params.id) }),
    );

    app.get(
      '/consent/verify',
      {
        config: { access: read, audit: { action: 'consent.verify', target: 'consent_ledger' } },
        schema: {
          tags: ['consent'],
          summary: 'Verify the whole ledger: hash chain, erasure stubs, notice texts and the head (and an anchor kept elsewhere)',
          querystring: Obj({
            head: Type.Optional(
              Type.String({
                pattern: '^[0-9]{1,15}:[0-9a-f]{64}$',
                maxLength: 80,
                description: 'a head recorded earlier as SEQ:HASH: the ledger must still contain it',
              }),
            ),
          }),
          response: {
            200: Data(
              Obj({
                ok: Type.Boolean(),
                checked: Type.Integer(),
                stubs: Type.Integer(),
                erasures: Type.Integer(),
                notices: Type.Integer(),
                problem: Type.Union([
                  Obj({ seq: Type.Integer(), id: Type.Union([Type.String(), Type.Null()]), problem: Type.String() }),
                  Type.Null(),
                ]),
                head: Type.String({ description: 'SEQ:HASH: keep it elsewhere and pass it back as `head` to catch a rollback' }),
                authenticated: Type.Boolean({
                  description: 'whether the head carries a valid MAC under the ledger key (false when no key is configured)',
                }),
              }),
            ),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const r = await s.ledger.verify({ anchor: req.query.head ? parseAnchor(req.query.head) : null });
        // The audit entry names the head it saw: an audit log shipped elsewhere anchors it.
        req.auditTargetId = formatAnchor(r.head);
        return { data: { ...r, head: formatAnchor(r.head) } };
      },
    );
  };
