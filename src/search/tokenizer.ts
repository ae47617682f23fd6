import { foldForIndex, foldQuery } from './fold.js';

/**
 * The index stores every pair of adjacent folded symbols (SEP included) with its position, and a
 * query is the phrase of its own pairs. A phrase of pairs occurs exactly where the folded query
 * occurs in the folded field, so matching is substring matching: "11年" finds "2011年", "02" finds
 * "2023", with no word segmentation to miss or invent a boundary.
 */

export interface Token {
  term: string;
  pos: number;
}

/** Pairs s_i s_(i+1) of a folded symbol string at position i (0-based); [] below two symbols. */
export function bigramTokens(symbols: string): Token[] {
  const cps = Array.from(symbols);
  const tokens: Token[] = [];
  for (let i = 0; i + 1 < cps.length; i++) tokens.push({ term: cps[i]! + cps[i + 1]!, pos: i });
  return tokens;
}

/**
 * One field as FTS5 text, tokens in position order separated by spaces. The ascii tokenizer keeps
 * every non-ASCII character and ASCII letters and digits inside a token; folding leaves no other
 * ASCII (and only lower case), so each pair is exactly one FTS5 token.
 */
export function indexTerms(text: string): string {
  return bigramTokens(foldForIndex(text))
    .map((t) => t.term)
    .join(' ');
}

/**
 * PostgreSQL keeps positions 1…16,383 only: larger ones are stored as 16,383, so phrases past it
 * stop being exact. It also keeps no more than 256 positions of one lexeme (the rest are dropped,
 * and phrases through them are missed). Text longer than that must be indexed in parts.
 */
export const PG_MAX_POSITION = 16383;
export const PG_MAX_POSITIONS_PER_LEXEME = 256;

/** A tsvector/tsquery lexeme in quotes; inside them a quote or backslash is doubled. */
function pgLexeme(lexeme: string): string {
  return `'${lexeme.replace(/['\\]/g, '$&$&')}'`;
}

/**
 * The tokens as a PostgreSQL tsvector literal (1-based positions, each lexeme listed once with its
 * positions, within the limits above), to be cast with `::tsvector`, never through to_tsvector.
 * `prefix` is prepended to every lexeme so that several fields can share one tsvector; no field's
 * prefix may begin another's (one letter each will do), or `:*` queries leak across fields.
 */
export function tsvectorLiteral(text: string, prefix = ''): string {
  const positions = new Map<string, number[]>();
  for (const { term, pos } of bigramTokens(foldForIndex(text))) {
    const list = positions.get(term);
    const p = Math.min(pos + 1, PG_MAX_POSITION);
    if (!list) positions.set(term, [p]);
    // Written as PostgreSQL will keep them, so the literal is no longer than what is stored.
    else if (list.length < PG_MAX_POSITIONS_PER_LEXEME && list[list.length - 1] !== p) list.push(p);
  }
  return Array.from(positions, ([term, list]) => `${pgLexeme(prefix + term)}:${list.join(',')}`).join(' ');
}

export type QueryTerm = { kind: 'phrase'; tokens: string[] } | { kind: 'prefix'; token: string };

/**
 * A query string as index terms, null when it holds nothing indexable. One symbol becomes a prefix
 * query: every indexable symbol of a field is followed by at least a SEP, so it begins some pair,
 * and no single-symbol index is needed.
 */
export function termForQuery(text: string): QueryTerm | null {
  const symbols = foldQuery(text);
  if (!symbols) return null;
  const tokens = bigramTokens(symbols);
  return tokens.length ? { kind: 'phrase', tokens: tokens.map((t) => t.term) } : { kind: 'prefix', token: symbols };
}

/** FTS5 query syntax: a phrase "t1 t2 …" or a prefix "c"*. */
export function fts5Match(term: QueryTerm): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return term.kind === 'phrase' ? quote(term.tokens.join(' ')) : `${quote(term.token)}*`;
}

/** A PostgreSQL tsquery literal for `::tsquery` (never to_tsquery): 't1' <-> 't2' or 'c':*. */
export function tsquery(term: QueryTerm, prefix = ''): string {
  return term.kind === 'phrase'
    ? term.tokens.map((t) => pgLexeme(prefix + t)).join(' <-> ')
    : `${pgLexeme(prefix + term.token)}:*`;
}

/** What the index must answer, by brute force: the folded query is a substring of the folded text. */
export function matchesBySubstring(text: string, query: string): boolean {
  const q = foldQuery(query);
  return q !== '' && foldForIndex(text).includes(q);
}
