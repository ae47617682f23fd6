import { type Insertable, type Selectable, SqliteAdapter, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type {
  PreservationCheckpointTable,
  PreservationEventTable,
  PreservationFileTable,
  PreservationObjectTable,
  PreservationReplicaTable,
  PreservationVersionTable,
} from '../../db/schema.js';

export type ObjectRow = Selectable<PreservationObjectTable>;
export type VersionRow = Selectable<PreservationVersionTable>;
export type FileRow = Selectable<PreservationFileTable>;
export type ReplicaRow = Selectable<PreservationReplicaTable>;
export type EventRow = Selectable<PreservationEventTable>;
export type CheckpointRow = Selectable<PreservationCheckpointTable>;
export type NewEvent = Insertable<PreservationEventTable>;

export interface EventFilter {
  itemId?: number;
  kind?: string;
  result?: string;
  location?: string;
  /** Events with a smaller id (newest first paging). */
  beforeId?: number;
}

/** Per location: how many objects it holds in each replica state, their bytes, and its last good replication. */
export interface LocationCounts {
  location: string;
  state: string;
  objects: number;
  bytes: number;
  lastReplicatedAt: string | null;
}

/** SQL for the preservation tables and nothing else; the rules live in the services. */
export class PreservationRepository {
  constructor(private readonly db: Executor) {}

  // objects and versions
  object(itemId: number): Promise<ObjectRow | undefined> {
    return this.db.selectFrom('preservation_objects').selectAll().where('item_id', '=', itemId).executeTakeFirst();
  }
  async upsertObject(row: ObjectRow): Promise<void> {
    const { item_id: _id, created_at: _created, ...changes } = row;
    await this.db.insertInto('preservation_objects').values(row).onConflict((oc) => oc.column('item_id').doUpdateSet(changes)).execute();
  }
  async setObjectState(itemId: number, state: string, at: string): Promise<void> {
    await this.db.updateTable('preservation_objects').set({ state, updated_at: at }).where('item_id', '=', itemId).execute();
  }
  /** Live items described anew after their object's head version was written (their metadata files are stale), in item-id order. */
  async staleMetadata(limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('preservation_objects as o')
      .innerJoin('preservation_versions as v', (j) => j.onRef('v.item_id', '=', 'o.item_id').onRef('v.number', '=', 'o.head_number'))
      .innerJoin('items as i', 'i.id', 'o.item_id')
      .select('o.item_id')
      .where('i.state', '=', 'active')
      // The version's time is OCFL's text; compared as a time on either backend.
      .where(this.db.getExecutor().adapter instanceof SqliteAdapter ? sql<boolean>`julianday(i.updated_at) > julianday(v.created)` : sql<boolean>`i.updated_at > v.created::timestamptz`)
      .orderBy('o.item_id')
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.item_id));
  }

  /** Objects in item-id order after `afterItemId`: the fixity audit's walk. */
  objectsAfter(afterItemId: number, limit: number): Promise<ObjectRow[]> {
    return this.db.selectFrom('preservation_objects').selectAll().where('item_id', '>', afterItemId).orderBy('item_id').limit(limit).execute();
  }
  private behind(location: string) {
    return this.db
      .selectFrom('preservation_objects as o')
      .leftJoin('preservation_replicas as r', (j) => j.onRef('r.item_id', '=', 'o.item_id').on('r.location', '=', location))
      .where((eb) => eb.or([eb('r.version_number', 'is', null), eb('r.version_number', '<', eb.ref('o.head_number'))]));
  }
  /** Objects whose copy at `location` is older than the head, or absent; item-id order. */
  objectsBehind(location: string, afterItemId: number, limit: number): Promise<ObjectRow[]> {
    return this.behind(location).selectAll('o').where('o.item_id', '>', afterItemId).orderBy('o.item_id').limit(limit).execute();
  }
  async countBehind(location: string): Promise<number> {
    return Number((await this.behind(location).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }
  versions(itemId: number): Promise<VersionRow[]> {
    return this.db.selectFrom('preservation_versions').selectAll().where('item_id', '=', itemId).orderBy('number').execute();
  }
  async insertVersions(rows: VersionRow[]): Promise<void> {
    if (rows.length) await this.db.insertInto('preservation_versions').values(rows).execute();
  }

  // files
  files(itemId: number, versionNumber: number): Promise<FileRow[]> {
    return this.db.selectFrom('preservation_files').selectAll().where('item_id', '=', itemId).where('version_number', '=', versionNumber).orderBy('logical_path').execute();
  }
  file(itemId: number, versionNumber: number, logicalPath: string): Promise<FileRow | undefined> {
    return this.db
      .selectFrom('preservation_files').selectAll()
      .where('item_id', '=', itemId).where('version_number', '=', versionNumber).where('logical_path', '=', logicalPath)
      .executeTakeFirst();
  }
  filesWithDigests(itemId: number, sha512s: string[]): Promise<FileRow[]> {
    if (!sha512s.length) return Promise.resolve([]);
    return this.db.selectFrom('preservation_files').selectAll().where('item_id', '=', itemId).where('sha512', 'in', sha512s).orderBy('id', 'desc').execute();
  }
  async insertFiles(rows: Insertable<PreservationFileTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) await this.db.insertInto('preservation_files').values(rows.slice(i, i + 500)).execute();
  }

  // replicas
  replicas(itemId: number): Promise<ReplicaRow[]> {
    return this.db.selectFrom('preservation_replicas').selectAll().where('item_id', '=', itemId).orderBy('location').execute();
  }
  replica(itemId: number, location: string): Promise<ReplicaRow | undefined> {
    return this.db.selectFrom('preservation_replicas').selectAll().where('item_id', '=', itemId).where('location', '=', location).executeTakeFirst();
  }
  async upsertReplica(row: Insertable<PreservationReplicaTable>): Promise<void> {
    const { item_id: _id, location: _loc, ...changes } = row;
    await this.db.insertInto('preservation_replicas').values(row).onConflict((oc) => oc.columns(['item_id', 'location']).doUpdateSet(changes)).execute();
  }
  async updateReplica(itemId: number, location: string, changes: Partial<Omit<ReplicaRow, 'item_id' | 'location'>>): Promise<void> {
    await this.db.updateTable('preservation_replicas').set(changes).where('item_id', '=', itemId).where('location', '=', location).execute();
  }
  /** Records that the copies of these objects at `location` verified: a copy once damaged is healthy again. */
  async markVerified(location: string, itemIds: number[], at: string): Promise<void> {
    const atLocation = this.db.updateTable('preservation_replicas').where('location', '=', location).where('item_id', 'in', itemIds);
    await atLocation.set({ checked_at: at, updated_at: at }).execute();
    await atLocation.set({ state: 'ok', error: null }).where('state', '=', 'damaged').execute();
  }
  /** Sets each object's state from its copies: damaged while any location holds a damaged copy. */
  async refreshObjectStates(itemIds: number[], at: string): Promise<void> {
    await this.db.updateTable('preservation_objects')
      .set({
        state: sql<string>`case when exists (select 1 from preservation_replicas r where r.item_id = preservation_objects.item_id and r.state = 'damaged') then 'damaged' else 'ok' end`,
        updated_at: at,
      })
      .where('item_id', 'in', itemIds)
      .execute();
  }
  async damagedLocations(itemId: number): Promise<number> {
    const row = await this.db.selectFrom('preservation_replicas').select((eb) => eb.fn.countAll<number>().as('n')).where('item_id', '=', itemId).where('state', '=', 'damaged').executeTakeFirstOrThrow();
    return Number(row.n);
  }
  locationCounts(): Promise<LocationCounts[]> {
    return this.db
      .selectFrom('preservation_replicas')
      .select((eb) => [
        'location', 'state', eb.fn.countAll<number>().as('objects'), eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.lit(0)).as('bytes'),
        eb.fn.max('replicated_at').as('lastReplicatedAt'),
      ])
      .groupBy(['location', 'state'])
      .execute() as Promise<LocationCounts[]>;
  }
  async countErrors(location: string): Promise<number> {
    const row = await this.db
      .selectFrom('preservation_replicas').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('location', '=', location).where('state', '!=', 'ok').executeTakeFirstOrThrow();
    return Number(row.n);
  }
  /** The most recent replica errors at a location. */
  replicaErrors(location: string, limit: number): Promise<Array<Pick<ReplicaRow, 'item_id' | 'state' | 'error' | 'updated_at'>>> {
    return this.db
      .selectFrom('preservation_replicas').select(['item_id', 'state', 'error', 'updated_at'])
      .where('location', '=', location).where('error', 'is not', null)
      .orderBy('updated_at', 'desc').limit(limit).execute();
  }

  // totals
  async totals(): Promise<{ objects: number; versions: number; files: number; bytes: number; damaged: number }> {
    const o = await this.db
      .selectFrom('preservation_objects')
      .select((eb) => [
        eb.fn.countAll<number>().as('objects'), eb.fn.coalesce(eb.fn.sum<number>('head_number'), eb.lit(0)).as('versions'),
        eb.fn.coalesce(eb.fn.sum<number>('file_count'), eb.lit(0)).as('files'), eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.lit(0)).as('bytes'),
      ])
      .executeTakeFirstOrThrow();
    const d = await this.db.selectFrom('preservation_objects').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'damaged').executeTakeFirstOrThrow();
    return { objects: Number(o.objects), versions: Number(o.versions), files: Number(o.files), bytes: Number(o.bytes), damaged: Number(d.n) };
  }
  damagedObjects(limit: number): Promise<Array<Pick<ObjectRow, 'item_id' | 'object_id' | 'updated_at'>>> {
    return this.db.selectFrom('preservation_objects').select(['item_id', 'object_id', 'updated_at']).where('state', '=', 'damaged').orderBy('item_id').limit(limit).execute();
  }

  // events
  async insertEvents(rows: NewEvent[]): Promise<void> {
    if (rows.length) await this.db.insertInto('preservation_events').values(rows).execute();
  }
  events(filter: EventFilter, limit: number): Promise<EventRow[]> {
    let q = this.db.selectFrom('preservation_events').selectAll().orderBy('id', 'desc').limit(limit);
    if (filter.itemId !== undefined) q = q.where('item_id', '=', filter.itemId);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.result) q = q.where('result', '=', filter.result);
    if (filter.location) q = q.where('location', '=', filter.location);
    if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
    return q.execute();
  }
  async countEvents(filter: Omit<EventFilter, 'beforeId'> & { since?: string }): Promise<number> {
    let q = this.db.selectFrom('preservation_events').select((eb) => eb.fn.countAll<number>().as('n'));
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.result) q = q.where('result', '=', filter.result);
    if (filter.location) q = q.where('location', '=', filter.location);
    if (filter.since) q = q.where('at', '>=', filter.since);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  // fixity audit checkpoints
  openCheckpoint(location: string): Promise<CheckpointRow | undefined> {
    return this.db.selectFrom('preservation_checkpoints').selectAll().where('location', '=', location).where('completed_at', 'is', null).executeTakeFirst();
  }
  lastCompletedCycle(location: string): Promise<CheckpointRow | undefined> {
    return this.db
      .selectFrom('preservation_checkpoints').selectAll()
      .where('location', '=', location).where('completed_at', 'is not', null)
      .orderBy('cycle', 'desc').limit(1).executeTakeFirst();
  }
  async maxCycle(location: string): Promise<number> {
    const row = await this.db.selectFrom('preservation_checkpoints').select((eb) => eb.fn.max('cycle').as('cycle')).where('location', '=', location).executeTakeFirst();
    return Number(row?.cycle ?? 0);
  }
  async insertCheckpoint(row: CheckpointRow): Promise<void> {
    await this.db.insertInto('preservation_checkpoints').values(row).execute();
  }
  /** Moves the checkpoint past `itemId` and adds to the cycle's counts. */
  async advanceCheckpoint(
    location: string, cycle: number, itemId: number, counts: { checked?: number; failed?: number; repaired?: number; damaged?: number }, at: string,
  ): Promise<void> {
    await this.db
      .updateTable('preservation_checkpoints')
      .set((eb) => ({
        last_item_id: itemId, updated_at: at,
        checked: eb('checked', '+', counts.checked ?? 0), failed: eb('failed', '+', counts.failed ?? 0),
        repaired: eb('repaired', '+', counts.repaired ?? 0), damaged: eb('damaged', '+', counts.damaged ?? 0),
      }))
      .where('location', '=', location).where('cycle', '=', cycle)
      .execute();
  }
  async updateCheckpoint(location: string, cycle: number, changes: Partial<Omit<CheckpointRow, 'location' | 'cycle'>>): Promise<void> {
    await this.db.updateTable('preservation_checkpoints').set(changes).where('location', '=', location).where('cycle', '=', cycle).execute();
  }
}
