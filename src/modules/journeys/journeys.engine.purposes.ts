import type { Tile } from './journeys.graph.ts';

/**
 * The requirement and each tile's purpose, by the contract's rules (journeys-contract.md,
 * "Requirement and purposes"). The API helper's journeys.purposes.ts holds the same two
 * functions; the lead keeps one file (this one exists only until the branches are merged).
 */

/** The journey's required level: the level stored, or the level the settings give its purpose now. */
export function requiredLevel(
  j: { required_level: number | null; required_purpose: string | null },
  settings: { purposes: Readonly<Record<string, number>> },
): number {
  if (j.required_level !== null) return j.required_level;
  const level = j.required_purpose === null ? undefined : settings.purposes[j.required_purpose];
  // A purpose removed from the settings since: the strictest level, so nobody is processed on a guess.
  return level ?? 5;
}

/** Whether a segment filter reads what people did (interactions), which is profiling. */
export function readsBehaviour(filter: unknown, depth = 0): boolean {
  if (depth > 64 || filter === null || typeof filter !== 'object') return false;
  const f = filter as Record<string, unknown>;
  if ('behaviour' in f) return true;
  if (Array.isArray(f.and)) return f.and.some((x) => readsBehaviour(x, depth + 1));
  if (Array.isArray(f.or)) return f.or.some((x) => readsBehaviour(x, depth + 1));
  if ('not' in f) return readsBehaviour(f.not, depth + 1);
  return false;
}

/**
 * The purpose the gate is asked for before the tile runs: an email's message's; a condition on
 * behaviour (`did`, or a filter reading interactions) `profiling`; everything else `marketing`.
 * An email whose message is unknown answers `marketing` (the engine exits it as `message_deleted`).
 */
export function tilePurpose(tile: Tile, messagesById: ReadonlyMap<string, { purpose: string }>): string {
  switch (tile.type) {
    case 'email':
      return messagesById.get(tile.messageId)?.purpose ?? 'marketing';
    case 'condition':
      return tile.did || readsBehaviour(tile.filter) ? 'profiling' : 'marketing';
    default:
      return 'marketing';
  }
}
