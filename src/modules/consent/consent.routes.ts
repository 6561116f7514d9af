import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { mayRaiseConsent, WITHDRAWAL_ACCESS } from '../../http/access.ts';
import { actorOf } from '../../http/auth.ts';
import { commonErrors, Data, IdParams, Obj, Id, withExamples } from '../../http/schemas.ts';
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
import {
  CHECK_MANY_ANSWER,
  CHECK_MANY_BODY,
  GATE_ANSWER,
  GUARDIAN_BODY,
  GUARDIAN_ENTRY,
  HEAD,
  LEDGER_ENTRY,
  NOTICE,
  NOTICE_TEXT,
  SET_LEVEL_BODY,
  VERIFY_ANSWER,
} from './consent.examples.ts';

const PURPOSES =
  'The purpose is one the installation defines in the `purposes` setting (built in: requested, consent_request, ' +
  'transactional, subscription, marketing, profiling); another is refused with 400 `unknown_purpose`.';
const ANSWER =
  '`reason` says why: `allowed`, `below_required_level`, `child_without_guardian_consent`, `child_never_profiled`, ' +
  '`data_protection_off` (allowed because the installation turned data protection off) or `purpose_not_for_caller` (the ' +
  '`requested` purpose is never for a caller acting on its own: journey, campaign, segment_export, scoring).';

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
          description:
            `The one consent gate every sending and processing path asks: the contact's level (a child's follows from guardian ` +
            `consent) against the level the purpose needs. ${PURPOSES} ${ANSWER} \`at\` asks about a past moment (the ledger ` +
            `replayed). Each question is an audit entry naming the contact.`,
          params: IdParams,
          querystring: Obj({
            purpose: withExamples(Purpose, 'marketing'),
            at: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, examples: ['2026-11-01T00:00:00Z'] })),
            caller: Type.Optional(Caller),
          }),
          response: { 200: withExamples(Data(GateAnswerSchema), { data: GATE_ANSWER }), ...commonErrors },
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
          description:
            `The gate's answer for each of up to 10,000 distinct contacts, in the order asked; ids that name no contact are left ` +
            `out. ${PURPOSES} ${ANSWER} The question is one audit entry.`,
          body: withExamples(
            Obj({
              contactIds: Type.Array(Id, { minItems: 1, maxItems: 10_000, uniqueItems: true }),
              purpose: Purpose,
              caller: Type.Optional(Caller),
            }),
            CHECK_MANY_BODY,
          ),
          response: {
            200: withExamples(
              Data(
                Type.Array(
                  Obj({ contactId: Type.String(), allowed: Type.Boolean(), reason: Type.String(), effectiveLevel: Type.Integer() }),
                ),
              ),
              { data: CHECK_MANY_ANSWER },
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
            'the change is written. `level` is 0 to 5 (the levels and their names are in the settings); `source` says where ' +
            'the person gave it; `notice` is the text they were shown (or `{"id"}` of one stored with POST /notices); ' +
            '`evidence` is minimised before it is kept (the IP address cut to its network). `entry` is null when the level was ' +
            'already that one and no notice was given (nothing is recorded).',
          params: IdParams,
          body: withExamples(SetLevelSchema, SET_LEVEL_BODY),
          response: {
            200: withExamples(Data(Obj({ level: Type.Integer(), entry: Type.Union([LedgerEntrySchema, Type.Null()]) })), {
              data: { level: 4, entry: LEDGER_ENTRY },
            }),
            ...commonErrors,
          },
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
            '(403 `forbidden` otherwise). The contact needs a guardian linked (`guardianId`; 400 `validation_failed` otherwise). ' +
            'The change is appended to the consent ledger with its source, notice and evidence, and decides what the gate ' +
            'allows while the contact is a child (flagged, or younger than the majority age by birth date).',
          params: IdParams,
          body: withExamples(GuardianConsentSchema, GUARDIAN_BODY),
          response: {
            200: withExamples(Data(Obj({ granted: Type.Boolean(), entry: Type.Union([LedgerEntrySchema, Type.Null()]) })), {
              data: { granted: true, entry: GUARDIAN_ENTRY },
            }),
            ...commonErrors,
          },
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
          description:
            "The contact's consent ledger entries (levels, list joins and leaves, child flag, birth date, guardian and guardian " +
            "consent), each with its source, actor, notice, minimised evidence and hash. Not paged: one person's history is " +
            'short. Each read is an audit entry naming the contact. 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(Type.Array(LedgerEntrySchema)), { data: [LEDGER_ENTRY] }), ...commonErrors },
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
          description:
            'The stored level the ledger gives at `at` (an ISO-8601 date-time; default now) and the entry that set it (null while ' +
            "the contact never had a change: level 0). Not the gate's answer for a purpose: ask GET /contacts/{id}/consent/check " +
            'for that. Each read is an audit entry naming the contact.',
          params: IdParams,
          querystring: Obj({ at: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, examples: ['2026-11-01T00:00:00Z'] })) }),
          response: {
            200: withExamples(Data(Obj({ level: Type.Integer(), entry: Type.Union([LedgerEntrySchema, Type.Null()]) })), {
              data: { level: 4, entry: LEDGER_ENTRY },
            }),
            ...commonErrors,
          },
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
          description:
            'The text a person is shown when asked for consent (up to 20,000 characters), kept once by its SHA-256 hash: storing ' +
            'the same text again answers the same notice. Consent changes then cite it as `{"id"}` instead of repeating the text.',
          body: withExamples(Obj({ text: Type.String({ minLength: 1, maxLength: 20_000 }) }), { text: NOTICE_TEXT }),
          response: { 201: withExamples(Data(NoticeSchema), { data: NOTICE }), ...commonErrors },
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
        schema: {
          tags: ['consent'],
          summary: 'One notice text',
          description: 'The text and hash of a stored notice; 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(NoticeSchema), { data: NOTICE }), ...commonErrors },
        },
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
          description:
            'Reads every entry in order and recomputes the chain: `ok: false` with `problem` (the first entry that fails and why) ' +
            'when an entry was changed, removed or reordered, a stub does not match its erasure, or a cited notice text is gone. ' +
            "Keep the answer's `head` outside the database and pass it back as `head` later: a ledger rolled back past it fails. " +
            'Reads the whole ledger (slow on millions of entries). Each run is an audit entry naming the ' +
            'head it saw.',
          querystring: Obj({
            head: Type.Optional(
              Type.String({
                pattern: '^[0-9]{1,15}:[0-9a-f]{64}$',
                maxLength: 80,
                description: 'a head recorded earlier as SEQ:HASH: the ledger must still contain it',
                examples: [HEAD],
              }),
            ),
          }),
          response: {
            200: withExamples(
              Data(
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
              { data: VERIFY_ANSWER },
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
