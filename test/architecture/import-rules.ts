// The import rules of issue 11 (point 2), as data, and the checker that holds a graph to them.
// Dependencies point down: the lower layers know nothing of the modules, a module reaches
// another only through its public face, nothing imports in a circle, the mail transport is
// reached only through the gated sender, and importing a CLI command does not run the CLI.
import type { ImportEdge, ImportGraph } from './import-graph.ts';

export type RuleId = 'layers' | 'public-face' | 'no-cycle' | 'only-through' | 'cli-entry';

export interface Violation {
  /** The importing file (for a cycle: the first file of the cycle). */
  file: string;
  /** The imported file, or a package's name (for a cycle: the next file of the cycle). */
  import: string;
  rule: RuleId;
  message: string;
  /** A cycle's files in order, starting with its least file name; the last imports the first. */
  cycle?: string[];
}

export interface Layer {
  name: string;
  /** Folder prefix, with its trailing slash. */
  dir: string;
  /** Layers (by name) this one may import, itself included. */
  mayImport: string[];
}

/** "File `target` may be imported only by files in `allowed`" (a package's name or a file path). */
export interface OnlyThrough {
  target: string;
  /** What the target is, for the message. */
  what: string;
  allowed: string[];
  /** A package's subpaths that are not the target (a parser of the package's that sends nothing). */
  except?: string[];
  rule: 'only-through' | 'cli-entry';
  why: string;
}

export interface ImportRules {
  layers: Layer[];
  modulesDir: string;
  /** A module's public face: these files at its root; anything else is its inside. */
  publicFaces: string[];
  /** Further files a module's manifest names as public, by module name (relative to the module's folder). */
  namedPublic: Record<string, string[]>;
  onlyThrough: OnlyThrough[];
  /** Files whose imports are looked at for cycles (prefixes). */
  cycleScope: string[];
  /** Importers the layer, face and only-through rules ignore: tests reach inside on purpose, and fixtures are tests' child processes. */
  exempt: RegExp;
}

/**
 * The gated sender of the mail module: the one file that may hand a contact's mail to the
 * transport. It does not exist yet; issue 11 point 3 creates it (name it here, one line).
 */
export const GATED_SENDER = 'src/modules/mail/mail.sender.ts';

/**
 * The order of the layers below the modules: lib < db < jobs, http. `lib` is plain helpers
 * and imports nothing of ours; `db` is the connection, the database type and the migrations,
 * over lib; `jobs` (the lease runner) and `http` (transport: errors, auth, paging) both sit
 * on db and lib and are siblings: neither needs the other; `i18n` (the message catalogue) sits
 * beside lib, and http's public page shell speaks through it. None of them imports a module,
 * nor what sits above the modules (`services.ts`, `app.ts`, `server.ts`, `config.ts`, `cli/`).
 */
export const LAYERS: Layer[] = [
  { name: 'lib', dir: 'src/lib/', mayImport: ['lib'] },
  { name: 'db', dir: 'src/db/', mayImport: ['lib', 'db'] },
  { name: 'jobs', dir: 'src/jobs/', mayImport: ['lib', 'db', 'jobs'] },
  { name: 'http', dir: 'src/http/', mayImport: ['lib', 'db', 'http', 'i18n'] },
  // The message catalogue: plain text by language, beside lib; the public page shell (http) and modules speak through it.
  { name: 'i18n', dir: 'src/i18n/', mayImport: ['lib', 'i18n'] },
];

export const RULES: ImportRules = {
  layers: LAYERS,
  modulesDir: 'src/modules/',
  publicFaces: ['module.ts', 'index.ts'],
  // The data-subject module's erasure part has its own manifest, below contacts (ADR 0013).
  namedPublic: { dsr: ['erasure/module.ts'] },
  onlyThrough: [
    {
      target: 'src/modules/mail/mail.service.ts',
      what: 'the mail transport',
      allowed: [GATED_SENDER],
      rule: 'only-through',
      why: 'mail to a contact leaves only through the gated sender, which asks the consent gate and checks suppression first',
    },
    {
      target: 'src/modules/mail/smtp.relay.ts',
      what: 'the SMTP relay pool',
      // The batch sender's connections and its rate share the pool's settings key and timeouts.
      allowed: ['src/modules/mail/mail.service.ts', 'src/modules/mail/relay.lanes.ts', 'src/modules/mail/relay.rate.ts'],
      rule: 'only-through',
      why: 'the relay is the transport’s own part',
    },
    // The batch sender's parts (ADR 0016): the transport's own, reached only through it.
    ...['relay.lanes.ts', 'relay.rate.ts', 'mail.compose.ts'].map((f) => ({
      target: `src/modules/mail/${f}`,
      what: `the batch sender's ${f}`,
      allowed: ['src/modules/mail/mail.service.ts', 'src/modules/mail/batch.delivery.ts'],
      rule: 'only-through' as const,
      why: 'the relay is the transport’s own part',
    })),
    {
      target: 'src/modules/mail/batch.delivery.ts',
      what: 'the batch delivery over the relay',
      allowed: ['src/modules/mail/mail.service.ts', GATED_SENDER],
      rule: 'only-through',
      why: 'the relay is the transport’s own part',
    },
    {
      target: 'src/modules/mail/outbox.queries.ts',
      what: 'the outbox writes',
      allowed: ['src/modules/mail/mail.service.ts'],
      rule: 'only-through',
      why: 'writing to the outbox is sending, when no relay is configured',
    },
    {
      target: 'nodemailer',
      what: 'the SMTP client package',
      // The pool, the batch sender's own connections and its message composer (ADR 0016), whose
      // synchronous MIME build uses nodemailer's encoders.
      allowed: [
        'src/modules/mail/smtp.relay.ts',
        'src/modules/mail/relay.lanes.ts',
        'src/modules/mail/mail.compose.ts',
        'src/modules/mail/mime.build.ts',
      ],
      except: ['nodemailer/lib/addressparser'],
      rule: 'only-through',
      why: 'a second SMTP client would be a second door to the relay',
    },
    {
      target: 'src/cli/main.ts',
      what: 'the CLI entry',
      allowed: ['bin/assent.js'],
      rule: 'cli-entry',
      why: 'importing it parses the process’s arguments and runs the CLI: shared options live in src/cli/options.ts',
    },
  ],
  cycleScope: ['src/', 'bin/', 'scripts/'],
  exempt: /\.(test|fixture)\.ts$/,
};

/** How many cycles of one strongly connected part are listed before the rest is summed up. */
const CYCLES_PER_PART = 200;

const layerOf = (rules: ImportRules, file: string) => rules.layers.find((l) => file.startsWith(l.dir));
// Files directly in src/modules (the manifest type, the module list, the database type) are the
// modules' shared kernel, not a module: every module may import them.
const moduleOf = (rules: ImportRules, file: string) => {
  if (!file.startsWith(rules.modulesDir)) return null;
  const parts = file.slice(rules.modulesDir.length).split('/');
  return parts.length > 1 ? (parts[0] ?? null) : null;
};

const typeNote = (kinds: Set<ImportEdge['kind']>) =>
  [...kinds].every((k) => k === 'type') ? ' (a type import: erased at run time, but it still couples the two)' : '';
const where = (e: ImportEdge) => `${e.from}:${e.line}`;

export function violationKey(v: { rule: RuleId; file: string; import: string; cycle?: string[] }): string {
  return v.cycle ? `${v.rule}|${v.cycle.join(' -> ')}` : `${v.rule}|${v.file}|${v.import}`;
}

/** Every violation of `rules` in `graph`, each (rule, file, import) once, sorted. */
export function checkImports(graph: ImportGraph, rules: ImportRules = RULES): Violation[] {
  // One entry per (from, to): a file that imports another twice (a type and a value, say) is one coupling.
  const pairs = new Map<string, { first: ImportEdge; kinds: Set<ImportEdge['kind']> }>();
  for (const e of graph.edges) {
    const to = e.to ?? (e.specifier.startsWith('.') ? null : e.specifier);
    if (to === null) continue;
    const k = `${e.from}\0${to}`;
    const p = pairs.get(k);
    if (p) p.kinds.add(e.kind);
    else pairs.set(k, { first: e, kinds: new Set([e.kind]) });
  }

  const out = new Map<string, Violation>();
  const add = (v: Violation) => {
    if (!out.has(violationKey(v))) out.set(violationKey(v), v);
  };

  for (const { first: e, kinds } of pairs.values()) {
    const exempt = rules.exempt.test(e.from);

    if (e.to !== null && !exempt) {
      const from = layerOf(rules, e.from);
      // Rule 1: the layers below the modules.
      if (from && e.to.startsWith('src/')) {
        const to = layerOf(rules, e.to);
        if (!to || !from.mayImport.includes(to.name)) {
          const target = moduleOf(rules, e.to);
          const what = target
            ? `a module (${target}): src/${from.name} is below the modules and imports nothing from ${rules.modulesDir}`
            : to
              ? `src/${to.name}, which src/${from.name} may not import (layers: lib < db < jobs, http; it may import ` +
                `${from.mayImport.join(', ')})`
              : `something above the layers: src/${from.name} may import only ${from.mayImport.join(', ')}`;
          add({ file: e.from, import: e.to, rule: 'layers', message: `${where(e)} imports ${e.to}${typeNote(kinds)}: ${what}` });
        }
      }

      // Rule 2: another module only through its public face (a lower layer's import is rule 1's).
      const target = moduleOf(rules, e.to);
      const source = moduleOf(rules, e.from);
      if (!from && target !== null && source !== target) {
        const inside = e.to.slice(`${rules.modulesDir}${target}/`.length);
        const isPublic = rules.publicFaces.includes(inside) || (rules.namedPublic[target] ?? []).includes(inside);
        const queries = /\.queries\.ts$/.test(e.to);
        if (source !== null ? !isPublic : queries) {
          const faces = [...rules.publicFaces, ...(rules.namedPublic[target] ?? [])].join(' / ');
          const message = queries
            ? `${where(e)} reads another module's queries: ${e.to}${typeNote(kinds)}; the ${target} module's SQL is its own, reach it ` +
              `through ${target}/${faces}`
            : `${where(e)} imports ${e.to}${typeNote(kinds)}, inside the ${target} module: another module is used only through its ` +
              `public face (${target}/${faces})`;
          add({ file: e.from, import: e.to, rule: 'public-face', message });
        }
      }
    }

    // Rules 4 and 5: files (and packages) only some files may import.
    const to = e.to ?? e.specifier;
    for (const r of rules.onlyThrough) {
      if ((to !== r.target && !to.startsWith(`${r.target}/`)) || r.except?.includes(to) || r.allowed.includes(e.from) || exempt) continue;
      add({
        file: e.from,
        import: r.target,
        rule: r.rule,
        message: `${where(e)} imports ${r.what} (${r.target})${typeNote(kinds)}: only ${r.allowed.join(', ')} may; ${r.why}`,
      });
    }
  }

  // Rule 3: no cycles.
  for (const v of findCycles(graph, rules)) add(v);

  return [...out.values()].sort((a, b) =>
    a.rule === b.rule ? violationKey(a).localeCompare(violationKey(b)) : a.rule.localeCompare(b.rule),
  );
}

/** Each elementary cycle once, as its files starting from the least name; type imports count. */
function findCycles(graph: ImportGraph, rules: ImportRules): Violation[] {
  const inScope = (f: string) => rules.cycleScope.some((p) => f.startsWith(p));
  const adj = new Map<string, Map<string, Set<ImportEdge['kind']>>>();
  for (const e of graph.edges) {
    if (e.to === null || !inScope(e.from) || !inScope(e.to)) continue;
    const m = adj.get(e.from) ?? new Map<string, Set<ImportEdge['kind']>>();
    adj.set(e.from, m);
    const kinds = m.get(e.to) ?? new Set();
    m.set(e.to, kinds.add(e.kind));
  }
  const next = (v: string) => [...(adj.get(v)?.keys() ?? [])].sort();

  const out: Violation[] = [];
  for (const part of stronglyConnected([...adj.keys()].sort(), next)) {
    if (part.length === 1 && !adj.get(part[0]!)?.has(part[0]!)) continue;
    const members = new Set(part);
    const cycles: string[][] = [];
    // A cycle is found from its least file only, walking only to greater files: each once.
    for (const start of [...part].sort()) {
      const path = [start];
      const onPath = new Set(path);
      const walk = (v: string): void => {
        for (const w of next(v)) {
          if (cycles.length >= CYCLES_PER_PART || !members.has(w)) continue;
          if (w === start) cycles.push([...path]);
          else if (w > start && !onPath.has(w)) {
            path.push(w);
            onPath.add(w);
            walk(w);
            path.pop();
            onPath.delete(w);
          }
        }
      };
      walk(start);
    }
    for (const cycle of cycles) {
      const ring = [...cycle, cycle[0]!];
      const typed = ring.slice(0, -1).filter((f, i) => [...(adj.get(f)?.get(ring[i + 1]!) ?? [])].every((k) => k === 'type'));
      const note = typed.length
        ? ` (through a type import from ${typed.join(', ')}: erased at run time, but still a loop of dependencies)`
        : '';
      out.push({
        file: cycle[0]!,
        import: cycle[1] ?? cycle[0]!,
        rule: 'no-cycle',
        cycle,
        message: `import cycle: ${ring.join(' -> ')}${note}`,
      });
    }
    if (cycles.length >= CYCLES_PER_PART) {
      const first = [...part].sort()[0]!;
      out.push({
        file: first,
        import: first,
        rule: 'no-cycle',
        cycle: [first, '…'],
        message: `more than ${CYCLES_PER_PART} cycles among ${part.length} files: ${[...part].sort().join(', ')}`,
      });
    }
  }
  return out;
}

/** Tarjan's strongly connected parts, without recursion (a long import chain must not overflow the stack). */
function stronglyConnected(nodes: string[], next: (v: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const parts: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { v: string; succ: string[]; i: number }[] = [];
    const open = (v: string) => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      work.push({ v, succ: next(v), i: 0 });
    };
    open(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++]!;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const part: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          part.push(w);
        } while (w !== top.v);
        parts.push(part);
      }
    }
  }
  return parts;
}
