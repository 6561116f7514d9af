// An erasing process for erasure-crash.test.ts to kill. Once loaded it says "ready" and reads
// the contact id from stdin (so the test builds the person while it starts). It says "mid" from
// inside the erasure transaction (right after the ledger entries became stubs) and lingers
// there for <pause-ms>, so a kill can be aimed at the open transaction or at what follows.
// Usage: node --import tsx src/modules/dsr/erasure-crash.fixture.ts <database-url> <pause-ms>
import { writeSync } from 'node:fs';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config.ts';
import { connect } from '../../db/connect.ts';
import { systemClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices } from '../../services.ts';
import { CLI_ACTOR } from '../audit/audit.model.ts';

const [url, pauseMs] = process.argv.slice(2);
if (!url || !pauseMs) throw new Error('usage: erasure-crash.fixture.ts <database-url> <pause-ms>');

const db = connect(url, { poolSize: 4 });
const s = createServices(loadConfig({ DATABASE_URL: url }), db, systemClock, createLogger('silent'));
const stub = s.ledger.stubContact.bind(s.ledger);
s.ledger.stubContact = async (trx, id) => {
  const n = await stub(trx, id);
  writeSync(1, 'mid\n');
  await sleep(Number(pauseMs));
  return n;
};
writeSync(1, 'ready\n');
let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
  if (input.includes('\n')) break;
}
const contactId = input.trim();
await s.erasure.erase({ contactIds: [contactId] }, { actor: CLI_ACTOR });
writeSync(1, 'done\n');
await s.close();
