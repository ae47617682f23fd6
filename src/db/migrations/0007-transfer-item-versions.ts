import type { Kysely } from 'kysely';

/**
 * An item received with earlier states (a 修改型 EEP's 原封装包 beside its 修订内容) is filed as
 * one item whose preservation object gets a version per state. Its row keeps the earlier states'
 * files, and how many of its versions accepting has stored, so a resume after a crash between
 * two versions neither stores the first again nor skips the next.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite adds only one at a time.
  await db.schema.alterTable('transfer_items').addColumn('previous', 'text').execute();
  await db.schema.alterTable('transfer_items').addColumn('versions_stored', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
