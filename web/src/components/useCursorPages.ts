import { useCallback, useEffect, useRef, useState } from 'react';

export interface CursorPage<T, C> {
  rows: T[];
  /** Null on the last page. */
  next: C | null;
}

/**
 * A list read a page at a time: the first page loads when `key` (the filter) changes, and a newer
 * first page outdates every answer still on its way, so a slow old filter never overwrites a new one.
 */
export function useCursorPages<T, C>(fetchPage: (cursor: C | null) => Promise<CursorPage<T, C>>, key: string) {
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<C | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const latest = useRef(fetchPage);
  latest.current = fetchPage;
  const generation = useRef(0);

  const load = useCallback(async (cursor: C | null) => {
    const mine = cursor === null ? ++generation.current : generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await latest.current(cursor);
      if (mine !== generation.current) return;
      setRows((old) => (cursor === null ? page.rows : [...old, ...page.rows]));
      setNext(page.next);
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load, key]);

  return {
    rows, loading, error, hasMore: next !== null,
    reload: () => load(null),
    loadMore: () => (next !== null && !loading ? load(next) : undefined),
  };
}
