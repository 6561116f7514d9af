// A large population made in SQL on the server (the fastest way on both databases), shared by
// the benchmarks that need one: contacts with profiles and consent levels, two lists, and
// interactions over 90 days. Ids are 'c%08d' (contacts) and 'e%09d' (interactions).
import type { Db } from '../src/modules/database.ts';

export async function loadPopulation(
  db: Db,
  opts: { contacts: number; events: number; lists: [string, string]; now: Date },
): Promise<void> {
  const { contacts: CONTACTS, events: EVENTS, now: NOW } = opts;
  const [l1, l2] = opts.lists;
  const run = async (sqlite: string, postgres: string) => {
    if (db.sqlite) db.sqlite.exec(sqlite);
    else await db.pool!.query(postgres);
  };
  const now = NOW.toISOString();
  const countries = `'DE','FR','NL','PT','JP','US','GB','ES'`;
  await run(
    `with recursive s(x) as (select 1 union all select x + 1 from s where x < ${CONTACTS})
     insert into contacts (id, email, first_name, last_name, phone, country, language, birth_date, is_child, guardian_consent, ` +
      `consent_level, created_at, updated_at)
     select printf('c%08d', x), 'user' || x || '@example.com', 'Name' || (x % 1000), 'Family' || x, '+49 30 ' || (1000000 + x),
       (case x % 8 when 0 then 'DE' when 1 then 'FR' when 2 then 'NL' when 3 then 'PT' when 4 then 'JP' when 5 then 'US' ` +
      `when 6 then 'GB' else 'ES' end),
       (case x % 3 when 0 then 'de' when 1 then 'fr' else 'en' end),
       (case when x % 7 = 0 then null else printf('%04d-%02d-%02d', 1950 + x % 65, 1 + x % 12, 1 + x % 28) end),
       (case when x % 97 = 0 then 1 else 0 end), x % 2, x % 6, '${now}', '${now}' from s`,
    `insert into contacts (id, email, first_name, last_name, phone, country, language, birth_date, is_child, guardian_consent, ` +
      `consent_level, created_at, updated_at)
     select 'c' || lpad(x::text, 8, '0'), 'user' || x || '@example.com', 'Name' || (x % 1000), 'Family' || x, '+49 30 ' || (1000000 + x),
       (array[${countries}])[1 + x % 8], (array['de','fr','en'])[1 + x % 3],
       case when x % 7 = 0 then null else lpad((1950 + x % 65)::text, 4, '0') || '-' || lpad((1 + x % 12)::text, 2, '0') || ` +
      `'-' || lpad((1 + x % 28)::text, 2, '0') end,
       case when x % 97 = 0 then 1 else 0 end, x % 2, x % 6, '${now}', '${now}' from generate_series(1, ${CONTACTS}) x`,
  );
  // The address registry (every address here is lower-case ASCII, so it is its own key).
  const registry = 'insert into contact_emails (email_key, dup, contact_id) select email, 0, id from contacts';
  await run(registry, registry);
  await run(
    `insert into list_members (contact_id, list_id, joined_at) select id, case when abs(random()) % 2 = 0 then '${l1}' else '${l2}' ` +
      `end, '${now}' from contacts where abs(random()) % 10 < 3`,
    `insert into list_members (contact_id, list_id, joined_at) select id, case when random() < 0.5 then '${l1}' else '${l2}' end, ` +
      `'${now}' from contacts where random() < 0.3`,
  );
  const types = `'email_sent','email_delivered','email_opened','email_clicked','page_visited'`;
  // Building the indexes once after the load is much faster than maintaining them row by row.
  // They are read from the catalogue, so the bench follows the schema the migrations made.
  const indexes = await interactionIndexes(db);
  for (const { name } of indexes) await run(`drop index "${name}"`, `drop index "${name}"`);
  await run(
    `with recursive s(x) as (select 1 union all select x + 1 from s where x < ${EVENTS})
     insert into interactions (id, contact_id, type, ref, at)
     select printf('e%09d', x), printf('c%08d', 1 + abs(random()) % ${CONTACTS}),
       (case x % 5 when 0 then 'email_sent' when 1 then 'email_delivered' when 2 then 'email_opened' when 3 then ` +
      `'email_clicked' else 'page_visited' end),
       'm' || (1 + abs(random()) % 100), strftime('%Y-%m-%dT%H:%M:%fZ', '${now}', '-' || (abs(random()) % 90) || ' days') from s`,
    `insert into interactions (id, contact_id, type, ref, at)
     select 'e' || lpad(x::text, 9, '0'), 'c' || lpad((1 + floor(random() * ${CONTACTS}))::text, 8, '0'),
       (array[${types}])[1 + x % 5], 'm' || (1 + floor(random() * 100)),
       to_char(('${now}'::timestamptz - (floor(random() * 90) || ' days')::interval) at time zone 'UTC', ` +
      `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from generate_series(1, ${EVENTS}) x`,
  );
  // A partitioned parent's definition reads ON ONLY (the parent alone, its partitions without the
  // index): the index is made for the whole table, as the migration made it.
  for (const { def } of indexes) {
    const whole = def.replace(/ ON ONLY /i, ' ON ');
    await run(whole, whole);
  }
  await run('analyze', 'analyze');
}

/** The secondary indexes of interactions as the catalogue defines them (PostgreSQL: on the partitioned parent). */
async function interactionIndexes(db: Db): Promise<{ name: string; def: string }[]> {
  if (db.sqlite)
    return db.sqlite
      .prepare(`select name, sql as def from sqlite_master where type = 'index' and tbl_name = 'interactions' and sql is not null`)
      .all() as { name: string; def: string }[];
  const r = await db.pool!.query<{ name: string; def: string }>(
    `select i.relname as name, pg_get_indexdef(x.indexrelid) as def from pg_index x join pg_class i on i.oid = x.indexrelid
     where x.indrelid = 'interactions'::regclass and not x.indisprimary`,
  );
  return r.rows;
}
