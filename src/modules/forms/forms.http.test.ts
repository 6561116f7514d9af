import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { dumpDatabase } from '../../../test/helpers/snapshot.ts';
import { FakeClock } from '../../lib/clock.ts';
import type { Db } from '../database.ts';
import type { FieldDef } from './forms.model.ts';
import { FORM_QUEUE } from './forms.service.ts';

let ipSeq = 0;
/** A fresh client address per call, so the per-client limit only counts where a test means it to. */
const nextIp = () => `10.${Math.floor(++ipSeq / 250) % 250}.${ipSeq % 250}.7`;

/** Calls `tick` with each statement's text as it is sent to the database; returns the undo. */
function watchStatements(db: Db, tick: (sql: string) => void): () => void {
  if (db.sqlite) {
    const proto = Object.getPrototypeOf(db.sqlite.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
    const methods = ['run', 'all', 'get', 'iterate'] as const;
    const saved = methods.map((m) => proto[m]!);
    methods.forEach((m, i) => {
      proto[m] = function (this: { source: string }, ...a: unknown[]) {
        tick(this.source);
        return saved[i]!.apply(this, a);
      };
    });
    return () => methods.forEach((m, i) => (proto[m] = saved[i]!));
  }
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const q = a[0] as string | { text?: string };
    tick(typeof q === 'string' ? q : (q?.text ?? ''));
    return query.apply(this, a);
  };
  return () => {
    proto.query = query;
  };
}

forEachDialect('forms', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  let listA: string;
  let listB: string;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: 'https://assent.example.org/' });
    await t.services.customFields.define({ name: 'shoe_size', type: 'number', personal: false });
    listA = (await t.services.lists.create({ name: 'Bread news' })).id;
    listB = (await t.services.lists.create({ name: 'Cake news' })).id;
  });
  after(async () => t.close());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role = 'marketer' as const) =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });

  const fields = (): FieldDef[] => [
    { name: 'email', label: 'Email', maps: 'email', required: true, type: 'email' },
    { name: 'first_name', label: 'First name', maps: 'firstName', maxLength: 40 },
    { name: 'shoe', label: 'Shoe size', maps: 'custom.shoe_size', type: 'number' },
    { name: 'code', label: 'Member code', maps: 'company', pattern: '[A-Z]{3}-\\d{2}' },
    { name: 'colour', label: 'Colour', maps: 'lastName', type: 'select', choices: ['red', 'blue'] },
    {
      name: 'consent',
      label: 'What may we send you?',
      maps: 'consentLevel',
      type: 'radio',
      levels: [
        { level: 3, notice: 'Newsletters you choose.' },
        { level: 4, notice: 'Newsletters and <b>offers</b>.' },
      ],
    },
    { name: 'topics', label: 'Bread or cake news', maps: 'lists', type: 'checkbox', listIds: [listA, listB] },
  ];

  async function newForm(extra: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
    const r = await api('POST', '/api/v1/forms', { name: 'Sign-up', allowedOrigins: ['https://shop.example'], fields: fields(), ...extra });
    assert.equal(r.statusCode, 201, r.body);
    return json(r).data;
  }

  const submit = (formId: string, payload: unknown, headers: Record<string, string> = {}, remoteAddress = nextIp()) =>
    t.app.inject({ method: 'POST', url: `/public/v1/forms/${formId}`, payload: payload as object, headers, remoteAddress });

  const contactOf = (email: string) => t.services.contacts.findByEmail(email);

  describe('definitions', () => {
    it('stores a form, lists and reads it, version 1', async () => {
      const f = await newForm();
      assert.equal(f.version, 1);
      const one = json(await api('GET', `/api/v1/forms/${f.id}`)).data;
      assert.deepEqual(one.fields, fields());
      assert.deepEqual(one.allowedOrigins, ['https://shop.example']);
      const all = json(await api('GET', '/api/v1/forms?limit=500')).data as { id: string }[];
      assert.ok(all.some((x) => x.id === f.id));
    });

    it('refuses invalid definitions with form_invalid, each problem at its path', async () => {
      const email = fields()[0]!;
      const cases: [Record<string, unknown>, string][] = [
        [{ fields: [{ ...email, maps: 'firstName' }] }, '/fields'],
        [{ fields: [email, { ...email, name: 'email2' }] }, '/fields'],
        [{ fields: [{ ...email, required: false }] }, '/fields/0/required'],
        [{ fields: [email, { name: 'x', label: 'X', maps: 'custom.nope' }] }, '/fields/1/maps'],
        [{ fields: [email, { name: 'x', label: 'X', maps: 'favouriteFood' }] }, '/fields/1/maps'],
        [
          { fields: [email, { name: 'l', label: 'L', maps: 'lists', listIds: ['01938a70-2b4c-7d11-8e2f-000000000000'] }] },
          '/fields/1/listIds/0',
        ],
        [
          { fields: [email, { name: 'c', label: 'C', maps: 'consentLevel', levels: [{ level: 3, notice: '  ' }] }] },
          '/fields/1/levels/0/notice',
        ],
        [{ fields: [email, { name: 'website', label: 'Site', maps: 'company' }] }, '/fields/1/name'],
        [{ fields: [email, { name: 'email', label: 'Again', maps: 'company' }] }, '/fields/1/name'],
        [{ fields: [email, { name: 'p', label: 'P', maps: 'company', pattern: '(' }] }, '/fields/1/pattern'],
        [{ fields: [email], allowedOrigins: ['https://shop.example/path'] }, '/allowedOrigins/0'],
        [{ fields: [email], allowedOrigins: ['javascript:alert(1)'] }, '/allowedOrigins/0'],
      ];
      for (const [body, path] of cases) {
        const r = await api('POST', '/api/v1/forms', { name: 'Bad', ...body });
        assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
        assert.equal(json(r).error.code, 'form_invalid');
        assert.ok(
          (json(r).error.details as { path: string }[]).some((d) => d.path === path),
          `${path} in ${JSON.stringify(json(r).error.details)}`,
        );
      }
    });

    it('an edit keeps the version until the form has submissions, then makes a new one; submissions keep theirs', async () => {
      const f = await newForm();
      const changed = fields().map((x) => (x.name === 'first_name' ? { ...x, label: 'Given name' } : x));
      let r = await api('PATCH', `/api/v1/forms/${f.id}`, { fields: changed });
      assert.equal(json(r).data.version, 1);
      assert.equal(json(r).data.fields[1].label, 'Given name');
      assert.equal((await submit(f.id, { email: 'versions@example.org' })).statusCode, 200);
      await runJobs(t.services, [FORM_QUEUE]);
      r = await api('PATCH', `/api/v1/forms/${f.id}`, { fields: fields() });
      assert.equal(json(r).data.version, 2);
      // A change of name alone is no new version.
      r = await api('PATCH', `/api/v1/forms/${f.id}`, { name: 'Renamed' });
      assert.equal(json(r).data.version, 2);
      const subs = await t.services.db.kysely.selectFrom('form_submissions').selectAll().where('form_id', '=', f.id).execute();
      assert.deepEqual(
        subs.map((s) => s.version),
        [1],
      );
      const v1 = await t.services.db.kysely
        .selectFrom('form_versions')
        .selectAll()
        .where('form_id', '=', f.id)
        .orderBy('version')
        .execute();
      assert.equal((JSON.parse(v1[0]!.fields) as FieldDef[])[1]!.label, 'Given name');
    });

    it('deletes a form nobody submitted; archives one with submissions, which then takes no more', async () => {
      const unused = await newForm();
      assert.equal((await api('DELETE', `/api/v1/forms/${unused.id}`)).statusCode, 204);
      assert.equal((await api('GET', `/api/v1/forms/${unused.id}`)).statusCode, 404);
      const used = await newForm();
      await submit(used.id, { email: 'archive@example.org' });
      assert.equal((await api('DELETE', `/api/v1/forms/${used.id}`)).statusCode, 204);
      const got = json(await api('GET', `/api/v1/forms/${used.id}`)).data;
      assert.ok(got.archivedAt);
      assert.equal((await submit(used.id, { email: 'archive2@example.org' })).statusCode, 404);
      const all = json(await api('GET', '/api/v1/forms?limit=500')).data as { id: string }[];
      assert.ok(!all.some((x) => x.id === used.id));
    });

    it('a viewer reads forms but may not change them', async () => {
      assert.equal((await api('GET', '/api/v1/forms', undefined, 'viewer' as 'marketer')).statusCode, 200);
      const r = await api('POST', '/api/v1/forms', { name: 'x', fields: fields() }, 'viewer' as 'marketer');
      assert.equal(r.statusCode, 403);
    });
  });

  describe('submissions', () => {
    let form: string;
    before(async () => {
      form = (await newForm()).id;
    });

    it('creates the contact, sets the fields, raises the level with the notice and joins the lists; the ledger says form', async () => {
      const r = await submit(
        form,
        {
          email: '  Ada.Form@Example.org ',
          first_name: 'Ada',
          shoe: '41',
          code: 'ABC-12',
          colour: 'red',
          consent: '4',
          topics: [listA, listB],
        },
        { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Test' },
        '192.0.2.77',
      );
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(await contactOf('ada.form@example.org'), null, 'nothing is applied before the job');
      await runJobs(t.services, [FORM_QUEUE]);
      const c = (await contactOf('ada.form@example.org'))!;
      assert.equal(c.email, 'Ada.Form@example.org');
      assert.equal(c.firstName, 'Ada');
      assert.equal(c.company, 'ABC-12');
      assert.equal(c.lastName, 'red');
      assert.equal(c.customFields.shoe_size, 41);
      assert.equal(c.consentLevel, 4);
      const lists = (await t.services.lists.memberships(c.id)).map((m) => m.listId).sort();
      assert.deepEqual(lists, [listA, listB].sort());
      const history = await t.services.ledger.history(c.id);
      const level = history.find((e) => e.kind === 'level' && e.newValue === 4)!;
      assert.equal(level.source, 'form');
      assert.equal(level.notice?.text, 'Newsletters and <b>offers</b>.');
      assert.equal(level.evidence.ip, '192.0.2.0');
      assert.equal(level.evidence.userAgent, 'Mozilla/5.0 (X11; Linux x86_64) Test');
      const sub = await t.services.db.kysely
        .selectFrom('form_submissions')
        .selectAll()
        .where('contact_id', '=', c.id)
        .executeTakeFirstOrThrow();
      assert.equal(level.actorType, 'form_submission');
      assert.equal(level.actorId, sub.id);
      assert.equal(sub.ip_prefix, '192.0.2.0');
      assert.equal(sub.version, 1);
      assert.equal(history.filter((e) => e.kind === 'list_join').length, 2);
      assert.equal(history.find((e) => e.kind === 'list_join')!.notice?.text, 'Bread or cake news');
      const interactions = await t.services.db.kysely.selectFrom('interactions').selectAll().where('contact_id', '=', c.id).execute();
      assert.deepEqual(
        interactions.map((i) => [i.type, i.ref]),
        [['form_submitted', form]],
      );
      const events = await t.services.db.kysely
        .selectFrom('events')
        .selectAll()
        .where('type', '=', 'form.submitted')
        .where('contact_id', '=', c.id)
        .execute();
      assert.equal(events.length, 1);
      assert.deepEqual(JSON.parse(events[0]!.data), { formId: form, version: 1, submissionId: sub.id });
      assert.equal(
        await t.services.db.kysely.selectFrom('form_confirmations').select('id').where('submission_id', '=', sub.id).executeTakeFirst(),
        undefined,
      );
      // The person's access export holds the submission: which form and version, when, from which network.
      const exported = await t.services.accessExports.build(c.id);
      assert.deepEqual(
        exported.tables.form_submissions!.rows.map((r) => [r.id, r.form_id, r.version, r.ip_prefix]),
        [[sub.id, form, 1, '192.0.2.0']],
      );
    });

    it('never lowers the level and never leaves a list, whatever is posted', async () => {
      const c = await t.services.contacts.create({ email: 'high@example.org' });
      await t.services.consent.setLevel(c.id, 5, { source: 'api', actor: { type: 'system', id: null } });
      await t.services.lists.join(c.id, listB, { source: 'api', actor: { type: 'system', id: null } });
      const before = (await t.services.ledger.history(c.id)).length;
      for (const consent of ['3', '4', '0', '-1', '5'])
        await submit(form, {
          email: 'HIGH@example.org',
          consent: consent === '-1' || consent === '0' || consent === '5' ? '3' : consent,
          topics: listA,
        });
      await runJobs(t.services, [FORM_QUEUE]);
      const after = await t.services.contacts.get(c.id);
      assert.equal(after.consentLevel, 5);
      const lists = (await t.services.lists.memberships(c.id)).map((m) => m.listId).sort();
      assert.deepEqual(lists, [listA, listB].sort());
      const entries = (await t.services.ledger.history(c.id)).slice(before);
      assert.deepEqual(
        entries.map((e) => e.kind),
        ['list_join'],
      );
      // A level the form does not offer is refused by the field, never applied.
      const r = await submit(form, { email: 'high@example.org', consent: '0' });
      assert.equal(r.statusCode, 400);
      assert.deepEqual(json(r).error.details, [{ path: '/consent', message: 'not one of the levels offered' }]);
    });

    it('checks each field and names it: required, length, pattern, choices, type, lists offered, contact rules', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ first_name: 'x' }, '/email'],
        [{ email: 'not-an-address' }, '/email'],
        [{ email: 'f@example.org', first_name: 'x'.repeat(41) }, '/first_name'],
        [{ email: 'f@example.org', code: 'abc-12' }, '/code'],
        [{ email: 'f@example.org', code: 'ABC-12x' }, '/code'],
        [{ email: 'f@example.org', colour: 'green' }, '/colour'],
        [{ email: 'f@example.org', shoe: 'big' }, '/shoe'],
        [{ email: 'f@example.org', topics: ['01938a70-2b4c-7d11-8e2f-000000000000'] }, '/topics'],
        [{ email: 'f@example.org', email_dup: 'x', first_name: ['a', 'b'] }, '/first_name'],
      ];
      for (const [body, path] of cases) {
        const r = await submit(form, body);
        assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
        assert.equal(json(r).error.code, 'validation_failed');
        assert.deepEqual(
          (json(r).error.details as { path: string }[]).map((d) => d.path),
          [path],
          JSON.stringify(body),
        );
      }
    });

    it('a country the contacts refuse is named by the form field that maps it', async () => {
      const f = await newForm({ fields: [fields()[0], { name: 'land', label: 'Country', maps: 'country' }] });
      const r = await submit(f.id, { email: 'land@example.org', land: 'Narnia' });
      assert.equal(r.statusCode, 400);
      assert.equal(json(r).error.details[0].path, '/land');
    });

    it('a plain HTML form posts url-encoded, ticks several lists, and gets an HTML page with every value escaped', async () => {
      const body = new URLSearchParams([
        ['email', 'plain@example.org'],
        ['first_name', '<script>alert(1)</script>'],
        ['topics', listA],
        ['topics', listB],
      ]).toString();
      const r = await submit(form, body, { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(r.statusCode, 200, r.body);
      assert.match(r.headers['content-type'] as string, /^text\/html/);
      await runJobs(t.services, [FORM_QUEUE]);
      const c = (await contactOf('plain@example.org'))!;
      assert.equal(c.firstName, '<script>alert(1)</script>');
      assert.equal((await t.services.lists.memberships(c.id)).length, 2);
      const bad = await submit(form, new URLSearchParams([['email', '<b>x</b>']]).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /<strong>Email<\/strong>: not an email address/);
      assert.doesNotMatch(bad.body, /<b>x<\/b>/);
    });
  });

  describe('the same answer and the same work for every address', () => {
    it('known, unknown and suppressed addresses get byte-identical answers after the same statements', async () => {
      const f = await newForm();
      await t.services.contacts.create({ email: 'known@example.org', firstName: 'Known' });
      const gone = await t.services.contacts.create({ email: 'erased@example.org' });
      await t.services.contacts.delete(gone.id);
      const answers: { status: number; headers: Record<string, unknown>; body: string; statements: string[] }[] = [];
      for (const email of ['known@example.org', 'unknown@example.org', 'erased@example.org']) {
        // Warm once (prepared statements, caches), then measure a second submission.
        await submit(f.id, { email: email.replace('@', '+warm@'), first_name: 'A' }, {}, '198.51.100.1');
        const statements: string[] = [];
        const undo = watchStatements(ctx.db, (sql) => statements.push(sql));
        let r: Awaited<ReturnType<typeof submit>>;
        try {
          r = await submit(f.id, { email, first_name: 'A', consent: '3' }, {}, '198.51.100.2');
        } finally {
          undo();
        }
        // The date and the request's own id differ between any two answers.
        const { date: _date, 'x-request-id': _id, ...headers } = r.headers;
        answers.push({ status: r.statusCode, headers, body: r.body, statements });
      }
      assert.equal(answers[0]!.status, 200);
      assert.deepEqual(answers[1], answers[0]);
      assert.deepEqual(answers[2], answers[0]);
      assert.ok(answers[0]!.statements.length > 3, `statements were seen (${answers[0]!.statements.length})`);
      // The job refuses the suppressed address silently: nothing of it stays.
      await runJobs(t.services, [FORM_QUEUE]);
      assert.equal(await contactOf('erased@example.org'), null);
      assert.equal((await contactOf('unknown@example.org'))?.consentLevel, 3);
      assert.equal((await contactOf('known@example.org'))?.consentLevel, 3);
      const left = await t.services.db.kysely.selectFrom('form_submissions').select('id').where('contact_id', 'is', null).execute();
      assert.deepEqual(left, []);
    });
  });

  describe('refusals change nothing', () => {
    it(
      'honeypot, invalid fields, a foreign origin, an oversized body, ' + 'an unknown form, the client limit: every table as before',
      async () => {
        const f = await newForm();
        await submit(f.id, { email: 'warm-refusals@example.org' });
        await runJobs(t.services, [FORM_QUEUE]);
        const unknownForm = '01938a70-2b4c-7d11-8e2f-000000000000';
        const refusals: [string, () => ReturnType<typeof submit>, number][] = [
          ['honeypot', () => submit(f.id, { email: 'bot@example.org', website: 'http://spam.example' }), 200],
          [
            'honeypot url-encoded',
            () => submit(f.id, 'email=bot2%40example.org&website=x', { 'content-type': 'application/x-www-form-urlencoded' }),
            200,
          ],
          ['invalid', () => submit(f.id, { email: 'nope' }), 400],
          ['origin', () => submit(f.id, { email: 'origin@example.org' }, { origin: 'https://evil.example' }), 403],
          ['too large', () => submit(f.id, { email: 'big@example.org', first_name: 'x'.repeat(17 * 1024) }), 413],
          ['unknown form', () => submit(unknownForm, { email: 'u@example.org' }), 404],
          ['not json', () => submit(f.id, '{"email":', { 'content-type': 'application/json' }), 400],
        ];
        const honest = await submit(f.id, { email: 'honest@example.org' });
        await runJobs(t.services, [FORM_QUEUE]);
        for (const [name, run, status] of refusals) {
          const before = await dumpDatabase(ctx.db);
          const r = await run();
          assert.equal(r.statusCode, status, `${name}: ${r.body}`);
          await runJobs(t.services, [FORM_QUEUE]);
          const after = await dumpDatabase(ctx.db);
          // The limits' counters are what a refusal is allowed to change.
          delete before.rate_limits;
          delete after.rate_limits;
          assert.deepEqual(after, before, name);
          if (name === 'honeypot') assert.equal(r.body, honest.body, 'a filled honeypot answers as any submission');
        }
        // The client limit: the same address past its budget is refused (429), and nothing is written.
        const ip = '203.0.113.9';
        let last: Awaited<ReturnType<typeof submit>> | undefined;
        for (let i = 0; i < 31; i++) last = await submit(f.id, { email: 'nope' }, {}, ip);
        assert.equal(last!.statusCode, 429);
        const before = await dumpDatabase(ctx.db);
        assert.equal((await submit(f.id, { email: 'limited@example.org' }, {}, ip)).statusCode, 429);
        const afterLimit = await dumpDatabase(ctx.db);
        delete before.rate_limits;
        delete afterLimit.rate_limits;
        assert.deepEqual(afterLimit, before);
      },
    );

    it('Assent’s own pages and the allowed origins may post; no Origin header (a server) may too', async () => {
      const f = await newForm();
      for (const origin of ['https://shop.example', 'https://assent.example.org', 'HTTPS://SHOP.EXAMPLE'])
        assert.equal((await submit(f.id, { email: 'o@example.org' }, { origin })).statusCode, 200, origin);
      assert.equal((await submit(f.id, { email: 'o@example.org' }, { origin: 'null' })).statusCode, 403);
      assert.equal((await submit(f.id, { email: 'o@example.org' })).statusCode, 200);
    });
  });

  describe('double opt-in', () => {
    const linkOf = async (to: string) => {
      const page = await t.services.mail.listOutbox({ limit: 500 });
      const m = page.items.find((x) => x.to === to);
      assert.ok(m, `a mail to ${to}`);
      const url = /https:\/\/assent\.example\.org(\/public\/v1\/forms\/confirm\/[0-9a-f]+)/.exec(m.text ?? '')!;
      assert.ok(url, m.text ?? '');
      return url[1]!;
    };

    it('changes nothing until the POST of the link; the GET only asks; the ledger names the submission and the confirmation', async () => {
      const f = await newForm({ doubleOptIn: true });
      await submit(f.id, { email: 'doi@example.org', first_name: 'Dora', consent: '4', topics: listA }, {}, '192.0.2.200');
      await runJobs(t.services, [FORM_QUEUE]);
      await runJobs(t.services, [FORM_QUEUE]);
      assert.equal(await contactOf('doi@example.org'), null, 'no contact before the confirmation');
      // Waiting, it is the address's: an export by address shows it (erasure by address takes it too).
      const waiting = await t.services.accessExports.buildForEmail('doi@example.org');
      assert.equal(waiting.tables.form_confirmations!.rows.length, 1);
      const path = await linkOf('doi@example.org');
      const page = await t.app.inject({ method: 'GET', url: path });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<form method="post">/);
      assert.equal(await contactOf('doi@example.org'), null, 'the GET changes nothing');
      const done = await t.app.inject({ method: 'POST', url: path });
      assert.equal(done.statusCode, 200, done.body);
      const c = (await contactOf('doi@example.org'))!;
      assert.equal(c.firstName, 'Dora');
      assert.equal(c.consentLevel, 4);
      const level = (await t.services.ledger.history(c.id)).find((e) => e.kind === 'level')!;
      const sub = await t.services.db.kysely
        .selectFrom('form_submissions')
        .selectAll()
        .where('contact_id', '=', c.id)
        .executeTakeFirstOrThrow();
      assert.equal(level.actorType, 'form_confirmation');
      assert.match(level.actorId!, new RegExp(`^${sub.id}/[0-9a-f-]{36}$`));
      assert.equal(level.notice?.text, 'Newsletters and <b>offers</b>.');
      assert.ok(sub.confirmed_at);
      // Used once: the same link again is the one refusal page.
      const again = await t.app.inject({ method: 'POST', url: path });
      assert.equal(again.statusCode, 400);
      assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 400);
      const forged = path.replace(/[0-9a-f]$/, (d) => (d === '0' ? '1' : '0'));
      assert.equal((await t.app.inject({ method: 'POST', url: forged })).statusCode, 400);
    });

    it('two POSTs of one link at once apply it once', async () => {
      const f = await newForm({ doubleOptIn: true });
      await submit(f.id, { email: 'twice@example.org', consent: '3', topics: listA });
      await runJobs(t.services, [FORM_QUEUE]);
      const path = await linkOf('twice@example.org');
      const answers = await Promise.all([0, 1].map(() => t.app.inject({ method: 'POST', url: path })));
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 400]);
      const c = (await contactOf('twice@example.org'))!;
      const events = await t.services.db.kysely
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'form.submitted')
        .where('contact_id', '=', c.id)
        .execute();
      assert.equal(events.length, 1);
      const seen = await t.services.db.kysely.selectFrom('interactions').select('id').where('contact_id', '=', c.id).execute();
      assert.equal(seen.length, 1);
    });

    it('a link lasts the days of the formConfirmationDays setting (1 to 90)', async () => {
      const admin = (payload: object) =>
        t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: t.auth('admin'), payload: payload as object });
      assert.equal((await admin({ formConfirmationDays: 0 })).statusCode, 400);
      assert.equal((await admin({ formConfirmationDays: 1 })).statusCode, 200);
      try {
        const f = await newForm({ doubleOptIn: true });
        await submit(f.id, { email: 'oneday@example.org' });
        await runJobs(t.services, [FORM_QUEUE]);
        const path = await linkOf('oneday@example.org');
        clock.advance(86_400_000 - 60_000);
        assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 200);
        clock.advance(120_000);
        assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 400);
      } finally {
        clock.set('2026-03-10T12:00:00.000Z');
        await admin({ formConfirmationDays: 7 });
      }
    });

    it('an unconfirmed one expires: the link stops working and retention with the daily work leave nothing of it', async () => {
      const f = await newForm({ doubleOptIn: true });
      await submit(f.id, { email: 'late@example.org', consent: '3' }, { 'user-agent': 'LateBrowser' });
      await runJobs(t.services, [FORM_QUEUE]);
      const path = await linkOf('late@example.org');
      clock.advance(8 * 86_400_000);
      assert.equal((await t.app.inject({ method: 'POST', url: path })).statusCode, 400);
      await t.services.retention.run({ actor: { type: 'system', id: null } });
      await t.services.forms.removeUnconfirmed();
      const dump = JSON.stringify(await dumpDatabase(ctx.db));
      assert.equal(await contactOf('late@example.org'), null);
      for (const table of ['form_confirmations', 'form_submissions'])
        assert.doesNotMatch(JSON.stringify((await dumpDatabase(ctx.db))[table]), /late@example\.org|LateBrowser/, table);
      assert.doesNotMatch(dump.replace(/"to_address":"late@example\.org"[^}]*/g, ''), /LateBrowser/);
      clock.set('2026-03-10T12:00:00.000Z');
    });
  });
});
