import { declareTable } from '../db/datamap.declare.ts';

export const rateLimitDataMap = [
  declareTable({
    name: 'rate_limits',
    description:
      'Counters for limits shared by all processes: requests per scope and hashed subject (client address or email), and messages ' +
      'per second per SMTP relay (key `mail:relay:` and a hash of the relay configuration, no personal data).',
    subjectLink: null,
    purposes: ['security'],
    retention: { after: 'P1D', from: 'window_start' },
    columns: {
      key: {
        category: 'security.rate_limit.key',
        description:
          'HMAC of scope and subject under the installation secret (a guessed address cannot be confirmed without the secret), ' +
          'or `mail:relay:` and the relay configuration hash',
      },
      window_start: 'system.time',
      count: 'security.rate_limit.count',
    },
  }),
];
