import { declareTable } from '../../db/datamap.declare.ts';

/** Staff accounts. Staff are not contacts, so these rows have no contact subject link. */
export const usersDataMap = [
  declareTable({
    name: 'users',
    description: 'Staff users of the console and API, with their role.',
    subjectLink: null,
    purposes: ['operations', 'security'],
    columns: {
      id: 'system.id',
      email: { category: 'staff.identity.email', personal: true },
      name: { category: 'staff.identity.name', personal: true },
      role: 'staff.access.role',
      password_hash: { category: 'staff.credential.password_hash', description: 'scrypt hash; the password itself is never stored' },
      disabled: 'staff.access.disabled',
      created_at: 'system.time',
      updated_at: 'system.time',
      last_login_at: 'staff.activity.time',
    },
  }),
  declareTable({
    name: 'sessions',
    description: 'Console login sessions; the cookie token is stored only as a hash.',
    subjectLink: null,
    purposes: ['security'],
    retention: { after: 'P30D', from: 'expires_at' },
    columns: {
      id: 'system.id',
      token_hash: 'staff.credential.session_hash',
      user_id: 'system.ref.user',
      created_at: 'system.time',
      expires_at: 'system.time',
    },
  }),
  declareTable({
    name: 'api_keys',
    description: 'API keys carrying a role; the secret is stored only as a hash.',
    subjectLink: null,
    purposes: ['security'],
    columns: {
      id: 'system.id',
      name: { category: 'system.label', freeText: true },
      prefix: 'staff.credential.key_prefix',
      secret_hash: 'staff.credential.key_hash',
      role: 'staff.access.role',
      created_by: 'system.ref.user',
      created_at: 'system.time',
      revoked_at: 'system.time',
    },
  }),
  declareTable({
    name: 'login_throttle',
    description:
      'Failed-login counts and delays per address, per client and per address from one client, shared by all processes. ' +
      'Holds no address and no client address: keys are HMACs under the installation secret. Not linked to a contact: ' +
      'an erasure leaves it, and retention removes a row a day after it stops counting (an hour after its last attempt, ' +
      'or 30 days after a right password made the client known), well within an erasure deadline.',
    subjectLink: null,
    purposes: ['security'],
    retention: { after: 'P1D', from: 'expires_at' },
    columns: {
      key: {
        category: 'security.login_throttle.key',
        description: 'HMAC of the subject (normalised address, client, or both) under the installation secret',
      },
      address_key: {
        category: 'security.login_throttle.address_key',
        description: "HMAC of the normalised address, on the address's rows, so unlock finds them; null on a client's row",
      },
      failures: 'security.login_throttle.count',
      last_at: 'system.time',
      next_at: 'system.time',
      good_until: 'system.time',
      expires_at: 'system.time',
    },
  }),
];
