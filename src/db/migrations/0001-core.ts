import { type CreateTableBuilder, sql, type Kysely } from 'kysely';
import { GENESIS_HASH } from '../../platform/audit/chain.js';
import type { MigrationTypes } from '../migrate.js';

/** Columns of every editable catalogue row: tombstone state, times and the optimistic-lock version. */
// Typed loosely: the builder's column-name parameter would otherwise forget the columns added before.
const editable = (t: MigrationTypes) => (b: CreateTableBuilder<string, string>) =>
  b.addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('deleted_reason', 'text')
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1));

/** The foundation tables: audit trail, jobs, security, catalogue. */
export async function up(db: Kysely<unknown>, t: MigrationTypes): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', t.bigint, (c) => c.primaryKey())
    .addColumn('at', t.time, (c) => c.notNull())
    .addColumn('actor_id', t.bigint)
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('before_digest', 'text')
    .addColumn('after_digest', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('details', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'seq']).execute();

  // One row that every audit append locks and advances: it serialises the chain on PostgreSQL
  // and lets `audit verify` notice rows cut from the end.
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', t.bigint, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('audit_head' as never).values({ id: 1, seq: 0, hash: GENESIS_HASH } as never).execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('progress', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('total', t.bigint)
    .addColumn('payload', 'text')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_by', t.bigint)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('organizations')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('parent_id', t.bigint, (c) => c.references('organizations.id'))
    .addColumn('notes', 'text')
    .$call(editable(t))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', t.time, (c) => c.notNull())
    .addColumn('password_history', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', t.time)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('admin_role', 'text')
    .addColumn('business_role', 'text')
    .addColumn('clearance', 'text', (c) => c.notNull().defaultTo('公开'))
    .addColumn('all_fonds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('organization_id', t.bigint, (c) => c.references('organizations.id'))
    .addColumn('last_login_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('last_seen_at', t.time, (c) => c.notNull())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .addColumn('client_ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('fonds')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('organization_id', t.bigint, (c) => c.notNull().references('organizations.id'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_year', 'integer')
    .addColumn('end_year', 'integer')
    .addColumn('history', 'text')
    .$call(editable(t))
    .execute();
  await db.schema.createIndex('fonds_org').on('fonds').column('organization_id').execute();

  await db.schema
    .createTable('user_fonds')
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id'))
    .addColumn('fonds_id', t.bigint, (c) => c.notNull().references('fonds.id'))
    .addColumn('granted_by', t.bigint, (c) => c.notNull())
    .addColumn('granted_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('user_fonds_pk', ['user_id', 'fonds_id'])
    .execute();

  await db.schema
    .createTable('categories')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('fonds_id', t.bigint, (c) => c.notNull().references('fonds.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text')
    .addColumn('arrangement', 'text', (c) => c.notNull())
    .addColumn('code_template', 'text', (c) => c.notNull())
    .addColumn('volume_template', 'text')
    .addColumn('field_schema', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('import_mapping', 'text')
    .$call(editable(t))
    .addUniqueConstraint('categories_fonds_code', ['fonds_id', 'code'])
    .execute();

  await db.schema
    .createTable('volumes')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('fonds_id', t.bigint, (c) => c.notNull().references('fonds.id'))
    .addColumn('category_id', t.bigint, (c) => c.notNull().references('categories.id'))
    .addColumn('archival_code', 'text', (c) => c.notNull())
    .addColumn('sort_key', t.binaryText, (c) => c.notNull())
    .addColumn('volume_no', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('responsible', 'text')
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('retention', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('open_status', 'text', (c) => c.notNull())
    .addColumn('org', 'text')
    .addColumn('date_from', 'text')
    .addColumn('date_to', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_by', t.bigint)
    .$call(editable(t))
    .execute();
  await db.schema.createIndex('volumes_code').on('volumes').columns(['fonds_id', 'archival_code']).unique().where(sql.ref('state'), '=', 'active').execute();
  await db.schema.createIndex('volumes_node').on('volumes').columns(['category_id', 'year', 'retention', 'sort_key']).execute();

  await db.schema
    .createTable('items')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('fonds_id', t.bigint, (c) => c.notNull().references('fonds.id'))
    .addColumn('category_id', t.bigint, (c) => c.notNull().references('categories.id'))
    .addColumn('volume_id', t.bigint, (c) => c.references('volumes.id'))
    .addColumn('archival_code', 'text', (c) => c.notNull())
    .addColumn('sort_key', t.binaryText, (c) => c.notNull())
    .addColumn('item_no', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('responsible', 'text', (c) => c.notNull())
    .addColumn('doc_number', 'text')
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('retention', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('secrecy_period', 'text')
    .addColumn('open_status', 'text', (c) => c.notNull())
    .addColumn('pages', 'integer')
    .addColumn('org', 'text')
    .addColumn('notes', 'text')
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('deleted_at', t.time)
    .addColumn('deleted_by', t.bigint)
    .addColumn('created_by', t.bigint)
    .$call(editable(t))
    .execute();
  // Codes are unique among live items of a fonds; a tombstoned item keeps its code for the record.
  await db.schema.createIndex('items_code').on('items').columns(['fonds_id', 'archival_code']).unique().where(sql.ref('state'), '=', 'active').execute();
  // The catalogue tree opens a category → year → retention node and pages it in archival-code
  // order; state and classification ride along so rights filters and per-node counts never read
  // the table. One index serves paging, counts and the loose scan of a category's years: every
  // index is paid for again by each of a million imported rows.
  await db.schema.createIndex('items_node').on('items').columns(['category_id', 'year', 'retention', 'sort_key', 'state', 'classification']).execute();
  await db.schema.createIndex('items_category_sort').on('items').columns(['category_id', 'sort_key']).execute();
  await db.schema.createIndex('items_volume').on('items').columns(['volume_id', 'sort_key']).where(sql.ref('volume_id'), 'is not', null).execute();
}
