import { declareTable } from '../../db/datamap.declare.ts';

/** Journeys act on people for marketing; a tile's own purpose (a message's, profiling) is checked by the gate at every step. */
const JOURNEY_PURPOSES = ['marketing', 'subscription', 'profiling'];

export const journeysDataMap = [
  declareTable({
    name: 'journeys',
    description: 'Customer journeys staff build: the graph of tiles, the required consent, goal, re-entry policy and holdout share.',
    subjectLink: null,
    purposes: JOURNEY_PURPOSES,
    columns: {
      id: 'system.id',
      name: { category: 'journey.name', freeText: true },
      state: 'system.status',
      required_level: 'journey.requirement',
      required_purpose: 'journey.requirement',
      graph: {
        category: 'journey.graph',
        freeText: true,
        description: 'the tiles as JSON: ids, types, messages, durations, tile titles typed by staff',
      },
      goal: 'journey.goal',
      reentry_after: 'journey.policy',
      holdout_percent: 'journey.policy',
      version: 'system.version',
      created_at: 'system.time',
      updated_at: 'system.time',
      live_at: 'system.time',
      stopped_at: 'system.time',
    },
  }),
  declareTable({
    name: 'journey_positions',
    description: 'Where a contact is in a journey: the tile it runs next, when, how often it entered, and why it left.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: JOURNEY_PURPOSES,
    retention: null,
    columns: {
      journey_id: { category: 'contact.journey.ref', personal: true },
      contact_id: { category: 'system.ref.contact', personal: true },
      entry: { category: 'contact.journey.entry', personal: true },
      status: { category: 'contact.journey.status', personal: true },
      tile_id: { category: 'contact.journey.tile', personal: true },
      visit: { category: 'contact.journey.entry', personal: true },
      due_at: { category: 'contact.journey.time', personal: true },
      wait_event: { category: 'contact.journey.tile', personal: true },
      entered_at: { category: 'contact.journey.time', personal: true },
      updated_at: { category: 'contact.journey.time', personal: true },
      exit_reason: { category: 'contact.journey.reason', personal: true },
      ended_at: { category: 'contact.journey.time', personal: true },
    },
  }),
  declareTable({
    name: 'journey_steps',
    description: 'A contact’s path through a journey: each tile it passed, when, with what outcome, and the reason of an exit.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: JOURNEY_PURPOSES,
    retention: null,
    columns: {
      journey_id: { category: 'contact.journey.ref', personal: true },
      contact_id: { category: 'system.ref.contact', personal: true },
      entry: { category: 'contact.journey.entry', personal: true },
      visit: { category: 'contact.journey.entry', personal: true },
      tile_id: { category: 'contact.journey.tile', personal: true },
      outcome: { category: 'contact.journey.status', personal: true },
      reason: { category: 'contact.journey.reason', personal: true },
      at: { category: 'contact.journey.time', personal: true },
    },
  }),
  declareTable({
    name: 'journey_counters',
    description:
      'Anonymous counts per journey and tile (entered, done, waiting ended, exits by reason, conversions); they survive erasure.',
    subjectLink: null,
    purposes: JOURNEY_PURPOSES,
    columns: {
      journey_id: 'system.ref.journey',
      tile_id: 'stats.ref',
      counter: 'stats.outcome',
      n: 'stats.count',
    },
  }),
  declareTable({
    name: 'journey_tasks',
    description:
      'Tasks for staff about a contact (follow a lead up, look at a request): made by a journey’s task tile, or for a lead’s owner ' +
      'when it became sales-ready.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: JOURNEY_PURPOSES,
    retention: null,
    columns: {
      id: 'system.id',
      journey_id: { category: 'contact.journey.ref', personal: true },
      tile_id: { category: 'contact.journey.tile', personal: true },
      contact_id: { category: 'system.ref.contact', personal: true },
      assignee_role: { category: 'contact.journey.task', personal: true },
      assignee_user_id: { category: 'system.ref.user', personal: true, description: 'the user whose task it is (a lead’s owner)' },
      lead_id: { category: 'contact.journey.ref', personal: true, description: 'the lead the task is about' },
      source_key: {
        category: 'contact.journey.ref',
        personal: true,
        description: 'what made the task, once (the lead ' + 'and model that became sales-ready)',
      },
      title: { category: 'contact.journey.task', personal: true, freeText: true, description: 'the tile’s title, typed by staff' },
      status: { category: 'contact.journey.status', personal: true },
      created_at: { category: 'contact.journey.time', personal: true },
      done_at: { category: 'contact.journey.time', personal: true },
    },
  }),
];
