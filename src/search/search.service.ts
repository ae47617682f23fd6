import { DomainError } from '../domain/errors.js';
import { appendAudit } from '../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../platform/context.js';
import { badRequest, notFound } from '../platform/errors.js';
import { type Actor, auditActorOf, readScope, requirePermission } from '../security/actor.js';
import { snippet, firstMatchOffset } from './highlight.js';
import { type QueryNode, andQuery, describeQuery, parseQuery } from './query-parser.js';
import { FILTER_COLUMN, FILTER_PREFIX, planQuery, type QueryPlan, type RangeFilter } from './query-plan.js';
import { matchesBySubstring } from './tokenizer.js';
import { type FilterSet, filterFts5, filterTsquery } from './filter-terms.js';
import { CLASSIFICATION_LEVELS } from '../domain/classification.js';
import { type Candidate, type ItemCondition, type ProbeOrder, SearchRepository } from './search.repository.js';
import { sql } from 'kysely';

/** Whose rights a search runs under: a signed-in user's, or the public's (open records only). */
export interface SearchScope {
  fondsIds: number[] | 'all';
  classifications: string[];
  openOnly: boolean;
}

export function searchScopeOf(actor: Actor): SearchScope {
  requirePermission(actor, 'catalog.read');
  return { ...readScope(actor), openOnly: false };
}

/** The public sees open, unclassified records of every fonds and nothing else. */
export const PUBLIC_SCOPE: SearchScope = { fondsIds: 'all', classifications: ['公开'], openOnly: true };

export const SEARCH_SORTS = ['relevance', 'code', 'date', 'date_desc'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export interface SearchRequest {
  q: string;
  /** Earlier queries this one searches within (递进检索), outermost first. */
  within?: string[];
  fondsId?: number;
  categoryId?: number;
  year?: number;
  retention?: string;
  classification?: string;
  openStatus?: string;
  org?: string;
  sort?: SearchSort;
  cursor?: string;
  limit?: number;
  facets?: boolean;
}

export interface SearchSnippet {
  field: 'title' | 'responsible' | 'doc_number' | 'archival_code' | 'notes' | 'fulltext';
  text: string;
  highlights: Array<[number, number]>;
}

export interface SearchHit {
  id: number;
  fondsId: number;
  categoryId: number;
  archivalCode: string;
  title: string;
  responsible: string;
  docNumber: string | null;
  date: string;
  year: number;
  retention: string;
  classification: string;
  openStatus: string;
  org: string | null;
  snippets: SearchSnippet[];
  /** The first page of the full text holding a hit, to open the viewer there. */
  page: { source: string; page: number } | null;
}

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

export interface SearchResponse {
  query: string;
  total: number;
  /** False when more items match than the count limit: `total` is then the limit, shown as "more than". */
  totalExact: boolean;
  /** When set, relevance was computed over this many matches (the first ones in index order). */
  rankedWithin: number | null;
  items: SearchHit[];
  nextCursor: string | null;
  facets: Record<FacetName, FacetValue[]> | null;
}

export const FACETS = ['fonds', 'category', 'year', 'retention', 'classification', 'open_status', 'org'] as const;
export type FacetName = (typeof FACETS)[number];

const MAX_LIMIT = 100;

function parseRequestQuery(req: SearchRequest): QueryNode {
  const parts = [...(req.within ?? []), req.q].map((q) => q.trim()).filter(Boolean);
  if (!parts.length) throw new DomainError('SEARCH_QUERY_EMPTY', '请输入检索词', 'Enter a search term');
  return parts.map(parseQuery).reduce((a, b) => andQuery(a, b));
}

function dateBound(value: string, end: boolean): string {
  const digits = value.replace(/\D/g, '');
  if (!/^\d{4}(\d{2}){0,2}$/.test(digits)) throw badRequest('SEARCH_DATE_INVALID', `日期“${value}”应为 YYYY、YYYY-MM 或 YYYY-MM-DD`, `Date "${value}" should be YYYY, YYYY-MM or YYYY-MM-DD`);
  // Dates are stored as YYYY[MM[DD]]: an end bound covers everything that starts with it.
  return end ? `${digits}\uffff` : digits;
}

function conditions(scope: SearchScope, req: SearchRequest, ranges: RangeFilter[]): ItemCondition {
  const c: ItemCondition[] = [sql`i.state = 'active'`, sql`i.classification in (${sql.join(scope.classifications.length ? scope.classifications : ['\u0000'])})`];
  if (scope.fondsIds !== 'all') c.push(scope.fondsIds.length ? sql`i.fonds_id in (${sql.join(scope.fondsIds)})` : sql`1 = 0`);
  if (scope.openOnly) c.push(sql`i.open_status = '开放'`);
  if (req.fondsId !== undefined) c.push(sql`i.fonds_id = ${req.fondsId}`);
  if (req.categoryId !== undefined) c.push(sql`i.category_id = ${req.categoryId}`);
  if (req.year !== undefined) c.push(sql`i.year = ${req.year}`);
  if (req.retention !== undefined) c.push(sql`i.retention = ${req.retention}`);
  if (req.classification !== undefined) c.push(sql`i.classification = ${req.classification}`);
  if (req.openStatus !== undefined) c.push(sql`i.open_status = ${req.openStatus}`);
  if (req.org !== undefined) c.push(sql`i.org = ${req.org}`);
  for (const r of ranges) {
    if (r.field === 'year') {
      if (r.from !== null) c.push(sql`i.year >= ${Number(r.from)}`);
      if (r.to !== null) c.push(sql`i.year <= ${Number(r.to)}`);
    } else {
      // A 考证日期 is stored in [ ]; the brackets do not take part in the comparison.
      if (r.from !== null) c.push(sql`ltrim(i.date, '[') >= ${dateBound(r.from, false)}`);
      if (r.to !== null) c.push(sql`ltrim(i.date, '[') <= ${dateBound(r.to, true)}`);
    }
  }
  return sql.join(c, sql` and `);
}

/** Year ranges wider than this stay SQL conditions only: as index terms they would be a long OR. */
const MAX_YEAR_TERMS = 200;

const intersect = <T>(a: T[] | undefined, b: T | undefined): T[] | undefined =>
  b === undefined ? a : a === undefined ? [b] : a.filter((x) => x === b);

/** The caller's rights and the request's filters as index terms (see filter-terms.ts); the same conditions stay in the SQL. */
function filterSetOf(scope: SearchScope, req: SearchRequest, ranges: RangeFilter[]): FilterSet {
  const f: FilterSet = {};
  const fondsIds = intersect(scope.fondsIds === 'all' ? undefined : scope.fondsIds, req.fondsId);
  if (fondsIds) f.fondsIds = fondsIds;
  const levels = intersect(scope.classifications.length === CLASSIFICATION_LEVELS.length ? undefined : scope.classifications, req.classification);
  if (levels) f.classifications = levels;
  const open = intersect(scope.openOnly ? ['开放'] : undefined, req.openStatus);
  if (open) f.openStatuses = open;
  if (req.categoryId !== undefined) f.categoryIds = [req.categoryId];
  if (req.retention !== undefined) f.retentions = [req.retention];
  if (req.org !== undefined) f.orgs = [req.org];
  let years: number[] | undefined = req.year === undefined ? undefined : [req.year];
  for (const r of ranges) {
    if (r.field !== 'year' || r.from === null || r.to === null || Number(r.to) - Number(r.from) > MAX_YEAR_TERMS) continue;
    const span = Array.from({ length: Math.max(0, Number(r.to) - Number(r.from) + 1) }, (_, i) => Number(r.from) + i);
    years = years ? years.filter((y) => span.includes(y)) : span;
  }
  if (years) f.years = years;
  return f;
}

/** Code-point order, which is the byte order the database compares sort keys in. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
  }
  return x.length - y.length;
}

type Ranked = Candidate & { titleHit?: boolean };

const ORDERINGS: Record<SearchSort, (a: Ranked, b: Ranked) => number> = {
  // A hit in the title ranks above any other, however the engine scores them: with a term in
  // nearly every item, bm25's weights alone no longer separate the two.
  relevance: (a, b) => Number(b.titleHit) - Number(a.titleHit) || a.score - b.score || compareKeys(a.sort_key, b.sort_key),
  code: (a, b) => compareKeys(a.sort_key, b.sort_key),
  date: (a, b) => compareKeys(a.date, b.date) || compareKeys(a.sort_key, b.sort_key),
  date_desc: (a, b) => compareKeys(b.date, a.date) || compareKeys(b.sort_key, a.sort_key),
};

interface Cursor {
  s: SearchSort;
  o?: number;
  k?: string;
  d?: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}
function decodeCursor(s: string | undefined, sort: SearchSort): Cursor | null {
  if (!s) return null;
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (c.s === sort) return c;
  } catch {
    // falls through to the error below
  }
  throw badRequest('CURSOR_INVALID', '分页游标无效', 'Invalid page cursor');
}

/** Where a sorted pool resumes after a keyset cursor. */
function resumeIndex(pool: Array<Pick<Candidate, 'sort_key' | 'date'>>, sort: SearchSort, cursor: Cursor | null): number {
  if (!cursor) return 0;
  if (sort === 'relevance') return cursor.o ?? 0;
  type Keyed = Pick<Candidate, 'sort_key' | 'date'>;
  const probe: Keyed = { sort_key: cursor.k ?? '', date: cursor.d ?? '' };
  // Code and date orders read only these two fields.
  const cmp = ORDERINGS[sort] as (a: Keyed, b: Keyed) => number;
  const i = pool.findIndex((c) => cmp(c, probe) > 0);
  return i < 0 ? pool.length : i;
}

function cursorAfter(c: Pick<Candidate, 'sort_key' | 'date'>, sort: SearchSort, offset: number): Cursor {
  return sort === 'relevance' ? { s: sort, o: offset } : { s: sort, k: c.sort_key, d: c.date };
}

function facetCounts(pool: Candidate[]): Record<FacetName, Map<string, number>> {
  const out = Object.fromEntries(FACETS.map((f) => [f, new Map<string, number>()])) as Record<FacetName, Map<string, number>>;
  const bump = (f: FacetName, v: string | number | null) => {
    if (v === null || v === '') return;
    const m = out[f];
    m.set(String(v), (m.get(String(v)) ?? 0) + 1);
  };
  for (const c of pool) {
    bump('fonds', c.fonds_id);
    bump('category', c.category_id);
    bump('year', c.year);
    bump('retention', c.retention);
    bump('classification', c.classification);
    bump('open_status', c.open_status);
    bump('org', c.org);
  }
  return out;
}

async function labelledFacets(repo: SearchRepository, counts: Record<FacetName, Map<string, number>>): Promise<Record<FacetName, FacetValue[]>> {
  const { fonds, categories } = await repo.labels([...counts.fonds.keys()].map(Number), [...counts.category.keys()].map(Number));
  const fondsLabel = new Map(fonds.map((f) => [String(f.id), `${f.code} ${f.name}`]));
  const categoryLabel = new Map(categories.map((c) => [String(c.id), `${c.code} ${c.name}`]));
  const label = (f: FacetName, v: string) => (f === 'fonds' ? fondsLabel.get(v) : f === 'category' ? categoryLabel.get(v) : undefined) ?? v;
  const out = {} as Record<FacetName, FacetValue[]>;
  for (const f of FACETS) {
    const values = [...counts[f].entries()].map(([value, count]) => ({ value, label: label(f, value), count }));
    values.sort((a, b) => (f === 'year' ? Number(b.value) - Number(a.value) : b.count - a.count || compareKeys(a.label, b.label)));
    out[f] = values;
  }
  return out;
}

interface ItemRowForHit {
  id: number; fonds_id: number; category_id: number; archival_code: string; title: string; responsible: string; doc_number: string | null;
  date: string; year: number; retention: string; classification: string; open_status: string; org: string | null; notes: string | null;
}

async function hitsFor(ctx: AppContext, repo: SearchRepository, ids: number[], where: ItemCondition, plan: QueryPlan): Promise<SearchHit[]> {
  if (!ids.length) return [];
  const rows = await sql<ItemRowForHit>`select i.id, i.fonds_id, i.category_id, i.archival_code, i.title, i.responsible, i.doc_number, i.date, i.year,
    i.retention, i.classification, i.open_status, i.org, i.notes from items i where i.id in (${sql.join(ids)}) and ${where}`.execute(ctx.database.db);
  const byId = new Map(rows.rows.map((r) => [Number(r.id), r]));
  const pages = await repo.pagesOf(ids);
  const terms = plan.highlight;
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const snippets: SearchSnippet[] = [];
    for (const field of ['title', 'responsible', 'doc_number', 'archival_code', 'notes'] as const) {
      const text = r[field];
      const s = text ? snippet(text, terms, { width: field === 'title' ? 200 : 80 }) : null;
      if (s) snippets.push({ field, ...s });
    }
    let page: SearchHit['page'] = null;
    for (const p of pages) {
      if (p.item_id !== id || !terms.some((t) => firstMatchOffset(p.text, t) >= 0)) continue;
      const s = snippet(p.text, terms);
      if (s) snippets.push({ field: 'fulltext', ...s });
      page = { source: p.source, page: p.page };
      break;
    }
    return [{
      id, fondsId: Number(r.fonds_id), categoryId: Number(r.category_id), archivalCode: r.archival_code, title: r.title, responsible: r.responsible,
      docNumber: r.doc_number, date: r.date, year: Number(r.year), retention: r.retention, classification: r.classification, openStatus: r.open_status,
      org: r.org, snippets, page,
    }];
  });
}

/** A query the user wrote wrongly is a bad request (400) whose message says what and where. */
function understood(req: SearchRequest): { node: QueryNode; plan: QueryPlan } {
  try {
    const node = parseRequestQuery(req);
    return { node, plan: planQuery(node) };
  } catch (e) {
    if (e instanceof DomainError) throw badRequest(e.code, e.message, e.message_en, e.details);
    throw e;
  }
}

/**
 * Finds items whose text contains each query term exactly (see tokenizer.ts). The caller's
 * rights are conditions of the matching query itself, so counts, facets and snippets only ever
 * come from items the caller may see. Up to `searchCountLimit` matches are gathered in index
 * order: within that bound everything (count, facets, every order) is exact; beyond it the
 * count reads "more than", facets cover the bounded set, relevance ranks within it, and code or
 * date order walk the catalogue in that order probing the index (still exact).
 */
export async function search(ctx: AppContext, scope: SearchScope, req: SearchRequest): Promise<SearchResponse> {
  const { node, plan } = understood(req);
  const sort: SearchSort = req.sort ?? 'relevance';
  if (!SEARCH_SORTS.includes(sort)) throw badRequest('SEARCH_SORT_INVALID', `排序方式“${sort}”无效`, `Unknown sort "${sort}"`);
  const limit = Math.min(Math.max(Math.trunc(req.limit ?? 20) || 20, 1), MAX_LIMIT);
  const cursor = decodeCursor(req.cursor, sort);
  const repo = new SearchRepository(ctx.database.db, ctx.database.dialect, ctx.database.sqlite);
  const where = conditions(scope, req, plan.ranges);
  const bound = ctx.config.searchCountLimit;
  const filters = filterSetOf(scope, req, plan.ranges);
  const narrowed: QueryPlan = {
    ...plan,
    fts5: [`(${plan.fts5})`, filterFts5(filters, FILTER_COLUMN)].filter(Boolean).join(' AND '),
    relaxed: [`(${plan.relaxed})`, filterTsquery(filters, FILTER_PREFIX)].filter(Boolean).join(' & '),
  };

  let ids: number[];
  let nextCursor: string | null = null;
  let total: number;
  let pool: Candidate[] = [];
  const pageOf = <C extends Pick<Candidate, 'id' | 'sort_key' | 'date'>>(sorted: C[]) => {
    const start = resumeIndex(sorted, sort, cursor);
    const page = sorted.slice(start, start + limit);
    if (start + limit < sorted.length) nextCursor = encodeCursor(cursorAfter(page[page.length - 1]!, sort, start + limit));
    return page.map((c) => c.id);
  };

  if (sort === 'relevance' || req.facets) {
    const found = await repo.candidates(narrowed, where, bound + 1, sort === 'relevance');
    total = found.length;
    pool = found.slice(0, bound);
  } else {
    // Ordering alone needs little of each match: up to the bound they are sorted here; beyond it
    // the catalogue is walked in order (see SearchRepository.probe).
    const found = await repo.orderingCandidates(narrowed, where, bound + 1);
    total = found.length;
    if (total <= bound) pool = found as Candidate[];
  }
  const totalExact = total <= bound;
  total = Math.min(total, bound);

  if (totalExact ? pool.length === total : sort === 'relevance') {
    if (sort === 'relevance') for (const c of pool as Ranked[]) c.titleHit = plan.highlight.some((term) => matchesBySubstring(c.title, term));
    ids = pageOf(pool.sort(ORDERINGS[sort]));
  } else {
    const after = cursor ? { sortKey: cursor.k ?? '', date: cursor.d } : null;
    const rows = await repo.probe(narrowed, where, sort as ProbeOrder, after, limit + 1);
    ids = rows.slice(0, limit).map((r) => r.id);
    if (rows.length > limit) nextCursor = encodeCursor(cursorAfter(rows[limit - 1]!, sort, 0));
  }

  return {
    query: describeQuery(node),
    total,
    totalExact,
    rankedWithin: sort === 'relevance' && !totalExact ? bound : null,
    items: await hitsFor(ctx, repo, ids, where, plan),
    nextCursor,
    facets: req.facets ? await labelledFacets(repo, facetCounts(pool)) : null,
  };
}

/**
 * The full text of an item the caller may see, page by page, for the viewer. Reading the text of
 * a record that is not open is a view like opening it, and is audited the same way.
 */
export async function itemPages(ctx: AppContext, actor: Actor, itemId: number, terms: string[] = []): Promise<{
  itemId: number; pages: Array<{ source: string; page: number; text: string; highlights: Array<[number, number]> }>;
}> {
  const scope = searchScopeOf(actor);
  const visible = await sql<{ archival_code: string; classification: string; open_status: string }>`select i.archival_code, i.classification, i.open_status from items i
    where i.id = ${itemId} and ${conditions(scope, { q: '' }, [])}`.execute(ctx.database.db);
  const row = visible.rows[0];
  if (!row) throw notFound({ zh: '文件', en: 'Item' });
  const pages = await new SearchRepository(ctx.database.db, ctx.database.dialect, null).pagesOf([itemId]);
  if (row.classification !== '公开' || row.open_status !== '开放') {
    await inTransaction(ctx, (tx) => appendAudit(ctx.database, tx, auditActorOf(actor), [{
      action: 'item.view_text', target: { type: 'item', id: itemId }, details: { archivalCode: row.archival_code, classification: row.classification, openStatus: row.open_status },
    }]));
  }
  // A window as wide as the page marks every occurrence on it, folded forms included.
  const marked = (text: string) => (terms.length ? (snippet(text, terms, { width: text.length + 1 })?.highlights ?? []) : []);
  return { itemId, pages: pages.map(({ source, page, text }) => ({ source, page, text, highlights: marked(text) })) };
}
