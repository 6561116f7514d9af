/**
 * The builder's model of a filter and its conversion to and from the filter's JSON
 * (docs/segments.md). The tree mirrors the JSON node for node, so JSON → tree → JSON gives the
 * same filter back; each node carries a key for React and for mapping the server's problems
 * (JSON pointers) and the explanation's conditions back to where they are shown. A node the
 * language does not know is kept as it came ("raw"), so nothing typed in the JSON view is lost.
 * No React here: node:test imports this module (filterTree.test.ts).
 */

export type Scalar = string | number | boolean;
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type TreeNode =
  | { key: string; kind: 'and' | 'or'; children: TreeNode[] }
  | { key: string; kind: 'not'; child: TreeNode }
  | { key: string; kind: 'field'; field: string; op: string; value?: unknown; hasValue: boolean }
  | { key: string; kind: 'consent'; atLeast: unknown }
  | { key: string; kind: 'allowed'; purpose: unknown }
  | { key: string; kind: 'list'; list: unknown }
  | { key: string; kind: 'behaviour'; type: unknown; ref?: unknown; withinDays?: unknown; atLeast?: unknown }
  | { key: string; kind: 'raw'; json: unknown };

let counter = 0;
/** A key unique in this page: React's key and the node's identity while its path changes. */
export const newKey = (): string => `n${++counter}`;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const only = (o: Record<string, unknown>, ...keys: string[]) => Object.keys(o).every((k) => keys.includes(k));

/** The builder's tree for a filter's JSON. */
export function fromJson(j: unknown): TreeNode {
  const key = newKey();
  if (isObj(j)) {
    const keys = Object.keys(j);
    if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or') && Array.isArray(j[keys[0]]))
      return { key, kind: keys[0], children: (j[keys[0]] as unknown[]).map(fromJson) };
    if (keys.length === 1 && keys[0] === 'not') return { key, kind: 'not', child: fromJson(j.not) };
    if ('field' in j && typeof j.field === 'string' && typeof j.op === 'string' && only(j, 'field', 'op', 'value'))
      return { key, kind: 'field', field: j.field, op: j.op, value: j.value, hasValue: 'value' in j };
    if (keys.length === 1 && keys[0] === 'consent' && isObj(j.consent) && only(j.consent, 'atLeast') && 'atLeast' in j.consent)
      return { key, kind: 'consent', atLeast: j.consent.atLeast };
    if (keys.length === 1 && keys[0] === 'allowed') return { key, kind: 'allowed', purpose: j.allowed };
    if (keys.length === 1 && keys[0] === 'list') return { key, kind: 'list', list: j.list };
    if (keys.length === 1 && keys[0] === 'behaviour' && isObj(j.behaviour) && only(j.behaviour, 'type', 'ref', 'withinDays', 'atLeast')) {
      const b = j.behaviour;
      return {
        key,
        kind: 'behaviour',
        type: b.type,
        ...('ref' in b ? { ref: b.ref } : {}),
        ...('withinDays' in b ? { withinDays: b.withinDays } : {}),
        ...('atLeast' in b ? { atLeast: b.atLeast } : {}),
      };
    }
  }
  return { key, kind: 'raw', json: j };
}

/** The filter's JSON for the builder's tree. */
export function toJson(n: TreeNode): unknown {
  switch (n.kind) {
    case 'and':
      return { and: n.children.map(toJson) };
    case 'or':
      return { or: n.children.map(toJson) };
    case 'not':
      return { not: toJson(n.child) };
    case 'field':
      return n.hasValue ? { field: n.field, op: n.op, value: n.value } : { field: n.field, op: n.op };
    case 'consent':
      return { consent: { atLeast: n.atLeast } };
    case 'allowed':
      return { allowed: n.purpose };
    case 'list':
      return { list: n.list };
    case 'behaviour':
      return {
        behaviour: {
          type: n.type,
          ...('ref' in n ? { ref: n.ref } : {}),
          ...('withinDays' in n ? { withinDays: n.withinDays } : {}),
          ...('atLeast' in n ? { atLeast: n.atLeast } : {}),
        },
      };
    case 'raw':
      return n.json;
  }
}

/** Each node's JSON pointer in the filter, by key (the root is ""). */
export function pointers(root: TreeNode): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (n: TreeNode, p: string) => {
    out.set(n.key, p);
    if (n.kind === 'and' || n.kind === 'or') n.children.forEach((c, i) => walk(c, `${p}/${n.kind}/${i}`));
    else if (n.kind === 'not') walk(n.child, `${p}/not`);
  };
  walk(root, '');
  return out;
}

/**
 * The node a problem's JSON pointer names: the deepest node whose pointer leads to it (a problem
 * at "/and/1/value" belongs to the condition at "/and/1", one at "/and" to the root group).
 */
export function nodeAt(root: TreeNode, pointer: string): string {
  let best = root.key;
  let bestLen = -1;
  for (const [key, p] of pointers(root)) {
    if ((pointer === p || pointer.startsWith(`${p}/`)) && p.length > bestLen) {
      best = key;
      bestLen = p.length;
    }
  }
  return best;
}

/** The tree with the node of `key` replaced by what `f` makes of it (null removes it from its group). */
export function update(root: TreeNode, key: string, f: (n: TreeNode) => TreeNode | null): TreeNode | null {
  if (root.key === key) return f(root);
  switch (root.kind) {
    case 'and':
    case 'or': {
      let changed = false;
      const children: TreeNode[] = [];
      for (const c of root.children) {
        const u = update(c, key, f);
        if (u !== c) changed = true;
        if (u) children.push(u);
      }
      return changed ? { ...root, children } : root;
    }
    case 'not': {
      const u = update(root.child, key, f);
      if (u === root.child) return root;
      // Removing what a "not" holds removes the "not" too.
      return u ? { ...root, child: u } : null;
    }
    default:
      return root;
  }
}

/** How many leaf conditions the tree has. */
export function leafCount(n: TreeNode): number {
  if (n.kind === 'and' || n.kind === 'or') return n.children.reduce((s, c) => s + leafCount(c), 0);
  if (n.kind === 'not') return leafCount(n.child);
  return 1;
}

/** Whether a group somewhere is empty (the language needs 1 to 100 nodes in each). */
export function hasEmptyGroup(n: TreeNode): boolean {
  if (n.kind === 'and' || n.kind === 'or') return n.children.length === 0 || n.children.some(hasEmptyGroup);
  if (n.kind === 'not') return hasEmptyGroup(n.child);
  return false;
}

/**
 * A group's or a "not"'s truth from its leaves' (the explanation gives leaves by pointer), as
 * the server combines them; undefined when a leaf's value is missing.
 */
export function truth(root: TreeNode, leafValue: (pointer: string) => boolean | undefined): Map<string, boolean | undefined> {
  const out = new Map<string, boolean | undefined>();
  const walk = (n: TreeNode, p: string): boolean | undefined => {
    let v: boolean | undefined;
    if (n.kind === 'and' || n.kind === 'or') {
      const vs = n.children.map((c, i) => walk(c, `${p}/${n.kind}/${i}`));
      if (n.kind === 'and') v = vs.includes(false) ? false : vs.includes(undefined) ? undefined : true;
      else v = vs.includes(true) ? true : vs.includes(undefined) ? undefined : false;
    } else if (n.kind === 'not') {
      const c = walk(n.child, `${p}/not`);
      v = c === undefined ? undefined : !c;
    } else v = leafValue(p);
    out.set(n.key, v);
    return v;
  };
  walk(root, '');
  return out;
}
