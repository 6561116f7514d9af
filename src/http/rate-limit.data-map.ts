import { declareTable } from '../db/datamap.declare.ts';

export const rateLimitDataMap = [
  declareTable({
    name: 'rate_limits',
    description: 'Request counters per scope and hashed subject (client address or email), for rate limits shared by all processes.',
    subjectLink: null,
    purposes: ['security'],
    retention: { after: 'P1D', from: 'window_start' },
    columns: {
      key: {
        category: 'security.rate_limit.key',
        description: 'HMAC of scope and subject under the installation secret: a guessed address cannot be confirmed without the secret',
      },
      window_start: 'system.time',
      count: 'security.rate_limit.count',
    },
  }),
];
