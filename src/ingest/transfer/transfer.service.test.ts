import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createItem, validateAt } from '../../storage/preservation/preservation-testkit.js';
import { primaryLocation } from '../../storage/preservation/locations.js';
import { cleanUpAfterEach, createCatalogFixture, createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { acceptTransfer, checkTransfer, getTransfer, receiveTransfer, returnTransfer } from './transfer.service.js';
import { actorNamed, codeOf, writePackageDir } from './transfer-testkit.js';

let t: TestApp | undefined;
const dirs: string[] = [];
cleanUpAfterEach(() => t, dirs);

async function receivedPackage(app: TestApp, count: number, tamper = false) {
  const fixture = await createCatalogFixture(app, 'archivist');
  const actor = await actorNamed(app.ctx, 'archivist');
  const src = mkdtempSync(join(tmpdir(), 'lantai-transfer-src-'));
  dirs.push(src);
  await writePackageDir(src, count, { tamper });
  const received = await receiveTransfer(app.ctx, actor, { path: src, fileName: 'carrier-001', categoryId: fixture.categoryId });
  return { fixture, actor, received };
}

describe.each(BACKENDS)('receiving a transfer (%s)', (dialect) => {
  it('files every item with its code, files in OCFL and its text searchable, once, however often accept runs', async () => {
    t = await createTestApp(dialect);
    const { fixture, actor, received } = await receivedPackage(t, 3);
    expect(received.state).toBe('received');
    const checked = await checkTransfer(t.ctx, actor, received.id, { scanner: null });
    expect(checked).toMatchObject({ state: 'awaiting_decision', itemCount: 3, fileCount: 6, format: 'carrier', sender: '峄城区人民政府办公室' });
    expect(checked.report!.blocking).toBe(false);
    expect(checked.report!.checks.find((c) => c.id === 'LT-YJ-1-1-1')).toMatchObject({ result: 'pass', severity: 'blocking' });

    const accepted = await acceptTransfer(t.ctx, actor, received.id);
    expect(accepted).toMatchObject({ state: 'accepted', acceptedCount: 3, decidedBy: actor.userId });
    expect(await acceptTransfer(t.ctx, actor, received.id)).toMatchObject({ state: 'accepted' });

    const items = await t.ctx.database.db.selectFrom('items').select(['id', 'archival_code', 'title']).where('fonds_id', '=', fixture.fondsId).orderBy('archival_code').execute();
    expect(items.map((i) => i.archival_code)).toEqual([codeOf(1), codeOf(2), codeOf(3)]);
    for (const item of items) {
      const files = await fixture.archivist.json('GET', `/api/v1/items/${item.id}/files`, undefined, 200);
      expect(files.files.map((f: { path: string }) => f.path).filter((p: string) => !p.startsWith('lantai/')).sort()).toEqual([
        `${item.archival_code.slice(-4)}.pdf`, `${item.archival_code.slice(-4)}.txt`,
      ]);
      expect((await validateAt(t.ctx, primaryLocation(t.ctx).name, item.id)).valid).toBe(true);
    }
    const hits = await fixture.archivist.json('GET', `/api/v1/search?q=${encodeURIComponent('兰台接收测试2')}`, undefined, 200);
    expect(hits.items.map((h: { archivalCode: string }) => h.archivalCode)).toContain(codeOf(2));

    const actions = await t.ctx.database.db.selectFrom('audit_log').select(['action']).where('action', 'like', 'transfer.%').orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(['transfer.receive', 'transfer.check', 'transfer.accept_start', 'transfer.item_accept', 'transfer.item_accept', 'transfer.item_accept', 'transfer.accept']);
  });

  it('refuses to accept a transfer that failed a blocking check, and returns it with the reason', async () => {
    t = await createTestApp(dialect);
    const { fixture, actor, received } = await receivedPackage(t, 2, true);
    expect((await checkTransfer(t.ctx, actor, received.id, { scanner: null })).report!.blocking).toBe(true);
    const refused = await acceptTransfer(t.ctx, actor, received.id).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 409, code: 'TRANSFER_BLOCKED' });
    expect((refused as { details: { report: { checks: Array<{ id: string; result: string }> } } }).details.report.checks.find((c) => c.id === 'LT-YJ-1-1-1')).toMatchObject({
      result: 'fail', offending: [{ path: '电子档案/2023/0001.pdf' }],
    });
    await expect(returnTransfer(t.ctx, actor, received.id, ' ')).rejects.toMatchObject({ code: 'TRANSFER_REASON_REQUIRED' });
    const returned = await returnTransfer(t.ctx, actor, received.id, '第1件 SM3 摘要不符，请重新移交');
    expect(returned).toMatchObject({ state: 'returned', reason: '第1件 SM3 摘要不符，请重新移交', decidedBy: actor.userId });
    expect((await getTransfer(t.ctx, actor, received.id)).report!.blocking).toBe(true);
    await expect(acceptTransfer(t.ctx, actor, received.id)).rejects.toMatchObject({ code: 'TRANSFER_STATE' });
    await expect(checkTransfer(t.ctx, actor, received.id, { scanner: null })).rejects.toMatchObject({ code: 'TRANSFER_STATE' });
    const items = await t.ctx.database.db.selectFrom('items').select('id').where('fonds_id', '=', fixture.fondsId).execute();
    expect(items).toEqual([]);
  });

  it('checks with the severities the archive configured: a failure made a warning does not block, a check turned off is not run', async () => {
    t = await createTestApp(dialect);
    t.ctx.config.transferCheckSeverity = { 'LT-YJ-1-1-1': 'warning', 'LT-YJ-1-14': 'off' };
    const { actor, received } = await receivedPackage(t, 2, true);
    const { report } = await checkTransfer(t.ctx, actor, received.id, { scanner: null });
    expect(report!.checks.find((c) => c.id === 'LT-YJ-1-1-1')).toMatchObject({ result: 'fail', severity: 'warning', offending: [{ path: '电子档案/2023/0001.pdf' }] });
    expect(report!.checks.find((c) => c.id === 'LT-YJ-1-14')).toMatchObject({ result: 'na', severity: 'off' });
    expect(report!.blocking).toBe(false);
    expect(await acceptTransfer(t.ctx, actor, received.id)).toMatchObject({ state: 'accepted', acceptedCount: 2 });
  });

  it('after a crash between filing an item and recording it, finds that item by its code instead of filing it again', async () => {
    t = await createTestApp(dialect);
    const { fixture, actor, received } = await receivedPackage(t, 2);
    await checkTransfer(t.ctx, actor, received.id, { scanner: null });
    const stopped = new AbortController();
    stopped.abort();
    expect(await acceptTransfer(t.ctx, actor, received.id, { signal: stopped.signal })).toMatchObject({ state: 'accepting', acceptedCount: 0 });
    // What the crashed run left: item 1 in the catalogue, its transfer row still pending.
    const orphan = await createItem(fixture.archivist, fixture.categoryId, '关于第1号文件的通知');
    expect(await acceptTransfer(t.ctx, actor, received.id)).toMatchObject({ state: 'accepted', acceptedCount: 2 });
    const items = await t.ctx.database.db.selectFrom('items').select(['id', 'archival_code']).where('fonds_id', '=', fixture.fondsId).orderBy('archival_code').execute();
    expect(items).toEqual([{ id: orphan, archival_code: codeOf(1) }, { id: expect.any(Number), archival_code: codeOf(2) }]);
  });

  it('never takes over an item someone filed under the same code before accepting began', async () => {
    t = await createTestApp(dialect);
    const { fixture, actor, received } = await receivedPackage(t, 1);
    await checkTransfer(t.ctx, actor, received.id, { scanner: null });
    const other = await t.user('keeper1', { businessRole: 'keeper', allFonds: true });
    await createItem(other, fixture.categoryId, '别人先著录的文件');
    await expect(acceptTransfer(t.ctx, actor, received.id)).rejects.toMatchObject({ status: 409, code: 'ARCHIVAL_CODE_TAKEN' });
    expect(await getTransfer(t.ctx, actor, received.id)).toMatchObject({ state: 'accepting', acceptedCount: 0 });
  });

  it('records a package the unpacker refuses as checked, its structure check failing with the refusal, for returning', async () => {
    t = await createTestApp(dialect);
    await createCatalogFixture(t, 'archivist');
    const actor = await actorNamed(t.ctx, 'archivist');
    const dir = mkdtempSync(join(tmpdir(), 'lantai-transfer-bad-'));
    dirs.push(dir);
    const zip = join(dir, 'broken.zip');
    writeFileSync(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]));
    const category = await t.ctx.database.db.selectFrom('categories').select('id').executeTakeFirstOrThrow();
    const received = await receiveTransfer(t.ctx, actor, { path: zip, fileName: 'broken.zip', categoryId: category.id });
    const checked = await checkTransfer(t.ctx, actor, received.id, { scanner: null });
    expect(checked).toMatchObject({ state: 'awaiting_decision', format: null, itemCount: 0, report: { blocking: true, summary: { fail: 1, pass: 0, blockingFailures: 1 } } });
    const structure = checked.report!.checks.find((c) => c.id === 'LT-YJ-1-13')!;
    expect(structure).toMatchObject({ result: 'fail', severity: 'blocking', offending: [{ reason: expect.stringMatching(/[\u4e00-\u9fff]/), reason_en: expect.stringMatching(/zip/i) }] });
    expect(checked.report!.checks.filter((c) => c.id !== 'LT-YJ-1-13').every((c) => c.result === 'na' && c.note?.en.includes('could not be opened'))).toBe(true);
    const actions = await t.ctx.database.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'transfer.check').execute();
    expect(actions.map((a) => JSON.parse(String(a.details)))).toMatchObject([{ blocking: true, failed: ['LT-YJ-1-13'] }]);
    await expect(acceptTransfer(t.ctx, actor, received.id)).rejects.toMatchObject({ code: 'TRANSFER_BLOCKED' });
    expect(await returnTransfer(t.ctx, actor, received.id, '压缩包已损坏，请重新打包')).toMatchObject({ state: 'returned' });
    await expect(receiveTransfer(t.ctx, actor, { path: zip, fileName: 'x.zip', categoryId: category.id, organizationId: 999 })).rejects.toMatchObject({ status: 404 });
  });
});
