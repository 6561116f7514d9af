import { Type } from 'typebox';
import { AppError } from '../lib/errors.ts';
import { isId } from '../lib/ids.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({
      format: 'int32',
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
      description: `rows per page (1 to ${MAX_LIMIT})`,
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      maxLength: 1200,
      description: "the previous page's `page.next`, as given; absent for the first page",
      examples: ['djE6MDE5MzhhNmUtNGYyYi03YzNkLTllOGYtMGExYjJjM2Q0ZTVm'],
    }),
  ),
};

/** Cursors are opaque to clients: the id of the last row seen, base64url-encoded. */
export function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const raw = Buffer.from(cursor, 'base64url').toString();
  const id = raw.startsWith('v1:') ? raw.slice(3) : '';
  if (!isId(id)) throw new AppError('invalid_cursor', 'the cursor is not one this API issued');
  return id;
}

/** Where a sorted listing resumes: the last row's sort value and id (the tie-breaker). */
export interface SortedAfter {
  key: string | number;
  id: string;
}

/**
 * A sorted listing's cursor names its sort, the last row's sort value and its id: the order is
 * (value, id), so rows with equal values are neither skipped nor repeated, and a cursor taken
 * under one sort is refused under another instead of resuming at a meaningless place.
 */
export function encodeSortedCursor(sort: string, after: SortedAfter): string {
  return Buffer.from(`v2:${JSON.stringify([sort, after.key, after.id])}`).toString('base64url');
}

export function decodeSortedCursor(cursor: string | undefined, sort: string): SortedAfter | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const raw = Buffer.from(cursor, 'base64url').toString();
  let v: unknown;
  try {
    v = raw.startsWith('v2:') ? JSON.parse(raw.slice(3)) : undefined;
  } catch {
    v = undefined;
  }
  if (
    !Array.isArray(v) ||
    v.length !== 3 ||
    v[0] !== sort ||
    !(typeof v[1] === 'string' || (typeof v[1] === 'number' && Number.isFinite(v[1]))) ||
    !isId(v[2])
  )
    throw new AppError('invalid_cursor', 'the cursor is not one this API issued for this sort');
  return { key: v[1] as string | number, id: v[2] as string };
}

/**
 * A listing's total. Counting every matching row is exact but costs a scan of them; where that
 * scan is the whole of a large table an estimate stands in (src/db/estimate.ts), and
 * `isEstimate` says so.
 */
export interface Total {
  total: number;
  isEstimate: boolean;
}
/** What a list route gives for its total: a count (exact) or a Total. */
export type Counter = () => Promise<number | Total>;

export interface PageInfo {
  next: string | null;
  total: number;
  totalIsEstimate: boolean;
}

async function totalOf(count: Counter): Promise<Total> {
  const t = await count();
  return typeof t === 'number' ? { total: t, isEstimate: false } : t;
}

/**
 * A list route's body: reads the page size and cursor from the query, fetches one row more
 * than the page after the cursor's row (the extra row only says whether another page exists),
 * and answers the page with the next cursor and the listing's total (`count`, asked beside the
 * page with the same filter).
 */
export async function listPage<T extends { id: string }>(
  query: { limit?: number; cursor?: string },
  fetch: (limit: number, after: string | undefined) => Promise<T[]>,
  count: Counter,
): Promise<{ data: T[]; page: PageInfo }> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor);
  const [rows, t] = await Promise.all([fetch(limit + 1, after), totalOf(count)]);
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data,
    page: { next: rows.length > limit && last ? encodeCursor(last.id) : null, total: t.total, totalIsEstimate: t.isEstimate },
  };
}

/**
 * listPage for a listing in a chosen order: `sort` names it (part of the cursor), `keyOf` gives
 * a row's sort value as the query compares it, `fetch` returns the rows after `after` in
 * (value, id) order.
 */
export async function sortedListPage<T extends { id: string }>(
  query: { limit?: number; cursor?: string },
  sort: string,
  fetch: (limit: number, after: SortedAfter | undefined) => Promise<{ row: T; key: string | number }[]>,
  count: Counter,
): Promise<{ data: T[]; page: PageInfo }> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeSortedCursor(query.cursor, sort);
  const [rows, t] = await Promise.all([fetch(limit + 1, after), totalOf(count)]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => r.row),
    page: {
      next: rows.length > limit && last ? encodeSortedCursor(sort, { key: last.key, id: last.row.id }) : null,
      total: t.total,
      totalIsEstimate: t.isEstimate,
    },
  };
}
