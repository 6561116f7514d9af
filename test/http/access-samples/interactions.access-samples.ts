import { type Samples, contact, SOME_ID } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the interactions module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/interactions': async (t) => ({
    payload: {
      events: [
        { type: 'email_sent', contactId: (await contact(t)).id, messageId: SOME_ID },
        { type: 'email_clicked', contactId: (await contact(t)).id, messageId: SOME_ID },
      ],
    },
    expect: 200,
  }),
  'GET /api/v1/interactions': async (t) => {
    const c = await contact(t);
    await t.services.interactions.ingest([{ type: 'email_sent', contactId: c.id, messageId: SOME_ID }]);
    return { url: `/api/v1/interactions?contact=${c.id}&limit=5`, expect: 200, target: c.id };
  },
  'GET /api/v1/stats/interactions': async () => ({ url: '/api/v1/stats/interactions?type=email_sent', expect: 200 }),
};
