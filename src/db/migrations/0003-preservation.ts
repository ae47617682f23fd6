import type { Kysely } from 'kysely';
import type { MigrationTypes } from '../migrate.js';

/**
 * Preservation storage (module `storage/preservation`): what the database knows of each item's
 * OCFL object. The storage locations are the source of truth; these rows are an index of them,
 * reconciled from the primary's inventory when they fall behind (a crash between the OCFL write
 * and this transaction). Inventory digests are kept so a fixity audit has a reference outside
 * the storage it checks.
 */
export async function up(db: Kysely<unknown>, t: MigrationTypes): Promise<void> {
  await db.schema
    .createTable('preservation_objects')
    .addColumn('item_id', t.bigint, (c) => c.primaryKey().references('items.id'))
    .addColumn('object_id', 'text', (c) => c.notNull().unique())
    .addColumn('head', 'text', (c) => c.notNull())
    .addColumn('head_number', 'integer', (c) => c.notNull())
    .addColumn('inventory_sha512', 'text', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('bytes', t.bigint, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('ok'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('preservation_versions')
    .addColumn('item_id', t.bigint, (c) => c.notNull().references('items.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('user_name', 'text')
    .addColumn('inventory_sha512', 'text', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('bytes', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('preservation_versions_pk', ['item_id', 'number'])
    .execute();

  await db.schema
    .createTable('preservation_files')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('item_id', t.bigint, (c) => c.notNull().references('items.id'))
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('logical_path', 'text', (c) => c.notNull())
    .addColumn('content_path', 'text', (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('sha512', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text')
    .addColumn('sm3', 'text')
    .addColumn('format_id', 'text', (c) => c.notNull())
    .addColumn('format_name', 'text', (c) => c.notNull())
    .addColumn('format_version', 'text')
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('archival', 'integer', (c) => c.notNull())
    .addColumn('encrypted', 'integer', (c) => c.notNull())
    .addColumn('format_note', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('preservation_files_version').on('preservation_files').columns(['item_id', 'version_number', 'logical_path']).unique().execute();
  await db.schema.createIndex('preservation_files_digest').on('preservation_files').columns(['item_id', 'sha512']).execute();

  // One row per object and location, the primary's included: which version that copy holds.
  await db.schema
    .createTable('preservation_replicas')
    .addColumn('item_id', t.bigint, (c) => c.notNull().references('items.id'))
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('version_number', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inventory_sha512', 'text')
    .addColumn('bytes', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('replicated_at', t.time)
    .addColumn('checked_at', t.time)
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('preservation_replicas_pk', ['item_id', 'location'])
    .execute();
  await db.schema.createIndex('preservation_replicas_location').on('preservation_replicas').columns(['location', 'state']).execute();

  await db.schema
    .createTable('preservation_events')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('at', t.time, (c) => c.notNull())
    .addColumn('item_id', t.bigint)
    .addColumn('location', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('actor_id', t.bigint)
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('preservation_events_item').on('preservation_events').columns(['item_id', 'id']).execute();
  await db.schema.createIndex('preservation_events_kind').on('preservation_events').columns(['kind', 'result', 'id']).execute();
  await db.schema.createIndex('preservation_events_location').on('preservation_events').columns(['location', 'id']).execute();

  // The fixity audit's cycles per location; the open one (completed_at null) is the checkpoint.
  await db.schema
    .createTable('preservation_checkpoints')
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('cycle', 'integer', (c) => c.notNull())
    .addColumn('started_at', t.time, (c) => c.notNull())
    .addColumn('completed_at', t.time)
    .addColumn('last_item_id', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('checked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('repaired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('damaged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('preservation_checkpoints_pk', ['location', 'cycle'])
    .execute();

  // The worker claims the oldest queued job; the scheduler looks up the latest job of a kind.
  await db.schema.createIndex('jobs_queue').on('jobs').columns(['state', 'id']).execute();
  await db.schema.createIndex('jobs_kind').on('jobs').columns(['kind', 'id']).execute();
}
