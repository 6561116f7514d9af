import { type Samples, uniq, contact } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the consent module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'GET /api/v1/contacts/:id/consent/check': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/consent/check?purpose=marketing`, expect: 200, target: c.id };
  },
  'POST /api/v1/consent/check': async (t) => ({ payload: { contactIds: [(await contact(t)).id], purpose: 'profiling' }, expect: 200 }),
  // A withdrawal, which every role that may edit contacts records (raising: test/http/withdrawal.test.ts).
  'PUT /api/v1/contacts/:id/consent': async (t) => {
    const c = await contact(t);
    await t.services.consent.setLevel(c.id, 3, { source: 'api', actor: { type: 'system', id: null } });
    return {
      url: `/api/v1/contacts/${c.id}/consent`,
      payload: { level: 1, source: 'api', notice: 'Fewer messages, please.' },
      expect: 200,
      target: c.id,
    };
  },
  'PUT /api/v1/contacts/:id/guardian-consent': async (t) => {
    const g = await contact(t);
    const c = await t.services.contacts.create({ email: `kid${uniq()}@example.com`, isChild: true, guardianId: g.id });
    await t.services.consent.setGuardianConsent(c.id, true, { source: 'admin', actor: { type: 'system', id: null } });
    return { url: `/api/v1/contacts/${c.id}/guardian-consent`, payload: { granted: false, source: 'admin' }, expect: 200, target: c.id };
  },
  'GET /api/v1/contacts/:id/consent/history': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/consent/history`, expect: 200, target: c.id };
  },
  'GET /api/v1/contacts/:id/consent': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/consent?at=2030-01-01T00:00:00Z`, expect: 200, target: c.id };
  },
  'POST /api/v1/notices': async () => ({ payload: { text: `Notice ${uniq()}` }, expect: 201 }),
  'GET /api/v1/notices/:id': async (t) => {
    const n = await t.services.ledger.putNotice(`Shown ${uniq()}`);
    return { url: `/api/v1/notices/${n.id}`, expect: 200, target: n.id };
  },
  'GET /api/v1/consent/verify': async () => ({ expect: 200 }),
};
