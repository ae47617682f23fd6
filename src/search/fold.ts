import compatibilityIdeographs from 'opencc-js/dict/CJK_Compatibility_Ideographs';
import traditionalCharacters from 'opencc-js/dict/TSCharacters';

/**
 * Folding decides which characters search treats as the same. It maps every code point to exactly
 * one code point, so a position in folded text always corresponds to one place in the original
 * (NFKC cannot promise that: ﬁ becomes two letters, ㈱ three). Everything that is not a letter,
 * number or mark becomes a separator, and a run of separators is a single SEP, so "〔2023〕" and
 * "(2023)" and " 2023 " fold alike.
 */

/** Stands for a run of separators; private-use, so no real text folds into it (U+E000 itself is a separator). */
export const SEP = '\uE000';

let simplified: Map<string, string> | undefined;

/** OpenCC dictionaries are "源 目标1 目标2|…"; only one-code-point sources and first candidates fit a 1:1 fold. */
function parseDict(dict: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const entry of dict.split('|')) {
    const [from, to] = entry.split(' ');
    if (from && to && from !== to && isOneCodePoint(from) && isOneCodePoint(to)) table.set(from, to);
  }
  return table;
}

/**
 * Traditional→simplified at character level, from OpenCC's TSCharacters as opencc-js publishes it
 * (a string module in node_modules, so nothing is generated or fetched). OpenCC's phrase tables are
 * deliberately left out: they change lengths. Built on first use, not at import.
 */
function simplifiedTable(): Map<string, string> {
  if (simplified) return simplified;
  const table = parseDict(traditionalCharacters);
  // OpenCC first normalises compatibility ideographs (U+F900…) to the unified ones; so does search.
  for (const [compat, unified] of parseDict(compatibilityIdeographs)) if (!table.has(compat)) table.set(compat, unified);
  // Some targets are sources too (薴→苧→苎): follow each chain to its end so that folding twice changes nothing.
  for (const [from, to] of table) {
    let end = to;
    for (let hops = 0; table.has(end) && hops < 8; hops++) end = table.get(end)!;
    table.set(from, end);
  }
  simplified = table;
  return table;
}

function isOneCodePoint(s: string): boolean {
  const c = s.codePointAt(0);
  return c !== undefined && s.length === (c > 0xffff ? 2 : 1);
}

/**
 * Folds one code point (`cp` must be exactly one) to one code point: full-width ASCII forms to
 * ASCII, the ideographic space to a space, traditional to simplified, upper to lower case where
 * the lower case is a single code point (İ stays İ).
 */
export function foldChar(cp: string): string {
  let c = cp.charCodeAt(0);
  if (c >= 0xff01 && c <= 0xff5e) {
    c -= 0xfee0;
    cp = String.fromCharCode(c);
  }
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : cp;
  if (c === 0x3000) return ' ';
  const s = simplifiedTable().get(cp);
  if (s !== undefined) return s;
  const lower = cp.toLowerCase();
  return lower !== cp && isOneCodePoint(lower) ? lower : cp;
}

const INDEXABLE = /^[\p{L}\p{N}\p{M}]$/u;

/** Letters (Han, kana and hangul included), numbers and combining marks; everything else separates. */
export function isIndexable(cp: string): boolean {
  const c = cp.charCodeAt(0);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  return INDEXABLE.test(cp);
}

/**
 * Where each UTF-16 unit of a folded string came from: unit i of `folded` stands for
 * `original.slice(starts[i], ends[i])`. Both units of a surrogate pair share their code point's
 * range; a SEP covers its whole run of separators; the SEPs that foldForIndex adds at the ends of
 * text that begins or ends with a letter cover the empty ranges [0, 0) and [length, length).
 */
export interface FoldedText {
  /** Exactly foldForIndex(original). */
  folded: string;
  starts: number[];
  ends: number[];
}

const INDEXABLE_BIT = 0x40000000;
let bmp: Int32Array | undefined;

/**
 * foldChar and isIndexable of every BMP code unit, as folded code point | INDEXABLE_BIT: indexing
 * folds megabytes of OCR text, and one array read is several times faster than a map lookup, a
 * case mapping and a regular expression per character. Built on first use (some 30 ms).
 */
function bmpTable(): Int32Array {
  if (bmp) return bmp;
  const table = new Int32Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) {
      table[c] = c;
      continue;
    }
    const f = foldChar(String.fromCharCode(c));
    table[c] = f.codePointAt(0)! | (isIndexable(f) ? INDEXABLE_BIT : 0);
  }
  bmp = table;
  return table;
}

const SEP_UNIT = 0xe000;

function fold(text: string, edges: boolean, map?: { starts: number[]; ends: number[] }): string {
  const table = bmpTable();
  const units: number[] = [];
  let indexable = false;
  // A separator run waiting to be written as one SEP, which it is only if a symbol follows or `edges` asks for one at the end.
  let pending = edges;
  let runStart = 0;
  const emit = (cp: number, start: number, end: number) => {
    if (cp > 0xffff) {
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      map?.starts.push(start, start);
      map?.ends.push(end, end);
    } else {
      units.push(cp);
      map?.starts.push(start);
      map?.ends.push(end);
    }
  };
  for (let i = 0; i < text.length; ) {
    const unit = text.charCodeAt(i);
    let v = table[unit]!;
    let size = 1;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) {
        size = 2;
        const f = foldChar(String.fromCodePoint(cp));
        v = f.codePointAt(0)! | (isIndexable(f) ? INDEXABLE_BIT : 0);
      }
    }
    if (v & INDEXABLE_BIT) {
      if (pending) emit(SEP_UNIT, runStart, i);
      pending = false;
      indexable = true;
      emit(v & ~INDEXABLE_BIT, i, i + size);
    } else if (!pending) {
      pending = true;
      runStart = i;
    }
    i += size;
  }
  if (!indexable) {
    if (map) map.starts.length = map.ends.length = 0;
    return '';
  }
  if (pending) emit(SEP_UNIT, runStart, text.length);
  else if (edges) emit(SEP_UNIT, text.length, text.length);
  let out = '';
  // fromCharCode takes its units as arguments: in chunks, to stay far below the engine's argument limit.
  for (let k = 0; k < units.length; k += 8192) out += String.fromCharCode(...units.slice(k, k + 8192));
  return out;
}

/**
 * The symbols the index sees for one field: folded, separator runs collapsed to one SEP, and a
 * SEP at both ends so that every letter is followed (and preceded) by some symbol. Text with
 * nothing indexable gives '' (nothing to index).
 */
export function foldForIndex(text: string): string {
  return fold(text, true);
}

/** Folded like foldForIndex, but a SEP at either end only where the query itself has separators there. */
export function foldQuery(text: string): string {
  return fold(text, false);
}

/** foldForIndex with the way back to the original, for highlighting. */
export function foldWithMap(text: string): FoldedText {
  const map = { starts: [] as number[], ends: [] as number[] };
  const folded = fold(text, true, map);
  return { folded, ...map };
}

/** The range of the original text that folded units [from, to) (to > from) stand for. */
export function originalRange(map: FoldedText, from: number, to: number): [number, number] {
  return [map.starts[from]!, map.ends[to - 1]!];
}
