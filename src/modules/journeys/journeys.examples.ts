import type { Tile } from './journeys.graph.ts';
import type { Journey, JourneyInput } from './journeys.model.ts';
import type { ContactJourney, ContactPath, JourneyTask } from './journeys.service.ts';
import type { JourneyStats } from './journeys.stats.queries.ts';

/** Examples for the OpenAPI document: a welcome journey as a marketer would draw it. */

const JOURNEY_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4f10';
const CONTACT_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4f20';

const TILES: Tile[] = [
  { id: 'start', type: 'start', trigger: { segmentId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4f30', joinLater: true }, next: 'welcome' },
  { id: 'welcome', type: 'email', title: 'Welcome', messageId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4f40', next: 'wait' },
  { id: 'wait', type: 'wait', duration: 'P3D', next: 'clicked' },
  { id: 'clicked', type: 'condition', did: { type: 'email_clicked' }, yes: 'call', no: 'end' },
  { id: 'call', type: 'task', title: 'Call the new customer', role: 'marketer', next: 'end' },
  { id: 'end', type: 'end' },
];

export const JOURNEY_CREATE: JourneyInput = {
  name: 'Welcome series',
  requiredConsent: 'profiling',
  tiles: TILES,
  goal: { event: 'form.submitted' },
  reentry: { policy: 'again', after: 'P90D' },
  holdoutPercent: 10,
};

export const JOURNEY: Journey = {
  id: JOURNEY_ID,
  name: 'Welcome series',
  state: 'live',
  requiredConsent: 'profiling',
  tiles: TILES,
  goal: { event: 'form.submitted' },
  reentry: { policy: 'again', after: 'P90D' },
  holdoutPercent: 10,
  version: 3,
  problems: [],
  counts: { inJourney: 120, done: 840, exited: 37, converted: 64 },
  createdAt: '2026-04-01T09:00:00.000Z',
  updatedAt: '2026-04-02T10:30:00.000Z',
  liveAt: '2026-04-02T10:30:00.000Z',
  stoppedAt: null,
};

export const DRAFT_WITH_PROBLEMS: Journey = {
  ...JOURNEY,
  state: 'draft',
  requiredConsent: 4,
  version: 1,
  problems: [
    {
      tileId: 'clicked',
      code: 'needs_more_consent',
      message: 'its purpose “profiling” needs consent level 5; the journey requires only 4',
    },
  ],
  counts: { inJourney: 0, done: 0, exited: 0, converted: 0 },
  liveAt: null,
};

export const PATH: ContactPath = {
  journeyId: JOURNEY_ID,
  contactId: CONTACT_ID,
  entry: 1,
  status: 'waiting',
  tileId: 'wait',
  dueAt: '2026-04-05T10:31:00.000Z',
  exitReason: null,
  enteredAt: '2026-04-02T10:31:00.000Z',
  endedAt: null,
  steps: [
    { entry: 1, visit: 1, tileId: 'welcome', tileType: 'email', outcome: 'done', reason: null, at: '2026-04-02T10:31:00.000Z' },
    { entry: 1, visit: 2, tileId: 'wait', tileType: 'wait', outcome: 'waiting', reason: null, at: '2026-04-02T10:31:00.000Z' },
  ],
};

export const CONTACT_JOURNEYS: ContactJourney[] = [
  {
    journeyId: JOURNEY_ID,
    name: 'Welcome series',
    status: 'exited',
    tileId: 'clicked',
    entry: 1,
    exitReason: 'below_required_level',
    enteredAt: '2026-04-02T10:31:00.000Z',
    endedAt: '2026-04-05T10:31:02.000Z',
  },
];

export const STATS: JourneyStats = {
  entered: 961,
  holdout: 107,
  converted: 64,
  done: 840,
  notEntered: { below_required_level: 212, already_entered: 9 },
  exited: { below_required_level: 31, journey_stopped: 0, goal: 0, child_never_profiled: 6 },
  inJourney: 120,
  tiles: {
    welcome: { entered: 961, done: 955, waiting: 0, exited: { below_required_level: 6 }, outcomes: {} },
    wait: { entered: 955, done: 835, waiting: 120, exited: {}, outcomes: {} },
    clicked: { entered: 835, done: 835, waiting: 0, exited: {}, outcomes: { yes: 212, no: 623 } },
  },
};

export const TASK: JourneyTask = {
  id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4f50',
  journeyId: JOURNEY_ID,
  journeyName: 'Welcome series',
  tileId: 'call',
  title: 'Call the new customer',
  contactId: CONTACT_ID,
  assigneeRole: 'marketer',
  assigneeUserId: null,
  leadId: null,
  status: 'open',
  createdAt: '2026-04-05T10:31:02.000Z',
  doneAt: null,
};
