import { SESSION_COOKIE } from '../../../src/http/auth.ts';
import { type Samples, uniq } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the users module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/session': async (t) => {
    await t.services.users
      .createUser({ email: 'staff@example.com', role: 'viewer', password: 'correct horse battery' })
      .catch(() => undefined);
    return { payload: { email: 'staff@example.com', password: 'correct horse battery' }, expect: 201 };
  },
  'GET /api/v1/session': async () => ({ expect: 200 }),
  'DELETE /api/v1/session': async () => ({ expect: 204 }),
  // A user's own password: signed in with a session of a user of that role, not with the role's API key.
  'POST /api/v1/session/password': async (t) => {
    const u = await t.services.users.createUser({ email: `pw${uniq()}@example.com`, role: 'viewer', password: 'correct horse battery' });
    const { token } = await t.services.users.createSession(u.id);
    return {
      headers: { authorization: '', cookie: `${SESSION_COOKIE}=${token}` },
      payload: { currentPassword: 'correct horse battery', newPassword: 'another long password' },
      expect: 204,
      target: u.id,
      actorType: 'user',
    };
  },
  'GET /api/v1/users': async () => ({ expect: 200 }),
  'POST /api/v1/users': async () => ({
    payload: {
      email: `u${Date.now()}${Math.random()}@example.com`.replace('0.', ''),
      role: 'marketer',
      password: 'a long enough password',
    },
    expect: 201,
  }),
  'GET /api/v1/users/:id': async (t) => {
    const u = await t.services.users.createUser({
      email: `v${Math.random()}@example.com`.replace('0.', ''),
      role: 'viewer',
      password: 'a long enough password',
    });
    return { url: `/api/v1/users/${u.id}`, expect: 200, target: u.id };
  },
  'PATCH /api/v1/users/:id': async (t) => {
    const u = await t.services.users.createUser({
      email: `w${Math.random()}@example.com`.replace('0.', ''),
      role: 'viewer',
      password: 'a long enough password',
    });
    return { url: `/api/v1/users/${u.id}`, payload: { role: 'marketer' }, expect: 200, target: u.id };
  },
  'GET /api/v1/keys': async () => ({ expect: 200 }),
  'POST /api/v1/keys': async () => ({ payload: { name: 'integration', role: 'viewer' }, expect: 201 }),
  'DELETE /api/v1/keys/:id': async (t) => {
    const k = await t.services.users.createKey({ name: 'to revoke', role: 'viewer' });
    return { url: `/api/v1/keys/${k.key.id}`, expect: 204, target: k.key.id };
  },
};
