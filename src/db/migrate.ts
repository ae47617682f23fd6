import { type ColumnDataType, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Database, Dialect } from './database.js';
import * as core from './migrations/0001-core.js';
import * as search from './migrations/0002-search.js';
import * as preservation from './migrations/0003-preservation.js';
import * as transfers from './migrations/0004-transfers.js';
import * as transferTokens from './migrations/0005-transfer-tokens.js';
import * as transferUploads from './migrations/0006-transfer-uploads.js';
import * as transferItemVersions from './migrations/0007-transfer-item-versions.js';
import * as itemsYearOrder from './migrations/0008-items-year-order.js';

/** Column types that differ between the two backends, so one migration serves both. */
export interface MigrationTypes {
  dialect: Dialect;
  id: ColumnDataType;
  idConstraint: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  bigint: ColumnDataType;
  time: ColumnDataType;
  /** Text compared byte-wise on both backends (sort keys). */
  binaryText: ReturnType<typeof sql>;
}

export function migrationTypes(dialect: Dialect): MigrationTypes {
  const pgsql = dialect === 'postgres';
  return {
    dialect,
    id: pgsql ? 'bigserial' : 'integer',
    idConstraint: pgsql ? (c) => c.primaryKey() : (c) => c.primaryKey().autoIncrement(),
    bigint: pgsql ? 'bigint' : 'integer',
    time: pgsql ? 'timestamptz' : 'text',
    binaryText: pgsql ? sql`text collate "C"` : sql`text`,
  };
}

type Step = { up(db: Kysely<unknown>, t: MigrationTypes): Promise<void> };

/** In order; never edit a released migration, add a new one. */
const STEPS: Record<string, Step> = {
  '0001-core': core,
  '0002-search': search,
  '0003-preservation': preservation,
  '0004-transfers': transfers,
  '0005-transfer-tokens': transferTokens,
  '0006-transfer-uploads': transferUploads,
  '0007-transfer-item-versions': transferItemVersions,
  '0008-items-year-order': itemsYearOrder,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly types: MigrationTypes) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, step] of Object.entries(STEPS)) out[name] = { up: (db) => step.up(db, this.types) };
    return out;
  }
}

export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new StaticProvider(migrationTypes(database.dialect)),
    migrationTableName: 'lantai_migrations',
    migrationLockTableName: 'lantai_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
