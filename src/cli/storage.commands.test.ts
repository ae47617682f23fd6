import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeBag } from '../ingest/bagit/write.js';
import { closeLocations } from '../storage/preservation/locations.js';
import { describeTestArchive, storeTestFiles } from '../storage/recovery/recovery-testkit.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { runLantai } from '../test-support/cli.js';

describe('lantai ocfl / bag / offline-copy / db', () => {
  let t: TestApp;
  let dir: string;
  const saved = { url: process.env.LANTAI_DATABASE_URL, data: process.env.LANTAI_DATA_DIR, storage: process.env.LANTAI_STORAGE_DIR };

  const lantai = runLantai;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'lantai-cli-storage-'));
    const { itemIds } = await describeTestArchive(t);
    await storeTestFiles(t, itemIds, join(dir, 'storage'));
    await closeLocations(t.ctx);
    process.env.LANTAI_DATABASE_URL = t.ctx.config.databaseUrl;
    process.env.LANTAI_DATA_DIR = dir;
    process.env.LANTAI_STORAGE_DIR = join(dir, 'storage');
  });
  afterEach(() => {
    process.exitCode = 0;
  });
  afterAll(async () => {
    process.env.LANTAI_DATABASE_URL = saved.url;
    process.env.LANTAI_DATA_DIR = saved.data;
    process.env.LANTAI_STORAGE_DIR = saved.storage;
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates an OCFL storage root and a bag, with the validators\' exit codes', async () => {
    const ok = await lantai('ocfl', 'validate', join(dir, 'storage/ocfl'));
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('OCFL storage root is valid: 5 object(s) checked');
    expect((await lantai('ocfl', 'validate', join(dir, 'missing'))).code).toBe(2);

    await writeBag(join(dir, 'bag'), [{ path: '通知.txt', body: Buffer.from('通知') }], [['Source-Organization', '兰台档案馆']]);
    const bag = await lantai('bag', 'validate', join(dir, 'bag'));
    expect(bag.code, bag.stdout + bag.stderr).toBe(0);
    expect(bag.stdout).toContain('Valid bag');
    writeFileSync(join(dir, 'bag/data/通知.txt'), '改动');
    expect((await lantai('bag', 'validate', join(dir, 'bag'))).code).toBe(1);
  });

  it('writes an offline copy of the chosen fonds and says how to verify it', async () => {
    const r = await lantai('offline-copy', '--fonds', 'Z109', '--to', join(dir, 'copy'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('copied 4 objects');
    expect(r.stdout).toContain('sha256sum -c manifest-sha256.txt && lantai ocfl validate ocfl');
    expect((await lantai('ocfl', 'validate', join(dir, 'copy/ocfl'))).code).toBe(0);
    const again = await lantai('offline-copy', '--fonds', 'Z109', '--to', join(dir, 'copy'));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('OFFLINE_COPY_TARGET_NOT_EMPTY');
  });

  it('backs the database up and restores it only with --yes, into an empty file', async () => {
    const file = join(dir, 'lantai.backup');
    const backup = await lantai('db', 'backup', file);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/sqlite, \d+ 字节 \/ bytes, sha256 [0-9a-f]{64}/);

    process.env.LANTAI_DATABASE_URL = `sqlite:${join(dir, 'restored.db')}`;
    const unconfirmed = await lantai('db', 'restore', file);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(existsSync(join(dir, 'restored.db'))).toBe(false);
    const restored = await lantai('db', 'restore', file, '--yes');
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('5 items');
    expect(restored.stdout).toMatch(/audit chain intact, \d+ rows/);
    process.env.LANTAI_DATABASE_URL = t.ctx.config.databaseUrl;
  });
});
