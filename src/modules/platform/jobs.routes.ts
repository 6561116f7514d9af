import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.ts';
import type { Principal } from '../../http/principal.ts';
import { commonErrors, Data, IdParams, Obj, withExamples } from '../../http/schemas.ts';
import type { JobProgress, JobView } from '../../jobs/progress.ts';

export const JobProgressSchema = Obj({
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')], {
    description:
      'queued: waiting for a worker; running: being worked on, or waiting to retry after a failed attempt; done: finished, ' +
      '`result` says what it did; failed: its attempts are spent, `done` says how far it came (what it did is kept)',
  }),
  done: Type.Integer({ minimum: 0, description: 'items processed so far' }),
  total: Type.Integer({ minimum: 0, description: 'items to process' }),
  result: Type.Union([Type.Unknown(), Type.Null()], {
    description: "what the job did (counts, ids), once it is done; null before. Its shape is the starting route's",
  }),
});

/** What these routes use. */
export interface JobsRouteDeps {
  progress: JobProgress;
}

/**
 * A tracked job may be read by admins and by the role that started it: a job's result may name
 * contacts, and a role that could not have started it has no business with what it did. Anyone
 * else is told it does not exist (404), as for an id that names no job.
 */
export function mayRead(principal: Principal, job: JobView): boolean {
  return principal.role === 'admin' || principal.role === job.owner.role;
}

export const jobsRoutes =
  (s: JobsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/jobs/:id',
      {
        config: { access: 'authenticated', audit: { action: 'job.read', target: 'job' } },
        schema: {
          tags: ['jobs'],
          summary: 'Progress of a job started by a request that answered 202',
          description:
            'How far a long piece of work started through the API (a bulk action on more than 1,000 contacts) has come: ' +
            '`status` (queued, running, done, failed), `done` of `total` items, and `result` once it is done. Readable by admins ' +
            'and by callers of the role that started it; for anyone else, and for an id that names no such job, 404 not_found.',
          params: IdParams,
          response: {
            200: withExamples(
              Data(JobProgressSchema),
              { data: { status: 'running', done: 4000, total: 12500, result: null } },
              { data: { status: 'done', done: 12500, total: 12500, result: { added: 12380, alreadyMembers: 120 } } },
            ),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const job = await s.progress.get(req.params.id);
        if (!job || !mayRead(req.principal!, job)) throw new AppError('not_found', 'no such job');
        return { data: { status: job.status, done: job.done, total: job.total, result: job.result } };
      },
    );
  };
