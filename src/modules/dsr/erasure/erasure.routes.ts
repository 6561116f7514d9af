import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../../http/auth.ts';
import { listPage, PageQuery } from '../../../http/pagination.ts';
import { commonErrors, Data, Id, IdParams, List, Obj, withExamples } from '../../../http/schemas.ts';
import type { ErasureService } from './erasure.service.ts';
import { ErasureAnswerSchema, ReceiptSchema } from './erasure.schemas.ts';

const read = { area: 'erasure', op: 'read' } as const;

const RECEIPT = {
  id: '01938c2f-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  requestId: '01938c21-3b4a-7c5d-8e6f-7a8b9c0d1e2f',
  at: '2026-12-02T07:59:58.000Z',
  actor: { type: 'user', id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f' },
  tables: { contacts: 1, consent_ledger: 3, interactions: 42, list_members: 2 },
  residue: ['notes.body'],
  storage: {
    status: 'purged' as const,
    purgedAt: '2026-12-02T08:00:03.000Z',
    verification: 'contacts, interactions rewritten; their pages read back without the identifiers',
  },
  complete: false,
};
const TASKS = [
  {
    id: '01938c30-9e8d-7c6b-8a5f-4e3d2c1b0a9f',
    kind: 'residue' as const,
    location: 'notes.body',
    rowId: '01938b55-6c7d-7e8f-9a0b-1c2d3e4f5a6b',
  },
];

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface ErasureRouteDeps {
  erasure: ErasureService;
}

export const erasureRoutes =
  (s: ErasureRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/contacts/:id/erase',
      {
        config: { access: { area: 'erasure', op: 'write' }, audit: { action: 'contact.erase', target: 'contact' } },
        schema: {
          tags: ['erasure'],
          summary: 'Erase a contact and everything linked to it, following the data map; answers with the receipt',
          description:
            'One transaction deletes or anonymises every linked row, redacts the person’s identifiers in the free text of their own ' +
            'cases, closes their pending public requests, turns consent ledger entries into hash-only stubs and, unless the ' +
            '`suppressErasedAddresses` setting is off, suppresses the address. A residue scan follows. `complete: false` means it is ' +
            'not done: `residue` names where identifiers remain, and `tasks` the work left for the privacy officer (`residue`) or to ' +
            'look at (`review`), by table, column and row, never the value.',
          params: IdParams,
          response: { 200: withExamples(Data(ErasureAnswerSchema), { data: { ...RECEIPT, tasks: TASKS } }), ...commonErrors },
        },
      },
      async (req) => {
        const r = await s.erasure.erase({ contactIds: [req.params.id] }, { actor: actorOf(req) });
        return { data: { ...r.receipts[0]!, tasks: r.tasks } };
      },
    );

    // Receipts hold counts and names of tables only, so reading them is not audited as access to personal data.
    app.get(
      '/erasures',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['erasure'],
          summary: 'Erasure receipts, newest first',
          description:
            'The proof of each erasure: when, by whom, how many rows per table went, what the residue scan found and whether ' +
            'the bytes are out of the database files. Counts and table names only, never a value. `request` keeps the ' +
            'receipts of one case.',
          querystring: withExamples(Obj({ ...PageQuery, request: Type.Optional(Id) }), { request: '01938c21-3b4a-7c5d-8e6f-7a8b9c0d1e2f' }),
          response: {
            200: withExamples(List(ReceiptSchema), { data: [RECEIPT], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        return listPage(
          req.query,
          (n, after) => s.erasure.receipts(n, after, req.query.request),
          () => s.erasure.receiptsTotal(req.query.request),
        );
      },
    );

    app.get(
      '/erasures/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['erasure'],
          summary: 'One erasure receipt',
          description: 'One receipt, as in the listing; 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(ReceiptSchema), { data: RECEIPT }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.erasure.receipt(req.params.id) }),
    );
  };
