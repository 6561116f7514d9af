import type { Role } from '../../src/modules/users/users.model.ts';
// Per-route sample requests for the access test, found by file name: every module's routes have
// theirs in a `*.access-samples.ts` file under test/ (test/http/access-samples/ for the product's
// modules, beside the module for a fixture's), exporting `samples`. A new module adds its own file;
// the access test (test/helpers/access-suite.ts) is not edited, and fails on a route without one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiRoute } from '../../src/http/auth.ts';
import type { TestApp } from './app.ts';

export const SOME_ID = '01900000-0000-7000-8000-000000000000';

/** `role`: the role the request is sent as (null for a public route), for a sample whose success depends on it (a role's own task). */
export type Sample = (
  t: TestApp,
  role: Role | null,
) => Promise<{
  url?: string;
  payload?: unknown;
  headers?: Record<string, string>;
  expect: number;
  target?: string;
  /** Who the audit entry names, when the sample signs in otherwise than with the role's API key (a user's own session). */
  actorType?: string;
}>;

let n = 0;
export const uniq = () => `${Date.now().toString(36)}${(n++).toString(36)}`;
export const segment = (t: TestApp) =>
  t.services.segments.create({ name: `Seg ${uniq()}`, kind: 'dynamic', filter: { consent: { atLeast: 1 } } });
export const contact = (t: TestApp) => t.services.contacts.create({ email: `p${uniq()}@example.com` });
const entityOf = new WeakMap<TestApp, Promise<string>>();
export const entity = (t: TestApp): Promise<string> => {
  if (!entityOf.has(t))
    entityOf.set(
      t,
      t.services.entities
        .define({ name: `e${uniq()}`, linked: true, erase: 'delete', fields: [{ name: 'note', type: 'text', personal: true }] })
        .then((e) => e.name),
    );
  return entityOf.get(t)!;
};
export const entityRecord = async (t: TestApp) => {
  const name = await entity(t);
  return { name, id: (await t.services.entities.createRecord(name, { contactId: (await contact(t)).id, fields: { note: 'hi' } })).id };
};
export const dsrCase = (t: TestApp) =>
  t.services.requestIntake.fromStaff(
    { type: 'objection', email: `d${uniq()}@example.com`, verified: true, note: 'Identity checked by phone' },
    { type: 'system', id: null },
    null,
  );
export const dsrTask = async (t: TestApp) => (await t.services.tasks.list({ requestId: (await dsrCase(t)).id }, 1))[0]!;

/** Route key (`METHOD /url`) -> a request that succeeds for it. */
export type Samples = Record<string, Sample>;

const TEST_ROOT = new URL('../', import.meta.url).pathname;

function sampleFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') sampleFiles(p, out);
    else if (e.name.endsWith('.access-samples.ts')) out.push(p);
  }
  return out.sort();
}

/** Every sample file's samples, merged; a route sampled in two files is an error (which one runs?). */
export async function loadSamples(root = TEST_ROOT): Promise<Samples> {
  const all: Samples = {};
  const from = new Map<string, string>();
  for (const file of sampleFiles(root)) {
    const mod = (await import(pathToFileURL(file).href)) as { samples?: Samples };
    if (!mod.samples) throw new Error(`${file} exports no samples`);
    for (const [key, sample] of Object.entries(mod.samples)) {
      if (from.has(key)) throw new Error(`${key} has samples in ${from.get(key)} and ${file}`);
      from.set(key, file);
      all[key] = sample;
    }
  }
  return all;
}

/** The routes with no sample, as `METHOD /url`. */
export function missingSamples(routes: readonly Pick<ApiRoute, 'method' | 'url'>[], samples: Samples): string[] {
  return routes.map((r) => `${r.method} ${r.url}`).filter((k) => !samples[k]);
}
