import { declareTable } from '../db/datamap.declare.ts';

export const jobsDataMap = [
  declareTable({
    name: 'jobs',
    description:
      'Background work claimed with a lease. Payloads should carry ids only; payloads and errors are checked like free text on erasure.',
    subjectLink: null,
    purposes: ['operations'],
    retention: { after: 'P14D', from: 'finished_at' },
    columns: {
      id: 'system.id',
      queue: 'system.job.queue',
      idempotency_key: 'system.job.key',
      payload: { category: 'system.job.payload', freeText: true, description: 'ids and options; a caller could still pass a value' },
      status: 'system.job.status',
      attempts: 'system.job.attempts',
      max_attempts: 'system.job.attempts',
      run_at: 'system.time',
      locked_by: 'system.job.worker',
      locked_until: 'system.time',
      last_error: {
        category: 'system.job.error',
        freeText: true,
        description: 'scrubbed of quoted values, addresses and number runs; a name can remain',
      },
      created_at: 'system.time',
      updated_at: 'system.time',
      finished_at: 'system.time',
    },
  }),
  declareTable({
    name: 'side_effects',
    description:
      'Side effects recorded by idempotency key (a mail sent for a job, an audit entry a job wrote), so work run again after a ' +
      'crash does nothing twice. Keys hold ids and names only.',
    subjectLink: null,
    purposes: ['operations'],
    // Far longer than any job retries; a key older than this is not asked for again.
    retention: { after: 'P90D', from: 'created_at' },
    columns: {
      key: { category: 'system.effect.key', description: 'ids and names only, e.g. dsr.verification-link:<case id>' },
      status: 'system.effect.status',
      created_at: 'system.time',
      updated_at: 'system.time',
    },
  }),
  declareTable({
    name: 'job_progress',
    description:
      'How far a job someone waits on has come (a bulk action, an import), and what it did: written by the worker, read through ' +
      'GET /api/v1/jobs/{id} by the role that started it and by admins. Results hold counts and ids, never personal values.',
    subjectLink: null,
    purposes: ['operations'],
    // As long as its job is kept.
    retention: { after: 'P14D', from: 'updated_at' },
    columns: {
      job_id: 'system.id',
      owner_role: 'system.actor.role',
      owner_type: 'system.actor.type',
      owner_id: 'system.actor.id',
      done: 'system.job.progress',
      total: 'system.job.progress',
      cursor: { category: 'system.job.cursor', description: 'the last item applied (a contact id), so a job run again resumes after it' },
      result: {
        category: 'system.job.result',
        freeText: true,
        description: 'JSON counts and ids the job reports; checked like free text on erasure',
      },
      created_at: 'system.time',
      updated_at: 'system.time',
    },
  }),
];
