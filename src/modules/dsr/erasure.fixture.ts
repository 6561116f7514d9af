// Test data for erasure tests: a person with rows in every table the data map links to a
// person, and a raw scan of the database that does not use the app's scanner.
import { execFileSync } from 'node:child_process';
import { sql } from 'kysely';
import type { Db } from '../database.ts';
import { liveColumns } from '../../db/introspect.ts';
import { newId } from '../../lib/ids.ts';
import type { Services } from '../../services.ts';

export interface Person {
  email: string;
  phone: string;
  firstName: string;
  lastName: string;
}

export const ERASE_ME: Person = { email: 'erase.me.7f3a@example.org', phone: '+49 151 2345 6789', firstName: 'Xaverina', lastName: 'Quengelbrecht' };
export const STAYS: Person = { email: 'stay.here.91c2@example.org', phone: '+44 20 7946 0958', firstName: 'Bertha', lastName: 'Bleibtreu' };

const api = { source: 'api', actor: { type: 'api_key', id: '01900000-0000-7000-8000-000000000001' } } as const;

/** What the test searches for, stricter than the app: each name part alone, the phone without its country code. */
export function needles(p: Person): { text: string[]; digits: string[] } {
  return { text: [p.email, p.firstName, p.lastName].map((x) => x.toLowerCase()), digits: [p.phone.replace(/\D/g, '').slice(2)] };
}

/** Shared structures every person's rows hang off; made once per database. */
export async function prepareWorld(s: Services): Promise<{ listId: string; segmentId: string }> {
  await s.customFields.define({ name: 'note', type: 'text', personal: true });
  await s.entities.define({ name: 'pets', linked: true, erase: 'anonymise', fields: [{ name: 'owner_name', type: 'text', personal: true }, { name: 'species', type: 'text', personal: false }] });
  await s.entities.define({ name: 'visits', linked: true, erase: 'delete', fields: [{ name: 'remark', type: 'text', personal: true }] });
  const list = await s.lists.create({ name: `Newsletter ${newId()}` });
  const segment = await s.segments.create({ name: `Everyone ${newId()}`, kind: 'static', filter: { consent: { atLeast: 0 } } });
  return { listId: list.id, segmentId: segment.id };
}

/**
 * A person with data in every subject-linked table. Rows of the cases module are written
 * directly: what matters here is that they hold the person, not how a case got there.
 */
export async function buildPerson(s: Services, p: Person, world: { listId: string; segmentId: string }, opts: { interactions?: number } = {}): Promise<{ contactId: string; requestId: string }> {
  const full = `${p.firstName} ${p.lastName}`;
  const c = await s.contacts.create({ email: p.email, phone: p.phone, firstName: p.firstName, lastName: p.lastName, company: `${p.lastName} GmbH`, customFields: { note: `reach ${full} at ${p.email}` } });
  for (const [level, ip] of [[3, '198.51.100.7'], [5, '198.51.100.8'], [4, '198.51.100.9']] as const) {
    await s.consent.setLevel(c.id, level, { ...api, evidence: { ip, userAgent: `Browser of ${full}` } });
  }
  await s.lists.join(c.id, world.listId, api);
  await s.segments.refresh(world.segmentId);
  const n = opts.interactions ?? 3;
  const at = Date.parse('2026-01-10T00:00:00Z');
  const events = Array.from({ length: n }, (_, i) => ({
    type: 'custom' as const,
    name: 'profile.viewed',
    behavioural: false,
    contactId: c.id,
    at: new Date(at + i * 1000).toISOString(),
    url: `https://shop.example/p/${i}`,
    properties: { greeting: `Hallo ${full}`, phone: p.phone },
  }));
  for (let i = 0; i < events.length; i += 10_000) await s.interactions.ingest(events.slice(i, i + 10_000));
  await s.mail.send({ to: p.email, subject: `Hello ${full}`, text: `Dear ${full}, we will call ${p.phone}.`, contactId: c.id, purpose: 'transactional' });
  const now = new Date().toISOString();
  const requestId = newId();
  await s.db.kysely
    .insertInto('requests')
    .values({ id: requestId, type: 'erasure', email: p.email, email_hmac: await s.secret.emailHash(p.email), contact_id: c.id, status: 'verified', channel: 'api', owner_id: null, received_at: now, deadline: '2026-12-31', extended_at: null, extension_reason: null, verified_at: now, completed_at: null, flagged: 0, flag_detail: null, created_at: now, updated_at: now })
    .execute();
  await s.db.kysely.insertInto('tasks').values({ id: newId(), request_id: requestId, contact_id: c.id, type: 'erasure', title: 'Erasure request', status: 'open', assignee_id: null, due_date: '2026-12-31', created_at: now, updated_at: now, completed_at: null, receipt_id: null, location: null, row_id: null }).execute();
  await s.db.kysely
    .insertInto('exports')
    .values({ id: newId(), request_id: requestId, email: c.email, contact_id: c.id, json: JSON.stringify({ email: p.email, name: full, phone: p.phone }), html: `<p>${full}</p>`, created_at: now, expires_at: now })
    .execute();
  await s.entities.createRecord('pets', { contactId: c.id, fields: { owner_name: full, species: 'cat' } });
  await s.entities.createRecord('visits', { contactId: c.id, fields: { remark: `${full} came by` } });
  return { contactId: c.id, requestId };
}

/** Every subject-linked table of the map with the rows that belong to the person, in a stable form. */
export async function rowsOf(s: Services, who: { contactId: string; email: string }): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of (await s.datamap.getMap()).tables) {
    if (!t.subjectLink) continue;
    const key = t.subjectLink.kind === 'email' ? who.email : who.contactId;
    const r = await sql<Record<string, unknown>>`select * from ${sql.table(t.name)} where ${sql.ref(t.subjectLink.column)} = ${key}`.execute(s.db.kysely);
    out[t.name] = r.rows.map((row) => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))).sort();
  }
  return out;
}

/** Values of a row as searchable text. */
function texts(row: Record<string, unknown>): string[] {
  return Object.values(row)
    .filter((v) => v !== null && v !== undefined)
    .map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : typeof v === 'object' ? JSON.stringify(v) : String(v)).toLowerCase());
}

function found(values: string[], n: { text: string[]; digits: string[] }): boolean {
  return values.some((v) => n.text.some((t) => v.includes(t)) || n.digits.some((d) => v.replace(/\D/g, '').includes(d)));
}

/**
 * Reads every row of every table through the raw driver (not Kysely, not the app's scanner),
 * the database's statistics included, and names the tables where the person still appears.
 */
export async function rawScan(db: Db, p: Person): Promise<string[]> {
  const n = needles(p);
  const hits: string[] = [];
  const tables = [...new Set((await liveColumns(db)).map((c) => c.table))];
  if (db.dialect === 'sqlite') {
    const raw = db.sqlite!;
    const system = raw.prepare(`select name from sqlite_master where type = 'table' and name like 'sqlite\\_%' escape '\\'`).pluck().all() as string[];
    for (const t of [...tables, ...system, 'sqlite_master']) {
      const rows = raw.prepare(`select * from "${t}"`).all() as Record<string, unknown>[];
      if (rows.some((r) => found(texts(r), n))) hits.push(t);
    }
    return hits;
  }
  for (const t of tables) {
    const r = await db.pool!.query(`select * from "${t}"`);
    if (r.rows.some((row: Record<string, unknown>) => found(texts(row), n))) hits.push(t);
  }
  const stats = await db.pool!.query(`select tablename, most_common_vals::text as m, histogram_bounds::text as h from pg_stats where schemaname = current_schema()`);
  for (const row of stats.rows as { tablename: string; m: string | null; h: string | null }[]) if (found(texts({ m: row.m, h: row.h }), n)) hits.push(`pg_stats:${row.tablename}`);
  return hits;
}

// Plain JavaScript, so the process starts without the TypeScript loader; the words come on stdin.
const READ_FILES = `
const fs = require('node:fs');
const { files, words } = JSON.parse(fs.readFileSync(0, 'utf8'));
const hit = (f) => { const text = fs.readFileSync(f).toString('latin1').toLowerCase(); return words.some((w) => text.includes(w)); };
process.stdout.write(JSON.stringify(files.filter((f) => fs.existsSync(f) && hit(f))));
`;

/**
 * SQLite: the database file and its write-ahead log as bytes, read by another process: this
 * one has the database open, and closing a descriptor of the file here would drop SQLite's locks.
 */
export function fileScan(db: Db, p: Person): string[] {
  if (db.dialect !== 'sqlite') return [];
  const path = db.target.location;
  const words = [p.email, p.firstName, p.lastName, p.phone, p.phone.replace(/\D/g, '')].map((w) => w.toLowerCase());
  const out = execFileSync(process.execPath, ['-e', READ_FILES], { input: JSON.stringify({ files: [path, `${path}-wal`], words }), encoding: 'utf8' });
  return JSON.parse(out) as string[];
}
