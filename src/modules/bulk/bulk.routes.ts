import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../http/auth.ts';
import { mayRaiseConsent, WITHDRAWAL_ACCESS } from '../../http/access.ts';
import { commonErrors, Data, Id, Obj, withExamples } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import type { Source } from '../consent/module.ts';
import type { ExportService } from '../contacts/module.ts';
import type { SegmentsService } from '../segments/module.ts';
import { type BulkAction, type BulkTarget, MAX_IDS, SYNC_LIMIT } from './bulk.model.ts';
import {
  Accepted,
  ConsentBulkBody,
  ConsentCounts,
  ErasureBulkBody,
  ErasureCounts,
  ListAddCounts,
  ListBulkBody,
  ListRemoveCounts,
} from './bulk.schemas.ts';
import type { BulkService } from './bulk.service.ts';
import {
  ACCEPTED,
  CONSENT_BULK,
  CONSENT_COUNTS,
  CSV,
  ERASURE_BULK,
  ERASURE_COUNTS,
  LIST_ADDED,
  LIST_BULK,
  LIST_BULK_SEGMENT,
  LIST_REMOVED,
  SEGMENT_ID,
} from './bulk.examples.ts';

/** What these routes use. */
export interface BulkRouteDeps {
  bulk: BulkService;
  bulkExport: ExportService;
  segments: SegmentsService;
}

const ANSWERS =
  `Up to ${SYNC_LIMIT.toLocaleString('en')} contacts are changed in the request and the answer is 200 with the counts; more ` +
  'are changed by a job and the answer is 202 with its id: follow it at GET /api/v1/jobs/{id}, whose result has the same counts. ' +
  `Name the contacts with \`contactIds\` (1 to ${MAX_IDS.toLocaleString('en')} ids) or \`segmentId\` (a saved segment's members), ` +
  'not both (400 `validation_failed` otherwise); an unknown segment is 404 `not_found`. The action is one audit entry with ' +
  'the number of contacts.';
/** A 202's answer, with its example. */
const AcceptedJob = withExamples(Accepted, ACCEPTED);

function targetOf(body: { contactIds?: string[]; segmentId?: string }): BulkTarget {
  if (body.contactIds !== undefined && body.segmentId !== undefined)
    throw new AppError('validation_failed', 'name the contacts with contactIds or segmentId, not both', [
      { path: '/segmentId', message: 'not with contactIds' },
    ]);
  if (body.contactIds !== undefined) return { contactIds: body.contactIds };
  if (body.segmentId !== undefined) return { segmentId: body.segmentId };
  throw new AppError('validation_failed', 'name the contacts with contactIds or segmentId', [
    { path: '/contactIds', message: 'contactIds or segmentId is required' },
  ]);
}

export const bulkRoutes =
  (s: BulkRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** Runs the action; 200 with its counts, or 202 with the job. The audit entry gets the count either way. */
    const run = async (
      req: FastifyRequest,
      reply: FastifyReply,
      action: BulkAction,
      body: { contactIds?: string[]; segmentId?: string },
    ) => {
      const p = req.principal!;
      const out = await s.bulk.start(action, targetOf(body), actorOf(req), { role: p.role, type: p.kind, id: p.id });
      if (out.done) {
        req.auditCount = out.counts.total ?? 0;
        return reply.status(200).send({ data: out.counts });
      }
      req.auditCount = out.total;
      return reply.status(202).send({ data: { jobId: out.jobId } });
    };

    const ListParams = Obj({ listId: Id });

    app.post(
      '/lists/:listId/members',
      {
        config: { access: { area: 'lists', op: 'write' }, audit: { action: 'list.bulk_join', target: 'list' } },
        schema: {
          tags: ['lists'],
          summary: 'Add many contacts to a list',
          description:
            `Each contact joins as PUT /contacts/{id}/lists/{listId} ` +
            `would: a ledger entry per contact that joins, none for one ` +
            `already on the list. ${ANSWERS}`,
          params: ListParams,
          body: withExamples(ListBulkBody, LIST_BULK, LIST_BULK_SEGMENT),
          response: { 200: withExamples(Data(ListAddCounts), { data: LIST_ADDED }), 202: AcceptedJob, ...commonErrors },
        },
      },
      async (req, reply) => {
        req.auditTargetId = req.params.listId;
        return run(req, reply, { kind: 'list.add', listId: req.params.listId, source: (req.body.source ?? 'api') as Source }, req.body);
      },
    );

    app.post(
      '/lists/:listId/members/remove',
      {
        // Leaving a list is a withdrawal: open to every role that may edit contacts, as for one contact.
        config: { access: WITHDRAWAL_ACCESS, audit: { action: 'list.bulk_leave', target: 'list' } },
        schema: {
          tags: ['lists'],
          summary: 'Remove many contacts from a list',
          description:
            `Each contact leaves as DELETE /contacts/{id}/lists/{listId} ` +
            `would: a ledger entry per contact that leaves, none for one ` +
            `not on the list. ${ANSWERS} Leaving is a withdrawal: open to every role that may edit contacts (admin, marketer, ` +
            `privacy officer).`,
          params: ListParams,
          body: withExamples(ListBulkBody, LIST_BULK, LIST_BULK_SEGMENT),
          response: { 200: withExamples(Data(ListRemoveCounts), { data: LIST_REMOVED }), 202: AcceptedJob, ...commonErrors },
        },
      },
      async (req, reply) => {
        req.auditTargetId = req.params.listId;
        return run(req, reply, { kind: 'list.remove', listId: req.params.listId, source: (req.body.source ?? 'api') as Source }, req.body);
      },
    );

    app.post(
      '/consent/bulk',
      {
        // A withdrawal (a lower level) is open to every role that may edit contacts; a role without
        // consent write access has each contact below the level refused, decided under its lock.
        config: { access: WITHDRAWAL_ACCESS, audit: { action: 'consent.bulk_set_level' } },
        schema: {
          tags: ['consent'],
          summary: 'Set the consent level of many contacts',
          description:
            `Each contact's level is set as PUT /contacts/{id}/consent would: a ledger entry per change with its source and notice; a ` +
            `contact already at the level is recorded again only when a notice is given (a re-confirmation). Any role that may edit ` +
            `contacts may lower levels (a withdrawal); without consent write access, contacts below the level are counted as ` +
            `\`refused\` and left as they were. ${ANSWERS}`,
          body: withExamples(ConsentBulkBody, CONSENT_BULK),
          response: { 200: withExamples(Data(ConsentCounts), { data: CONSENT_COUNTS }), 202: AcceptedJob, ...commonErrors },
        },
      },
      async (req, reply) => {
        const b = req.body;
        return run(
          req,
          reply,
          {
            kind: 'consent.level',
            level: b.level,
            source: b.source as Source,
            ...(b.notice !== undefined ? { notice: b.notice } : {}),
            ...(mayRaiseConsent(req.principal!.role) ? {} : { withdrawalOnly: true }),
          },
          b,
        );
      },
    );

    app.post(
      '/requests/bulk-erasure',
      {
        config: { access: { area: 'erasure', op: 'write' }, audit: { action: 'request.bulk_erasure' } },
        schema: {
          tags: ['requests'],
          summary: 'Erase many contacts, one erasure case each',
          description:
            `For each contact an erasure case is opened as verified by the caller (with the note), and fulfilled at once: the ` +
            `erasure, its receipt and the case's history, as for one case. A contact whose erasure left residue keeps its case in ` +
            `progress with residue tasks (counted as incomplete). ${ANSWERS} It cannot be undone, and each erased address is ` +
            `suppressed while the \`suppressErasedAddresses\` setting is on (the default).`,
          body: withExamples(ErasureBulkBody, ERASURE_BULK),
          response: { 200: withExamples(Data(ErasureCounts), { data: ERASURE_COUNTS }), 202: AcceptedJob, ...commonErrors },
        },
      },
      async (req, reply) => run(req, reply, { kind: 'erasure', note: req.body.note }, req.body),
    );

    app.get(
      '/contacts/export',
      {
        config: { access: { area: 'exports', op: 'read' }, audit: { action: 'contact.export', target: 'segment' } },
        schema: {
          tags: ['contacts'],
          summary: "A segment's contacts as CSV",
          description:
            "Streams the segment's members as CSV (text/csv), a page at a time in id order: the columns an import reads, then " +
            "`consentLevelName` (the level's name in the settings) and `lists` (the names of the lists the contact is on, joined " +
            'by "; "), the custom fields as `customFields.NAME`, and the timestamps. Cells that a spreadsheet would run as a ' +
            "formula are neutralised with a leading '. The file imports back as is. The audit entry names the segment and its " +
            'member count when the export began. An unknown segment is 404 `not_found` before any byte is sent; a segment that ' +
            'cannot be evaluated, 409 `segment_unevaluable`.',
          querystring: Obj({ segment: withExamples(Id, SEGMENT_ID) }),
          produces: ['text/csv'],
          response: {
            200: { description: 'The CSV file', content: { 'text/csv': { schema: Type.String(), example: CSV } } },
            ...commonErrors,
          },
        },
      },
      async (req, reply) => {
        const segmentId = req.query.segment;
        req.auditTargetId = segmentId;
        // Counted and checked before the answer begins: an unknown segment is a 404, not a broken file.
        req.auditCount = await s.segments.count(segmentId);
        const chunks = s.bulkExport.csv({ segmentId })[Symbol.asyncIterator]();
        const first = await chunks.next();
        async function* rest(): AsyncGenerator<string> {
          if (!first.done) yield first.value;
          for (let r = await chunks.next(); !r.done; r = await chunks.next()) yield r.value;
        }
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="contacts.csv"')
            .header('cache-control', 'no-store')
            // A stream is sent as it is, past the response schema (which documents the text it carries).
            .send(Readable.from(rest()) as unknown as string)
        );
      },
    );
  };
