/**
 * Writes the catalogue rows a rebuild recovers from item metadata into an empty database.
 *
 * Items keep their ids, codes, times and described values; their sort keys are recomputed with the
 * catalogue's rule. Organizations, fonds, categories and volumes are repeated in the metadata of
 * every item below them, possibly as they stood at different times (a fonds renamed after some of
 * its items were stored): each row takes the values of the newest metadata that names it, judged
 * by the time its object version was written. Volumes keep their ids, as items do. Who created a
 * row is not in the metadata, and the users are not in the new database: `created_by` stays empty.
 */
import { sql } from 'kysely';
import type { ItemRow } from '../../catalog/catalog.repository.js';
import type { Database, Executor } from '../../db/database.js';
import { naturalSortKey } from '../../domain/natural-sort.js';
import { indexNewItems } from '../../search/index.service.js';
import type { ItemMetadata } from '../preservation/metadata.js';

/** One object's metadata and the time its head version was written. */
export interface RecoveredItem {
  metadata: ItemMetadata;
  stamp: number;
}

export interface CatalogCounts {
  organizations: number;
  fonds: number;
  categories: number;
  volumes: number;
  items: number;
}

interface Known {
  id: number;
  stamp: number;
  /** The described values as last written, to skip updates that change nothing. */
  values: string;
}

/** Rows per multi-row insert: 26 columns stay far below PostgreSQL's 65,535 parameters. */
const INSERT_CHUNK = 500;

const key = (...parts: string[]) => parts.join('\u0000');

export class CatalogWriter {
  private readonly organizations = new Map<string, Known & { parent: string | null }>();
  private readonly fonds = new Map<string, Known>();
  private readonly categories = new Map<string, Known>();
  private readonly volumes = new Map<string, Known>();
  /** Volume id → the fonds and code of the volume that claimed it. */
  private readonly volumeIds = new Map<number, string>();
  /** Fonds and archival code → the item that claimed it. */
  private readonly itemCodes = new Map<string, number>();
  private itemCount = 0;

  constructor(
    private readonly database: Database,
    /** Time given to rows the metadata carries no time for. */
    private readonly at: string,
  ) {}

  counts(): CatalogCounts {
    return {
      organizations: this.organizations.size, fonds: this.fonds.size, categories: this.categories.size, volumes: this.volumes.size, items: this.itemCount,
    };
  }

  /**
   * Claims the item's archival code (and its volume's id) for it, or says why it cannot join what
   * is claimed already. Checked before a batch is written, so a conflicting object is skipped alone
   * instead of failing its whole batch on a unique index.
   */
  claim(m: ItemMetadata): { zh: string; en: string } | null {
    const code = key(m.fonds.code, m.item.archival_code);
    const holder = this.itemCodes.get(code);
    if (holder !== undefined) {
      return {
        zh: `档号“${m.item.archival_code}”在全宗 ${m.fonds.code} 中已由文件 ${holder} 使用`,
        en: `archival code "${m.item.archival_code}" is already used in fonds ${m.fonds.code} by item ${holder}`,
      };
    }
    const v = m.volume;
    if (v) {
      const vkey = key(m.fonds.code, v.archival_code);
      const owner = this.volumeIds.get(v.id);
      if (owner !== undefined && owner !== vkey) {
        return { zh: `案卷编号 ${v.id} 在其他文件的元数据中属于另一案卷`, en: `volume id ${v.id} belongs to a different volume in other items' metadata` };
      }
      this.volumeIds.set(v.id, vkey);
    }
    this.itemCodes.set(code, m.item.id);
    return null;
  }

  /** Writes one batch inside the caller's transaction, and indexes its items for search. */
  async write(tx: Executor, batch: readonly RecoveredItem[]): Promise<void> {
    const rows: ItemRow[] = [];
    for (const { metadata: m, stamp } of batch) {
      let parent: string | null = null;
      for (const o of m.organizations) {
        await this.organization(tx, o, parent, stamp);
        parent = o.code;
      }
      const fondsId = await this.fondsRow(tx, m, stamp);
      const categoryId = await this.category(tx, m, fondsId, stamp);
      const volumeId = m.volume ? await this.volume(tx, m, fondsId, categoryId, stamp) : null;
      const i = m.item;
      rows.push({
        id: i.id, fonds_id: fondsId, category_id: categoryId, volume_id: volumeId, archival_code: i.archival_code, sort_key: naturalSortKey(i.archival_code),
        item_no: i.item_no, title: i.title, responsible: i.responsible, doc_number: i.doc_number, date: i.date, year: i.year, retention: i.retention,
        classification: i.classification, secrecy_period: i.secrecy_period, open_status: i.open_status, pages: i.pages, org: i.org, notes: i.notes,
        extra: JSON.stringify(i.extra), state: 'active', deleted_reason: null, deleted_at: null, deleted_by: null, created_by: null,
        created_at: i.created_at, updated_at: i.updated_at, version: 1,
      });
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insertInto('items').values(rows.slice(i, i + INSERT_CHUNK)).execute();
    await indexNewItems(this.database, tx, rows);
    this.itemCount += rows.length;
  }

  /**
   * Ids given explicitly (items, volumes) do not move PostgreSQL's sequences; without this the next
   * item created through the catalogue would collide with a rebuilt one. SQLite keeps AUTOINCREMENT
   * in step by itself.
   */
  async advanceSequences(tx: Executor): Promise<void> {
    if (this.database.dialect !== 'postgres') return;
    for (const table of ['volumes', 'items']) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 1), (select count(*) > 0 from ${sql.table(table)}))`.execute(tx);
    }
  }

  private async organization(tx: Executor, o: ItemMetadata['organizations'][number], parent: string | null, stamp: number): Promise<void> {
    const values = JSON.stringify([o.name, o.kind, parent]);
    const known = this.organizations.get(o.code);
    const parentId = parent === null ? null : this.organizations.get(parent)!.id;
    if (!known) {
      const row = await tx.insertInto('organizations').values({ code: o.code, name: o.name, kind: o.kind, parent_id: parentId, state: 'active', created_at: this.at, updated_at: this.at, version: 1 })
        .returning('id').executeTakeFirstOrThrow();
      this.organizations.set(o.code, { id: Number(row.id), stamp, values, parent });
      return;
    }
    if (stamp <= known.stamp || values === known.values) return;
    // A newer chain that would put an organization below itself is older data in disguise: keep the parent.
    const newParent = this.wouldCycle(o.code, parent) ? known.parent : parent;
    await tx.updateTable('organizations').set({ name: o.name, kind: o.kind, parent_id: newParent === null ? null : this.organizations.get(newParent)!.id }).where('id', '=', known.id).execute();
    this.organizations.set(o.code, { ...known, stamp, values, parent: newParent });
  }

  private wouldCycle(code: string, parent: string | null): boolean {
    for (let cur = parent, hops = 0; cur !== null && hops <= this.organizations.size; hops++) {
      if (cur === code) return true;
      cur = this.organizations.get(cur)?.parent ?? null;
    }
    return false;
  }

  private async fondsRow(tx: Executor, m: ItemMetadata, stamp: number): Promise<number> {
    const f = m.fonds;
    const organizationId = this.organizations.get(m.organizations[m.organizations.length - 1]!.code)!.id;
    const described = { organization_id: organizationId, name: f.name, start_year: f.start_year, end_year: f.end_year, history: f.history };
    return this.upsert(this.fonds, f.code, stamp, described, async () => {
      const row = await tx.insertInto('fonds').values({ ...described, code: f.code, state: 'active', created_at: this.at, updated_at: this.at, version: 1 }).returning('id').executeTakeFirstOrThrow();
      return Number(row.id);
    }, (id) => tx.updateTable('fonds').set(described).where('id', '=', id).execute());
  }

  private async category(tx: Executor, m: ItemMetadata, fondsId: number, stamp: number): Promise<number> {
    const c = m.category;
    const described = {
      name: c.name, name_en: c.name_en, arrangement: c.arrangement, code_template: c.code_template, volume_template: c.volume_template, field_schema: JSON.stringify(c.field_schema),
    };
    return this.upsert(this.categories, key(m.fonds.code, c.code), stamp, described, async () => {
      const row = await tx.insertInto('categories').values({ ...described, fonds_id: fondsId, code: c.code, state: 'active', created_at: this.at, updated_at: this.at, version: 1 })
        .returning('id').executeTakeFirstOrThrow();
      return Number(row.id);
    }, (id) => tx.updateTable('categories').set(described).where('id', '=', id).execute());
  }

  private async volume(tx: Executor, m: ItemMetadata, fondsId: number, categoryId: number, stamp: number): Promise<number> {
    const v = m.volume!;
    const described = {
      category_id: categoryId, archival_code: v.archival_code, sort_key: naturalSortKey(v.archival_code), volume_no: v.volume_no, title: v.title, responsible: v.responsible,
      year: v.year, retention: v.retention, classification: v.classification, open_status: v.open_status, org: v.org, date_from: v.date_from, date_to: v.date_to, notes: v.notes,
      state: v.state, deleted_reason: v.deleted_reason, created_at: v.created_at, updated_at: v.updated_at, version: v.version,
    };
    const vkey = key(m.fonds.code, v.archival_code);
    return this.upsert(this.volumes, vkey, stamp, described, async () => {
      const row = await tx.insertInto('volumes')
        .values({ ...described, id: v.id, fonds_id: fondsId, created_by: null })
        .returning('id').executeTakeFirstOrThrow();
      return Number(row.id);
    }, (id) => tx.updateTable('volumes').set(described).where('id', '=', id).execute());
  }

  private async upsert(known: Map<string, Known>, k: string, stamp: number, described: object, insert: () => Promise<number>, update: (id: number) => Promise<unknown>): Promise<number> {
    const values = JSON.stringify(described);
    const seen = known.get(k);
    if (!seen) {
      const id = await insert();
      known.set(k, { id, stamp, values });
      return id;
    }
    if (stamp > seen.stamp && values !== seen.values) {
      await update(seen.id);
      known.set(k, { ...seen, stamp, values });
    }
    return seen.id;
  }
}
