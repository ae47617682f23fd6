import type { Kysely } from 'kysely';
import type { MigrationTypes } from '../migrate.js';

/**
 * Online transfer (module `ingest/transfer`): API tokens with which a record room or office
 * system submits packages for its organization. Only a token's SHA-256 is kept, so a leaked
 * database does not hand out working tokens.
 */
export async function up(db: Kysely<unknown>, t: MigrationTypes): Promise<void> {
  await db.schema
    .createTable('organization_tokens')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('organization_id', t.bigint, (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', t.bigint)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('last_used_at', t.time)
    .addColumn('revoked_at', t.time)
    .execute();
  await db.schema.createIndex('organization_tokens_organization').on('organization_tokens').columns(['organization_id', 'id']).execute();
}
