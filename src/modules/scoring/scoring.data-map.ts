import { declareTable } from '../../db/datamap.declare.ts';

/** Scoring is profiling (PRODUCT.md §6); a model may require more, never less, than its purpose. */
const SCORING_PURPOSES = ['profiling'];

export const scoringDataMap = [
  declareTable({
    name: 'scoring_models',
    description: 'Lead scoring models staff build: rules with points and decay, grade and sales-ready thresholds, the required consent.',
    subjectLink: null,
    purposes: SCORING_PURPOSES,
    columns: {
      id: 'system.id',
      name: { category: 'scoring.name', freeText: true },
      required_level: 'scoring.requirement',
      required_purpose: 'scoring.requirement',
      rules: {
        category: 'scoring.rules',
        freeText: true,
        description: 'the rules as JSON: names, conditions in the segment language (values typed by staff), points, windows',
      },
      grades: 'scoring.thresholds',
      sales_ready: 'scoring.thresholds',
      version: 'system.version',
      created_at: 'system.time',
      updated_at: 'system.time',
      recompute_job_id: 'system.ref.job',
      recompute_total: 'stats.count',
      recompute_done: 'stats.count',
      recompute_started_at: 'system.time',
      recompute_finished_at: 'system.time',
    },
  }),
  declareTable({
    name: 'lead_scores',
    description:
      'Each lead’s score under each model: score, grade, sales-ready, or why it is not scored (the gate’s reason), and when it ' +
      'first became sales-ready.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: SCORING_PURPOSES,
    retention: null,
    columns: {
      model_id: { category: 'contact.score.ref', personal: true },
      lead_id: { category: 'contact.score.ref', personal: true },
      contact_id: { category: 'system.ref.contact', personal: true },
      score: { category: 'contact.score', personal: true },
      grade: { category: 'contact.score', personal: true },
      sales_ready: { category: 'contact.score', personal: true },
      reason: { category: 'contact.score.reason', personal: true },
      model_version: { category: 'contact.score.ref', personal: true },
      computed_at: { category: 'contact.score.time', personal: true },
      ready_at: { category: 'contact.score.time', personal: true },
    },
  }),
];
