import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { TransferItemTable, TransferTable, TransferUploadTable } from '../../db/schema.js';

export type TransferRow = Selectable<TransferTable>;
export type TransferItemRow = Selectable<TransferItemTable>;

export interface TransferFilter {
  state?: string;
  organizationId?: number;
  sender?: string;
  /** The fonds the caller reaches. */
  fondsIds?: number[] | 'all';
  /** Newest first: rows with a smaller id than this. */
  beforeId?: number;
}

/** The only queries of `transfers`, `transfer_items` and `transfer_uploads`. */
export class TransferRepository {
  constructor(private readonly db: Executor) {}

  insert(row: Insertable<TransferTable>): Promise<TransferRow> {
    return this.db.insertInto('transfers').values(row).returningAll().executeTakeFirstOrThrow();
  }

  transfer(id: number): Promise<TransferRow | undefined> {
    return this.db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async update(id: number, patch: Updateable<TransferTable>): Promise<void> {
    await this.db.updateTable('transfers').set(patch).where('id', '=', id).execute();
  }

  list(filter: TransferFilter, limit: number): Promise<TransferRow[]> {
    let q = this.db.selectFrom('transfers').selectAll();
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.organizationId !== undefined) q = q.where('organization_id', '=', filter.organizationId);
    if (filter.sender) q = q.where('sender', '=', filter.sender);
    if (filter.fondsIds !== undefined && filter.fondsIds !== 'all') q = filter.fondsIds.length ? q.where('fonds_id', 'in', filter.fondsIds) : q.where(sql<boolean>`1 = 0`);
    if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  async replaceItems(transferId: number, rows: Insertable<TransferItemTable>[]): Promise<void> {
    await this.db.deleteFrom('transfer_items').where('transfer_id', '=', transferId).execute();
    for (let i = 0; i < rows.length; i += 200) await this.db.insertInto('transfer_items').values(rows.slice(i, i + 200)).execute();
  }

  items(transferId: number): Promise<TransferItemRow[]> {
    return this.db.selectFrom('transfer_items').selectAll().where('transfer_id', '=', transferId).orderBy('seq').execute();
  }

  async updateItem(transferId: number, seq: number, patch: Updateable<TransferItemTable>): Promise<void> {
    await this.db.updateTable('transfer_items').set(patch).where('transfer_id', '=', transferId).where('seq', '=', seq).execute();
  }

  async incrementAccepted(id: number, at: string): Promise<void> {
    await this.db.updateTable('transfers').set({ accepted_count: sql<number>`accepted_count + 1`, updated_at: at }).where('id', '=', id).execute();
  }

  async countAccepted(transferId: number): Promise<number> {
    const r = await this.db.selectFrom('transfer_items').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('transfer_id', '=', transferId).where('state', '=', 'done').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async insertUpload(row: Insertable<TransferUploadTable>): Promise<void> {
    await this.db.insertInto('transfer_uploads').values(row).execute();
  }

  upload(uploadId: string): Promise<Pick<Selectable<TransferUploadTable>, 'organization_id' | 'transfer_id'> | undefined> {
    return this.db.selectFrom('transfer_uploads').select(['organization_id', 'transfer_id']).where('upload_id', '=', uploadId).executeTakeFirst();
  }

  async setUploadTransfer(uploadId: string, transferId: number): Promise<void> {
    await this.db.updateTable('transfer_uploads').set({ transfer_id: transferId }).where('upload_id', '=', uploadId).execute();
  }

  /** Forgets uploads created before `before` that never became a transfer. */
  async deleteUnfinishedUploads(before: string): Promise<void> {
    await this.db.deleteFrom('transfer_uploads').where('transfer_id', 'is', null).where('created_at', '<', before).execute();
  }
}
