import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../platform/paths.js';
import { bootstrapAdministrators } from '../security/users.service.js';
import { defaultConfig } from '../platform/config.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../test-support/databases.js';

const run = promisify(execFile);

/** Runs the real `lantai` command (from source, through tsx) against a database URL. */
async function lantai(url: string, ...args: string[]) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], {
      env: { ...process.env, LANTAI_DATABASE_URL: url, LANTAI_DATA_DIR: mkdtempSync(join(tmpdir(), 'lantai-cli-')) },
      cwd: PROJECT_ROOT,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe.each(BACKENDS)('lantai command on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.dispose());

  it('migrates, then says the schema is current', async () => {
    const r = await lantai(t.url, 'migrate');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('up to date');
  });

  it('creates the administrators once and recovers a password, audited', async () => {
    const first = await lantai(t.url, 'admin', 'init');
    expect(first.stdout).toMatch(/sysadmin\s+\S{16}/);
    expect((await lantai(t.url, 'admin', 'init')).stdout).toContain('exist already');
    const reset = await lantai(t.url, 'admin', 'reset-password', 'auditor');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/one-time password: \S{16}/);
    const row = await t.database.db.selectFrom('audit_log').select(['action', 'actor_name']).where('action', '=', 'user.reset_password').executeTakeFirstOrThrow();
    expect(row.actor_name).toMatch(/^cli:/);
  });

  it('fails with a bilingual message for an unknown account', async () => {
    const r = await lantai(t.url, 'admin', 'reset-password', 'nobody');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('不存在');
    expect(r.stderr).toContain('not found');
  });

  it('verifies the audit chain and names the first row changed behind its back', async () => {
    const ok = await lantai(t.url, 'audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/intact, \d+ rows/);
    await sql`update audit_log set action = 'user.harmless' where seq = 2`.execute(t.database.db);
    const bad = await lantai(t.url, 'audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('第 2 条审计记录被篡改');
    expect(bad.stderr).toContain('audit row 2 was changed');
  });
});

describe('first start', () => {
  it('prints nothing when administrators exist', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      const ctx = { database: t.database, config: defaultConfig(mkdtempSync(join(tmpdir(), 'lantai-'))) };
      expect(await bootstrapAdministrators(ctx)).toHaveLength(3);
      expect(await bootstrapAdministrators(ctx)).toHaveLength(0);
    } finally {
      await t.dispose();
    }
  });
});
