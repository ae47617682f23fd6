import type BetterSqlite3 from 'better-sqlite3';
import { type RawBuilder, sql } from 'kysely';
import type { Dialect, Executor } from '../db/database.js';
import type { FilterValues } from './filter-terms.js';
import type { IndexDocument, IndexSource } from './index-document.js';
import { FILTER_COLUMN, FILTER_PREFIX, INDEX_FIELDS, type IndexField, type PgCondition, type QueryPlan } from './query-plan.js';
import { indexTerms, tsvectorLiteral } from './tokenizer.js';

/** Rights and filters as a condition on `items i`; built by the service, run inside every query. */
export type ItemCondition = RawBuilder<unknown>;

/** What a search needs of each matching item to count, facet and order it without reading more. */
export interface Candidate extends FilterValues {
  id: number;
  sort_key: string;
  date: string;
  title: string;
  /** Lower is better (bm25's sign). */
  score: number;
}

export interface PageText {
  item_id: number;
  source: string;
  page: number;
  text: string;
}

export type ProbeOrder = 'code' | 'date' | 'date_desc';

export interface OrderingRow {
  id: number;
  sort_key: string;
  date: string;
}

const FIELDS = Object.keys(INDEX_FIELDS) as IndexField[];
const META_FIELDS = FIELDS.filter((f) => f !== 'fulltext');
/** bm25 weights per FTS5 column, in column order: a title hit outweighs everything else, full text weighs least. */
const BM25_WEIGHTS = { title: 20, responsible: 5, doc_number: 10, archival_code: 10, other: 2, fulltext: 1 } satisfies Record<IndexField, number>;

/**
 * PostgreSQL positions stop at 16,383 and a lexeme keeps at most 256 of them: long full texts are
 * cut into overlapping parts short enough that only a page of one repeated pair (a table of
 * zeros) could lose positions. A phrase longer than the overlap is not found across a cut.
 */
const PG_PART_CHARS = 4_000;
const PG_PART_OVERLAP = 200;

export function fullTextParts(text: string): string[] {
  const chars = Array.from(text);
  if (chars.length <= PG_PART_CHARS) return [text];
  const parts: string[] = [];
  for (let start = 0; start < chars.length; start += PG_PART_CHARS - PG_PART_OVERLAP) {
    parts.push(chars.slice(start, start + PG_PART_CHARS).join(''));
    if (start + PG_PART_CHARS >= chars.length) break;
  }
  return parts;
}

function pgRows(doc: IndexDocument): Array<{ part: number; literal: string }> {
  const meta = META_FIELDS.map((f) => tsvectorLiteral(doc[f], INDEX_FIELDS[f])).filter(Boolean);
  // Every part carries the filter lexemes: a part matches a filtered query on its own.
  const filters = doc.filters.map((t) => `'${FILTER_PREFIX}${t}'`).join(' ');
  const parts = fullTextParts(doc.fulltext);
  return parts.map((text, part) => ({
    part,
    literal: [...(part === 0 ? meta : []), tsvectorLiteral(text, INDEX_FIELDS.fulltext), filters].filter(Boolean).join(' '),
  }));
}

function pgExact(c: PgCondition): RawBuilder<unknown> {
  switch (c.type) {
    case 'leaf':
      return sql`exists (select 1 from search_index s where s.item_id = i.id and s.tsv @@ ${c.tsquery}::tsquery)`;
    case 'not':
      return sql`not ${pgExact(c.child)}`;
    default:
      return sql`(${sql.join(c.children.map(pgExact), sql.raw(c.type === 'and' ? ' and ' : ' or '))})`;
  }
}

/** Ids closer than this are probed with one range: reading a few matches in between costs less than another seek. */
const PROBE_GAP = 256;
/**
 * Items walked in order before the probe reads the rest of the page from the text index. A walked
 * item costs SQLite a slice of an FTS5 range probe and PostgreSQL a tsvector test of its own.
 */
const PROBE_BUDGET: Record<Dialect, number> = { sqlite: 20_000, postgres: 1_000 };

const CANDIDATE_COLUMNS = sql.raw('i.id, i.sort_key, i.date, i.fonds_id, i.category_id, i.year, i.retention, i.classification, i.open_status, i.org, i.title');

/**
 * The index tables and the queries over them. Search reads `items` (read-only) because rights
 * and filters must be conditions of the same query that matches the text.
 */
export class SearchRepository {
  private statements: { insert: BetterSqlite3.Statement; remove: BetterSqlite3.Statement } | null = null;
  private probeStatement: BetterSqlite3.Statement | null = null;

  constructor(private readonly db: Executor, private readonly dialect: Dialect, private readonly sqlite: BetterSqlite3.Database | null) {}

  private sqliteStatements() {
    if (!this.sqlite) throw new Error('SQLite statements need the raw handle');
    this.statements ??= {
      insert: this.sqlite.prepare(`insert into search_fts (rowid, ${FIELDS.join(', ')}, ${FILTER_COLUMN}) values (?, ${FIELDS.map(() => '?').join(', ')}, ?)`),
      remove: this.sqlite.prepare('delete from search_fts where rowid = ?'),
    };
    return this.statements;
  }

  /** Replaces the index entries of these items; `fresh` skips the delete for items never indexed (imports). */
  async writeDocuments(docs: IndexDocument[], fresh = false): Promise<void> {
    if (!docs.length) return;
    if (this.dialect === 'sqlite') {
      if (this.sqlite) {
        const s = this.sqliteStatements();
        for (const d of docs) {
          if (!fresh) s.remove.run(d.itemId);
          s.insert.run(d.itemId, ...FIELDS.map((f) => indexTerms(d[f])), d.filters.join(' '));
        }
        return;
      }
      for (const d of docs) {
        if (!fresh) await sql`delete from search_fts where rowid = ${d.itemId}`.execute(this.db);
        await sql`insert into search_fts (rowid, ${sql.raw(FIELDS.join(', '))}, ${sql.raw(FILTER_COLUMN)}) values (${d.itemId}, ${sql.join(FIELDS.map((f) => indexTerms(d[f])))}, ${d.filters.join(' ')})`.execute(this.db);
      }
      return;
    }
    if (!fresh) await this.removeItems(docs.map((d) => d.itemId));
    const ids: number[] = [];
    const parts: number[] = [];
    const literals: string[] = [];
    for (const d of docs) {
      for (const r of pgRows(d)) {
        ids.push(d.itemId);
        parts.push(r.part);
        literals.push(r.literal);
      }
    }
    for (let i = 0; i < ids.length; i += 2000) {
      await sql`insert into search_index (item_id, part, tsv)
        select u.id, u.part, u.lit::tsvector from unnest(${ids.slice(i, i + 2000)}::bigint[], ${parts.slice(i, i + 2000)}::int[], ${literals.slice(i, i + 2000)}::text[]) as u(id, part, lit)`.execute(this.db);
    }
  }

  async removeItems(ids: number[]): Promise<void> {
    if (!ids.length) return;
    if (this.dialect === 'sqlite') {
      if (this.sqlite) for (const id of ids) this.sqliteStatements().remove.run(id);
      else for (const id of ids) await sql`delete from search_fts where rowid = ${id}`.execute(this.db);
    } else {
      await sql`delete from search_index where item_id = any(${ids}::bigint[])`.execute(this.db);
    }
  }

  async replacePages(itemId: number, source: string, pages: readonly string[]): Promise<void> {
    await this.db.deleteFrom('search_pages').where('item_id', '=', itemId).where('source', '=', source).execute();
    if (pages.length) {
      await this.db.insertInto('search_pages').values(pages.map((text, i) => ({ item_id: itemId, source, page: i + 1, text }))).execute();
    }
  }

  async pagesOf(itemIds: number[]): Promise<PageText[]> {
    if (!itemIds.length) return [];
    const rows = await this.db.selectFrom('search_pages').select(['item_id', 'source', 'page', 'text']).where('item_id', 'in', itemIds).orderBy('item_id').orderBy('source').orderBy('page').execute();
    return rows.map((r) => ({ ...r, item_id: Number(r.item_id), page: Number(r.page) }));
  }

  /** Items to (re)index after `afterId`, in id order, with their page texts; tombstoned items come back with `live` false. */
  async sourcesAfter(afterId: number, limit: number): Promise<Array<{ item: IndexSource; live: boolean; pages: string[] }>> {
    const items = await this.db.selectFrom('items')
      .select(['id', 'title', 'responsible', 'doc_number', 'archival_code', 'notes', 'org', 'extra', 'state', 'fonds_id', 'category_id', 'year', 'retention', 'classification', 'open_status'])
      .where('id', '>', afterId).orderBy('id').limit(limit).execute();
    const byItem = new Map<number, string[]>();
    for (const p of await this.pagesOf(items.map((i) => Number(i.id)))) byItem.set(p.item_id, [...(byItem.get(p.item_id) ?? []), p.text]);
    return items.map(({ state, ...i }) => ({
      item: { ...i, id: Number(i.id), fonds_id: Number(i.fonds_id), category_id: Number(i.category_id), year: Number(i.year) }, live: state === 'active', pages: byItem.get(Number(i.id)) ?? [],
    }));
  }

  async clearIndex(): Promise<void> {
    if (this.dialect === 'sqlite') await sql`delete from search_fts`.execute(this.db);
    else await sql`truncate search_index`.execute(this.db);
  }

  async getState(name: string): Promise<string | null> {
    const r = await this.db.selectFrom('search_state').select('value').where('name', '=', name).executeTakeFirst();
    return r?.value ?? null;
  }
  async setState(name: string, value: string | null): Promise<void> {
    await this.db.deleteFrom('search_state').where('name', '=', name).execute();
    if (value !== null) await this.db.insertInto('search_state').values({ name, value }).execute();
  }

  /**
   * A query's rows as arrays; on the raw SQLite handle when there is one, ten times cheaper per
   * row than objects through the query builder.
   */
  private async rows(query: RawBuilder<unknown>): Promise<unknown[][]> {
    if (!this.sqlite) return (await query.execute(this.db)).rows.map((r) => Object.values(r as object));
    const compiled = query.compile(this.db);
    return this.sqlite.prepare(compiled.sql).raw().all(...(compiled.parameters as unknown[])) as unknown[][];
  }

  /** Up to `limit` matching items the caller may see, in index (id) order, as rows of `columns`. */
  private matchingRows(plan: QueryPlan, where: ItemCondition, columns: RawBuilder<unknown>, limit: number): Promise<unknown[][]> {
    if (this.dialect === 'sqlite') return this.rows(sql`select ${columns} from search_fts join items i on i.id = search_fts.rowid where search_fts match ${plan.fts5} and ${where} limit ${limit}`);
    const exact = plan.exact ? sql`and ${pgExact(plan.exact)}` : sql``;
    return this.rows(sql`select ${columns} from items i where exists (select 1 from search_index m where m.item_id = i.id and m.tsv @@ ${plan.relaxed}::tsquery) ${exact} and ${where}
      order by i.id limit ${limit}`);
  }

  /**
   * Up to `limit` matching items the caller may see, in index order, with what counting,
   * faceting and ordering need; `ranked` adds a relevance score (lower is better).
   */
  async candidates(plan: QueryPlan, where: ItemCondition, limit: number, ranked: boolean): Promise<Candidate[]> {
    const score = !ranked
      ? sql`0`
      : this.dialect === 'sqlite'
        ? sql`bm25(search_fts, ${sql.raw(FIELDS.map((f) => BM25_WEIGHTS[f]).join(', '))})`
        : sql`coalesce((select -ts_rank(s.tsv, ${plan.relaxed}::tsquery) from search_index s where s.item_id = i.id and s.part = 0), 0)`;
    const rows = await this.matchingRows(plan, where, sql`${CANDIDATE_COLUMNS}, ${score} as score`, limit);
    return rows.map(([id, sort_key, date, fonds_id, category_id, year, retention, classification, open_status, org, title, score]) => ({
      id: Number(id), sort_key: String(sort_key), date: String(date), fonds_id: Number(fonds_id), category_id: Number(category_id), year: Number(year),
      retention: String(retention), classification: String(classification), open_status: String(open_status), org: org === null ? null : String(org),
      title: String(title), score: Number(score),
    }));
  }

  /** Up to `limit` matching items in index order, with only what ordering needs. */
  async orderingCandidates(plan: QueryPlan, where: ItemCondition, limit: number): Promise<OrderingRow[]> {
    const rows = await this.matchingRows(plan, where, sql`i.id, i.sort_key, i.date`, limit);
    return rows.map(([id, sort_key, date]) => ({ id: Number(id), sort_key: String(sort_key), date: String(date) }));
  }

  /** Which of these items match: one index probe per item on SQLite, one query on PostgreSQL. */
  private async matchingAmong(plan: QueryPlan, ids: number[]): Promise<Set<number>> {
    if (this.sqlite) {
      // FTS5 seeks a rowid range well and an equality badly (it scans), and ignores a rowid bound
      // as a floating-point value: hence ranges over runs of nearby ids, and the casts.
      const stmt = (this.probeStatement ??= this.sqlite.prepare('select rowid from search_fts where search_fts match ? and rowid between cast(? as integer) and cast(? as integer)').pluck());
      const sorted = [...ids].sort((a, b) => a - b);
      const found = new Set<number>();
      for (let i = 0; i < sorted.length;) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1]! - sorted[j]! <= PROBE_GAP) j++;
        for (const id of stmt.all(plan.fts5, sorted[i], sorted[j]) as number[]) found.add(Number(id));
        i = j + 1;
      }
      return new Set(ids.filter((id) => found.has(id)));
    }
    const exact = plan.exact ? sql`and ${pgExact(plan.exact)}` : sql``;
    // ts_match_vq is what @@ calls; written as a function the planner cannot turn it into a GIN
    // scan of every match of a frequent term, and checks just these rows.
    const r = await sql<{ id: string }>`select i.id from items i where i.id = any(${ids}::bigint[])
      and exists (select 1 from search_index m where m.item_id = i.id and ts_match_vq(m.tsv, ${plan.relaxed}::tsquery)) ${exact}`.execute(this.db);
    return new Set(r.rows.map((x) => Number(x.id)));
  }

  /**
   * One page of matches in code or date order when there are too many to sort in memory: walk
   * the visible items in that order (an index) in growing chunks and ask the text index which of
   * each chunk match, so the first page of a term found in nearly every item costs a few dozen
   * probes instead of a sort of all its hits. Matches bunched far along the order would make the
   * walk long: after `budget` items it lets the database join the remaining matches instead,
   * which costs what the number of matches costs, never the size of the catalogue.
   */
  async probe(
    plan: QueryPlan, where: ItemCondition, order: ProbeOrder, after: { sortKey: string; date?: string } | null, limit: number, budget = PROBE_BUDGET[this.dialect],
  ): Promise<OrderingRow[]> {
    const out: OrderingRow[] = [];
    let from = after;
    let chunk = 64;
    for (let scanned = 0; out.length < limit;) {
      if (scanned >= budget) {
        out.push(...(await this.orderedRows(where, order, from, limit - out.length, plan)));
        break;
      }
      const rows = await this.orderedRows(where, order, from, chunk);
      if (!rows.length) break;
      const hits = await this.matchingAmong(plan, rows.map((r) => r.id));
      for (const r of rows) if (hits.has(r.id) && out.length < limit) out.push(r);
      const last = rows[rows.length - 1]!;
      from = { sortKey: last.sort_key, date: last.date };
      scanned += rows.length;
      chunk = Math.min(chunk * 4, 4096);
    }
    return out;
  }

  /**
   * Visible items in `order` after `from`; with `matching`, only those that match it. SQLite then
   * reads the matches from the text index and keeps the best `limit` of them as it goes: walking
   * the order index instead and testing each item against the set of matches took seconds when
   * the matches lay at the far end of the catalogue.
   */
  private async orderedRows(where: ItemCondition, order: ProbeOrder, from: { sortKey: string; date?: string } | null, limit: number, matching?: QueryPlan): Promise<OrderingRow[]> {
    let keyset: RawBuilder<unknown> = sql`1 = 1`;
    let orderBy = sql`i.sort_key`;
    if (order === 'code') {
      if (from) keyset = sql`i.sort_key > ${from.sortKey}`;
    } else if (order === 'date') {
      orderBy = sql`i.date, i.sort_key`;
      if (from) keyset = sql`(i.date > ${from.date} or (i.date = ${from.date} and i.sort_key > ${from.sortKey}))`;
    } else {
      orderBy = sql`i.date desc, i.sort_key desc`;
      if (from) keyset = sql`(i.date < ${from.date} or (i.date = ${from.date} and i.sort_key < ${from.sortKey}))`;
    }
    const columns = sql`i.id, i.sort_key, i.date`;
    const inOrder = sql`${keyset} order by ${orderBy} limit ${limit}`;
    let query = sql`select ${columns} from items i where ${where} and ${inOrder}`;
    if (matching && this.dialect === 'sqlite') {
      // CROSS JOIN keeps the text index as the outer loop.
      query = sql`select ${columns} from search_fts cross join items i on i.id = search_fts.rowid where search_fts match ${matching.fts5} and ${where} and ${inOrder}`;
    } else if (matching) {
      // A materialized CTE makes PostgreSQL read the matches from the GIN index first; left to
      // itself it walked the order index testing each item, as SQLite did (408 ms against 26 ms
      // for a term in the last tenth of 100,000 items).
      const exact = matching.exact ? sql`and ${pgExact(matching.exact)}` : sql``;
      query = sql`with matched as materialized (select m.item_id from search_index m where m.tsv @@ ${matching.relaxed}::tsquery)
        select ${columns} from items i where i.id in (select item_id from matched) and ${where} ${exact} and ${inOrder}`;
    }
    return (await this.rows(query)).map(([id, sort_key, date]) => ({ id: Number(id), sort_key: String(sort_key), date: String(date) }));
  }

  /** Names for facet values. */
  async labels(fondsIds: number[], categoryIds: number[]) {
    const fonds = fondsIds.length ? await this.db.selectFrom('fonds').select(['id', 'code', 'name']).where('id', 'in', fondsIds).execute() : [];
    const categories = categoryIds.length ? await this.db.selectFrom('categories').select(['id', 'code', 'name', 'fonds_id']).where('id', 'in', categoryIds).execute() : [];
    return { fonds, categories };
  }
}
