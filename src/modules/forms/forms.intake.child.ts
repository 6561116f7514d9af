// A process that submits forms as fast as it can, for forms.intake.test.ts to kill mid-batch:
// DATABASE_URL and FORM_ID from the environment; after each submission resolves (its batch
// committed) it tells the parent the address over IPC. The parent kills it with SIGKILL.
import { loadConfig } from '../../config.ts';
import { connect } from '../../db/connect.ts';
import { systemClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { inParallel } from '../../lib/parallel.ts';
import { createServices } from '../../services.ts';
import type { Db } from '../database.ts';

const url = process.env.DATABASE_URL!;
const formId = process.env.FORM_ID!;
const db = connect(url) as Db;
const s = createServices(loadConfig({ DATABASE_URL: url }), db, systemClock, createLogger('silent'));
let next = 0;
process.send!({ ready: true });
// Submissions 24 at a time, without end: the parent kills the process.
await inParallel(
  Array.from({ length: 1_000_000 }, (_, i) => i),
  24,
  async () => {
    const i = next++;
    const email = `crash${process.pid}-${i}@example.org`;
    await s.forms.submit(formId, { email }, { ip: `10.9.${(i >> 8) & 255}.${i & 255}` });
    process.send!({ ok: email });
  },
);
