// The checks every harness case ends with, whatever it did: the ledger verifies, each ledger
// entry's old value is the value it replaced, nothing of an erased person is left, and no erased
// address is a contact again. Each returns problems as text; an empty list is a pass.
import { sql } from 'kysely';
import type { Db } from '../../src/modules/database.ts';
import type { Services } from '../../src/services.ts';
import { assentWith } from '../helpers/cli.ts';
import type { Erased } from './installation.ts';

/** What the checks need of an installation (a real one, or a database a self-test prepared). */
export interface Checked {
  url: string;
  db: Db;
  services: Services;
  env(): Record<string, string>;
  erased: Erased;
}

const SHOW = 10;

function summarise(what: string, items: string[]): string[] {
  if (items.length === 0) return [];
  return [`${items.length} ${what}: ${items.slice(0, SHOW).join('; ')}${items.length > SHOW ? '; …' : ''}`];
}

export async function invariantProblems(inst: Checked): Promise<string[]> {
  return [
    ...(await ledgerVerifies(inst)),
    ...(await ledgerValuesChain(inst.db)),
    ...(await erasedLeavesNothing(inst)),
    ...(await erasedAddressesStayGone(inst)),
  ];
}

/**
 * `assent consent verify`, as an operator runs it, with the installation's key: it must pass and authenticate the head (an empty ledger has
 * none to authenticate).
 */
export async function ledgerVerifies(inst: Checked): Promise<string[]> {
  const r = await assentWith(inst.env(), inst.url, 'consent', 'verify', '--json');
  let out: { ok?: boolean; authenticated?: boolean; checked?: number } = {};
  try {
    out = JSON.parse(r.stdout) as typeof out;
  } catch {
    /* reported below */
  }
  if (r.code === 0 && out.ok === true && (out.authenticated === true || out.checked === 0)) return [];
  return [`assent consent verify failed (exit ${r.code}): ${r.stdout.trim()} ${r.stderr.trim()}`.trim()];
}

/**
 * For each contact and kind (a list's joins and leaves are one history per list), every entry's
 * old value is the previous entry's new value: evidence says what each change replaced.
 */
export async function ledgerValuesChain(db: Db): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom('consent_ledger')
    .select(['seq', 'contact_id', 'kind', 'list_id', 'old_value', 'new_value', 'old_text', 'new_text'])
    .where('contact_id', 'is not', null)
    .orderBy('seq')
    .execute();
  const last = new Map<string, (typeof rows)[number]>();
  const broken: string[] = [];
  for (const r of rows) {
    const history = r.kind === 'list_join' || r.kind === 'list_leave' ? `list:${r.list_id}` : r.kind;
    const key = `${r.contact_id}\u0000${history}`;
    const prev = last.get(key);
    if (prev && (prev.new_value !== r.old_value || prev.new_text !== r.old_text)) {
      broken.push(
        `seq ${r.seq} (${r.kind}) says it replaced ${r.old_text ?? r.old_value}, but seq ${prev.seq} had set ` +
          `${prev.new_text ?? prev.new_value}`,
      );
    }
    last.set(key, r);
  }
  return summarise('ledger entries whose old value is not the value they replaced', broken);
}

/**
 * No row anywhere names an erased contact: every column the data map links to a person or marks
 * as a contact reference (tables added at run time included), and the residue scan finds none
 * of the erased addresses anywhere in the database (undeclared tables, statistics, SQLite's files)
 * and none of the erased contact ids where ids are kept (any column named for them, declared or
 * not) or in free text.
 */
export async function erasedLeavesNothing(inst: Checked): Promise<string[]> {
  const ids = [...inst.erased.contactIds];
  const emails = [...inst.erased.emails];
  const problems: string[] = [];
  if (ids.length) {
    const map = await inst.services.datamap.getMap();
    for (const t of map.tables) {
      const columns = new Set(t.columns.filter((c) => c.category === 'system.ref.contact').map((c) => c.name));
      if (t.subjectLink && t.subjectLink.kind !== 'email') columns.add(t.subjectLink.column);
      for (const column of columns) {
        let n = 0;
        for (let i = 0; i < ids.length; i += 500) {
          const r = await sql<{
            n: number;
          }>`select count(*) as n from ${sql.table(t.name)} where ${sql.ref(column)} in (${sql.join(ids.slice(i, i + 500))})`.execute(
            inst.db.kysely,
          );
          n += Number(r.rows[0]!.n);
        }
        if (n > 0) problems.push(`${t.name}.${column}: ${n} rows name an erased contact`);
      }
    }
  }
  if (emails.length || ids.length) {
    // The scan looks for the ids too: in every column that holds contact ids (declared or not) and in free text.
    const hits = await inst.services.erasure.scanner.scanDatabase({ emails, phones: [], names: [], contactIds: ids }, { checkpoint: true });
    if (hits.length) problems.push(`the residue scan finds erased addresses or contact ids in ${hits.join(', ')}`);
  }
  return problems;
}

/** No contact holds an address that was erased: neither one the case erased nor one the suppression list holds. */
export async function erasedAddressesStayGone(inst: Checked): Promise<string[]> {
  const contacts = await inst.db.kysely.selectFrom('contacts').select(['id', 'email']).execute();
  const suppressed = new Set(
    (await inst.db.kysely.selectFrom('suppressions').select('email_hmac').where('reason', '=', 'erased').execute()).map(
      (r) => r.email_hmac,
    ),
  );
  const back: string[] = [];
  for (const c of contacts) {
    if (inst.erased.emails.has(c.email.toLowerCase()) || (suppressed.size && suppressed.has(await inst.services.secret.emailHash(c.email))))
      back.push(`contact ${c.id}`);
  }
  return summarise('contacts hold an erased address', back);
}
