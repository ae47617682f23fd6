import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageLocationConfig } from '../../platform/config.js';
import { createCatalogFixture, createTestApp, type Session, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { startS3Server, type TestS3Server } from '../../test-support/s3-server.js';
import { closeLocations, primaryLocation } from './locations.js';
import { objectIdOf } from './object-files.js';
import { PreservationRepository } from './preservation.repository.js';
import { createItem, fsLocation, uploadFiles, useLocations, validateAt } from './preservation-testkit.js';
import { reconcileObject } from './reconcile.js';
import { replicateAll, replicationStatus } from './replication.js';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(BACKENDS)('replication on %s', (dialect) => {
  let t: TestApp;
  let s3: TestS3Server;
  let archivist: Session;
  let categoryId: number;
  let primary: StorageLocationConfig;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    s3 = await startS3Server();
    primary = fsLocation('primary', join(t.ctx.config.dataDir, 'primary'));
    ({ archivist, categoryId } = await createCatalogFixture(t, 'zhang'));
  });
  afterAll(async () => {
    if (t) await closeLocations(t.ctx);
    await t?.dispose();
    await s3?.close();
  });

  it('stores while a replica is unreachable, and catches the replica up once it is back', async () => {
    const down = await closedPort();
    const oss = (endpoint: string): StorageLocationConfig => ({ name: 'oss', kind: 's3', ...s3.storeConfig(`replication-${dialect}`), endpoint, maxAttempts: 1, connectTimeoutMs: 500 });
    useLocations(t.ctx, [primary, oss(`http://127.0.0.1:${down}`)]);
    const itemId = await createItem(archivist, categoryId, '关于副本的通知');
    const res = await uploadFiles(t, archivist, itemId, [{ name: '正文.txt', bytes: Buffer.from('正文内容\n') }]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().replicas).toEqual([{ location: 'oss', state: 'lagging', error: expect.objectContaining({ code: 'STORAGE_UNREACHABLE' }) }]);
    const files = await archivist.json('GET', `/api/v1/items/${itemId}/files`, undefined, 200);
    expect(files.locations.find((l: any) => l.location === 'oss')).toMatchObject({ state: 'lagging', version: null, error: { code: 'STORAGE_UNREACHABLE', message_en: expect.stringContaining('unreachable') } });
    expect(files.events.find((e: any) => e.kind === 'replicate')).toMatchObject({ location: 'oss', result: 'error' });
    const lagging = (await replicationStatus(t.ctx)).find((l) => l.name === 'oss')!;
    expect(lagging).toMatchObject({ versionsBehind: 1, objects: 0, errors: 1, lastError: { code: 'STORAGE_UNREACHABLE' } });

    // Still down: the run gives up on the location after its first failure.
    const stillDown = await replicateAll(t.ctx);
    expect(stillDown.locations).toEqual([expect.objectContaining({ location: 'oss', replicated: 0, failed: 1, error: expect.objectContaining({ code: 'STORAGE_UNREACHABLE' }) })]);

    useLocations(t.ctx, [primary, oss(s3.endpoint)]);
    await closeLocations(t.ctx);
    const run = await replicateAll(t.ctx);
    expect(run.locations).toEqual([{ location: 'oss', replicated: 1, failed: 0 }]);
    expect((await validateAt(t.ctx, 'oss', itemId)).errors).toEqual([]);
    const caughtUp = (await replicationStatus(t.ctx)).find((l) => l.name === 'oss')!;
    expect(caughtUp).toMatchObject({ versionsBehind: 0, objects: 1, errors: 0, lastError: null, lastReplicatedAt: expect.any(String) });
    expect((await replicateAll(t.ctx)).locations).toEqual([{ location: 'oss', replicated: 0, failed: 0 }]);
  });

  it('records a version written to storage but never to the database (a crash between the two)', async () => {
    const itemId = await createItem(archivist, categoryId, '关于中断恢复的通知');
    expect((await uploadFiles(t, archivist, itemId, [{ name: '正文.txt', bytes: Buffer.from('第一版\n') }])).statusCode).toBe(201);
    const repo = await primaryLocation(t.ctx).repository();
    await repo.createOrUpdateObject(objectIdOf(itemId), [{ logicalPath: '正文.txt', body: Buffer.from('第二版\n') }], { message: '崩溃前写入', user: { name: 'test' } }, { mode: 'merge' });
    const db = new PreservationRepository(t.ctx.database.db);
    expect((await db.object(itemId))!.head).toBe('v1');
    expect(await reconcileObject(t.ctx, itemId)).toEqual({ action: 'recorded', from: 1, to: 2 });
    expect((await db.object(itemId))!.head).toBe('v2');
    const v2 = await db.files(itemId, 2);
    expect(v2.find((f) => f.logical_path === '正文.txt')).toMatchObject({ content_path: 'v2/content/正文.txt', size: Buffer.byteLength('第二版\n'), format_id: expect.any(String) });
    expect(await db.events({ itemId, kind: 'recover' }, 10)).toHaveLength(1);
    const audit = await t.ctx.database.db.selectFrom('audit_log').select('action').where('target_id', '=', String(itemId)).where('action', '=', 'preservation.reconcile').execute();
    expect(audit).toHaveLength(1);
    expect(await reconcileObject(t.ctx, itemId)).toEqual({ action: 'none', from: 2, to: 2 });

    // The replica is behind the recorded head now, and catches up.
    expect((await replicationStatus(t.ctx)).find((l) => l.name === 'oss')!.versionsBehind).toBe(1);
    expect((await replicateAll(t.ctx)).locations).toEqual([{ location: 'oss', replicated: 1, failed: 0 }]);
    expect((await validateAt(t.ctx, 'oss', itemId)).errors).toEqual([]);
  });
});
