import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../../http/auth.ts';
import { listPage, PageQuery } from '../../../http/pagination.ts';
import { commonErrors, Data, Id, IdParams, List, Obj } from '../../../http/schemas.ts';
import type { ErasureService } from './erasure.service.ts';
import { ErasureAnswerSchema, ReceiptSchema } from './erasure.schemas.ts';

const read = { area: 'erasure', op: 'read' } as const;

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
          response: { 200: Data(ErasureAnswerSchema), ...commonErrors },
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
          querystring: Obj({ ...PageQuery, request: Type.Optional(Id) }),
          response: { 200: List(ReceiptSchema), ...commonErrors },
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
          params: IdParams,
          response: { 200: Data(ReceiptSchema), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.erasure.receipt(req.params.id) }),
    );
  };
