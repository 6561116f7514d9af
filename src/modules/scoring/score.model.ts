export const GRADES = ['A', 'B', 'C', 'D'] as const;

/** The segment language's `score` node's value (scoring contract): every part given must hold; at least one part. */
export interface ScoreCondition {
  modelId: string;
  atLeast?: number;
  below?: number;
  grade?: (typeof GRADES)[number][];
  salesReady?: boolean;
}
