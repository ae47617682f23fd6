/**
 * Backup and restore of the catalogue database (`lantai db backup|restore`). The files themselves
 * are covered by OCFL replicas and offline copies; this covers everything the database alone
 * holds (users, rights, audit trail, jobs) and spares a rebuild from storage.
 *
 * SQLite is copied with its online backup API, consistent while the server keeps writing;
 * PostgreSQL with `pg_dump --format=custom`. Either is written under a temporary name and renamed
 * when complete. A restore goes only into an empty target, then brings the schema up to date (a
 * backup of an older Lantai) and verifies the audit chain.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, createReadStream } from 'node:fs';
import { copyFile, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { type Database, type Dialect, dialectOf, openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { appendAudit, verifyAuditChain, type VerifyResult } from '../../platform/audit/audit.service.js';
import { AppError, conflict } from '../../platform/errors.js';
import { type Actor, auditActorOf } from '../../security/actor.js';

export interface BackupResult {
  file: string;
  dialect: Dialect;
  size: number;
  sha256: string;
}

export interface RestoreResult {
  dialect: Dialect;
  /** Migrations the restored database needed. */
  migrated: string[];
  audit: VerifyResult;
  items: number;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const PGDUMP_MAGIC = Buffer.from('PGDMP', 'latin1');

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function fsync(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * The path of a PostgreSQL client program: the first on PATH, else Debian's /usr/bin. Failing
 * here, before anything is written, beats a bare ENOENT from spawn.
 */
export function findPgTool(name: 'pg_dump' | 'pg_restore', dirs: string[] = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin']): string {
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  throw new AppError(
    500,
    'DB_TOOL_MISSING',
    `找不到 ${name}：PostgreSQL 的备份与恢复需要 PostgreSQL 客户端程序（Debian：apt install postgresql-client，版本不低于服务器）`,
    `${name} was not found: PostgreSQL backup and restore need the PostgreSQL client programs (Debian: apt install postgresql-client, no older than the server)`,
    { tool: name },
  );
}

/** The connection URL without its password, which goes to the child in PGPASSWORD: command lines are visible to every user of the machine. */
function pgConnection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function runTool(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stderr: stderr.trim() }));
  });
}

const toolFailed = (code: string, zh: string, en: string, stderr: string) =>
  new AppError(500, code, `${zh}：${stderr.split('\n').slice(-5).join(' ')}`, `${en}: ${stderr.split('\n').slice(-5).join(' ')}`, { stderr });

/** Writes a backup of `database` to `file`, which must not exist yet. */
export async function backupDatabase(database: Database, file: string): Promise<BackupResult> {
  const target = resolve(file);
  if (await stat(target).catch(() => null)) {
    throw conflict('DB_BACKUP_EXISTS', `备份文件“${target}”已存在，不会覆盖`, `The backup file "${target}" exists already and is not overwritten`, { file: target });
  }
  const partial = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    if (database.sqlite) {
      await database.sqlite.backup(partial);
    } else {
      const dump = findPgTool('pg_dump');
      const restore = findPgTool('pg_restore');
      const { url, env } = pgConnection(database.url);
      const r = await runTool(dump, ['--format=custom', '--file', partial, '--dbname', url], env);
      if (r.code !== 0) throw toolFailed('DB_BACKUP_FAILED', 'pg_dump 备份失败', 'pg_dump failed', r.stderr);
      // A dump pg_restore cannot read is no backup; find out now, not on the day it is needed.
      const listed = await runTool(restore, ['--list', partial], env);
      if (listed.code !== 0) throw toolFailed('DB_BACKUP_FAILED', '备份文件无法被 pg_restore 读取', 'pg_restore cannot read the backup', listed.stderr);
    }
    await fsync(partial);
    await rename(partial, target);
    await fsync(dirname(target));
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
  return { file: target, dialect: database.dialect, size: (await stat(target)).size, sha256: await sha256File(target) };
}

async function backupKind(file: string): Promise<Dialect> {
  const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new AppError(404, 'DB_BACKUP_NOT_FOUND', `无法读取备份文件“${file}”：${e.code}`, `Cannot read the backup file "${file}": ${e.code}`, { file });
  });
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await fh.read(head, 0, 16, 0);
    if (bytesRead === 16 && head.equals(SQLITE_MAGIC)) return 'sqlite';
    if (head.subarray(0, 5).equals(PGDUMP_MAGIC)) return 'postgres';
  } finally {
    await fh.close();
  }
  throw new AppError(400, 'DB_BACKUP_UNRECOGNISED', `“${file}”不是兰台数据库备份（既非 SQLite 数据库，也非 pg_dump 自定义格式）`, `"${file}" is not a Lantai database backup (neither an SQLite database nor a pg_dump custom-format archive)`, { file });
}

const corrupt = (file: string, reason: string) =>
  new AppError(400, 'DB_BACKUP_CORRUPT', `备份文件“${file}”已损坏或不完整，目标数据库未改动：${reason}`, `The backup file "${file}" is corrupt or incomplete; the target database was left as it was: ${reason}`, { file, reason });

/** Checks an SQLite backup thoroughly before it replaces anything. */
function checkSqliteBackup(file: string): void {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    const result = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    if (result[0]?.integrity_check !== 'ok') throw corrupt(file, result.map((r) => r.integrity_check).slice(0, 5).join('; '));
    if (!db.prepare("select 1 from sqlite_master where type = 'table' and name = 'lantai_migrations'").get()) {
      throw new AppError(400, 'DB_BACKUP_UNRECOGNISED', `“${file}”是 SQLite 数据库，但不是兰台数据库`, `"${file}" is an SQLite database but not a Lantai one`, { file });
    }
  } catch (e) {
    throw e instanceof AppError ? e : corrupt(file, (e as Error).message);
  } finally {
    db?.close();
  }
}

async function restoreSqlite(url: string, file: string): Promise<void> {
  const target = resolve(url.replace(/^sqlite:/, ''));
  for (const path of [target, `${target}-wal`, `${target}-shm`, `${target}-journal`]) {
    const s = await stat(path).catch(() => null);
    if (s && (path !== target || s.size > 0)) {
      throw conflict('DB_RESTORE_TARGET_NOT_EMPTY', `目标数据库文件“${path}”已存在且非空；只能恢复到不存在或为空的文件`, `The target database file "${path}" exists and is not empty; a restore only goes into a missing or empty file`, { path });
    }
  }
  checkSqliteBackup(file);
  const partial = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.restoring`);
  try {
    await copyFile(file, partial);
    await fsync(partial);
    await rename(partial, target);
    await fsync(dirname(target));
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}

async function restorePostgres(url: string, file: string): Promise<void> {
  const restore = findPgTool('pg_restore');
  const database = await openDatabase(url);
  try {
    const tables = await sql<{ name: string }>`select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') order by 1 limit 5`.execute(database.db);
    if (tables.rows.length > 0) {
      throw conflict('DB_RESTORE_TARGET_NOT_EMPTY', `目标数据库已有数据表（${tables.rows.map((r) => r.name).join('、')}）；只能恢复到空数据库`, `The target database already has tables (${tables.rows.map((r) => r.name).join(', ')}); a restore only goes into an empty database`);
    }
  } finally {
    await database.close();
  }
  const { url: bare, env } = pgConnection(url);
  // One transaction: a backup that breaks off half-way leaves the target as empty as it was.
  // Owners and grants name roles of the old server, which the new one need not have.
  const r = await runTool(restore, ['--no-owner', '--no-acl', '--exit-on-error', '--single-transaction', '--dbname', bare, file], env);
  if (r.code !== 0) throw corrupt(file, r.stderr.split('\n').slice(-3).join(' '));
}

/**
 * Restores `file` into the empty database at `url` (the kind of database the backup came from),
 * migrates it, verifies its audit chain and, when intact, records the restore in it.
 */
export async function restoreDatabase(url: string, file: string, actor: Actor): Promise<RestoreResult> {
  const source = resolve(file);
  const kind = await backupKind(source);
  const dialect = dialectOf(url);
  if (kind !== dialect) {
    throw new AppError(400, 'DB_RESTORE_WRONG_KIND', `这是 ${kind} 数据库的备份，不能恢复到 ${dialect} 数据库`, `This is a backup of a ${kind} database; it cannot be restored into a ${dialect} database`, { backup: kind, target: dialect });
  }
  if (dialect === 'sqlite') await restoreSqlite(url, source);
  else await restorePostgres(url, source);

  const database = await openDatabase(url);
  try {
    const migrated = await migrateToLatest(database);
    const audit = await verifyAuditChain(database);
    const items = Number((await database.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (audit.ok) {
      const details = { file: source, size: (await stat(source)).size, sha256: await sha256File(source), migrated, auditRowsVerified: audit.checked };
      await database.db.transaction().execute((tx) => appendAudit(database, tx, auditActorOf(actor), [{ action: 'db.restore', details }]));
    }
    return { dialect, migrated, audit, items };
  } finally {
    await database.close();
  }
}
