import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, type Dialect, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

export const BACKENDS: Dialect[] = ['sqlite', 'postgres'];

/** The server tests run against; CI starts it, and a test run fails (never skips) without it. */
export const PG_ADMIN_URL = process.env.LANTAI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  database: Database;
  url: string;
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated, empty database of the given kind: a temporary SQLite file, or a new
 * PostgreSQL database created with C.UTF-8 character classes (stack-notes F10) and dropped after.
 */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lantai-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const database = await openDatabase(url);
    await migrateToLatest(database);
    return { database, url, dispose: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `lantai_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const database = await openDatabase(url);
  await migrateToLatest(database);
  return {
    database,
    url,
    dispose: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } finally { await c.end(); }
    },
  };
}
