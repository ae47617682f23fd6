import { foldForIndex, foldQuery, type FoldedText, foldWithMap, originalRange } from './fold.js';

/**
 * Highlighting finds queries the way the index does, in folded text, and maps the hits back to the
 * original, so 檔案館 is marked for the query 档案馆 and ＡＢＣ for abc. All offsets are UTF-16
 * offsets, as JavaScript strings and the browser count them.
 */

export interface Snippet {
  text: string;
  /** [start, end) offsets into `text`, in order, not overlapping. */
  highlights: Array<[number, number]>;
}

const ELLIPSIS = '…';

/** Original ranges of every occurrence of `query`, overlapping ones included. */
function occurrences(map: FoldedText, query: string): Array<[number, number]> {
  const q = foldQuery(query);
  const out: Array<[number, number]> = [];
  if (!q) return out;
  for (let at = map.folded.indexOf(q); at >= 0; at = map.folded.indexOf(q, at + 1)) out.push(originalRange(map, at, at + q.length));
  return out;
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function isHigh(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Where the first occurrence of `query` begins in the original text, or -1 (also for a query of separators only). */
export function firstMatchOffset(text: string, query: string): number {
  const q = foldQuery(query);
  // Most pages do not match: find out on the plain fold before building the offset map.
  if (!q || !foldForIndex(text).includes(q)) return -1;
  const map = foldWithMap(text);
  return map.starts[map.folded.indexOf(q)]!;
}

/**
 * About `width` characters of `text` around the first occurrence of any query, with every
 * occurrence inside marked; "…" where the text is cut. Null when no query occurs.
 */
export function snippet(text: string, queries: string[], opts: { width?: number } = {}): Snippet | null {
  const width = opts.width ?? 80;
  const map = foldWithMap(text);
  const hits = merge(queries.flatMap((q) => occurrences(map, q)));
  const first = hits[0];
  if (!first) return null;
  const [s, e] = first;
  let start = 0;
  let end = text.length;
  if (text.length > width) {
    if (e - s >= width) {
      [start, end] = [s, e];
    } else {
      start = Math.max(0, s - Math.floor((width - (e - s)) / 2));
      end = Math.min(text.length, start + width);
      start = Math.max(0, end - width);
    }
    // Never cut a surrogate pair in two; the first hit itself begins and ends between code points.
    if (isLow(text, start) && isHigh(text, start - 1)) start++;
    if (isHigh(text, end - 1) && isLow(text, end)) end--;
  }
  const lead = start > 0 ? ELLIPSIS : '';
  const highlights = hits
    .filter(([hs, he]) => he > start && hs < end)
    .map(([hs, he]): [number, number] => [Math.max(hs, start) - start + lead.length, Math.min(he, end) - start + lead.length]);
  return { text: lead + text.slice(start, end) + (end < text.length ? ELLIPSIS : ''), highlights };
}
