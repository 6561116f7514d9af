import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, List, Obj, Id, withExamples } from '../../http/schemas.ts';
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
import { CONTACT_ID, INGEST_BATCH, INGEST_ONE, INGEST_RESULT, INTERACTION, STATS } from './interactions.examples.ts';

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
          description:
            'One event, or `{"events": [...]}` with up to 10,000 (body at most 20 MiB, or the body limit of the installation ' +
            'when larger). Name the contact by `contactId` or by ' +
            '`email` (an address no contact holds is counted, not stored). Email opens and clicks, page visits and custom events ' +
            '(unless `behavioural: false`) are behaviour: kept per contact only when the consent gate allows profiling, else ' +
            'counted as `unlinked`; every event is counted in the anonymous daily statistics. A batch with one invalid event ' +
            '(unknown field, unknown contact id, `at` over five minutes ahead or before 2000, a URL that is not absolute http(s), ' +
            'a custom name that looks like an identifier, properties over 2,048 bytes or 3 levels) is refused whole with 400 ' +
            '`validation_failed`, `details.index` naming the event. The ' +
            'batch is one audit entry.',
          body: withExamples(IngestBodySchema, INGEST_BATCH, INGEST_ONE),
          response: { 200: withExamples(Data(IngestResultSchema), { data: INGEST_RESULT }), 413: ErrorBody, ...commonErrors },
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
          description:
            'The events kept for one contact (behaviour only where profiling consent allowed it), optionally of one `type`. ' +
            'Each read is an audit entry naming the contact.',
          querystring: Obj({
            ...PageQuery,
            contact: withExamples(Id, CONTACT_ID),
            type: Type.Optional(Type.Enum([...INTERACTION_TYPES], { examples: ['email_opened'] })),
          }),
          response: {
            200: withExamples(List(InteractionSchema), { data: [INTERACTION], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
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
          description:
            'Counts per day (UTC), type and reference, from every event accepted, with or without consent: they hold no contact. ' +
            '`from` and `to` are days (YYYY-MM-DD; default the 30 days up to today), at most 366 days apart; `type` and `ref` ' +
            'narrow it (a URL ref is matched without its query). At most 10,000 rows: `truncated` says when more matched. Every ' +
            'role may read them.',
          querystring: StatsQuerySchema,
          response: { 200: withExamples(StatsSchema, STATS), ...commonErrors },
        },
      },
      async (req) => s.interactions.stats(req.query),
    );
  };
