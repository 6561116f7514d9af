import { HIGHEST_LEVEL } from '../../lib/consent-levels.ts';
import { UNSOLICITED_CALLERS } from '../consent/module.ts';
import type { Tile } from './journeys.graph.ts';

/**
 * The one place a journey's requirement and its tiles' purposes are worked out: the validator
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

/** The purpose a tile acts for when nothing more specific says (changing a contact, a list, a task, waiting). */
export const JOURNEY_PURPOSE = 'marketing';
/** Reading behaviour (interactions) to decide a contact's way is profiling. */
export const BEHAVIOUR_PURPOSE = 'profiling';
/** The purpose only answers to the person's own action have: never a journey's (the gate says so through UNSOLICITED_CALLERS). */
const REQUESTED_PURPOSE = 'requested';

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
 * The purpose a tile acts for: an email's message's purpose (null when the message is unknown:
 * the caller decides — the validator names it, the engine exits the contact with
 * `message_deleted`); a condition reading behaviour (`did`, or a filter with a behaviour node)
 * is profiling; everything else acts for marketing.
 */
export function tilePurpose(tile: Tile, messagesById: ReadonlyMap<string, { purpose: string }>): string | null {
  switch (tile.type) {
    case 'email':
      return messagesById.get(tile.messageId)?.purpose ?? null;
    case 'condition':
      return tile.did !== undefined || readsBehaviour(tile.filter) ? BEHAVIOUR_PURPOSE : JOURNEY_PURPOSE;
    default:
      return JOURNEY_PURPOSE;
  }
}

/**
 * Why a message may not be sent by a journey, or null: its purpose is not one of the
 * installation's, or the gate closes it to callers acting on their own initiative (a journey is
 * one: UNSOLICITED_CALLERS, read from the gate's rule).
 */
export function messagePurposeProblem(purpose: string, purposes: PurposeLevels): string | null {
  if (!Object.hasOwn(purposes, purpose)) return `the message’s purpose “${purpose}” is not one of this installation’s`;
  if (purpose === REQUESTED_PURPOSE && UNSOLICITED_CALLERS.includes('journey'))
    return 'the message answers a person’s own request (purpose “requested”): a journey may not send it';
  return null;
}
