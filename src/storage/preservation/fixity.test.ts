import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogFixture, createTestApp, type Session, STRONG_PASSWORD, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { runFixityAudit } from './fixity.js';
import { closeLocations } from './locations.js';
import { PreservationRepository } from './preservation.repository.js';
import { createItem, flipByte, fsLocation, objectFilePath, uploadFiles, useLocations, validateAt } from './preservation-testkit.js';

const PDF = '电子文件/关于2023年工作的通知.pdf';
const bytesOf = (n: number) => Buffer.from(`%PDF-1.7\n关于2023年第${n}项工作的通知\n%%EOF\n`, 'utf8');
const ALL = 60_000;

describe.each(BACKENDS)('fixity audits on %s', (dialect) => {
  let t: TestApp;
  let archivist: Session;
  let categoryId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    useLocations(t.ctx, [fsLocation('primary', join(t.ctx.config.dataDir, 'primary')), fsLocation('disk2', join(t.ctx.config.dataDir, 'disk2'))]);
    ({ archivist, categoryId } = await createCatalogFixture(t, 'zhang'));
  });
  afterAll(async () => {
    if (t) await closeLocations(t.ctx);
    await t?.dispose();
  });

  async function storedItem(n: number): Promise<number> {
    const id = await createItem(archivist, categoryId, `第${n}项工作`);
    const res = await uploadFiles(t, archivist, id, [{ name: PDF, bytes: bytesOf(n) }]);
    expect(res.statusCode, res.body).toBe(201);
    return id;
  }

  /** A whole cycle at the primary, so each test starts from a checkpoint at the beginning. */
  const auditAll = () => runFixityAudit(t.ctx, { location: 'primary', budgetMs: ALL });
  const events = (itemId: number, kind?: string) => new PreservationRepository(t.ctx.database.db).events({ itemId, ...(kind ? { kind } : {}) }, 100);
  const auditEntries = (action: string, itemId: number) =>
    t.ctx.database.db.selectFrom('audit_log').select('details').where('action', '=', action).where('target_id', '=', String(itemId)).execute();

  it('finds a flipped byte on the primary and repairs it from the replica', async () => {
    const id = await storedItem(1);
    await auditAll();
    const path = await objectFilePath(t.ctx, 'primary', id, `v1/content/${PDF}`);
    await flipByte(path);
    const result = await auditAll();
    expect(result).toMatchObject({ checked: 1, failed: 1, repaired: 1, damaged: 0, cycleCompleted: true });
    const [repair, fixity] = await events(id);
    expect(fixity).toMatchObject({ kind: 'fixity', location: 'primary', result: 'fail', algorithm: 'sha512,sha256,sm3' });
    expect(JSON.parse(fixity!.details!).bad).toEqual([{ path: `v1/content/${PDF}`, problem: 'mismatch' }]);
    expect(repair).toMatchObject({ kind: 'repair', result: 'repaired' });
    expect(JSON.parse(repair!.details!)).toMatchObject({ path: `v1/content/${PDF}`, from: 'disk2' });
    expect((await auditEntries('preservation.repair', id)).map((a) => JSON.parse(a.details!))).toEqual([
      expect.objectContaining({ location: 'primary', path: `v1/content/${PDF}`, from: 'disk2' }),
    ]);
    expect(await readFile(path)).toEqual(bytesOf(1));
    expect((await validateAt(t.ctx, 'primary', id)).errors).toEqual([]);
    expect(await auditAll()).toMatchObject({ checked: 1, passed: 1, failed: 0 });
  });

  it('restores a deleted content file', async () => {
    const id = await storedItem(2);
    await auditAll();
    const path = await objectFilePath(t.ctx, 'primary', id, `v1/content/${PDF}`);
    await rm(path);
    expect(await auditAll()).toMatchObject({ checked: 2, failed: 1, repaired: 1 });
    expect((await events(id, 'fixity'))[0]).toMatchObject({ result: 'missing' });
    expect(await readFile(path)).toEqual(bytesOf(2));
  });

  it('repairs a truncated root inventory and a damaged sidecar', async () => {
    const id = await storedItem(3);
    await auditAll();
    await truncate(await objectFilePath(t.ctx, 'primary', id, 'inventory.json'), 100);
    await writeFile(await objectFilePath(t.ctx, 'primary', id, 'v1/inventory.json.sha512'), 'garbage\n');
    const result = await auditAll();
    expect(result).toMatchObject({ failed: 1, repaired: 2, damaged: 0 });
    const repairs = (await events(id, 'repair')).map((e) => JSON.parse(e.details!));
    expect(repairs).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'inventory.json', from: 'disk2' }), expect.objectContaining({ path: 'v1/inventory.json.sha512', from: 'generated' }),
    ]));
    expect((await validateAt(t.ctx, 'primary', id)).errors).toEqual([]);
  });

  it('marks an object damaged when no location has a good copy, and deletes nothing', async () => {
    const id = await storedItem(4);
    await auditAll();
    const primary = await objectFilePath(t.ctx, 'primary', id, `v1/content/${PDF}`);
    const replica = await objectFilePath(t.ctx, 'disk2', id, `v1/content/${PDF}`);
    await flipByte(primary);
    await writeFile(replica, Buffer.from('也坏了'));
    const result = await auditAll();
    expect(result).toMatchObject({ failed: 1, repaired: 0, damaged: 1 });
    const [damage] = await events(id, 'damage');
    expect(JSON.parse(damage!.details!).paths).toEqual([`v1/content/${PDF}`]);
    expect(await auditEntries('preservation.damage', id)).toHaveLength(1);
    expect((await readFile(primary)).length).toBe(bytesOf(4).length);
    expect((await readFile(replica)).toString()).toBe('也坏了');
    const db = new PreservationRepository(t.ctx.database.db);
    expect((await db.object(id))!.state).toBe('damaged');
    expect((await db.replica(id, 'primary'))!.state).toBe('damaged');

    const sysadmin = await t.login('sysadmin', STRONG_PASSWORD);
    const summary = await sysadmin.json('GET', '/api/v1/preservation/summary', undefined, 200);
    expect(summary.totals.damaged).toBe(1);
    expect(summary.damaged).toEqual([expect.objectContaining({ itemId: id, objectId: `lantai:item:${id}` })]);
    expect(summary.locations.find((l: any) => l.name === 'primary')).toMatchObject({ damaged: 1, errors: 1, lastError: { code: 'PRESERVATION_DAMAGED' } });

    // Once a good copy is back (a person restored it), the next audit clears the damage.
    await writeFile(replica, bytesOf(4));
    expect(await auditAll()).toMatchObject({ repaired: 1, damaged: 0 });
    expect((await db.object(id))!.state).toBe('ok');
  });

  it('stops when its budget is spent, resumes from the checkpoint, and checks every object once per cycle', async () => {
    await storedItem(5);
    const objects = (await new PreservationRepository(t.ctx.database.db).totals()).objects;
    const checksAtDisk2 = async () => {
      const rows = await t.ctx.database.db.selectFrom('preservation_events').select('item_id').where('kind', '=', 'fixity').where('location', '=', 'disk2').execute();
      return rows.map((r) => r.item_id);
    };
    const first = await runFixityAudit(t.ctx, { location: 'disk2', budgetMs: 0 });
    expect(first).toMatchObject({ cycle: 1, checked: 1, cycleCompleted: false });
    expect(await checksAtDisk2()).toHaveLength(1);
    let runs = 1;
    let last = first;
    while (!last.cycleCompleted) {
      last = await runFixityAudit(t.ctx, { location: 'disk2', budgetMs: 0, batchSize: 2 });
      runs += 1;
    }
    const checked = await checksAtDisk2();
    expect(checked).toHaveLength(objects);
    expect(new Set(checked).size).toBe(objects);
    // One object per run; the run that checks the last one also closes the cycle.
    expect(runs).toBe(objects);
    const cycles = await t.ctx.database.db.selectFrom('preservation_checkpoints').selectAll().where('location', '=', 'disk2').execute();
    expect(cycles).toEqual([expect.objectContaining({ cycle: 1, checked: objects, completed_at: expect.any(String) })]);
    const next = await runFixityAudit(t.ctx, { location: 'disk2', budgetMs: ALL });
    expect(next).toMatchObject({ cycle: 2, checked: objects, cycleCompleted: true });
  });

  it('clears the damage of an object whose copy a person restored in place, recording the pass beside the others that verified', async () => {
    const before = await storedItem(6);
    const id = await storedItem(7);
    const after = await storedItem(8);
    const primary = await objectFilePath(t.ctx, 'primary', id, `v1/content/${PDF}`);
    const replica = await objectFilePath(t.ctx, 'disk2', id, `v1/content/${PDF}`);
    await flipByte(primary);
    await flipByte(replica);
    expect(await auditAll()).toMatchObject({ damaged: 1 });
    const db = new PreservationRepository(t.ctx.database.db);
    expect((await db.object(id))!.state).toBe('damaged');

    await writeFile(primary, bytesOf(7));
    const result = await auditAll();
    expect(result).toMatchObject({ checked: result.passed, failed: 0, repaired: 0, damaged: 0, cycleCompleted: true });
    expect((await db.replica(id, 'primary'))).toMatchObject({ state: 'ok', error: null });
    expect((await db.object(id))!.state).toBe('ok');
    // disk2's copy, bad all along, is found by its own audit and repaired from the restored primary.
    expect(await runFixityAudit(t.ctx, { location: 'disk2', budgetMs: ALL })).toMatchObject({ repaired: 1, damaged: 0 });
    expect((await db.object(id))!.state).toBe('ok');
    expect((await events(id, 'fixity')).map((e) => [e.location, e.result])).toEqual([['disk2', 'fail'], ['primary', 'pass'], ['primary', 'fail']]);
    for (const other of [before, after]) expect((await events(other, 'fixity')).filter((e) => e.location === 'primary').map((e) => e.result)).toEqual(['pass', 'pass']);
  });

  it('recomputes only the configured digests, and any one of them finds a changed byte', async () => {
    const id = await storedItem(9);
    await auditAll();
    const path = await objectFilePath(t.ctx, 'primary', id, `v1/content/${PDF}`);
    const configured = t.ctx.config.fixityAlgorithms;
    try {
      for (const algorithm of ['sm3', 'sha256', 'sha512'] as const) {
        t.ctx.config.fixityAlgorithms = [algorithm];
        await flipByte(path);
        expect(await auditAll()).toMatchObject({ failed: 1, repaired: 1 });
        const [, fixity] = await events(id);
        expect(fixity).toMatchObject({ kind: 'fixity', result: 'fail', algorithm });
        expect(await readFile(path)).toEqual(bytesOf(9));
      }
    } finally {
      t.ctx.config.fixityAlgorithms = configured;
    }
  });
});
