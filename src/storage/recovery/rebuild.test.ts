import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/database.js';
import { CLASSIFICATION_LEVELS } from '../../domain/classification.js';
import { verifyAuditChain } from '../../platform/audit/audit.service.js';
import { defaultConfig } from '../../platform/config.js';
import type { AppContext } from '../../platform/context.js';
import { PROJECT_ROOT } from '../../platform/paths.js';
import { cliActor } from '../../security/actor.js';
import { search } from '../../search/search.service.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../test-support/databases.js';
import { objectPath } from '../ocfl/layout.js';
import { LANTAI_METADATA_PATHS, type OcflRepository } from '../ocfl/repository.js';
import { rebuildFromStorage } from './rebuild.js';
import { describeTestArchive, storeTestFiles } from './recovery-testkit.js';

const run = promisify(execFile);

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/**
 * Everything a rebuild must bring back. Rows are keyed by codes where the rebuilt database may
 * number them differently (fonds, categories); who created a row and the optimistic-lock version
 * of items are not part of the metadata.
 */
async function snapshot(ctx: AppContext) {
  const db = ctx.database.db;
  const items = (await db.selectFrom('items as i').innerJoin('fonds as f', 'f.id', 'i.fonds_id').innerJoin('categories as c', 'c.id', 'i.category_id')
    .selectAll('i').select(['f.code as fonds', 'c.code as category']).orderBy('i.id').execute())
    .map(({ fonds_id: _f, category_id: _c, created_by: _cb, version: _v, ...row }) => row);
  const volumes = (await db.selectFrom('volumes').selectAll().orderBy('id').execute()).map(({ fonds_id: _f, category_id: _c, created_by: _cb, ...row }) => row);
  const organizations = await db.selectFrom('organizations as o').leftJoin('organizations as p', 'p.id', 'o.parent_id').select(['o.code', 'o.name', 'o.kind', 'p.code as parent']).orderBy('o.code').execute();
  const fonds = await db.selectFrom('fonds as f').innerJoin('organizations as o', 'o.id', 'f.organization_id').select(['f.code', 'f.name', 'f.start_year', 'f.end_year', 'f.history', 'o.code as organization']).orderBy('f.code').execute();
  const categories = await db.selectFrom('categories as c').innerJoin('fonds as f', 'f.id', 'c.fonds_id')
    .select(['f.code as fonds', 'c.code', 'c.name', 'c.name_en', 'c.arrangement', 'c.code_template', 'c.volume_template', 'c.field_schema']).orderBy('f.code').orderBy('c.code').execute();
  const preservation = {
    objects: (await db.selectFrom('preservation_objects').selectAll().orderBy('item_id').execute()).map(({ created_at: _c, updated_at: _u, ...row }) => row),
    versions: await db.selectFrom('preservation_versions').selectAll().orderBy('item_id').orderBy('number').execute(),
    files: (await db.selectFrom('preservation_files').selectAll().orderBy('item_id').orderBy('version_number').orderBy('logical_path').execute()).map(({ id: _id, ...row }) => row),
  };
  return { items, volumes, structure: { organizations, fonds, categories }, preservation };
}

const everything = { fondsIds: 'all' as const, classifications: [...CLASSIFICATION_LEVELS], openOnly: false };
const actor = cliActor('tester');

describe.each(BACKENDS)('rebuild from storage on %s', (dialect) => {
  let t: TestApp;
  let fresh: TestDatabase;
  let storage: string;
  let itemIds: number[];
  let before: Snapshot;
  let repo: OcflRepository;
  const config = defaultConfig(tmpdir());

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ({ itemIds } = await describeTestArchive(t));
    storage = mkdtempSync(join(tmpdir(), 'lantai-rebuild-'));
    repo = await storeTestFiles(t, itemIds, storage);
    before = await snapshot(t.ctx);
    // The catalogue is lost: nothing of the old database survives but the storage root.
    await t.dispose();
    fresh = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await repo?.store.close();
    await fresh?.dispose();
    rmSync(storage, { recursive: true, force: true });
  });

  it('brings back every item with the same id, code, sort key and description, searchable', async () => {
    const ctx = { database: fresh.database, config };
    const progress: number[] = [];
    const report = await rebuildFromStorage(ctx, actor, storage, { batchSize: 2, onProgress: (p) => progress.push(p.done) });
    expect(report).toMatchObject({ objects: 5, items: 5, organizations: 2, fonds: 2, categories: 3, volumes: 1, files: before.preservation.files.length, problems: [], ignored: [] });
    expect(report.storageRoot).toBe(join(storage, 'ocfl'));
    expect(progress).toEqual([1, 2, 3, 4, 5]);

    const after = await snapshot(ctx);
    expect(after.items.map((i) => i.id)).toEqual(itemIds);
    for (const [i, item] of after.items.entries()) expect(item).toEqual(before.items[i]);
    expect(after.volumes).toEqual(before.volumes);
    expect(after.structure).toEqual(before.structure);
    expect(before.preservation.versions.filter((v) => v.item_id === itemIds[0])).toHaveLength(2);
    expect(after.preservation).toEqual(before.preservation);

    const hits = await search(ctx, everything, { q: '石榴园' });
    expect(hits.items.map((h) => h.id)).toEqual([itemIds[1]]);
    expect((await search(ctx, everything, { q: '峄城' })).total).toBe(4);

    const audit = await fresh.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'catalog.rebuild').executeTakeFirstOrThrow();
    expect(audit.actor_name).toBe('cli:tester');
    expect(JSON.parse(audit.details!)).toMatchObject({ items: 5, objects: 5, skipped: 0, fonds: 2 });
    expect((await verifyAuditChain(fresh.database)).ok).toBe(true);
  });

  it('leaves the id sequences past the rebuilt ids', async () => {
    const row = await fresh.database.db.insertInto('organizations')
      .values({ code: 'NEW', name: '新机构', kind: 'agency', state: 'active', created_at: new Date().toISOString(), updated_at: new Date().toISOString(), version: 1 })
      .returning('id').executeTakeFirstOrThrow();
    expect(row.id).toBe(3);
    const { id: _id, fonds: _f, category: _c, ...described } = before.items[0]!;
    const item = await fresh.database.db.insertInto('items')
      .values({ ...described, archival_code: 'Z109-WS·2011·Y·办公室-0099', sort_key: 'z', fonds_id: 1, category_id: 1, volume_id: null, version: 1 })
      .returning('id').executeTakeFirstOrThrow();
    expect(Number(item.id)).toBe(Math.max(...itemIds) + 1);
  });

  it('refuses a database that already holds a catalogue', async () => {
    await expect(rebuildFromStorage({ database: fresh.database, config }, actor, storage)).rejects.toMatchObject({
      code: 'REBUILD_DATABASE_NOT_EMPTY', message: expect.stringContaining('空数据库'), message_en: expect.stringContaining('empty database'),
    });
  });

  it('reports and skips damaged objects and bad metadata whole, and leaves other objects alone', async () => {
    const damaged = itemIds[0]!;
    const files = await repo.listFiles(`lantai:item:${damaged}`);
    const pdf = files.find((f) => f.logicalPath.endsWith('.pdf'))!;
    const pdfPath = join(storage, 'ocfl', objectPath(`lantai:item:${damaged}`), pdf.contentPath);
    const bytes = readFileSync(pdfPath);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(pdfPath, bytes);
    const good = JSON.parse((await repo.readFile(`lantai:item:${itemIds[1]}`, LANTAI_METADATA_PATHS.json)).toString('utf8'));
    await repo.createOrUpdateObject('lantai:item:999', [
      { logicalPath: LANTAI_METADATA_PATHS.json, body: Buffer.from(JSON.stringify({ ...good, item: { ...good.item, id: 999, year: '二〇一一' } })) },
    ], { message: 'test', user: { name: 'test' } });
    await repo.createOrUpdateObject('lantai:item:998', [{ logicalPath: LANTAI_METADATA_PATHS.json, body: Buffer.from('{"format": "lantai-item-metadata/1", ') }], { message: 'test', user: { name: 'test' } });
    await repo.createOrUpdateObject('urn:uuid:5c0e7a36-0d52-4bd1-9d43-1f1d3a4b6a10', [{ logicalPath: 'a.txt', body: Buffer.from('a') }], { message: 'test', user: { name: 'test' } });

    const target = await createTestDatabase(dialect);
    try {
      const report = await rebuildFromStorage({ database: target.database, config }, actor, join(storage, 'ocfl'));
      expect(report).toMatchObject({ objects: 8, items: 4 });
      expect(report.ignored).toEqual([{ objectPath: objectPath('urn:uuid:5c0e7a36-0d52-4bd1-9d43-1f1d3a4b6a10'), objectId: 'urn:uuid:5c0e7a36-0d52-4bd1-9d43-1f1d3a4b6a10' }]);
      const byId = Object.fromEntries(report.problems.map((p) => [p.objectId, p]));
      expect(Object.keys(byId).sort()).toEqual([`lantai:item:${damaged}`, 'lantai:item:998', 'lantai:item:999'].sort());
      expect(byId[`lantai:item:${damaged}`]).toMatchObject({ code: 'OBJECT_INVALID', objectPath: objectPath(`lantai:item:${damaged}`) });
      expect(byId[`lantai:item:${damaged}`]!.findings!.join('\n')).toContain(pdf.contentPath);
      expect(byId['lantai:item:999']).toMatchObject({ code: 'METADATA_INVALID', message_en: expect.stringContaining('item.year must be an integer') });
      expect(byId['lantai:item:998']).toMatchObject({ code: 'METADATA_INVALID', message_en: expect.stringContaining('not valid UTF-8 JSON') });
      const ids = (await target.database.db.selectFrom('items').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      expect(ids).toEqual(itemIds.filter((id) => id !== damaged));
      const recorded = await target.database.db.selectFrom('preservation_objects').select('item_id').orderBy('item_id').execute();
      expect(recorded.map((r) => Number(r.item_id))).toEqual(ids);
    } finally {
      await target.dispose();
    }
  });
});

describe('lantai rebuild (the real command)', () => {
  it('rebuilds into a fresh SQLite file and exits 1 when an object was skipped', async () => {
    const t = await createTestApp('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'lantai-rebuild-cli-'));
    try {
      const { itemIds } = await describeTestArchive(t);
      const repo = await storeTestFiles(t, itemIds, join(dir, 'storage'));
      await repo.store.close();
      const expected = await t.ctx.database.db.selectFrom('items').selectAll().where('id', '=', itemIds[2]!).executeTakeFirstOrThrow();
      await t.dispose();
      const lantai = (url: string, ...args: string[]) =>
        run(process.execPath, [join(PROJECT_ROOT, 'bin/lantai.js'), ...args], {
          env: { ...process.env, LANTAI_DATABASE_URL: url, LANTAI_DATA_DIR: dir, LANTAI_STORAGE_DIR: join(dir, 'storage') }, cwd: dir,
        })
          .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

      const url = `sqlite:${join(dir, 'rebuilt.db')}`;
      const ok = await lantai(url, 'rebuild', '--from-storage', join(dir, 'storage'), '--yes');
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('文件 5');
      expect(ok.stdout).toContain('5 items');
      const database = await openDatabase(url);
      try {
        const row = await database.db.selectFrom('items').selectAll().where('id', '=', itemIds[2]!).executeTakeFirstOrThrow();
        // Fonds and categories are numbered in the order the storage is walked; the other test compares them by code.
        expect(row).toEqual({ ...expected, fonds_id: row.fonds_id, category_id: row.category_id, created_by: null, version: 1 });
      } finally {
        await database.close();
      }

      const again = await lantai(url, 'rebuild', '--from-storage', join(dir, 'storage'), '--yes');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('REBUILD_DATABASE_NOT_EMPTY');

      rmSync(join(dir, 'storage/ocfl', objectPath(`lantai:item:${itemIds[0]}`), 'inventory.json.sha512'));
      // The configured primary location, by name.
      const skipped = await lantai(`sqlite:${join(dir, 'second.db')}`, 'rebuild', '--from-storage', 'primary', '--yes');
      expect(skipped.code).toBe(1);
      expect(skipped.stdout).toContain('4 items');
      expect(skipped.stdout).toContain(`lantai:item:${itemIds[0]}`);
      expect(skipped.stdout).toContain('OBJECT_INVALID');
      expect(skipped.stdout).toContain(join(dir, 'storage/ocfl'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
