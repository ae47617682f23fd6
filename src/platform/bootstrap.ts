import { type Database, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';

/** Opens the configured database and brings its schema up to date: what every process role does first. */
export async function openContext(config: Config): Promise<AppContext & { migrated: string[] }> {
  const database: Database = await openDatabase(config.databaseUrl);
  try {
    const migrated = await migrateToLatest(database);
    return { database, config, migrated };
  } catch (e) {
    await database.close();
    throw e;
  }
}
