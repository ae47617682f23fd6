import type { Kysely } from 'kysely';
import type { MigrationTypes } from '../migrate.js';

/**
 * Receiving (module `ingest/transfer`, DESIGN §5): one row per transfer package and one per item
 * of it. The item rows are the accept step's checkpoint: each records the catalogue item it
 * became, so accepting again after a crash continues where it stopped and never files an item twice.
 */
export async function up(db: Kysely<unknown>, t: MigrationTypes): Promise<void> {
  await db.schema
    .createTable('transfers')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('organization_id', t.bigint, (c) => c.references('organizations.id'))
    .addColumn('sender', 'text')
    .addColumn('category_id', t.bigint, (c) => c.notNull().references('categories.id'))
    .addColumn('fonds_id', t.bigint, (c) => c.notNull().references('fonds.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('format', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('file_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('accepted_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('report', 'text')
    .addColumn('reason', 'text')
    .addColumn('created_by', t.bigint)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('decided_by', t.bigint)
    .addColumn('decided_at', t.time)
    .execute();
  await db.schema.createIndex('transfers_state').on('transfers').columns(['state', 'id']).execute();
  await db.schema.createIndex('transfers_organization').on('transfers').columns(['organization_id', 'id']).execute();

  await db.schema
    .createTable('transfer_items')
    .addColumn('transfer_id', t.bigint, (c) => c.notNull().references('transfers.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('archival_code', 'text')
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('item_id', t.bigint, (c) => c.references('items.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_items_pk', ['transfer_id', 'seq'])
    .execute();
  await db.schema.createIndex('transfer_items_item').on('transfer_items').columns(['item_id']).execute();
}
