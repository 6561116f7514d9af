// The app side of bench/public.bench.ts, in a child process of its own: the real Assent server
// (startServer: the same configuration, migrations, services, HTTP app and request logging as
// `assent serve`), behind a trusted proxy on loopback (ASSENT_TRUST_PROXY=127.0.0.1, given by the
// parent), so each submission's client address is the one the proxy names in X-Forwarded-For, as
// behind nginx. The job worker runs in another process in such an installation (ASSENT_WORKER=off
// here): the submissions' jobs stay queued, and are counted after the run.
// Setup: two lists, `KNOWN` contacts, and a form with an email, a name, a consent-level and a
// lists field. Messages (IPC): sends {ready, url, formId, listIds, known} once listening; answers
// {count} with the rows stored; {stop} ends it.
import { startServer } from '../src/server.ts';
import { FORM_QUEUE } from '../src/modules/forms/forms.service.ts';

const KNOWN = Number(process.env.BENCH_PUBLIC_KNOWN ?? 1000);

const running = await startServer();
const s = running.services;
const lists = [(await s.lists.create({ name: 'Newsletter' })).id, (await s.lists.create({ name: 'Offers' })).id];
for (let i = 0; i < KNOWN; i++) await s.contacts.create({ email: `known${i}@bench.example`, firstName: `Known${i}` });
const form = await s.forms.create({
  name: 'Sign-up',
  fields: [
    { name: 'email', label: 'Email', maps: 'email', required: true, type: 'email' },
    { name: 'name', label: 'First name', maps: 'firstName', maxLength: 100 },
    {
      name: 'consent',
      label: 'What may we send you?',
      maps: 'consentLevel',
      type: 'radio',
      levels: [
        { level: 3, notice: 'Our newsletter, monthly. You can unsubscribe at any time.' },
        { level: 4, notice: 'Our newsletter and offers picked for you from what you read.' },
      ],
    },
    { name: 'lists', label: 'Send me these', maps: 'lists', type: 'checkbox', listIds: lists },
  ],
});

async function count() {
  const k = s.db.kysely;
  const n = async (table: 'form_submissions' | 'form_confirmations') =>
    Number(
      (
        await k
          .selectFrom(table)
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const jobs = await k
    .selectFrom('jobs')
    .select((e) => e.fn.countAll().as('n'))
    .where('queue', '=', FORM_QUEUE)
    .where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  return { submissions: await n('form_submissions'), confirmations: await n('form_confirmations'), jobs: Number(jobs.n) };
}

process.on('message', (m: { cmd: string }) => {
  // CPU time (user + system, µs) this process has used: the parent takes the difference over a run.
  if (m.cmd === 'cpu') process.send!({ cpu: process.cpuUsage().user + process.cpuUsage().system });
  if (m.cmd === 'count') void count().then((c) => process.send!({ count: c }));
  if (m.cmd === 'stop') void running.stop().then(() => process.exit(0));
});
process.send!({ ready: true, url: running.url, formId: form.id, listIds: lists, known: KNOWN });
