/** Examples for the OpenAPI document (checked against the schemas by the lint test). */
const MODEL_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f';
const LEAD_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e60';
const CONTACT_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e61';

export const MODEL_CREATE = {
  name: 'Inbound B2B',
  requiredConsent: 'profiling',
  rules: [
    {
      name: 'German company',
      condition: {
        and: [
          { field: 'country', op: '=', value: 'DE' },
          { field: 'lead.value', op: '>=', value: 5000 },
        ],
      },
      points: 10,
    },
    {
      name: 'Pricing page',
      behaviour: { type: 'page_visited', ref: 'https://example.com/pricing', atLeast: 2, withinDays: 30 },
      points: 20,
      decayDays: 30,
    },
    { name: 'Lost before', condition: { field: 'lead.status', op: '=', value: 'lost' }, points: -15 },
  ],
  grades: { A: 40, B: 25, C: 10, D: 1 },
  salesReady: 30,
};

export const RECOMPUTE = {
  state: 'done' as const,
  total: 1200,
  done: 1200,
  startedAt: '2026-06-15T12:00:00.000Z',
  finishedAt: '2026-06-15T12:00:02.000Z',
};

export const MODEL = {
  id: MODEL_ID,
  ...MODEL_CREATE,
  salesReady: 30,
  version: 1,
  createdAt: '2026-06-15T11:59:00.000Z',
  updatedAt: '2026-06-15T11:59:00.000Z',
  recompute: RECOMPUTE,
};

export const DISTRIBUTION = {
  grades: { A: 120, B: 300, C: 410, D: 90, none: 40 },
  salesReady: 180,
  scored: 960,
  notScored: { below_required_level: 230, child_never_profiled: 10 },
  histogram: [
    { from: -15, to: 0, n: 40 },
    { from: 1, to: 16, n: 500 },
    { from: 17, to: 32, n: 300 },
    { from: 33, to: 48, n: 120 },
  ],
};

export const RANKING = {
  data: [
    {
      leadId: LEAD_ID,
      title: 'Annual licence',
      status: 'qualified',
      contactId: CONTACT_ID,
      contact: { email: 'ana@example.com', firstName: 'Ana', lastName: 'Silva' },
      score: 28,
      grade: 'B',
      salesReady: false,
      reason: 'allowed',
      computedAt: '2026-06-15T12:00:01.000Z',
    },
  ],
  next: null,
};

export const EXPLANATION = {
  data: [
    {
      modelId: MODEL_ID,
      modelName: 'Inbound B2B',
      score: 28,
      grade: 'B',
      salesReady: false,
      rules: [
        {
          name: 'German company',
          kind: 'condition' as const,
          points: 10,
          rulePoints: 10,
          window: null,
          atLeast: null,
          counted: null,
          latestAt: null,
          decayDays: null,
        },
        {
          name: 'Pricing page',
          kind: 'behaviour' as const,
          points: 18,
          rulePoints: 20,
          window: { withinDays: 30 },
          atLeast: 2,
          counted: 3,
          latestAt: '2026-06-12T09:30:00.000Z',
          decayDays: 30,
        },
      ],
      reason: 'allowed',
      computedAt: '2026-06-15T12:00:01.000Z',
    },
  ],
};
