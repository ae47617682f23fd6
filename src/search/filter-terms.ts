/**
 * Filters and rights as index terms. Each item's entry also holds one token per filterable value
 * (its fonds, category, year, retention, classification, open status, unit), so a search narrowed
 * to a year, or run by a reader who may see one fonds, is narrowed inside the text index — an
 * intersection of posting lists — instead of joining every textual match to the catalogue to throw
 * most of them away. The same conditions stay in the SQL as well; these only make them cheap.
 */
export interface FilterValues {
  fonds_id: number;
  category_id: number;
  year: number;
  retention: string;
  classification: string;
  open_status: string;
  org: string | null;
}

/** What a search is limited to; absent means any. */
export interface FilterSet {
  fondsIds?: number[];
  categoryIds?: number[];
  years?: number[];
  retentions?: string[];
  classifications?: string[];
  openStatuses?: string[];
  orgs?: string[];
}

// Hex keeps any value (Chinese, spaces, punctuation) inside one token for FTS5's ascii tokenizer and in a tsvector lexeme.
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

const TOKEN = {
  fonds: (v: number) => `f${v}`,
  category: (v: number) => `c${v}`,
  year: (v: number) => `y${v}`,
  retention: (v: string) => `r${hex(v)}`,
  classification: (v: string) => `k${hex(v)}`,
  openStatus: (v: string) => `o${hex(v)}`,
  org: (v: string) => `g${hex(v)}`,
};

/** The filter tokens of one item, for its index entry. */
export function filterTokens(v: FilterValues): string[] {
  return [
    TOKEN.fonds(v.fonds_id), TOKEN.category(v.category_id), TOKEN.year(v.year), TOKEN.retention(v.retention),
    TOKEN.classification(v.classification), TOKEN.openStatus(v.open_status), ...(v.org ? [TOKEN.org(v.org)] : []),
  ];
}

function groups(f: FilterSet): string[][] {
  return [
    f.fondsIds?.map(TOKEN.fonds), f.categoryIds?.map(TOKEN.category), f.years?.map(TOKEN.year), f.retentions?.map(TOKEN.retention),
    f.classifications?.map(TOKEN.classification), f.openStatuses?.map(TOKEN.openStatus), f.orgs?.map(TOKEN.org),
  ].filter((g): g is string[] => g !== undefined);
}

/** An FTS5 expression on the filter column (null when nothing is filtered); an empty group matches nothing. */
export function filterFts5(f: FilterSet, column: string): string | null {
  const parts = groups(f).map((g) => (g.length ? `(${g.map((t) => `"${t}"`).join(' OR ')})` : '"none"'));
  return parts.length ? `{${column}} : (${parts.join(' AND ')})` : null;
}

/** The same as a tsquery over lexemes prefixed with `prefix`. */
export function filterTsquery(f: FilterSet, prefix: string): string | null {
  const parts = groups(f).map((g) => `(${g.length ? g.map((t) => `'${prefix}${t}'`).join(' | ') : `'${prefix}none'`})`);
  return parts.length ? parts.join(' & ') : null;
}
