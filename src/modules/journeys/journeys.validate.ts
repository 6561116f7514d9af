import { parseDuration } from '../../lib/duration.ts';
import { outputs, successors, type Tile } from './journeys.graph.ts';
import type { JourneyDefinition, Problem, ProblemCode } from './journeys.model.ts';
import { closedToCaller } from '../consent/module.ts';
import { basePurpose, messagePurposeProblem, type PurposeLevels, requiredLevel, tilePurpose } from './journeys.purposes.ts';

/**
 * The rules a journey's graph must keep to go live (issue 16 point 1), each problem naming its
 * tile. Pure: what it needs from other modules (messages, segments, forms, lists, fields, event
 * types, a condition filter's own problems) is looked up first by the service (`references` says
 * what to look up). Every walk is linear in tiles and edges and iterative (no recursion), so a
 * hostile graph — a thousand tiles, a chain as deep, ids repeated, nexts dangling — costs its size.
 */

/** Contact fields an update_contact tile may set: the profile, never the address or anything the consent rule reads. */
export const UPDATABLE_FIELDS = ['firstName', 'lastName', 'phone', 'company', 'country', 'language', 'timeZone'] as const;
/** Custom fields are named `customFields.<name>`. */
export const CUSTOM_FIELD_PREFIX = 'customFields.';

export interface ValidationContext {
  purposes: PurposeLevels;
  /** Messages the graph names that exist, with their purpose. */
  messages: ReadonlyMap<string, { purpose: string }>;
  segments: ReadonlySet<string>;
  /** Live forms (an archived one takes no submissions). */
  forms: ReadonlySet<string>;
  lists: ReadonlySet<string>;
  /** Every event type the installation declares (Core.eventTypes). */
  eventTypes: ReadonlySet<string>;
  /** Interaction types a condition's `did` may name. */
  interactionTypes: ReadonlySet<string>;
  /** Names of the custom fields defined. */
  customFields: ReadonlySet<string>;
  /** A condition filter's problem (the segment language's check, looked up first), or null when it is valid. */
  filterProblem: (filter: unknown) => string | null;
}

/** What a definition names in other modules: the ids and filters to look up before validating it. */
export function references(d: Pick<JourneyDefinition, 'tiles' | 'goal'>) {
  const out = {
    messages: new Set<string>(),
    segments: new Set<string>(),
    forms: new Set<string>(),
    lists: new Set<string>(),
    filters: [] as unknown[],
  };
  for (const t of d.tiles) {
    if (t.type === 'email') out.messages.add(t.messageId);
    else if (t.type === 'list') out.lists.add(t.listId);
    else if (t.type === 'condition' && t.filter !== undefined) out.filters.push(t.filter);
    else if (t.type === 'start') {
      if ('segmentId' in t.trigger) out.segments.add(t.trigger.segmentId);
      if ('formId' in t.trigger) out.forms.add(t.trigger.formId);
    }
  }
  if (d.goal && 'segmentId' in d.goal) out.segments.add(d.goal.segmentId);
  return out;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** A positive ISO-8601 duration; null when it is one, else what is wrong. */
function durationProblem(s: string | undefined, what: string): string | null {
  if (s === undefined) return `${what}: an ISO-8601 duration is required`;
  const d = parseDuration(s);
  if (!d) return `${what}: “${s.slice(0, 40)}” is not an ISO-8601 duration (PT2S, P3D)`;
  if (Object.values(d).every((n) => n === 0)) return `${what}: the duration must be longer than zero`;
  return null;
}

/** A wait's `until`: a time of day `HH:MM`, or a local date-time that exists in the calendar. */
function untilOk(s: string): boolean {
  if (TIME_OF_DAY.test(s)) return true;
  const m = LOCAL_DATE_TIME.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** An output in a problem's message. */
function outputWords(output: string): string {
  const branch = /^branches\/(\d+)$/.exec(output);
  if (branch) return `the output of branch ${Number(branch[1]) + 1}`;
  return { yes: 'the “yes” output', no: 'the “no” output', timeoutNext: 'the “timed out” output' }[output] ?? 'its output';
}

/** Every problem of a definition, journey-wide ones first, then by tile in graph order; the same definition gives the same list. */
export function validate(def: JourneyDefinition, ctx: ValidationContext): Problem[] {
  return validateAt(def, ctx).map((p) => p.problem);
}

/** The problems with the index of their tile in `tiles` (null for the journey): a repeated id is told apart by its place. */
export function validateAt(def: JourneyDefinition, ctx: ValidationContext): { index: number | null; problem: Problem }[] {
  const journeyWide: Problem[] = [];
  const byTile: Problem[][] = def.tiles.map(() => []);
  const at = (i: number, code: ProblemCode, message: string) => byTile[i]!.push({ tileId: def.tiles[i]!.id, code, message });
  const whole = (code: ProblemCode, message: string) => journeyWide.push({ tileId: null, code, message });

  // The requirement, the goal and the re-entry policy.
  if (def.requiredLevel === null && (def.requiredPurpose === null || !Object.hasOwn(ctx.purposes, def.requiredPurpose)))
    whole('unknown_purpose', `the required purpose “${def.requiredPurpose ?? ''}” is not one of this installation’s`);
  else if (def.requiredLevel === null && def.requiredPurpose !== null && closedToCaller(def.requiredPurpose, 'journey'))
    whole('unknown_purpose', `the purpose “${def.requiredPurpose}” is for answers to a person’s own request: a journey cannot act for it`);
  const level = requiredLevel(def, ctx.purposes);
  const base = basePurpose(def, ctx.purposes);
  if (def.goal && 'segmentId' in def.goal && !ctx.segments.has(def.goal.segmentId))
    whole('unknown_segment', 'the goal’s segment does not exist');
  if (def.goal && 'event' in def.goal && !ctx.eventTypes.has(def.goal.event))
    whole('unknown_event', `the goal’s event type “${def.goal.event}” is not one this installation has`);
  if (def.reentry.policy === 'again') {
    const p = durationProblem(def.reentry.after, 'the re-entry period');
    if (p) whole('bad_duration', p);
  }

  // Ids: the first tile with an id is the one the graph means; a repeat is a problem of its own.
  const index = new Map<string, number>();
  def.tiles.forEach((t, i) => {
    if (index.has(t.id)) at(i, 'duplicate_id', `another tile has the id “${t.id}”`);
    else index.set(t.id, i);
  });
  const starts = def.tiles.flatMap((t, i) => (t.type === 'start' ? [i] : []));
  if (starts.length === 0) whole('no_start', 'the journey has no start tile');
  for (const i of starts.slice(1)) at(i, 'several_starts', 'a journey has one start tile; this is another');

  // Edges between tiles that exist (by the first tile of each id).
  const edges: number[][] = def.tiles.map((t, i) => {
    const out: number[] = [];
    if (index.get(t.id) !== i) return out;
    for (const o of outputs(t))
      if (o.next === undefined) at(i, 'missing_next', `${outputWords(o.output)} leads nowhere yet: connect it to the next tile`);
    for (const n of successors(t)) {
      const j = index.get(n);
      if (j === undefined) at(i, 'unknown_next', `no tile has the id “${n}”`);
      else out.push(j);
    }
    return out;
  });

  // Reachable from the start (the first one), breadth first.
  const reached = new Uint8Array(def.tiles.length);
  if (starts.length) {
    const queue = [starts[0]!];
    reached[starts[0]!] = 1;
    for (let h = 0; h < queue.length; h++)
      for (const j of edges[queue[h]!]!)
        if (!reached[j]) {
          reached[j] = 1;
          queue.push(j);
        }
    def.tiles.forEach((t, i) => {
      if (!reached[i] && t.type !== 'start' && index.get(t.id) === i) at(i, 'unreachable', 'no path from the start leads to this tile');
    });
  }

  // Strongly connected components (Tarjan's, iterative): a cycle is a component of two or more tiles, or a tile that is its own next.
  const comp = components(edges);
  const cyclic = new Uint8Array(def.tiles.length);
  const members = new Map<number, number[]>();
  comp.forEach((c, i) => {
    const ms = members.get(c);
    if (ms) ms.push(i);
    else members.set(c, [i]);
  });
  for (const ms of members.values()) {
    const first = ms[0]!;
    if (ms.length === 1 && !edges[first]!.includes(first)) continue;
    for (const m of ms) cyclic[m] = 1;
    // A cycle needs a waiting tile on it, or a contact would loop through it at once, for ever.
    if (!hasWaitFreeCycle(ms, edges, def.tiles)) continue;
    const named = ms.reduce((a, b) => Math.min(a, b));
    at(named, 'cycle_without_wait', 'this tile is on a cycle that passes no wait: a contact would go round it at once, for ever');
  }

  // A path must end at an end tile or loop (through a wait): a tile from which every path runs into a broken reference has neither.
  const good = new Uint8Array(def.tiles.length);
  const reverse: number[][] = def.tiles.map(() => []);
  edges.forEach((out, i) => {
    for (const j of out) reverse[j]!.push(i);
  });
  const back: number[] = [];
  // An output not yet connected is reported where it is (missing_next), not again on every tile before it.
  def.tiles.forEach((t, i) => {
    if ((t.type === 'end' && index.get(t.id) === i) || cyclic[i] || byTile[i]!.some((p) => p.code === 'missing_next')) {
      good[i] = 1;
      back.push(i);
    }
  });
  for (let h = 0; h < back.length; h++)
    for (const j of reverse[back[h]!]!)
      if (!good[j]) {
        good[j] = 1;
        back.push(j);
      }
  def.tiles.forEach((t, i) => {
    if (reached[i] && !good[i] && !byTile[i]!.some((p) => p.code === 'unknown_next' || p.code === 'missing_next'))
      at(i, 'end_missing', `no path from “${t.id}” reaches an end tile: it runs into a tile that does not exist`);
  });

  // Each tile's own settings and purpose.
  def.tiles.forEach((t, i) => {
    tileProblems(t, ctx, (code, message) => at(i, code, message));
    const purpose = tilePurpose(t, ctx.messages, base);
    if (purpose === null || !Object.hasOwn(ctx.purposes, purpose)) return;
    const needs = ctx.purposes[purpose]!;
    if (needs > level)
      at(i, 'needs_more_consent', `its purpose “${purpose}” needs consent level ${needs}; the journey requires only ${level}`);
  });

  return [
    ...journeyWide.map((problem) => ({ index: null, problem })),
    ...byTile.flatMap((ps, index) => ps.map((problem) => ({ index, problem }))),
  ];
}

function tileProblems(t: Tile, ctx: ValidationContext, add: (code: ProblemCode, message: string) => void): void {
  switch (t.type) {
    case 'start': {
      const tr = t.trigger;
      if ('segmentId' in tr && !ctx.segments.has(tr.segmentId)) add('unknown_segment', 'the trigger’s segment does not exist');
      if ('formId' in tr && !ctx.forms.has(tr.formId)) add('unknown_form', 'the trigger’s form does not exist or is archived');
      if ('event' in tr && !ctx.eventTypes.has(tr.event))
        add('unknown_event', `the trigger’s event type “${tr.event}” is not one this installation has`);
      return;
    }
    case 'email': {
      const m = ctx.messages.get(t.messageId);
      if (!m) return add('unknown_message', 'the message does not exist');
      const wrong = messagePurposeProblem(m.purpose, ctx.purposes);
      if (wrong) add('message_wrong_purpose', wrong);
      return;
    }
    case 'wait': {
      if ((t.duration === undefined) === (t.until === undefined))
        return add('bad_duration', 'a wait has either a duration or an until, not both or neither');
      if (t.duration !== undefined) {
        const p = durationProblem(t.duration, 'the wait');
        if (p) add('bad_duration', p);
      } else if (!untilOk(t.until!)) add('bad_duration', 'until: a time of day HH:MM or a date-time YYYY-MM-DDTHH:MM');
      return;
    }
    case 'wait_event': {
      if (!ctx.eventTypes.has(t.event)) add('unknown_event', `the event type “${t.event}” is not one this installation has`);
      const p = durationProblem(t.timeout, 'the timeout');
      if (p) add('bad_duration', p);
      return;
    }
    case 'condition': {
      if ((t.filter === undefined) === (t.did === undefined))
        return add('bad_condition', 'a condition has either a filter or a did, not both or neither');
      if (t.did && !ctx.interactionTypes.has(t.did.type)) add('bad_condition', `“${t.did.type}” is not an interaction type`);
      if (t.filter !== undefined) {
        const p = ctx.filterProblem(t.filter);
        if (p) add('bad_condition', `the filter is not valid: ${p}`);
      }
      return;
    }
    case 'split': {
      const sum = t.branches.reduce((s, b) => s + b.percent, 0);
      if (sum !== 100) add('split_not_100', `the branches’ percentages add up to ${sum}, not 100`);
      return;
    }
    case 'update_contact': {
      const f = t.field;
      const ok = f.startsWith(CUSTOM_FIELD_PREFIX)
        ? ctx.customFields.has(f.slice(CUSTOM_FIELD_PREFIX.length))
        : (UPDATABLE_FIELDS as readonly string[]).includes(f);
      if (!ok)
        add(
          'unknown_field',
          `“${f.slice(0, 60)}” is not a field a journey may set (${UPDATABLE_FIELDS.join(', ')}, or customFields.<name>; never consent)`,
        );
      return;
    }
    case 'list':
      if (!ctx.lists.has(t.listId)) add('unknown_list', 'the list does not exist');
      return;
    default:
      return;
  }
}

/** Whether a component's cycle can be walked without passing a waiting tile: a cycle inside the component's wait-free part. */
function hasWaitFreeCycle(ms: number[], edges: number[][], tiles: Tile[]): boolean {
  const inside = new Set(ms.filter((m) => tiles[m]!.type !== 'wait' && tiles[m]!.type !== 'wait_event'));
  if (inside.size === 0) return false;
  const sub = new Map<number, number[]>();
  for (const m of inside)
    sub.set(
      m,
      edges[m]!.filter((j) => inside.has(j)),
    );
  // Kahn's algorithm on the wait-free part: whatever cannot be peeled off lies on a cycle.
  const indeg = new Map<number, number>([...inside].map((m) => [m, 0]));
  for (const out of sub.values()) for (const j of out) indeg.set(j, indeg.get(j)! + 1);
  const queue = [...inside].filter((m) => indeg.get(m) === 0);
  let peeled = 0;
  for (let h = 0; h < queue.length; h++) {
    peeled++;
    for (const j of sub.get(queue[h]!)!) {
      indeg.set(j, indeg.get(j)! - 1);
      if (indeg.get(j) === 0) queue.push(j);
    }
  }
  return peeled < inside.size;
}

/** Tarjan's strongly connected components without recursion: the component number of each node. */
function components(edges: number[][]): number[] {
  const n = edges.length;
  const idx = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (idx[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    idx[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, k] = top;
      if (k < edges[v]!.length) {
        top[1]++;
        const w = edges[v]![k]!;
        if (idx[w] === -1) {
          idx[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, idx[w]!);
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1]![0];
        low[u] = Math.min(low[u]!, low[v]!);
      }
      if (low[v] === idx[v]) {
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = comps;
          if (w === v) break;
        }
        comps++;
      }
    }
  }
  return comp;
}
