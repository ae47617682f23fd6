/**
 * Natural order for archival codes, stored as a sort key so that databases can order by
 * it with plain byte comparison (SQLite BINARY, PostgreSQL COLLATE "C").
 *
 * Order: digit runs compare by numeric value (…-9 before …-10), everything else by code
 * point. Codes equal in value ("A-2", "A-02") are told apart afterwards, fewer leading
 * zeros first, so the order is total and a listing never shuffles between queries.
 *
 * Key layout: each digit run becomes a length prefix plus its significant digits. The
 * prefix starts with a digit character, so a run still compares against a neighbouring
 * non-digit character exactly as its first digit would. When any run had leading zeros,
 * a tail of U+0001 and one character per run (its zero count) is appended; U+0001 sorts
 * below anything a code contains, since codes never hold control characters.
 */

// Longer runs are cut into runs of this size: far beyond any real code, and keeps the prefix ASCII.
const MAX_RUN = 40;
const TAIL_MARK = '\u0001';
const TOKEN = new RegExp(`[0-9]{1,${MAX_RUN}}|[^0-9]`, 'gu');

type Token = { digits: string; zeros: number } | { char: string };

function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  for (const [text] of code.matchAll(TOKEN)) {
    if (/^[0-9]/.test(text)) {
      const digits = text.replace(/^0+(?=[0-9])/, '');
      tokens.push({ digits, zeros: text.length - digits.length });
    } else {
      tokens.push({ char: text });
    }
  }
  return tokens;
}

/** '1'…'8' for 1–8 digits; '9' plus one ordered character for 9–40 digits. */
function lengthPrefix(length: number): string {
  return length <= 8 ? String(length) : `9${String.fromCharCode(0x30 + length - 9)}`;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** One pass over the code, no regular expressions: imports compute a million of these. */
export function naturalSortKey(code: string): string {
  let key = '';
  let tail = '';
  let anyZeros = false;
  const n = code.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(code.charCodeAt(i))) {
      const start = i;
      while (i < n && !isDigit(code.charCodeAt(i))) i++;
      key += code.slice(start, i);
      continue;
    }
    const start = i;
    while (i < n && i - start < MAX_RUN && isDigit(code.charCodeAt(i))) i++;
    let first = start;
    while (first < i - 1 && code.charCodeAt(first) === 48) first++;
    key += lengthPrefix(i - first) + code.slice(first, i);
    tail += String.fromCharCode(0x30 + first - start);
    if (first > start) anyZeros = true;
  }
  return anyZeros ? key + TAIL_MARK + tail : key;
}

/** Code point order, which is UTF-8 byte order; JS `<` compares UTF-16 units and differs for astral characters. */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return Math.sign(x.length - y.length);
}

export function compareNatural(a: string, b: string): number {
  const x = tokenize(a);
  const y = tokenize(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const s = x[i];
    const t = y[i];
    if (s === undefined || t === undefined) break;
    let d: number;
    if ('digits' in s && 'digits' in t) {
      d = s.digits.length - t.digits.length || compareCodePoints(s.digits, t.digits);
    } else {
      // Any digit stands for a run here: all digits sit together in code point order.
      d = compareCodePoints('char' in s ? s.char : '0', 'char' in t ? t.char : '0');
    }
    if (d !== 0) return Math.sign(d);
  }
  if (x.length !== y.length) return Math.sign(x.length - y.length);
  for (let i = 0; i < x.length; i++) {
    const s = x[i];
    const t = y[i];
    if (s && t && 'zeros' in s && 'zeros' in t && s.zeros !== t.zeros) return Math.sign(s.zeros - t.zeros);
  }
  return 0;
}
