// Issue 14, acceptance: a campaign of 2,000+ recipients (some refused by the gate) goes through a
// real SMTP relay in this process while the worker is SIGKILLed at several points inside sending:
// after the relay took N mails, and while a message is mid-stream (bytes at the relay, no
// terminator yet). Restarted each time. At the end the relay holds exactly one mail per eligible
// recipient and none for the refused. On PostgreSQL two workers send at once and are killed in turn;
// there a kill between the server's commit and the worker reading its reply can lose a mail (never
// double one), and the case allows that loss and no other (see below).
// The guarantee under test is the mail module's batch primitive (MailSender.sendBatch): a send's
// terminator is written only after the transaction that marked it sent committed.
import assert from 'node:assert/strict';
import { newId } from '../../../src/lib/ids.ts';
import { type ScriptedSink, startScriptedSink } from '../../helpers/smtp-script-sink.ts';
import type { HarnessCase } from '../harness.ts';
import { SCALE, sleep, waitFor } from '../load.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

export const harnessCase: HarnessCase = {
  name:
    'a campaign of 2,000+ recipients, its workers SIGKILLed after N mails and mid-message: one mail per eligible recipient, none for ' +
    'the refused',
  dialects: ['sqlite', 'postgres'],
  timeoutMs: 900_000,
  async run(h) {
    const pg = h.dialect === 'postgres';
    const sink: ScriptedSink = await startScriptedSink();
    h.defer(() => sink.close());
    const inst = await h.start({
      servers: 0,
      workers: pg ? 2 : 1,
      deferWorkers: true,
      setup: async (i) => {
        await i.services.settings.patch({ dataProtectionEnabled: true, smtp: sink.relay() });
      },
    });
    const s = inst.services;
    const company = `crash-${Math.random().toString(36).slice(2, 8)}`;
    const total = 2100 * SCALE;
    const eligible: string[] = [];
    const refused: string[] = [];
    for (let i = 0; i < total; i++) {
      const email = `r${i}.${company}@example.com`;
      const c = await s.contacts.create({ email, company });
      // Every tenth is below marketing's level: the gate refuses it at its turn.
      const level = i % 10 === 3 ? 3 : 4;
      await s.consent.setLevel(c.id, level, CTX);
      (level === 4 ? eligible : refused).push(email);
    }
    const segment = await s.segments.create({
      name: `S ${company}`,
      kind: 'dynamic',
      filter: { field: 'company', op: '=', value: company },
    });
    const messageId = newId();
    const now = new Date().toISOString();
    await inst.db.kysely
      .insertInto('messages')
      .values({
        id: messageId,
        name: `Crash ${company}`,
        purpose: 'marketing',
        list_id: null,
        from_name: 'Shop',
        from_email: 'news@example.com',
        reply_to: null,
        subject: 'Spring offer',
        html: `<p>Hello</p>${'<p>Some text to stream.</p>'.repeat(40)}<a href="{{ unsubscribe_url }}">leave</a>`,
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const campaign = await s.campaigns.start(messageId, segment.id, null);
    h.note(`${eligible.length} eligible, ${refused.length} refused by the gate`);

    await Promise.all(inst.workers.map((w) => w.start()));
    const began = Date.now();
    // Where to kill: after the relay took this many, and then (`mid`) at the first moment a message is mid-stream.
    // Four kills: each costs every batch job the worker had claimed one attempt (jobs/queue.ts
    // gives a job five), so a fifth kill of the one SQLite worker could leave a batch dead and its
    // sends queued for good, a limit of the job queue and not of delivery.
    const points = [
      { after: 150, mid: false },
      { after: 600, mid: true },
      { after: 1100, mid: true },
      { after: 1500, mid: true },
    ].map((p) => ({ ...p, after: p.after * SCALE }));
    let w = 0;
    const kills: string[] = [];
    const killedAt: number[] = [];
    for (const p of points) {
      const until = Date.now() + 300_000;
      while (Date.now() < until && sink.messages().length < p.after) await sleep(2);
      if (p.mid) {
        const midUntil = Date.now() + 20_000;
        while (Date.now() < midUntil && sink.streaming().size === 0) await sleep(1);
      }
      const worker = inst.workers[w++ % inst.workers.length]!;
      if (!worker.alive) continue;
      const midStream = sink.streaming().size;
      await worker.kill();
      killedAt.push(Date.now());
      kills.push(`${sink.messages().length}${p.mid ? ` (${midStream} mid-stream)` : ''} at ${new Date().toISOString()}`);
      await worker.start();
    }
    h.note(`killed at relay counts: ${kills.join(', ')}`);
    assert.ok(kills.length >= 4, 'the workers were killed inside sending');

    // Waits for the campaign to end: nothing queued or deferred. A killed worker's batch runs again after its lease.
    const dead = async () =>
      Number(
        (
          await inst.db.kysely
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('queue', '=', 'email.batch')
            .where('status', '=', 'dead')
            .executeTakeFirstOrThrow()
        ).n,
      );
    await waitFor(
      'the campaign to send to everyone',
      async () => {
        const open = await inst.db.kysely
          .selectFrom('sends')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('campaign_id', '=', campaign.id)
          .where('status', 'in', ['queued', 'deferred'])
          .executeTakeFirstOrThrow();
        const all = await inst.db.kysely
          .selectFrom('sends')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('campaign_id', '=', campaign.id)
          .executeTakeFirstOrThrow();
        if (Number(all.n) === total && Number(open.n) === 0) return true;
        if ((await dead()) > 0) throw new Error(`a batch job died with ${open.n} sends queued`);
        return undefined;
      },
      600_000,
      500,
    );
    const seconds = (Date.now() - began) / 1000;
    h.note(`${sink.messages().length} mails in ${seconds.toFixed(1)} s with ${kills.length} kills`);

    const statuses = await inst.db.kysely
      .selectFrom('sends')
      .select(['status', 'reason'])
      .select((eb) => eb.fn.countAll().as('n'))
      .where('campaign_id', '=', campaign.id)
      .groupBy(['status', 'reason'])
      .execute();
    const byStatus = Object.fromEntries(statuses.map((r) => [`${r.status}${r.reason ? `:${r.reason}` : ''}`, Number(r.n)]));
    h.note(`sends: ${JSON.stringify(byStatus)}`);
    const doubles = eligible.filter((e) => sink.count(e) > 1);
    const missing = eligible.filter((e) => sink.count(e) === 0);
    const toRefused = refused.filter((e) => sink.count(e) > 0);
    assert.deepEqual(doubles.length, 0, `mailed twice: ${doubles.length}`);
    // A mail can be lost only in the window ADR 0016 describes: its send was committed as sent, and
    // the worker died before its terminator reached the relay. On both databases: on PostgreSQL the
    // server commits before its reply reaches the worker; on SQLite the commit is in the worker, but
    // a process descheduled on a loaded machine can be killed between the commit's return and the
    // terminator's write (16 ms apart in one CI-like run, the kill aimed at a mid-stream moment).
    // So a lost mail is allowed only as a send marked sent within a second before a kill; a double
    // or a mail to a refused recipient never is.
    const lost = missing.length
      ? await inst.db.kysely
          .selectFrom('sends')
          .innerJoin('contacts', 'contacts.id', 'sends.contact_id')
          .select(['sends.status', 'sends.sent_at'])
          .where('sends.campaign_id', '=', campaign.id)
          .where('contacts.email', 'in', missing)
          .execute()
      : [];
    if (lost.length) h.note(`never mailed: ${JSON.stringify(lost)}; kills at ${killedAt.map((t) => new Date(t).toISOString()).join(', ')}`);
    for (const l of lost) {
      const at = l.sent_at ? new Date(l.sent_at).getTime() : Number.NaN;
      assert.ok(
        l.status === 'sent' && killedAt.some((k) => k >= at && k - at < 1000),
        `a mail lost outside the commit-to-terminator window: ${JSON.stringify(l)}`,
      );
    }
    assert.deepEqual(toRefused.length, 0, 'a refused recipient got mail');
    assert.equal(sink.messages().length, eligible.length - missing.length);
    assert.deepEqual(byStatus, { sent: eligible.length, 'refused:below_required_level': refused.length });
  },
};
