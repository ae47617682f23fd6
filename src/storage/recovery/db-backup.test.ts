import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dialect, openDatabase } from '../../db/database.js';
import { verifyAuditChain } from '../../platform/audit/audit.service.js';
import { cliActor } from '../../security/actor.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS, PG_ADMIN_URL } from '../../test-support/databases.js';
import { backupDatabase, findPgTool, restoreDatabase } from './db-backup.js';
import { describeTestArchive } from './recovery-testkit.js';

const actor = cliActor('tester');

/** A database with no tables at all, as an administrator creates it for a restore. */
async function emptyTarget(dialect: Dialect, dir: string): Promise<{ url: string; dispose: () => Promise<void> }> {
  if (dialect === 'sqlite') return { url: `sqlite:${join(dir, `restored-${randomBytes(4).toString('hex')}.db`)}`, dispose: async () => {} };
  const name = `lantai_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`).finally(() => admin.end());
  return {
    url: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    dispose: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
    },
  };
}

async function tablesOf(url: string): Promise<string[]> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!existsSync(path)) return [];
  }
  const database = await openDatabase(url);
  try {
    return (await database.db.introspection.getTables()).map((t) => t.name);
  } finally {
    await database.close();
  }
}

describe.each(BACKENDS)('database backup and restore on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let backup: string;
  const targets: Array<{ dispose: () => Promise<void> }> = [];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await describeTestArchive(t);
    dir = mkdtempSync(join(tmpdir(), 'lantai-backup-'));
    backup = join(dir, `lantai-${dialect}.backup`);
  });
  afterAll(async () => {
    for (const target of targets) await target.dispose();
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = async () => {
    const created = await emptyTarget(dialect, dir);
    targets.push(created);
    return created.url;
  };

  it('backs up to a file whose size and sha256 it reports, and never overwrites one', async () => {
    const r = await backupDatabase(t.ctx.database, backup);
    expect(r).toMatchObject({ file: backup, dialect });
    expect(r.size).toBe(readFileSync(backup).length);
    expect(r.sha256).toBe(createHash('sha256').update(readFileSync(backup)).digest('hex'));
    await expect(backupDatabase(t.ctx.database, backup)).rejects.toMatchObject({ code: 'DB_BACKUP_EXISTS', message: expect.stringContaining('已存在') });
  });

  it('restores into an empty database with the same rows and an intact audit chain, and records the restore', async () => {
    const url = await target();
    const r = await restoreDatabase(url, backup, actor);
    expect(r).toMatchObject({ dialect, migrated: [], items: 5, audit: { ok: true } });
    expect(r.audit.checked).toBe(Number((await t.ctx.database.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq));

    const restored = await openDatabase(url);
    try {
      const rows = (db: typeof restored.db) => db.selectFrom('items').selectAll().orderBy('id').execute();
      expect(await rows(restored.db)).toEqual(await rows(t.ctx.database.db));
      const users = (db: typeof restored.db) => db.selectFrom('users').select(['id', 'username', 'password_hash']).orderBy('id').execute();
      expect(await users(restored.db)).toEqual(await users(t.ctx.database.db));
      const audit = await verifyAuditChain(restored);
      expect(audit).toMatchObject({ ok: true, checked: r.audit.checked + 1 });
      const last = await restored.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
      expect(last).toMatchObject({ action: 'db.restore', actor_name: 'cli:tester' });
      expect(JSON.parse(last.details!)).toMatchObject({ file: backup, sha256: createHash('sha256').update(readFileSync(backup)).digest('hex') });
    } finally {
      await restored.close();
    }

    await expect(restoreDatabase(url, backup, actor)).rejects.toMatchObject({ code: 'DB_RESTORE_TARGET_NOT_EMPTY', message_en: expect.stringContaining('empty') });
  });

  it('fails clearly on a damaged backup and leaves the target empty', async () => {
    const cut = join(dir, 'cut.backup');
    copyFileSync(backup, cut);
    truncateSync(cut, Math.floor(readFileSync(backup).length * 0.6));
    const url = await target();
    await expect(restoreDatabase(url, cut, actor)).rejects.toMatchObject({ code: 'DB_BACKUP_CORRUPT', message: expect.stringContaining('已损坏'), message_en: expect.stringContaining('corrupt') });
    expect(await tablesOf(url)).toEqual([]);

    const garbage = join(dir, 'garbage.backup');
    writeFileSync(garbage, randomBytes(4096));
    await expect(restoreDatabase(url, garbage, actor)).rejects.toMatchObject({ code: 'DB_BACKUP_UNRECOGNISED' });
    expect(await tablesOf(url)).toEqual([]);
  });

  it('refuses a backup of the other kind of database', async () => {
    const other = dialect === 'sqlite' ? 'postgres://postgres@127.0.0.1:5432/nowhere' : `sqlite:${join(dir, 'other.db')}`;
    await expect(restoreDatabase(other, backup, actor)).rejects.toMatchObject({ code: 'DB_RESTORE_WRONG_KIND' });
  });
});

describe('PostgreSQL client programs', () => {
  it('are found on PATH or in /usr/bin, and their absence is explained', () => {
    expect(findPgTool('pg_dump')).toMatch(/\/pg_dump$/);
    expect(() => findPgTool('pg_restore', [mkdtempSync(join(tmpdir(), 'lantai-nopg-'))])).toThrow(expect.objectContaining({
      code: 'DB_TOOL_MISSING', message: expect.stringContaining('找不到 pg_restore'), message_en: expect.stringContaining('postgresql-client'),
    }));
  });
});
