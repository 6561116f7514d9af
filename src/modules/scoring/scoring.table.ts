/** A scoring model: rules, grade thresholds, sales-ready threshold, required consent. Configuration, no person's data. */
export interface ScoringModelsTable {
  id: string;
  name: string;
  /** The requirement as a level (0–5), or null when a purpose names it. */
  required_level: number | null;
  /** The requirement as a purpose (its level from the settings in force), or null when a level names it. */
  required_purpose: string | null;
  /** JSON: the rules (scoring.model.ts), each a condition (segment language) or a behaviour, with integer points and an optional decay. */
  rules: string;
  /** JSON: `{"A","B","C","D"}`, the lowest score of each grade (A highest). */
  grades: string;
  /** The score from which a lead is sales-ready. */
  sales_ready: number;
  /** Bumped at every change of rules, grades, threshold or requirement; a score records the version it was computed with. */
  version: number;
  created_at: string;
  updated_at: string;
  /** The last bulk recompute: its job, how many leads it had and has done, when it began and ended. */
  recompute_job_id: string | null;
  recompute_total: number | null;
  recompute_done: number | null;
  recompute_started_at: string | null;
  recompute_finished_at: string | null;
}

/**
 * A lead's score under one model. Kept for every lead the model considered: scored (`reason`
 * `allowed`, `score` set) or not (score, grade null, `reason` the gate's), so a score that may no
 * longer be kept is cleared, not left stale, and the person can be told why.
 */
export interface LeadScoresTable {
  model_id: string;
  lead_id: string;
  contact_id: string;
  score: number | null;
  /** `A`–`D`, or null below D's threshold or when not scored. */
  grade: string | null;
  /** 1 when the score reached the model's sales-ready threshold. */
  sales_ready: number;
  /** `allowed` when scored; otherwise the gate's reason (`below_required_level`, `child_never_profiled`, …). */
  reason: string;
  model_version: number;
  computed_at: string;
  /** When the lead first became sales-ready under this model: the event and the owner's task came then, once. */
  ready_at: string | null;
}
