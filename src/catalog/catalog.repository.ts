import type BetterSqlite3 from 'better-sqlite3';
import { type ExpressionBuilder, type Insertable, type Selectable, SqliteAdapter, sql, type Updateable } from 'kysely';
import type { Executor } from '../db/database.js';
import type { CategoryTable, FondsTable, ItemTable, OrganizationTable, Schema, VolumeTable } from '../db/schema.js';
import type { ReadScope } from '../security/actor.js';
import type { ItemColumns } from './item-rules.js';

export type OrganizationRow = Selectable<OrganizationTable>;
export type FondsRow = Selectable<FondsTable>;
export type CategoryRow = Selectable<CategoryTable>;
export type VolumeRow = Selectable<VolumeTable>;
export type ItemRow = Selectable<ItemTable>;

/** Where an item sits in the tree: a category, optionally narrowed to a year, a retention and a volume. */
export interface NodeFilter {
  categoryId: number;
  year?: number;
  retention?: string;
  volumeId?: number | null;
}

export interface PageCursor {
  sortKey: string;
  id: number;
}

/** The caller's rights as a WHERE condition on items, so counts and pages never include hidden rows. */
function itemScope(scope: ReadScope) {
  return (eb: ExpressionBuilder<Schema, 'items'>) => {
    const conds = [eb('items.state', '=', 'active'), eb('items.classification', 'in', scope.classifications.length ? scope.classifications : ['\u0000'])];
    if (scope.fondsIds !== 'all') conds.push(scope.fondsIds.length ? eb('items.fonds_id', 'in', scope.fondsIds) : eb.lit(false));
    return eb.and(conds);
  };
}

function nodeCondition(node: NodeFilter) {
  return (eb: ExpressionBuilder<Schema, 'items'>) => {
    const conds = [eb('items.category_id', '=', node.categoryId)];
    if (node.year !== undefined) conds.push(eb('items.year', '=', node.year));
    if (node.retention !== undefined) conds.push(eb('items.retention', '=', node.retention));
    if (node.volumeId !== undefined) conds.push(node.volumeId === null ? eb('items.volume_id', 'is', null) : eb('items.volume_id', '=', node.volumeId));
    return eb.and(conds);
  };
}

/** What every row of one bulk insert shares. */
export interface BulkItemCommon {
  fondsId: number;
  categoryId: number;
  createdBy: number | null;
  at: string;
}

/** The described columns in the order the bulk statements take them. */
const BULK_COLUMNS = [
  'archival_code', 'sort_key', 'item_no', 'title', 'responsible', 'doc_number', 'date', 'year', 'retention',
  'classification', 'secrecy_period', 'open_status', 'pages', 'org', 'notes', 'extra',
] as const satisfies ReadonlyArray<keyof ItemColumns>;
const PG_ARRAY_TYPES: Record<(typeof BULK_COLUMNS)[number], string> = {
  archival_code: 'text', sort_key: 'text', item_no: 'int', title: 'text', responsible: 'text', doc_number: 'text', date: 'text', year: 'int',
  retention: 'text', classification: 'text', secrecy_period: 'text', open_status: 'text', pages: 'int', org: 'text', notes: 'text', extra: 'text',
};
const PG_BULK_ROWS = 5000;

/** SQL for organizations, fonds, categories, volumes and items. No business rules here. */
export class CatalogRepository {
  private bulkStatement: { key: string; stmt: BetterSqlite3.Statement } | null = null;

  /**
   * `sqlite` is the raw SQLite handle for bulk paths (null on PostgreSQL). Kysely's SQLite dialect
   * runs its transactions on that same connection, so raw statements issued inside
   * `db.transaction().execute(...)` belong to the transaction.
   */
  constructor(private readonly db: Executor, private readonly sqlite: BetterSqlite3.Database | null = null) {}

  // organizations
  listOrganizations(): Promise<OrganizationRow[]> {
    return this.db.selectFrom('organizations').selectAll().where('state', '=', 'active').orderBy('code').execute();
  }
  organization(id: number): Promise<OrganizationRow | undefined> {
    return this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  }
  organizationByCode(code: string): Promise<OrganizationRow | undefined> {
    return this.db.selectFrom('organizations').selectAll().where('code', '=', code).executeTakeFirst();
  }
  insertOrganization(row: Insertable<OrganizationTable>): Promise<OrganizationRow> {
    return this.db.insertInto('organizations').values(row).returningAll().executeTakeFirstOrThrow();
  }
  updateOrganization(id: number, version: number, patch: Updateable<OrganizationTable>): Promise<OrganizationRow | undefined> {
    return this.db.updateTable('organizations').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
  }

  /** Whether anything live still hangs below a node: such a node cannot be deleted. */
  async hasLiveChildren(kind: 'organization' | 'fonds' | 'category', id: number): Promise<boolean> {
    const live = <T extends 'organizations' | 'fonds' | 'categories' | 'items' | 'volumes'>(table: T, column: string) => () =>
      this.db.selectFrom(table as 'items').select('id').where(column as 'id', '=', id).where('state', '=', 'active').limit(1).executeTakeFirst();
    const probes = {
      organization: [live('organizations', 'parent_id'), live('fonds', 'organization_id')],
      fonds: [live('categories', 'fonds_id')],
      category: [live('items', 'category_id'), live('volumes', 'category_id')],
    }[kind];
    for (const probe of probes) if (await probe()) return true;
    return false;
  }

  // fonds
  listFonds(fondsIds: number[] | 'all', organizationId?: number): Promise<FondsRow[]> {
    let q = this.db.selectFrom('fonds').selectAll().where('state', '=', 'active').orderBy('code');
    if (fondsIds !== 'all') q = fondsIds.length ? q.where('id', 'in', fondsIds) : q.where(({ lit }) => lit(false));
    if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
    return q.execute();
  }
  fonds(id: number): Promise<FondsRow | undefined> {
    return this.db.selectFrom('fonds').selectAll().where('id', '=', id).executeTakeFirst();
  }
  fondsByCode(code: string): Promise<FondsRow | undefined> {
    return this.db.selectFrom('fonds').selectAll().where('code', '=', code).executeTakeFirst();
  }
  insertFonds(row: Insertable<FondsTable>): Promise<FondsRow> {
    return this.db.insertInto('fonds').values(row).returningAll().executeTakeFirstOrThrow();
  }
  updateFonds(id: number, version: number, patch: Updateable<FondsTable>): Promise<FondsRow | undefined> {
    return this.db.updateTable('fonds').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
  }

  // categories
  listCategories(fondsId: number): Promise<CategoryRow[]> {
    return this.db.selectFrom('categories').selectAll().where('fonds_id', '=', fondsId).where('state', '=', 'active').orderBy('code').execute();
  }
  category(id: number): Promise<CategoryRow | undefined> {
    return this.db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
  }
  categoryByCode(fondsId: number, code: string): Promise<CategoryRow | undefined> {
    return this.db.selectFrom('categories').selectAll().where('fonds_id', '=', fondsId).where('code', '=', code).executeTakeFirst();
  }
  insertCategory(row: Insertable<CategoryTable>): Promise<CategoryRow> {
    return this.db.insertInto('categories').values(row).returningAll().executeTakeFirstOrThrow();
  }
  updateCategory(id: number, version: number, patch: Updateable<CategoryTable>): Promise<CategoryRow | undefined> {
    return this.db.updateTable('categories').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
  }

  // volumes
  volume(id: number): Promise<VolumeRow | undefined> {
    return this.db.selectFrom('volumes').selectAll().where('id', '=', id).executeTakeFirst();
  }
  insertVolume(row: Insertable<VolumeTable>): Promise<VolumeRow> {
    return this.db.insertInto('volumes').values(row).returningAll().executeTakeFirstOrThrow();
  }
  liveVolumeByCode(fondsId: number, code: string): Promise<VolumeRow | undefined> {
    return this.db.selectFrom('volumes').selectAll().where('fonds_id', '=', fondsId).where('archival_code', '=', code).where('state', '=', 'active').executeTakeFirst();
  }
  async maxVolumeNo(categoryId: number, year: number, retention: string): Promise<number> {
    const r = await this.db.selectFrom('volumes').select((eb) => eb.fn.max('volume_no').as('n'))
      .where('category_id', '=', categoryId).where('year', '=', year).where('retention', '=', retention).where('state', '=', 'active').executeTakeFirst();
    return Number(r?.n ?? 0);
  }
  listVolumes(node: NodeFilter, scope: ReadScope, after: PageCursor | null, limit: number): Promise<VolumeRow[]> {
    let q = this.db.selectFrom('volumes').selectAll().where('category_id', '=', node.categoryId).where('state', '=', 'active')
      .where('classification', 'in', scope.classifications).orderBy('sort_key').orderBy('id').limit(limit);
    if (node.year !== undefined) q = q.where('year', '=', node.year);
    if (node.retention !== undefined) q = q.where('retention', '=', node.retention);
    if (after) q = q.where((eb) => eb.or([eb('sort_key', '>', after.sortKey), eb.and([eb('sort_key', '=', after.sortKey), eb('id', '>', after.id)])]));
    return q.execute();
  }

  // items
  item(id: number): Promise<ItemRow | undefined> {
    return this.db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
  }
  scopedItem(id: number, scope: ReadScope): Promise<ItemRow | undefined> {
    return this.db.selectFrom('items').selectAll().where('id', '=', id).where(itemScope(scope)).executeTakeFirst();
  }
  liveItemByCode(fondsId: number, code: string): Promise<ItemRow | undefined> {
    return this.db.selectFrom('items').selectAll().where('fonds_id', '=', fondsId).where('archival_code', '=', code).where('state', '=', 'active').executeTakeFirst();
  }
  /** Live items of a fonds holding any of the codes: one query per 10,000 codes, the codes sent as one array. */
  async liveItemsByCodes(fondsId: number, codes: string[]): Promise<ItemRow[]> {
    const out: ItemRow[] = [];
    const sqlite = this.db.getExecutor().adapter instanceof SqliteAdapter;
    for (let i = 0; i < codes.length; i += 10_000) {
      const chunk = codes.slice(i, i + 10_000);
      // Each form lets the planner probe the unique code index once per code.
      const match = sqlite ? sql<boolean>`archival_code in (select value from json_each(${JSON.stringify(chunk)}))` : sql<boolean>`archival_code = any(${chunk}::text[])`;
      out.push(...(await this.db.selectFrom('items').selectAll().where('fonds_id', '=', fondsId).where('state', '=', 'active').where(match).execute()));
    }
    return out;
  }

  /**
   * Fresh planner statistics after a bulk load: PostgreSQL otherwise plans against the empty table
   * it last sampled (a seconds-long sequential scan where an index seek would do) until autovacuum
   * gets round to it. SQLite's planner does well without statistics.
   */
  async refreshStatistics(): Promise<void> {
    if (!this.sqlite) await sql`analyze items`.execute(this.db);
  }

  async hasLiveItems(fondsId: number): Promise<boolean> {
    return !!(await this.db.selectFrom('items').select('id').where('fonds_id', '=', fondsId).where('state', '=', 'active').limit(1).executeTakeFirst());
  }

  /**
   * Inserts many new live items at once (imports). On SQLite one prepared statement runs per row
   * on the raw handle, the fastest path better-sqlite3 has; on PostgreSQL rows go in as column
   * arrays through unnest, a few thousand per statement. Run it inside a transaction.
   */
  async insertItemsBulk(common: BulkItemCommon, rows: ItemColumns[]): Promise<Array<ItemColumns & { id: number }>> {
    if (!rows.length) return [];
    if (this.sqlite) {
      const stmt = this.sqliteBulkStatement(common);
      // In code order, the index inserts of neighbouring rows land on the same pages.
      const inOrder = rows.every((r, i) => i === 0 || rows[i - 1]!.sort_key <= r.sort_key);
      const ordered = inOrder ? rows : [...rows].sort((a, b) => (a.sort_key < b.sort_key ? -1 : a.sort_key > b.sort_key ? 1 : 0));
      return ordered.map((r) => {
        const { lastInsertRowid } = stmt.run(r.archival_code, r.sort_key, r.item_no, r.title, r.responsible, r.doc_number, r.date, r.year, r.retention, r.classification, r.secrecy_period, r.open_status, r.pages, r.org, r.notes, r.extra);
        return { ...r, id: Number(lastInsertRowid) };
      });
    }
    const out: Array<ItemColumns & { id: number }> = [];
    for (let i = 0; i < rows.length; i += PG_BULK_ROWS) {
      const chunk = rows.slice(i, i + PG_BULK_ROWS);
      const arrays = BULK_COLUMNS.map((c) => sql`${chunk.map((r) => r[c])}::${sql.raw(PG_ARRAY_TYPES[c])}[]`);
      const inserted = await sql<{ id: string; archival_code: string }>`insert into items (fonds_id, category_id, volume_id, ${sql.join(BULK_COLUMNS.map((c) => sql.ref(c)))}, state, created_by, created_at, updated_at, version)
        select ${common.fondsId}, ${common.categoryId}, null, u.*, 'active', ${common.createdBy}, ${common.at}::timestamptz, ${common.at}::timestamptz, 1
        from unnest(${sql.join(arrays)}) as u returning id, archival_code`.execute(this.db);
      // Live codes are unique within the fonds, so the code says which row got which id.
      const ids = new Map(inserted.rows.map((r) => [r.archival_code, Number(r.id)]));
      for (const r of chunk) out.push({ ...r, id: ids.get(r.archival_code)! });
    }
    return out;
  }

  /** Bookkeeping values go into the statement as literals (all numbers and an ISO time we made), so each row binds only its own values. */
  private sqliteBulkStatement(common: BulkItemCommon): BetterSqlite3.Statement {
    const key = `${common.fondsId}|${common.categoryId}|${common.createdBy}|${common.at}`;
    if (this.bulkStatement?.key === key) return this.bulkStatement.stmt;
    const int = (n: number | null) => (n === null ? 'NULL' : String(Math.trunc(Number(n))));
    if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(common.at)) throw new Error(`bulk insert: not an ISO time: ${common.at}`);
    const stmt = this.sqlite!.prepare(`insert into items (fonds_id, category_id, volume_id, ${BULK_COLUMNS.join(', ')}, state, created_by, created_at, updated_at, version)
      values (${int(common.fondsId)}, ${int(common.categoryId)}, NULL, ${BULK_COLUMNS.map(() => '?').join(', ')}, 'active', ${int(common.createdBy)}, '${common.at}', '${common.at}', 1)`);
    this.bulkStatement = { key, stmt };
    return stmt;
  }

  insertItem(row: Insertable<ItemTable>): Promise<ItemRow> {
    return this.db.insertInto('items').values(row).returningAll().executeTakeFirstOrThrow();
  }
  updateItem(id: number, version: number, patch: Updateable<ItemTable>): Promise<ItemRow | undefined> {
    return this.db.updateTable('items').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
  }

  /** Item numbers used by live items of a node (every clearance: numbering is shared), with their 机构(问题). */
  async itemNumbers(node: NodeFilter): Promise<Array<{ org: string | null; item_no: number }>> {
    const rows = await this.db.selectFrom('items').select(['org', 'item_no']).where(nodeCondition(node)).where('state', '=', 'active').execute();
    return rows.map((r) => ({ org: r.org, item_no: Number(r.item_no) }));
  }
  async maxItemNo(group: NumberingGroup): Promise<number> {
    const r = await this.numberingQuery(group).select((eb) => eb.fn.max('item_no').as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }
  private numberingQuery(group: NumberingGroup) {
    let q = this.db.selectFrom('items').where('category_id', '=', group.categoryId).where('state', '=', 'active');
    if (group.year !== undefined) q = q.where('year', '=', group.year);
    if (group.retention !== undefined) q = q.where('retention', '=', group.retention);
    if (group.org !== undefined) q = group.org === null ? q.where('org', 'is', null) : q.where('org', '=', group.org);
    if (group.volumeId !== undefined) q = group.volumeId === null ? q.where('volume_id', 'is', null) : q.where('volume_id', '=', group.volumeId);
    return q;
  }

  /**
   * One page of a tree node in archival-code order, keyset-paged so page 5,000 costs what page 1
   * does. Ordered by sort key alone: live items of a fonds have unique codes and the key is injective, so
   * it is unique within a node, and the node index (…, sort_key, state, classification) delivers
   * rows in that order without a sort. A tie-break on id would make the database sort the node.
   */
  listItems(node: NodeFilter, scope: ReadScope, after: PageCursor | null, limit: number): Promise<ItemRow[]> {
    let q = this.db.selectFrom('items').selectAll().where(nodeCondition(node)).where(itemScope(scope)).orderBy('sort_key').limit(limit);
    if (after) q = q.where('sort_key', '>', after.sortKey);
    return q.execute();
  }

  itemsByIds(ids: number[], scope: ReadScope): Promise<ItemRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.selectFrom('items').selectAll().where('id', 'in', ids).where(itemScope(scope)).orderBy('sort_key').execute();
  }

  /** Streams a node in archival-code order in chunks, for exports. */
  async *iterateItems(node: NodeFilter, scope: ReadScope, chunk = 2000): AsyncGenerator<ItemRow[]> {
    let after: PageCursor | null = null;
    for (;;) {
      const rows = await this.listItems(node, scope, after, chunk);
      if (!rows.length) return;
      yield rows;
      const last = rows[rows.length - 1]!;
      after = { sortKey: last.sort_key, id: last.id };
    }
  }

  /**
   * The years of a category that hold an item the caller may see, one index seek per year (a loose
   * index scan written as a recursive query), so a category of a million items lists its years
   * without reading them all. The caller has already checked the category's fonds.
   */
  async yearsOf(categoryId: number, scope: ReadScope): Promise<number[]> {
    const levels = sql.join(scope.classifications.length ? scope.classifications : ['\u0000']);
    const visible = sql`category_id = ${categoryId} and state = 'active' and classification in (${levels})`;
    const rows = await sql<{ v: number | null }>`
      with recursive y(v) as (
        select min(year) from items where ${visible}
        union all
        select (select min(year) from items where ${visible} and year > y.v) from y where y.v is not null
      ) select v from y where v is not null`.execute(this.db);
    return rows.rows.map((r) => Number(r.v));
  }

  /** Visible items per retention within a category-year (or per year within a category), rights applied. */
  async countBy(node: NodeFilter, by: 'year' | 'retention', scope: ReadScope): Promise<Array<{ key: string; count: number }>> {
    const rows = await this.db.selectFrom('items').select([`items.${by} as key`, (eb) => eb.fn.countAll<number>().as('count')])
      .where(nodeCondition(node)).where(itemScope(scope)).groupBy(`items.${by}`).orderBy(`items.${by}`).execute();
    return rows.map((r) => ({ key: String(r.key), count: Number(r.count) }));
  }

  async countItems(node: NodeFilter, scope: ReadScope): Promise<number> {
    const r = await this.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).where(nodeCondition(node)).where(itemScope(scope)).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

export interface NumberingGroup {
  categoryId: number;
  year?: number;
  retention?: string;
  org?: string | null;
  volumeId?: number | null;
}
