import { Type } from 'typebox';
import { AppError } from '../lib/errors.ts';
import { isId } from '../lib/ids.ts';

export const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
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

/** Services fetch limit+1 rows; the extra row only says whether another page exists. */
function toPage<T extends { id: string }>(rows: T[], limit: number): { data: T[]; page: { next: string | null } } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, page: { next: rows.length > limit && last ? encodeCursor(last.id) : null } };
}

/**
 * A list route's body: reads the page size and cursor from the query, fetches one row more
 * than the page after the cursor's row, and answers the page with the next cursor.
 */
export async function listPage<T extends { id: string }>(
  query: { limit?: number; cursor?: string },
  fetch: (limit: number, after: string | undefined) => Promise<T[]>,
): Promise<{ data: T[]; page: { next: string | null } }> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  return toPage(await fetch(limit + 1, decodeCursor(query.cursor)), limit);
}
