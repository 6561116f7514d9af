import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../database.ts';
import type { CampaignStatus, CampaignsTable } from './email.table.ts';

type Q = Kysely<Database>;

export const insertCampaign = (db: Q, row: CampaignsTable) => db.insertInto('campaigns').values(row).execute();

export const campaignById = (db: Q, id: string) => db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();

/** Moves a campaign from one of `from` to `to`; false when it was in none of them (another request moved it first). */
export async function moveCampaign(
  db: Q,
  id: string,
  from: readonly CampaignStatus[],
  set: Partial<Pick<CampaignsTable, 'status' | 'ended_at' | 'started_at' | 'recipients'>>,
): Promise<boolean> {
  const r = await db
    .updateTable('campaigns')
    .set(set)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Ends a sending campaign once none of its sends is pending; one statement, so two batches ending at once cannot both miss it. */
export async function finishIfDrained(db: Q, id: string, nowIso: string): Promise<boolean> {
  const r = await db
    .updateTable('campaigns')
    .set({ status: 'done', ended_at: nowIso })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('sends')
            .select(sql.lit(1).as('one'))
            .where('sends.campaign_id', '=', id)
            .where('sends.status', 'in', ['queued', 'deferred']),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export const recipientsOf = async (db: Q, id: string): Promise<number> => {
  const r = await db
    .selectFrom('sends')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(r.n);
};

/** The last contact materialised: materialising goes in contact id order, so a run after a crash resumes there. */
export const lastMaterialised = async (db: Q, id: string): Promise<string | undefined> => {
  const r = await db
    .selectFrom('sends')
    .select((eb) => eb.fn.max('contact_id').as('last'))
    .where('campaign_id', '=', id)
    .executeTakeFirst();
  return (r?.last as string | null) ?? undefined;
};

/** Newest first; `after` is the last id of the previous page. With the message's name. */
export function listCampaigns(db: Q, limit: number, after?: string) {
  let q = db
    .selectFrom('campaigns as c')
    .innerJoin('messages as m', 'm.id', 'c.message_id')
    .selectAll('c')
    .select(['m.name as message_name']);
  if (after) q = q.where('c.id', '<', after);
  return q.orderBy('c.id', 'desc').limit(limit).execute();
}

export async function countCampaigns(db: Q): Promise<number> {
  const r = await db
    .selectFrom('campaigns')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The anonymous totals of these campaigns. */
export const countsOf = (db: Q, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('campaign_counts')
        .selectAll()
        .where('campaign_id', 'in', [...ids])
        .execute();

/** How many of each campaign's sends are still queued or deferred (live: these rows are not yet anyone's history). */
export const pendingOf = (db: Q, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('sends')
        .select(['campaign_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('campaign_id', 'in', [...ids])
        .where('status', 'in', ['queued', 'deferred'])
        .groupBy(['campaign_id', 'status'])
        .execute();

/**
 * One group of a segment's members that the gate answers alike: its size, one member to ask about, and whether its address bounced hard.
 */
export interface AudienceGroup {
  sample: string;
  n: number;
  allowed: number;
  undeliverable: number;
}

/**
 * A segment's members grouped by everything the gate reads (stored level, child, guardian
 * consent) and by whether the gate's own SQL allows them and their address bounced hard: a
 * few dozen groups at most, whatever the segment's size.
 */
export async function audienceGroups(
  db: Q,
  member: RawBuilder<SqlBool>,
  gate: RawBuilder<SqlBool>,
  child: RawBuilder<SqlBool>,
): Promise<AudienceGroup[]> {
  const r = await sql<AudienceGroup>`select min(t.id) as sample, count(*) as n, t.allowed, t.undeliverable from (
      select c.id, c.consent_level as lvl, c.guardian_consent as gc,
        case when ${child} then 1 else 0 end as child,
        case when ${gate} then 1 else 0 end as allowed,
        case when exists (select 1 from contact_emails e join undeliverable_addresses u on u.email_key = e.email_key
          where e.contact_id = c.id) then 1 else 0 end as undeliverable
      from contacts c where ${member}) t
    group by t.lvl, t.gc, t.child, t.allowed, t.undeliverable`.execute(db);
  return r.rows.map((x) => ({ sample: x.sample, n: Number(x.n), allowed: Number(x.allowed), undeliverable: Number(x.undeliverable) }));
}

/**
 * Addresses of the members the gate allows and that did not bounce, in id order after `after`: what the suppression list is asked about.
 */
export async function allowedAddresses(
  db: Q,
  member: RawBuilder<SqlBool>,
  gate: RawBuilder<SqlBool>,
  limit: number,
  after?: string,
): Promise<{ id: string; email: string }[]> {
  const r = await sql<{ id: string; email: string }>`select c.id, c.email from contacts c where ${member} and ${gate}
      and not exists (select 1 from contact_emails e join undeliverable_addresses u on u.email_key = e.email_key where e.contact_id = c.id)
      ${after ? sql`and c.id > ${after}` : sql``} order by c.id limit ${sql.lit(limit)}`.execute(db);
  return r.rows;
}
