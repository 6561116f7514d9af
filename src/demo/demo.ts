import { csvLine } from '../lib/csv.ts';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import type { ChangeContext } from '../modules/consent/module.ts';
import { addDays, addMonths, deadlineFor, localDate } from '../modules/dsr/requests/deadline.ts';
import type { EventInput } from '../modules/interactions/interactions.model.ts';
import type { Services } from '../services.ts';
import { People, type Person } from './people.ts';
import { Random } from './random.ts';

// `assent demo`: a populated workspace for a newcomer, made through the services as a person's
// data always is (the import for contacts and their consent, the consent module for every later
// change, lists, interactions, segments and data requests through their own services), so the
// ledger, the audit log and the data map hold exactly what they would after real use.

const DAY = 86_400_000;
/** Interactions reach this far back; anonymous daily counters follow them. */
const HISTORY_DAYS = 60;
/** The interactions service takes batches of at most this many events. */
const EVENT_BATCH = 10_000;
/** Contact ids are read back in pages of this size. */
const PAGE = 5_000;

/** The notice a person saw when giving each level (the ledger keeps each text once, by hash). */
export const NOTICES: Record<number, string> = {
  1: 'May we email you, now and then, to ask whether you would like to hear from us? Nothing else.',
  2:
    'We will email you about your orders and your account: receipts, statements and service notices. No promotion. ' +
    'You can ask us at any time what we hold about you.',
  3:
    'Sign me up for the newsletters I choose. Each email has a link to leave its list, and the preference centre lets me ' +
    'change my mind at any time.',
  4:
    'Yes, send me offers and news about products, events and webinars by email. I can withdraw this at any time from ' +
    'any email or the preference centre.',
  5:
    'Yes, and tailor what you send me using how I read your emails and use your website (opens, clicks, visits). I can ' +
    'withdraw this at any time; without it you will not track or score me.',
};
const SOURCES = ['website signup form (2024)', 'shop checkout', 'trade fair badge scan, Berlin', 'webinar registration'];
const GUARDIAN_NOTICE =
  'I am the parent or guardian of this child and agree that they receive the newsletters they chose, without profiling. ' +
  'I can withdraw at any time.';
const RAISE_NOTICE = 'Preference centre: yes, I would like more from you (the text shown beside the new choice).';
const WITHDRAW_NOTICE = 'Preference centre: no more marketing, please. Keep my orders and account messages.';

const LISTS = [
  { key: 'weekly', name: 'Weekly newsletter', description: 'Every Thursday: what is new, in five minutes.' },
  { key: 'product', name: 'Product updates', description: 'Release notes and changes to the service, once a month.' },
  { key: 'events', name: 'Events & webinars', description: 'Invitations to meetups, trade fairs and online sessions.' },
  { key: 'partners', name: 'Partner offers', description: 'Selected offers from our partners (needs marketing consent).' },
] as const;
type ListKey = (typeof LISTS)[number]['key'];

const FIELDS = [
  { name: 'plan', label: 'Plan', type: 'text' },
  { name: 'customer_since', label: 'Customer since', type: 'date' },
  { name: 'lifetime_value', label: 'Lifetime value (EUR)', type: 'number' },
] as const;
const PLANS = [
  ['free', 50],
  ['starter', 25],
  ['pro', 18],
  ['enterprise', 7],
] as const;

const PAGES = ['/', '/pricing', '/features', '/blog/privacy-by-default', '/blog/segments-explained', '/contact', '/events'];

export interface DemoOptions {
  contacts: number;
  seed: string;
  /** Progress lines for the person waiting (stderr). */
  onStep?: (what: string) => void;
}

export interface DemoSummary {
  seed: string;
  contacts: number;
  /** Contacts by stored level: the level, the installation's name for it, how many. */
  byLevel: { level: number; name: string; contacts: number }[];
  children: number;
  childrenWithGuardianConsent: number;
  customFields: string[];
  lists: { name: string; members: number }[];
  interactions: { events: number; stored: number; from: string; to: string };
  segments: { name: string; count: number }[];
  requests: { type: string; status: string; deadline: string; overdue: boolean }[];
  consentChanges: number;
  seconds: number;
}

/** One made-up person as the demo plans them, before and after the import. */
interface Planned extends Person {
  level: number;
  birthDate: string | null;
  isChild: boolean;
  /** The planned guardian's index (children only). */
  guardian: number | null;
  guardianConsent: boolean;
  plan: string | null;
  customerSince: string | null;
  lifetimeValue: number | null;
  consentDate: string | null;
  consentSource: string | null;
  id?: string;
}

const cli = (source: ChangeContext['source'], notice?: string): ChangeContext => ({
  source,
  actor: CLI_ACTOR,
  ...(notice ? { notice } : {}),
});

/** The demo was asked to fill a database that holds contacts: nothing was written. */
export class DemoRefused extends Error {}

/** Refuses, writing nothing, when the database already holds a contact. */
export async function refuseNonEmpty(s: Services): Promise<void> {
  const some = await s.contacts.list({}, 1);
  if (some.length > 0) {
    const { total } = await s.contacts.count({});
    throw new DemoRefused(
      `this database already holds contacts (${total.toLocaleString('en')}): the demo fills an empty database only, and nothing was ` +
        'written. Name another with DATABASE_URL, for example DATABASE_URL=sqlite:./data/demo.db',
    );
  }
}

export async function fillDemo(s: Services, opts: DemoOptions): Promise<DemoSummary> {
  const t0 = performance.now();
  const step = opts.onStep ?? (() => undefined);
  await refuseNonEmpty(s);
  const random = new Random(opts.seed);
  const now = s.clock.now();
  const today = now.toISOString().slice(0, 10);
  const { majorityAge } = await s.settings.get();

  step('custom fields');
  const known = new Map((await s.customFields.list()).map((f) => [f.name, f]));
  for (const f of FIELDS) if (!known.has(f.name)) await s.customFields.define({ ...f, personal: true });

  step(`${opts.contacts.toLocaleString('en')} contacts`);
  const people = plan(random, opts.contacts, today, majorityAge);
  await importPeople(s, people);
  await readIds(s, people);

  step('consent changes, children and guardians');
  const consentChanges = await laterChanges(s, random, people);
  await guardians(s, people);

  step('lists');
  const { ids: listIds, members } = await lists(s, random, people);

  step('interactions');
  const interactions = await interact(s, random, people, members.weekly, now);

  step('segments');
  const segments = await makeSegments(s, listIds);

  step('data requests');
  const requests = await dataRequests(s, random, people, now);

  const byLevel = (await s.settings.get()).consentLevels.map((l) => ({
    level: l.level,
    name: l.name,
    contacts: people.filter((p) => p.level === l.level).length,
  }));
  const summary: DemoSummary = {
    seed: opts.seed,
    contacts: people.length,
    byLevel,
    children: people.filter((p) => p.isChild).length,
    childrenWithGuardianConsent: people.filter((p) => p.isChild && p.guardianConsent).length,
    customFields: FIELDS.map((f) => f.name),
    lists: LISTS.map((l) => ({ name: l.name, members: members[l.key].size })),
    interactions,
    segments: await Promise.all(segments.map(async (g) => ({ name: g.name, count: await s.segments.count(g.id) }))),
    requests,
    consentChanges,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  await s.audit.record({ actor: CLI_ACTOR, action: 'demo.create', targetType: 'workspace', outcome: 'ok', count: people.length });
  return summary;
}

/** Who the demo's people are: guardians come right before their children, who share their last name. */
function plan(random: Random, count: number, today: string, majorityAge: number): Planned[] {
  const makePeople = new People(random);
  const out: Planned[] = [];
  // About one in seventy is a child (at least three once there are twenty people), each after their guardian.
  const childEvery = count >= 20 ? Math.min(70, Math.floor(count / 4)) : 0;
  let children = 0;
  while (out.length < count) {
    const i = out.length;
    const isChild = childEvery > 0 && i % childEvery === childEvery - 1 && out[i - 1] !== undefined && !out[i - 1]!.isChild;
    const guardian = isChild ? out[i - 1]! : undefined;
    const person = makePeople.person(i, guardian);
    // The first twelve adults take every level twice, so even a tiny demo shows all six.
    const level = isChild
      ? 3
      : i < 12
        ? i % 6
        : random.weighted([
            [0, 12],
            [1, 8],
            [2, 15],
            [3, 25],
            [4, 25],
            [5, 15],
          ] as const);
    const age = isChild ? random.int(Math.max(6, majorityAge - 7), majorityAge - 1) : random.int(19, 80);
    // `age` full years old today, at least a month past the birthday and as long before the next.
    const birthDate = isChild || random.chance(0.3) ? addDays(today, -Math.floor(age * 365.25) - random.int(30, 330)) : null;
    const paid = isChild ? null : random.weighted(PLANS.map(([p, w]) => [p, w] as const));
    const consentDaysAgo = random.int(70, 900);
    out.push({
      ...person,
      level,
      birthDate,
      isChild,
      guardian: isChild ? i - 1 : null,
      // Two children in three have their guardian's consent; the first always has it, the second never.
      guardianConsent: isChild && (children === 0 || (children > 1 && random.chance(0.67))),
      plan: paid,
      customerSince: paid && paid !== 'free' ? addDays(today, -random.int(30, 1800)) : null,
      lifetimeValue: paid && paid !== 'free' ? Math.round(random.int(50, 40_000) * 100) / 100 + random.int(0, 99) / 100 : null,
      consentDate: level > 0 ? addDays(today, -consentDaysAgo) : null,
      consentSource: level > 0 ? random.pick(SOURCES) : null,
    });
    if (isChild) children++;
  }
  return out;
}

const HEADER = [
  'email',
  'firstName',
  'lastName',
  'company',
  'country',
  'language',
  'phone',
  'birthDate',
  'consentLevel',
  'consentDate',
  'consentSource',
  'consentNotice',
  'plan',
  'customer_since',
  'lifetime_value',
];

/** The contacts and the consent each gave elsewhere, as one CSV through the import (its bulk path, its ledger entries). */
async function importPeople(s: Services, people: Planned[]): Promise<void> {
  function* lines(): Generator<string> {
    yield csvLine(HEADER);
    let chunk = '';
    for (const p of people) {
      chunk += csvLine([
        p.email,
        p.firstName,
        p.lastName,
        p.company,
        p.country,
        p.language,
        p.phone,
        p.birthDate,
        p.level > 0 ? p.level : null,
        p.consentDate,
        p.consentSource,
        p.level > 0 ? NOTICES[p.level] : null,
        p.plan,
        p.customerSince,
        p.lifetimeValue,
      ]);
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  const rejected: string[] = [];
  const r = await s.imports.importCsv(lines(), {
    actor: CLI_ACTOR,
    mayChangeConsent: true,
    onReject: (row) => rejected.push(`line ${row.line}: ${row.reason}`),
  });
  if (rejected.length || r.created !== people.length)
    throw new Error(`the demo's own file was refused (${rejected.slice(0, 3).join('; ')}): a bug in src/demo`);
}

async function readIds(s: Services, people: Planned[]): Promise<void> {
  const byEmail = new Map(people.map((p) => [p.email, p]));
  let after: string | undefined;
  for (;;) {
    const page = await s.contacts.list({}, PAGE, after);
    for (const c of page) {
      const p = byEmail.get(c.email);
      if (p) p.id = c.id;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  if (people.some((p) => !p.id)) throw new Error('a demo contact was not found after its import');
}

/** Later changes in the preference centre, through the consent module: some raise their level, a few withdraw. */
async function laterChanges(s: Services, random: Random, people: Planned[]): Promise<number> {
  const to = new Map<number, Planned[]>();
  for (const p of people.slice(12)) {
    if (p.isChild) continue;
    let level: number | null = null;
    if ((p.level === 3 || p.level === 4) && random.chance(0.08)) level = p.level + 1;
    else if (p.level >= 4 && random.chance(0.04)) level = 2;
    if (level === null) continue;
    to.set(level, [...(to.get(level) ?? []), p]);
  }
  let changed = 0;
  for (const [level, group] of to) {
    const notice = level === 2 ? WITHDRAW_NOTICE : RAISE_NOTICE;
    await s.db.kysely.transaction().execute(async (trx) => {
      const r = await s.consent.setLevels(
        trx,
        group.map((p) => p.id!),
        level,
        cli('subscription_center', notice),
      );
      changed += r.changed.length;
    });
    for (const p of group) p.level = level;
  }
  return changed;
}

/** Each child's guardian linked through the contacts module (the consent module records it), then their consent. */
async function guardians(s: Services, people: Planned[]): Promise<void> {
  for (const child of people.filter((p) => p.isChild)) {
    await s.contacts.update(child.id!, { guardianId: people[child.guardian!]!.id! }, cli('admin'));
    if (child.guardianConsent) await s.consent.setGuardianConsent(child.id!, true, cli('form', GUARDIAN_NOTICE));
  }
}

/** The level the gate works from: a child is at 0 without guardian consent, at most 4 with it. */
const effective = (p: Planned) => (p.isChild ? (p.guardianConsent ? Math.min(p.level, 4) : 0) : p.level);

async function lists(
  s: Services,
  random: Random,
  people: Planned[],
): Promise<{ ids: Record<ListKey, string>; members: Record<ListKey, Set<string>> }> {
  const existing = new Map((await s.lists.list(100)).map((l) => [l.name, l.id]));
  const ids = {} as Record<ListKey, string>;
  for (const l of LISTS) ids[l.key] = existing.get(l.name) ?? (await s.lists.create({ name: l.name, description: l.description })).id;
  const join: Record<ListKey, string[]> = { weekly: [], product: [], events: [], partners: [] };
  for (const p of people) {
    const level = effective(p);
    if (level < 3) continue;
    // Everyone who consented to profiling reads the newsletter: the behaviour segment has readers in a small demo too.
    if (level === 5 || random.chance(0.75)) join.weekly.push(p.id!);
    if (!p.isChild && p.plan && p.plan !== 'free' && random.chance(0.7)) join.product.push(p.id!);
    if (!p.isChild && random.chance(0.3)) join.events.push(p.id!);
    if (level >= 4 && !p.isChild && random.chance(0.25)) join.partners.push(p.id!);
  }
  for (const l of LISTS) {
    for (let i = 0; i < join[l.key].length; i += PAGE) {
      const batch = join[l.key].slice(i, i + PAGE);
      await s.db.kysely
        .transaction()
        .execute((trx) => s.lists.joinMany(trx, ids[l.key], batch, cli('form', `Sign me up for "${l.name}". ${l.description}`)));
    }
  }
  const members = {} as Record<ListKey, Set<string>>;
  for (const l of LISTS) members[l.key] = new Set(join[l.key]);
  return { ids, members };
}

/** 60 days of newsletters and visits; the interactions service keeps what consent allows and counts everything. */
async function interact(
  s: Services,
  random: Random,
  people: Planned[],
  members: Set<string>,
  now: Date,
): Promise<DemoSummary['interactions']> {
  const readers = people.filter((p) => members.has(p.id!));
  let events = 0;
  let stored = 0;
  let batch: EventInput[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const r = await s.interactions.ingest(batch);
    events += batch.length;
    stored += r.stored;
    batch = [];
  };
  const push = async (e: EventInput) => {
    batch.push(e);
    if (batch.length >= EVENT_BATCH) await flush();
  };
  const at = (daysAgo: number, hour: number) =>
    new Date(now.getTime() - daysAgo * DAY + (hour - 12) * 3_600_000 + random.int(0, 3_599_999)).toISOString();
  // The weekly newsletter, every seven days; people who allow profiling open more of it.
  for (let daysAgo = HISTORY_DAYS - 4; daysAgo >= 1; daysAgo -= 7) {
    const messageId = random.uuid();
    for (const p of readers) {
      await push({ type: 'email_sent', contactId: p.id!, messageId, at: at(daysAgo, 7) });
      if (random.chance(0.03)) {
        await push({ type: 'email_bounced', contactId: p.id!, messageId, at: at(daysAgo, 8) });
        continue;
      }
      await push({ type: 'email_delivered', contactId: p.id!, messageId, at: at(daysAgo, 8) });
      const opens = random.chance(p.level === 5 ? 0.8 : 0.35);
      if (opens) await push({ type: 'email_opened', contactId: p.id!, messageId, at: at(Math.max(daysAgo - random.int(0, 2), 1), 10) });
      if (opens && random.chance(0.3)) await push({ type: 'email_clicked', contactId: p.id!, messageId, at: at(daysAgo, 11) });
    }
  }
  // Visits to the website by known contacts, and a few forms sent.
  for (const p of people) {
    const visits = random.weighted([
      [0, 30],
      [1, 30],
      [2, 20],
      [4, 15],
      [8, 5],
    ] as const);
    for (let v = 0; v < visits; v++)
      await push({
        type: 'page_visited',
        contactId: p.id!,
        url: `https://www.example.com${random.pick(PAGES)}`,
        at: at(random.int(1, HISTORY_DAYS), random.int(8, 22)),
      });
    if (random.chance(0.03))
      await push({ type: 'form_submitted', contactId: p.id!, url: 'https://www.example.com/contact', at: at(random.int(1, 40), 14) });
  }
  await flush();
  return { events, stored, from: addDays(now.toISOString().slice(0, 10), -HISTORY_DAYS), to: now.toISOString().slice(0, 10) };
}

async function makeSegments(s: Services, listIds: Record<ListKey, string>) {
  const defs = [
    {
      name: 'Engaged readers',
      filter: { behaviour: { type: 'email_opened', withinDays: 30, atLeast: 2 } },
    },
    {
      name: 'German-speaking newsletter readers',
      filter: {
        and: [
          { list: listIds.weekly },
          {
            or: [
              { field: 'country', op: 'in', value: ['DE', 'AT', 'CH'] },
              { field: 'language', op: '=', value: 'de' },
            ],
          },
          { not: { field: 'isChild', op: '=', value: true } },
        ],
      },
    },
    { name: 'Marketing audience', filter: { allowed: 'marketing' } },
    {
      name: 'Paying customers',
      filter: { and: [{ field: 'customFields.plan', op: 'in', value: ['starter', 'pro', 'enterprise'] }, { consent: { atLeast: 2 } }] },
    },
  ];
  const out: { id: string; name: string }[] = [];
  for (const d of defs) out.push(await s.segments.create({ name: d.name, kind: 'dynamic', filter: d.filter }));
  return out;
}

/** A handful of cases at different points: one overdue, one due in two days, one new, one fulfilled. */
async function dataRequests(s: Services, random: Random, people: Planned[], now: Date): Promise<DemoSummary['requests']> {
  const { timeZone } = await s.settings.get();
  const today = localDate(now, timeZone);
  const guardians = new Set(people.filter((p) => p.isChild).map((p) => p.guardian));
  const adults = people.filter((p, i) => !p.isChild && !guardians.has(i));
  // A contact who fits, else another, else (a tiny demo) someone the database does not know: that happens too.
  let strangers = 0;
  const take = (pred: (p: Planned) => boolean): { email: string; person?: Planned } => {
    const i = adults.findIndex(pred);
    const [person] = adults.splice(Math.max(i, 0), 1);
    return person ? { email: person.email, person } : { email: `former.customer${++strangers}@example.org` };
  };
  const noon = (date: string) => new Date(`${date}T12:00:00Z`);
  // Received so that its one-month deadline falls `days` from today.
  const receivedForDue = (days: number) => {
    const due = addDays(today, days);
    for (let back = 25; back <= 35; back++) {
      const received = addDays(today, -back);
      if (deadlineFor(noon(received), timeZone) === due) return noon(received);
    }
    return noon(addMonths(due, -1));
  };
  const how = 'identity checked: the request came from the address on file';
  const ctx = { actor: CLI_ACTOR, channel: 'staff' as const, ownerId: null };
  const cases: { id: string }[] = [];
  const overdue = take((p) => p.level >= 2);
  cases.push(
    await s.requests.open({ type: 'access', email: overdue.email, receivedAt: noon(addDays(today, -40)), verified: true, note: how }, ctx),
  );
  const soon = take((p) => p.level >= 3);
  cases.push(await s.requests.open({ type: 'erasure', email: soon.email, receivedAt: receivedForDue(2), verified: true, note: how }, ctx));
  const week = take((p) => p.level >= 1);
  cases.push(await s.requests.open({ type: 'portability', email: week.email, receivedAt: receivedForDue(6) }, ctx));
  const fresh = take(() => true);
  cases.push(await s.requests.open({ type: 'rectification', email: fresh.email }, ctx));
  // An objection answered: the consent module lowers the level, the requester's reply waits in the outbox.
  const objector = take((p) => p.level >= 4);
  const done = await s.requests.open(
    { type: 'objection', email: objector.email, receivedAt: noon(addDays(today, -random.int(8, 14))), verified: true, note: how },
    ctx,
  );
  await s.fulfil.fulfil(done.id, {}, CLI_ACTOR);
  if (objector.person) objector.person.level = Math.min(objector.person.level, 1);
  cases.push(done);
  const out: DemoSummary['requests'] = [];
  for (const c of cases) {
    const r = await s.requests.get(c.id);
    out.push({ type: r.type, status: r.status, deadline: r.deadline, overdue: r.overdue });
  }
  return out;
}
