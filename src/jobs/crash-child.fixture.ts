// A worker process for crash.test.ts to kill: it claims a batch and runs slow handlers, each
// recording its side effect first, so a SIGKILL lands while jobs are mid-handler.
// Usage: node --import tsx src/jobs/crash-child.fixture.ts <database-url> <queue> <lease-ms>
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '../db/connect.ts';
import { systemClock } from '../lib/clock.ts';
import { recordEffect } from './crash-effects.fixture.ts';
import { JobQueue } from './queue.ts';
import { Worker } from './worker.ts';

const [url, queue, leaseMs] = process.argv.slice(2);
if (!url || !queue || !leaseMs) throw new Error('usage: crash-child.fixture.ts <database-url> <queue> <lease-ms>');

const db = connect(url, { poolSize: 4 });
const worker = new Worker(new JobQueue(db, systemClock), {
  id: 'crash-child',
  batchSize: 20,
  concurrency: 4,
  leaseMs: Number(leaseMs),
  pollMs: 20,
  queues: {
    [queue]: async (_payload, job) => {
      await recordEffect(db, job.id, 'crash-child');
      await sleep(60_000);
    },
  },
});
worker.start();
