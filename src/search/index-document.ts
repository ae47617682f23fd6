import { type FilterValues, filterTokens } from './filter-terms.js';
import { INDEX_FIELDS, type IndexField } from './query-plan.js';

/** The catalogue columns search reads from an item. */
export interface IndexSource extends FilterValues {
  id: number;
  title: string;
  responsible: string;
  doc_number: string | null;
  archival_code: string;
  notes: string | null;
  org: string | null;
  /** Category-specific fields as stored (JSON object text). */
  extra: string;
}

export type IndexDocument = { itemId: number; filters: string[] } & Record<IndexField, string>;

/** Text values of category-specific fields (subject terms, places, names…); numbers and flags are not searched. */
function extraText(extra: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    return [];
  }
  if (!parsed || typeof parsed !== 'object') return [];
  const out: string[] = [];
  for (const v of Object.values(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

/** Values of one field are joined by a line break: a separator, so no phrase runs from one into the next. */
export function indexDocument(item: IndexSource, pages: readonly string[]): IndexDocument {
  return {
    itemId: item.id,
    filters: filterTokens(item),
    title: item.title,
    responsible: item.responsible,
    doc_number: item.doc_number ?? '',
    archival_code: item.archival_code,
    other: [item.notes, item.org, ...extraText(item.extra)].filter((v): v is string => !!v).join('\n'),
    fulltext: pages.join('\n'),
  };
}

export const INDEXED_FIELDS = Object.keys(INDEX_FIELDS) as IndexField[];
