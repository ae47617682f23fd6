import { badRequest } from '../platform/errors.js';
import type { PageCursor } from './catalog.repository.js';

export const MAX_PAGE = 500;

/** Opaque to clients: the sort key and id of the last row they saw. */
export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.sortKey, c.id])).toString('base64url');
}

export function decodeCursor(s: string | undefined): PageCursor | null {
  if (!s) return null;
  try {
    const [sortKey, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [string, number];
    if (typeof sortKey !== 'string' || !Number.isInteger(id)) throw new Error('shape');
    return { sortKey, id };
  } catch {
    throw badRequest('CURSOR_INVALID', '分页游标无效', 'Invalid page cursor');
  }
}

export const pageSize = (limit: number | undefined, fallback = 50) => Math.min(Math.max(Math.trunc(Number(limit)) || fallback, 1), MAX_PAGE);

/**
 * Repositories are asked for one row more than the page; its presence says whether a next page
 * exists without a second count query.
 */
export function toPage<R extends { sort_key: string; id: number }>(rows: R[], size: number): { rows: R[]; nextCursor: string | null } {
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > size && last ? encodeCursor({ sortKey: last.sort_key, id: last.id }) : null };
}
