/**
 * A 修改型 DA/T 48 EEP through the service on both databases: checked as one item, the files of
 * its original layer checked too, and accepted as one catalogue item whose preservation object
 * keeps the 原封装包 as v1 and the 修订内容 as v2, also when accepting stopped between the two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../platform/context.js';
import type { Actor } from '../../security/actor.js';
import { primaryLocation } from '../../storage/preservation/locations.js';
import { listItemFiles } from '../../storage/preservation/preservation.service.js';
import { validateAt } from '../../storage/preservation/preservation-testkit.js';
import { cleanUpAfterEach, createCatalogFixture, createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { acceptTransfer, checkTransfer, receiveTransfer, transferDir } from './transfer.service.js';
import { actorNamed, codeOf, type FixtureOptions, REVISED_TITLE, revisedPdfName, SENDER, writeEepDir } from './transfer-testkit.js';

const COUNT = 2;

let t: TestApp | undefined;
const dirs: string[] = [];
cleanUpAfterEach(() => t, dirs);

async function setUp(dialect: (typeof BACKENDS)[number], opts: FixtureOptions) {
  t = await createTestApp(dialect);
  const fixture = await createCatalogFixture(t, 'archivist');
  const actor = await actorNamed(t.ctx, 'archivist');
  const dir = mkdtempSync(join(tmpdir(), 'lantai-eep-revision-'));
  dirs.push(dir);
  const received = await receiveTransfer(t.ctx, actor, { path: await writeEepDir(join(dir, 'eep'), COUNT, { revise: true, ...opts }), fileName: 'eep-revised', categoryId: fixture.categoryId });
  return { ctx: t.ctx, fixture, actor, id: received.id, checked: await checkTransfer(t.ctx, actor, received.id, { scanner: null }) };
}

const versionsOf = async (ctx: AppContext, actor: Actor, itemId: number) => (await listItemFiles(ctx, actor, itemId)).versions.map((v) => [v.version, v.message]);

describe.each(BACKENDS)('a 修改型 EEP (%s)', (dialect) => {
  it('is checked as one item and accepted as one whose object keeps the original package as v1 and the revision as v2, resuming between the two', async () => {
    const { ctx, fixture, actor, id, checked } = await setUp(dialect, {});
    const db = ctx.database.db;
    const failures = JSON.stringify(checked.report!.checks.filter((c) => c.result === 'fail'));
    expect(checked, failures).toMatchObject({ state: 'awaiting_decision', format: 'eep', itemCount: COUNT, fileCount: COUNT * 4 });
    expect(checked.report!.blocking, failures).toBe(false);
    const rows = ['YJ-1-8', 'LT-YJ-1-1-1', 'LT-YJ-1-14', 'LT-YJ-1-10', 'LT-YJ-2-7', 'LT-YJ-3-4'];
    expect(Object.fromEntries(rows.map((r) => [r, checked.report!.checks.find((c) => c.id === r)!.result]))).toEqual(Object.fromEntries(rows.map((r) => [r, 'pass'])));
    expect(checked.report!.summary).toMatchObject({ items: COUNT, files: COUNT * 4 });

    const original = [`移交接收 #${id}：原封装包 / accepted from transfer #${id}: original package`];
    const revision = [`移交接收 #${id}：修订内容 / accepted from transfer #${id}: revision`];
    // The second item's revised PDF gone: accepting stops after storing that item's first version.
    const second = () => db.selectFrom('transfer_items').select(['item_id', 'state', 'files', 'versions_stored']).where('transfer_id', '=', id).where('seq', '=', 1).executeTakeFirstOrThrow();
    const files = JSON.parse((await second()).files) as Array<{ name: string; path: string }>;
    const revisedPdf = join(transferDir(ctx, id), files.find((f) => f.name === revisedPdfName('0002'))!.path);
    await rename(revisedPdf, `${revisedPdf}.away`);
    await expect(acceptTransfer(ctx, actor, id)).rejects.toMatchObject({ code: 'ENOENT' });
    const stopped = await second();
    expect(stopped).toMatchObject({ state: 'created', versions_stored: 1 });
    expect(await versionsOf(ctx, actor, stopped.item_id!)).toEqual([['v1', ...original]]);
    // As if the process had died after storing v1 and before counting it: v1 is stored again, which makes no new version.
    await db.updateTable('transfer_items').set({ versions_stored: 0 }).where('transfer_id', '=', id).where('seq', '=', 1).execute();
    await expect(acceptTransfer(ctx, actor, id)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await second()).toMatchObject({ state: 'created', versions_stored: 1 });
    expect(await versionsOf(ctx, actor, stopped.item_id!)).toEqual([['v1', ...original]]);
    await rename(`${revisedPdf}.away`, revisedPdf);
    expect(await acceptTransfer(ctx, actor, id)).toMatchObject({ state: 'accepted', acceptedCount: COUNT });

    const items = await db.selectFrom('items').select(['id', 'archival_code', 'title', 'responsible']).where('fonds_id', '=', fixture.fondsId).orderBy('archival_code').execute();
    expect(items.map(({ id: _id, ...rest }) => rest)).toEqual(Array.from({ length: COUNT }, (_, i) => ({
      archival_code: codeOf(i + 1), title: `关于第${i + 1}号文件的通知${REVISED_TITLE}`, responsible: SENDER,
    })));
    const location = primaryLocation(ctx).name;
    for (const [i, item] of items.entries()) {
      const stem = String(i + 1).padStart(4, '0');
      expect(await versionsOf(ctx, actor, item.id)).toEqual([['v1', ...original], ['v2', ...revision]]);
      const content = async (version: number) => Object.fromEntries((await listItemFiles(ctx, actor, item.id, version)).files.filter((f) => !f.path.startsWith('lantai/')).map((f) => [f.path, f.sha512]));
      const [v1, v2] = [await content(1), await content(2)];
      // The revision replaced the file set: the PDF it dropped is in v1 only, the text it kept is the same bytes in both.
      expect(Object.keys(v1).sort()).toEqual([`${stem}.pdf`, `${stem}.txt`]);
      expect(Object.keys(v2).sort()).toEqual([revisedPdfName(stem), `${stem}.txt`]);
      expect(v2[`${stem}.txt`]).toBe(v1[`${stem}.txt`]);
      expect(v2[revisedPdfName(stem)]).not.toBe(v1[`${stem}.pdf`]);
      const validation = await validateAt(ctx, location, item.id);
      expect(validation.valid, JSON.stringify(validation)).toBe(true);
    }
    expect(await db.selectFrom('audit_log').select('seq').where('action', '=', 'transfer.item_accept').execute()).toHaveLength(COUNT);

    // As if the process had died after storing the second item's v2 and before counting it: the
    // revision is stored again, which makes no new version, and the original is not.
    await db.updateTable('transfers').set({ state: 'accepting', accepted_count: COUNT - 1 }).where('id', '=', id).execute();
    await db.updateTable('transfer_items').set({ state: 'created', versions_stored: 1 }).where('transfer_id', '=', id).where('seq', '=', 1).execute();
    expect(await acceptTransfer(ctx, actor, id)).toMatchObject({ state: 'accepted', acceptedCount: COUNT });
    expect(await versionsOf(ctx, actor, items[1]!.id)).toEqual([['v1', ...original], ['v2', ...revision]]);
  }, 90_000);

  it('fails the digest check for a file of the original layer altered in transit', async () => {
    const { checked } = await setUp(dialect, { tamper: true });
    expect(checked.report!.blocking).toBe(true);
    const result = (id: string) => checked.report!.checks.find((c) => c.id === id)!;
    expect(result('YJ-1-8').result).toBe('pass');
    expect(result('LT-YJ-1-1-1').offending.map((o) => [o.item, o.path, o.reason_en.split(':')[0]])).toEqual([['0001.xml 原封装包', 'eep-content/1/1/0001.pdf', 'SM3 digest mismatch']]);
    expect(result('LT-YJ-1-14').offending.map((o) => [o.item, o.path])).toEqual([['0001.xml 原封装包', 'eep-content/1/1/0001.pdf']]);
  }, 60_000);
});
