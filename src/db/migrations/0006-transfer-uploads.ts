import type { Kysely } from 'kysely';
import type { MigrationTypes } from '../migrate.js';

/**
 * Resumable (tus) uploads of transfer packages: which organization an upload belongs to, so no
 * other organization's token can touch it, and which transfer it became, so a sender whose
 * connection dropped at the last byte can still learn the transfer by the upload's id.
 */
export async function up(db: Kysely<unknown>, t: MigrationTypes): Promise<void> {
  await db.schema
    .createTable('transfer_uploads')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', t.bigint, (c) => c.notNull().references('organizations.id'))
    .addColumn('transfer_id', t.bigint, (c) => c.references('transfers.id'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
}
