import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Schema>;
export type Tx = Transaction<Schema>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Schema>;

export interface Database {
  db: Db;
  dialect: Dialect;
  url: string;
  /** The raw SQLite handle for bulk paths that must bypass per-row query building; null on PostgreSQL. */
  sqlite: BetterSqlite3.Database | null;
  close(): Promise<void>;
}

const PG_TIMESTAMPTZ = 1184;
const PG_TIMESTAMP = 1114;
const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/** Sessions run in UTC, so PostgreSQL prints `2026-11-21 09:52:36.123456+00`. */
export function pgTimeToIso(v: string): string {
  return new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
}

/** Makes PostgreSQL return the same JS shapes as SQLite: ISO strings for times, numbers for counts. */
function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser(oid: number, format?: string) {
      if (oid === PG_TIMESTAMPTZ || oid === PG_TIMESTAMP) return pgTimeToIso;
      if (oid === PG_INT8 || oid === PG_NUMERIC) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  } as pg.CustomTypesConfig;
}

export function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (url.startsWith('sqlite:') || !url.includes('://')) return 'sqlite';
  throw new Error(`Unsupported database URL: ${url}`);
}

export async function openDatabase(url: string): Promise<Database> {
  const dialect = dialectOf(url);
  if (dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes(), options: '-c TimeZone=UTC' });
    // An idle client dropped by the server (restart, admin termination) must not crash the process;
    // the pool opens a new one on the next query, and that query reports any real outage.
    pool.on('error', () => {});
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect, url, sqlite: null, close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect, url, sqlite, close: () => db.destroy() };
}

export const nowIso = () => new Date().toISOString();
