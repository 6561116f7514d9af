import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from './engine.jobs.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;
const QUEUES = [PREPARE_QUEUE, BATCH_QUEUE];

/**
 * A relay that holds a recipient's first envelope until a second one for the same address
 * arrives (or 3 s pass): both batches have then passed the policy and have their bytes at the
 * relay, the moment a cap decided only before rendering would let both go.
 */
async function gatedSink() {
  const mails: string[] = [];
  const waiting = new Map<string, (() => void)[]>();
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onRcptTo(address, _session, cb) {
      const list = waiting.get(address.address) ?? [];
      waiting.set(address.address, list);
      if (list.length > 0) {
        for (const release of list.splice(0)) release();
        return cb();
      }
      const timer = setTimeout(() => cb(), 3000);
      list.push(() => {
        clearTimeout(timer);
        cb();
      });
    },
    onData(stream, session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        mails.push(session.envelope.rcptTo[0]!.address);
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    mails,
    port: (server.server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// A frequency cap holds when two batches for one person run at once (two campaigns, two
// workers): the cap is counted again under the person's lock when the mail is handed over.
forEachDialect('a frequency cap with two batches at once', (ctx) => {
  let t: TestApp;
  let relay: Awaited<ReturnType<typeof gatedSink>>;
  const clock = new FakeClock('2026-07-01T10:00:00.000Z');
  before(async () => {
    relay = await gatedSink();
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({
      smtp: { host: '127.0.0.1', port: relay.port, secure: false, from: 'news@example.com' },
      emailRules: { frequencyCaps: [{ purpose: 'marketing', max: 1, window: 'P7D' }], quietHours: null, dropDeferredWhenCancelled: true },
    });
  });
  after(async () => {
    await t.close();
    await relay.close();
  });

  async function message(): Promise<string> {
    const id = newId();
    const now = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id,
        name: `M ${id}`,
        purpose: 'marketing',
        list_id: null,
        from_name: null,
        from_email: null,
        reply_to: null,
        subject: 'Offer',
        html: '<p>Hello</p><a href="{{ unsubscribe_url }}">leave</a>',
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  it('two marketing mails for one person under a cap of one: one is mailed, the other refused frequency_cap', async () => {
    const c = await t.services.contacts.create({ email: 'capped.person@example.com' });
    await t.services.consent.setLevel(c.id, 4, CTX);
    const sendIds: string[] = [];
    for (const m of [await message(), await message()]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/messages/${m}/send`,
        headers: t.auth('marketer'),
        payload: { contactId: c.id },
      });
      assert.equal(res.statusCode, 202, res.body);
      sendIds.push(json(res).data.send.id);
    }
    // One worker runs both batch jobs at once; each passes the policy before either hands over.
    await runJobs(t.services, QUEUES);
    assert.deepEqual(relay.mails, ['capped.person@example.com']);
    // The stopped one goes again after its retry delay, and the policy refuses it then.
    clock.advance(2 * 60_000);
    await runJobs(t.services, QUEUES);
    const rows = await ctx.db.kysely.selectFrom('sends').select(['status', 'reason']).where('id', 'in', sendIds).execute();
    assert.deepEqual(rows.map((r) => `${r.status}:${r.reason ?? ''}`).sort(), ['refused:frequency_cap', 'sent:']);
    assert.deepEqual(relay.mails, ['capped.person@example.com']);
  });
});
