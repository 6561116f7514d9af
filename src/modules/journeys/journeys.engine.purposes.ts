import { HIGHEST_LEVEL } from '../../lib/consent-levels.ts';
import { closedToCaller } from '../consent/module.ts';
import type { Tile } from './journeys.graph.ts';

/**
 * A copy of main's journeys.purposes.ts (the API helper's), less the validator's message check,
 * for the engine's branch: the lead points the engine's imports at journeys.purposes.ts and
 * deletes this file when merging. The one place a journey's requirement and its tiles' purposes are worked out: the validator
 * (journeys.validate.ts) and the engine (before every tile it asks the gate
 * `checkMany(ids, tilePurpose(tile), {caller: 'journey', atLeast: requiredLevel(journey)})`) read
 * these, so the check at design time and the check at run time cannot drift apart.
 */

/** A journey's requirement as stored: a level, or a purpose whose level the settings in force give. */
export interface Requirement {
  requiredLevel: number | null;
  requiredPurpose: string | null;
}

/** The purposes of the installation with the level each needs (settings `purposes`). */
export type PurposeLevels = Readonly<Record<string, number>>;

/** Reading behaviour (interactions) to decide a contact's way is profiling. */
export const BEHAVIOUR_PURPOSE = 'profiling';

/**
 * The level the journey requires: its level, or its purpose's level in the settings. A purpose
 * the settings no longer have asks for the highest level: failing closed, and the validator names
 * it (`unknown_purpose`) so the journey cannot go live that way.
 */
export function requiredLevel(journey: Requirement, purposes: PurposeLevels): number {
  if (journey.requiredLevel !== null) return journey.requiredLevel;
  const p = journey.requiredPurpose;
  return p !== null && Object.hasOwn(purposes, p) ? purposes[p]! : HIGHEST_LEVEL;
}

/** Whether a segment filter tree reads behaviour (interactions) anywhere: such a condition is profiling. */
export function readsBehaviour(filter: unknown): boolean {
  // Iterative, with a visited set: a hostile tree (deep, or shared sub-objects) costs its size, never a stack overflow.
  const stack: unknown[] = [filter];
  const seen = new Set<object>();
  while (stack.length) {
    const n = stack.pop();
    if (n === null || typeof n !== 'object' || seen.has(n)) continue;
    seen.add(n);
    if (!Array.isArray(n) && Object.hasOwn(n, 'behaviour')) return true;
    for (const v of Array.isArray(n) ? n : Object.values(n)) stack.push(v);
  }
  return false;
}

/**
 * The purpose a journey acts for where no tile says more (waiting, branching, a list, a task, a
 * field): the purpose that names its requirement; for a level, the purpose open to journeys whose
 * level is the highest not above it (level 3: `subscription`, 4: `marketing`, by default), or,
 * when none is that low, the lowest open one (the gate then refuses everyone below it). So a
 * journey requiring level 3 is not made to need marketing's 4 by its waits.
 */
export function basePurpose(journey: Requirement, purposes: PurposeLevels): string {
  if (journey.requiredPurpose !== null) return journey.requiredPurpose;
  const level = requiredLevel(journey, purposes);
  const open = Object.entries(purposes)
    .filter(([p]) => !closedToCaller(p, 'journey'))
    .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0));
  const fitting = open.filter(([, l]) => l <= level);
  return (fitting.length > 0 ? fitting[fitting.length - 1]! : open[0]!)[0];
}

/**
 * The purpose a tile acts for: an email's message's purpose (null when the message is unknown:
 * the caller decides — the validator names it, the engine exits the contact with
 * `message_deleted`); a condition reading behaviour (`did`, or a filter with a behaviour node)
 * is profiling; every other tile acts for the journey's base purpose.
 */
export function tilePurpose(tile: Tile, messagesById: ReadonlyMap<string, { purpose: string }>, base: string): string | null {
  switch (tile.type) {
    case 'email':
      return messagesById.get(tile.messageId)?.purpose ?? null;
    case 'condition':
      return tile.did !== undefined || readsBehaviour(tile.filter) ? BEHAVIOUR_PURPOSE : base;
    default:
      return base;
  }
}
