import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, List, Obj, Id } from '../../http/schemas.ts';
import type { Config } from '../../config.ts';
import type { InteractionsService } from './interactions.service.ts';
import { INTERACTION_TYPES } from './interactions.model.ts';
import {
  checkIngestBody,
  eventsOf,
  IngestBodySchema,
  IngestResultSchema,
  InteractionSchema,
  StatsQuerySchema,
  StatsSchema,
} from './interactions.schemas.ts';

const read = { area: 'interactions', op: 'read' } as const;
const write = { area: 'interactions', op: 'write' } as const;

/** Room for a full batch of ordinary events (a few hundred bytes each), with margin. */
const INGEST_BODY_LIMIT = 20 * 1024 * 1024;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface InteractionsRouteDeps {
  config: Config;
  interactions: InteractionsService;
}

export const interactionsRoutes =
  (s: InteractionsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/interactions',
      {
        config: { access: write, audit: { action: 'interaction.ingest', target: 'interaction' } },
        bodyLimit: Math.max(INGEST_BODY_LIMIT, s.config.bodyLimit),
        // The body is checked event by event so that an error names the bad event's index.
        validatorCompiler: () => (body: unknown) => {
          const error = checkIngestBody(body);
          return error ? { error } : true;
        },
        schema: {
          tags: ['interactions'],
          summary:
            'Record one event or a batch; behaviour is linked to a contact only with profiling consent, and every event is counted ' +
            'anonymously',
          body: IngestBodySchema,
          response: { 200: Data(IngestResultSchema), 413: ErrorBody, ...commonErrors },
        },
      },
      async (req) => ({ data: await s.interactions.ingest(eventsOf(req.body)) }),
    );

    app.get(
      '/interactions',
      {
        config: { access: read, audit: { action: 'interaction.list', target: 'contact' } },
        schema: {
          tags: ['interactions'],
          summary: "A contact's interactions, newest first",
          querystring: Obj({
            ...PageQuery,
            contact: Id,
            type: Type.Optional(Type.Enum([...INTERACTION_TYPES])),
          }),
          response: { 200: List(InteractionSchema), ...commonErrors },
        },
      },
      async (req) => {
        const { contact, type } = req.query;
        req.auditTargetId = contact;
        const filter = type ? { type } : {};
        return listPage(
          req.query,
          (n, after) => s.interactions.listForContact(contact, filter, n, after),
          () => s.interactions.countForContact(contact, filter),
        );
      },
    );

    app.get(
      '/stats/interactions',
      {
        // Counters hold no contact and no query string: nothing personal to audit.
        config: { access: read, audit: false },
        schema: {
          tags: ['interactions'],
          summary: 'Anonymous daily counts per type and reference (message, journey or page id, custom event name, or URL without query)',
          querystring: StatsQuerySchema,
          response: { 200: StatsSchema, ...commonErrors },
        },
      },
      async (req) => s.interactions.stats(req.query),
    );
  };
