/**
 * Each package format, end to end through the service on both databases: received, checked,
 * accepted into the catalogue, preservation storage and search; and a second delivery of the
 * same items found to duplicate the catalogue and returned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { searchScopeOf, search } from '../../search/search.service.js';
import { primaryLocation } from '../../storage/preservation/locations.js';
import { listItemFiles } from '../../storage/preservation/preservation.service.js';
import { validateAt } from '../../storage/preservation/preservation-testkit.js';
import { cleanUpAfterEach, createCatalogFixture, createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import type { CheckOutcome, CheckReport } from '../checks/types.js';
import type { PackageFormat } from '../packages/model.js';
import { zipDirectory } from '../unpack/zip-fixtures.js';
import { acceptTransfer, checkTransfer, getTransfer, receiveTransfer, returnTransfer } from './transfer.service.js';
import { actorNamed, codeOf, SENDER, writeBagDir, writeDigitizationDir, writeEepDir, writePackageDir } from './transfer-testkit.js';

const COUNT = 3;

interface FormatCase {
  format: PackageFormat;
  /** Writes a package of COUNT items under `dir` and returns what the sender hands over (a directory or a zip). */
  write(dir: string): Promise<string>;
  /** Files each item brings, by name. */
  files(stem: string): string[];
  /** The item carries its text in a .txt file, for full-text search. */
  text: boolean;
  /** Report rows this format must produce, beyond "nothing blocking". */
  rows: Record<string, CheckOutcome>;
}

const pdfAndText = (stem: string) => [`${stem}.pdf`, `${stem}.txt`];
const COMMON_ROWS: Record<string, CheckOutcome> = {
  'YJ-1-8': 'pass', 'LT-YJ-1-7': 'pass', 'LT-YJ-1-10': 'pass', 'LT-YJ-1-11': 'pass', 'LT-YJ-2-4': 'pass', 'LT-YJ-2-7': 'pass', 'LT-YJ-3-4': 'pass', 'LT-YJ-4-3': 'pass',
};

const CASES: FormatCase[] = [
  {
    format: 'carrier', files: pdfAndText, text: true,
    write: async (dir) => zipDirectory(await writePackageDir(join(dir, 'carrier'), COUNT), join(dir, 'carrier.zip')),
    rows: { ...COMMON_ROWS, 'LT-YJ-1-1-1': 'pass', 'LT-YJ-1-14': 'pass', 'LT-YJ-2-1': 'pass', 'LT-YJ-2-2': 'pass', 'LT-YJ-2-11': 'pass', 'LT-YJ-1-12': 'pass' },
  },
  {
    format: 'eep', files: pdfAndText, text: true,
    write: (dir) => writeEepDir(join(dir, 'eep'), COUNT),
    rows: { ...COMMON_ROWS, 'LT-YJ-1-1-1': 'pass', 'LT-YJ-1-14': 'pass', 'LT-YJ-2-3': 'pass', 'LT-YJ-3-1': 'pass' },
  },
  {
    format: 'bagit', files: pdfAndText, text: true,
    write: async (dir) => zipDirectory(await writeBagDir(join(dir, 'bag'), COUNT), join(dir, 'bag.zip')),
    rows: { ...COMMON_ROWS, 'LT-YJ-1-1-1': 'pass', 'LT-YJ-1-14': 'pass', 'LT-YJ-2-1': 'pass', 'LT-YJ-2-2': 'pass', 'LT-YJ-2-11': 'pass' },
  },
  {
    format: 'digitization', files: () => ['0001.png'], text: false,
    write: (dir) => writeDigitizationDir(join(dir, 'scans'), COUNT),
    // Scans come with no digests: their fixity starts at receipt.
    rows: { ...COMMON_ROWS, 'LT-YJ-1-1-1': 'na', 'LT-YJ-2-1': 'pass', 'LT-YJ-1-12': 'pass' },
  },
];

let t: TestApp | undefined;
const dirs: string[] = [];
cleanUpAfterEach(() => t, dirs);

const rowsOf = (report: CheckReport | null, ids: string[]) => Object.fromEntries(ids.map((id) => [id, report!.checks.find((c) => c.id === id)?.result]));

describe.each(BACKENDS)('each package format through check, accept and return (%s)', (dialect) => {
  it.each(CASES)('$format', async ({ format, write, files, text, rows }) => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const actor = await actorNamed(t.ctx, 'archivist');
    const db = t.ctx.database.db;
    const deliver = async (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `lantai-${format}-`));
      dirs.push(dir);
      return receiveTransfer(t!.ctx, actor, { path: await write(dir), fileName: name, categoryId: fixture.categoryId });
    };

    const first = await deliver(`${format}-1`);
    const checked = await checkTransfer(t.ctx, actor, first.id, { scanner: null });
    const failures = JSON.stringify(checked.report!.checks.filter((c) => c.result === 'fail'));
    expect(checked, failures).toMatchObject({ state: 'awaiting_decision', format, itemCount: COUNT, fileCount: COUNT * files('').length });
    expect(checked.report!.blocking, failures).toBe(false);
    expect(rowsOf(checked.report, Object.keys(rows))).toEqual(rows);

    expect(await acceptTransfer(t.ctx, actor, first.id)).toMatchObject({ state: 'accepted', acceptedCount: COUNT });
    const items = await db.selectFrom('items').select(['id', 'archival_code', 'title', 'responsible', 'date', 'year', 'retention', 'org'])
      .where('fonds_id', '=', fixture.fondsId).orderBy('archival_code').execute();
    expect(items.map(({ id: _id, ...rest }) => rest)).toEqual(Array.from({ length: COUNT }, (_, i) => ({
      archival_code: codeOf(i + 1), title: `关于第${i + 1}号文件的通知`, responsible: SENDER, date: '20230315', year: 2023, retention: expect.stringMatching(/^(Y|永久)$/), org: '办公室',
    })));
    const location = primaryLocation(t.ctx).name;
    for (const [i, item] of items.entries()) {
      const stored = await listItemFiles(t.ctx, actor, item.id);
      expect(stored.files.map((f) => f.path).filter((p) => !p.startsWith('lantai/')).sort()).toEqual(files(String(i + 1).padStart(4, '0')));
      expect((await validateAt(t.ctx, location, item.id)).valid).toBe(true);
    }
    const found = async (q: string) => (await search(t!.ctx, searchScopeOf(actor), { q })).items.map((h) => h.archivalCode);
    expect(await found('关于第2号文件的通知')).toEqual([codeOf(2)]);
    if (text) expect(await found('兰台接收测试2')).toEqual([codeOf(2)]);
    const perItem = await db.selectFrom('audit_log').select('target_id').where('action', '=', 'transfer.item_accept').execute();
    expect(perItem.map((a) => Number(a.target_id)).sort((a, b) => a - b)).toEqual(items.map((i) => i.id).sort((a, b) => a - b));

    // The same items delivered again: every code is already in the catalogue.
    const second = await deliver(`${format}-2`);
    const again = await checkTransfer(t.ctx, actor, second.id, { scanner: null });
    expect(again.report!.blocking).toBe(true);
    const duplicates = again.report!.checks.find((c) => c.id === 'YJ-1-8')!;
    expect(duplicates.result).toBe('fail');
    expect(duplicates.offending.map((o) => o.reason_en)).toEqual(Array.from({ length: COUNT }, (_, i) => `Archival code "${codeOf(i + 1)}" is already in the catalogue`));
    const objectsBefore = await db.selectFrom('preservation_objects').select('item_id').execute();
    expect(await returnTransfer(t.ctx, actor, second.id, '档号与馆藏重复，请核对后重新移交 / archival codes already held; check and transfer again')).toMatchObject({ state: 'returned', reason: expect.stringContaining('档号与馆藏重复') });
    await expect(acceptTransfer(t.ctx, actor, second.id)).rejects.toMatchObject({ code: 'TRANSFER_STATE' });
    expect((await getTransfer(t.ctx, actor, second.id)).report!.blocking).toBe(true);
    expect(await db.selectFrom('items').select('id').where('fonds_id', '=', fixture.fondsId).execute()).toHaveLength(COUNT);
    expect(await db.selectFrom('preservation_objects').select('item_id').execute()).toEqual(objectsBefore);
    expect(await db.selectFrom('audit_log').select('seq').where('action', '=', 'transfer.item_accept').execute()).toHaveLength(COUNT);
  }, 60_000);
});
