// A worker process of bench/journeys.bench.ts: the services composed on DATABASE_URL as
// `assent worker` composes them, and a job Worker for the journeys queues only (the email
// pipeline's batch jobs the email tile makes stay queued: that is bench/send.bench.ts's part).
// One run at a time (a batch of one job, one handler at once): one process is one worker, so
// two of these on PostgreSQL are the two workers, each holding one lane's batch.
// Messages (IPC): sends {ready} once composed; {go} starts the worker; {stop} lets the job in
// hand finish, answers {cpu} (this process's CPU time in µs since go) and exits.
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import { Worker } from '../src/jobs/worker.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/log.ts';
import { ADMIT_QUEUE, RUN_QUEUE } from '../src/modules/journeys/journeys.jobs.ts';
import { createServices, jobHandlers } from '../src/services.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench/journeys.worker.ts: DATABASE_URL is not set');
const db = connect(url);
const s = createServices(loadConfig({ ...process.env, DATABASE_URL: url }), db, systemClock, createLogger('silent'));
const handlers = jobHandlers(s);
const worker = new Worker(s.jobs, {
  id: `bench-journeys-${process.pid}`,
  queues: { [RUN_QUEUE]: handlers[RUN_QUEUE]!, [ADMIT_QUEUE]: handlers[ADMIT_QUEUE]! },
  batchSize: 1,
  concurrency: 1,
  // A run that finds the due positions held by the other lane looks again a second later; an
  // idle worker polls this often, so the end of the journey is not hidden behind the default 1 s.
  pollMs: 50,
  onError: (e) => console.error(`journeys worker ${process.pid}: ${(e as Error).message}`),
});

const cpu = () => process.cpuUsage().user + process.cpuUsage().system;
let cpu0 = 0;
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'go') {
    cpu0 = cpu();
    worker.start();
  }
  if (m.cmd === 'stop')
    void (async () => {
      await worker.stop();
      const used = cpu() - cpu0;
      await s.close();
      process.send!({ cpu: used }, () => process.exit(0));
    })();
});
process.send!({ ready: true });
