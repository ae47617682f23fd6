import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { PDFDocument, PDFName, type PDFRawStream, type PDFRef } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogFixture, createTestApp, type Session, type TestApp } from '../test-support/app.js';
import { BACKENDS } from '../test-support/databases.js';

const HEADER = ['档号', '题名', '责任者', '文号', '日期', '保管期限', '密级', '页数', '备注', '机构', '载体形态'];
const code = (n: number, year = 2023) => `Z109-WS·${year}·Y·办公室-${String(n).padStart(4, '0')}`;
const row = (n: number, over: Partial<Record<string, unknown>> = {}) => {
  const base: Record<string, unknown> = {
    档号: code(n), 题名: `关于第${n}项工作的通知`, 责任者: '峄城区人民政府办公室', 文号: `峄政办发〔2023〕${n}号`, 日期: '20230315', 保管期限: '永久', 密级: '公开', 页数: n, 备注: '', 机构: '办公室', 载体形态: '纸质',
    ...over,
  };
  return HEADER.map((h) => base[h] ?? '');
};

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function readXlsx(bytes: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const out: unknown[][] = [];
  wb.worksheets[0]!.eachRow((r) => out.push((r.values as unknown[]).slice(1)));
  return out;
}

const csv = (rows: unknown[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',')).join('\r\n') + '\r\n';

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.each(BACKENDS)('spreadsheet import and export on %s', (dialect) => {
  let t: TestApp;
  let archivist: Session;
  let fondsId: number;
  let categoryId: number;
  const mapping: Record<string, string> = {
    档号: 'archival_code', 题名: 'title', 责任者: 'responsible', 文号: 'doc_number', 日期: 'date', 保管期限: 'retention', 密级: 'classification',
    页数: 'pages', 备注: 'notes', 机构: 'org', 载体形态: 'carrier',
  };

  async function upload(s: Session, bytes: Buffer, fileName: string, category = categoryId) {
    const boundary = `----lantai${Math.random().toString(16).slice(2)}`;
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return t.app.inject({
      method: 'POST', url: `/api/v1/categories/${category}/import/upload`, payload,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  }
  async function uploaded(bytes: Buffer, fileName: string) {
    const res = await upload(archivist, bytes, fileName);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }
  const liveItems = () => t.ctx.database.db.selectFrom('items').selectAll().where('category_id', '=', categoryId).where('state', '=', 'active').orderBy('sort_key').execute();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ({ archivist, fondsId, categoryId } = await createCatalogFixture(t, 'importer'));
  });
  afterAll(async () => t?.dispose());

  const sheet = () => [HEADER, row(1), row(2), row(3, { 日期: '20230230' }), row(4), row(5)];

  it('reads an uploaded .xlsx and suggests a mapping from its headers', async () => {
    const up = await uploaded(await xlsx(sheet()), '文书目录.xlsx');
    expect(up).toMatchObject({ fileName: '文书目录.xlsx', format: 'xlsx', columns: HEADER, rowCount: 5 });
    expect(up.uploadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(up.sample).toHaveLength(5);
    expect(up.sample[0][0]).toBe(code(1));
    expect(up.suggestedMapping).toEqual(mapping);
  });

  it('lists exactly the bad row in a dry run and writes nothing', async () => {
    const up = await uploaded(await xlsx(sheet()), 'a.xlsx');
    const dry = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/dry-run`, { uploadId: up.uploadId, mapping }, 200);
    expect(dry).toMatchObject({ total: 5, valid: 4, invalid: 1, toCreate: 4, toUpdate: 0, toSkip: 0, errorsTruncated: false });
    expect(dry.errors).toEqual([expect.objectContaining({ row: 4, field: 'date', column: '日期', code: 'FIELD_INVALID_DATE' })]);
    expect(dry.errors[0].message).toMatch(/^第 4 行/);
    expect(dry.errors[0].message_en).toMatch(/^Row 4/);
    expect(await liveItems()).toHaveLength(0);
  });

  it('writes nothing in all-or-nothing mode when a row is bad', async () => {
    const up = await uploaded(await xlsx(sheet()), 'a.xlsx');
    const res = await archivist.call('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: up.uploadId, mapping, mode: 'all-or-nothing' });
    expect(res.statusCode).toBe(422);
    const err = res.json().error;
    expect(err.code).toBe('IMPORT_HAS_ERRORS');
    expect(err.details.errors).toEqual([expect.objectContaining({ row: 4, field: 'date' })]);
    expect(await liveItems()).toHaveLength(0);
    const audit = await t.ctx.database.db.selectFrom('audit_log').select('action').where('action', '=', 'catalog.import').execute();
    expect(audit).toHaveLength(0);
  });

  it('writes the good rows in valid-only mode, with one audit entry for the import', async () => {
    const bytes = await xlsx(sheet());
    const up = await uploaded(bytes, 'a.xlsx');
    const done = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: up.uploadId, mapping, mode: 'valid-only' }, 200);
    expect(done).toMatchObject({ created: 4, updated: 0, skipped: 0, invalid: 1 });
    const items = await liveItems();
    expect(items.map((i) => i.archival_code)).toEqual([code(1), code(2), code(4), code(5)]);
    expect(items[0]).toMatchObject({ title: '关于第1项工作的通知', year: 2023, retention: 'Y', pages: 1, org: '办公室', open_status: '未审核', version: 1 });
    expect(JSON.parse(items[0]!.extra)).toEqual({ carrier: '纸质' });
    const audit = await t.ctx.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'catalog.import').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target_type: 'category', target_id: String(categoryId), actor_name: 'importer' });
    const { createHash } = await import('node:crypto');
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({
      fileName: 'a.xlsx', sha256: createHash('sha256').update(bytes).digest('hex'), created: 4, invalid: 1, firstCode: code(1), lastCode: code(5),
    });
    // The mapping used is kept and offered for the next sheet of the category.
    const category = await archivist.json('GET', `/api/v1/categories/${categoryId}`, undefined, 200);
    expect(category.importMapping).toEqual(mapping);
  });

  it('skips unchanged rows on re-import and updates a changed one with a new version', async () => {
    const again = await uploaded(await xlsx(sheet()), 'a.xlsx');
    const skip = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: again.uploadId, mapping, mode: 'valid-only' }, 200);
    expect(skip).toMatchObject({ created: 0, updated: 0, skipped: 4, invalid: 1 });
    expect(await liveItems()).toHaveLength(4);

    const changed = [HEADER, row(1), row(2, { 题名: '关于第2项工作的通知（修订）' }), row(4), row(5)];
    const up = await uploaded(await xlsx(changed), 'b.xlsx');
    const dry = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/dry-run`, { uploadId: up.uploadId, mapping }, 200);
    expect(dry).toMatchObject({ total: 4, toCreate: 0, toUpdate: 1, toSkip: 3, invalid: 0 });
    const done = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: up.uploadId, mapping, mode: 'all-or-nothing' }, 200);
    expect(done).toMatchObject({ created: 0, updated: 1, skipped: 3, invalid: 0, errors: [] });
    const items = await liveItems();
    expect(items).toHaveLength(4);
    const second = items.find((i) => i.archival_code === code(2))!;
    expect(second).toMatchObject({ title: '关于第2项工作的通知（修订）', version: 2 });
    const updates = await t.ctx.database.db.selectFrom('audit_log').select(['target_id']).where('action', '=', 'item.update').execute();
    expect(updates).toEqual([{ target_id: String(second.id) }]);
  });

  it('numbers rows without a 档号 after the items and the rows above them', async () => {
    const header = HEADER.slice(1);
    const rows = [header, row(0, { 题名: '补充件一' }).slice(1), row(0, { 题名: '补充件二' }).slice(1)];
    const up = await uploaded(await xlsx(rows), 'c.xlsx');
    const { 档号: _code, ...rest } = mapping;
    const done = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: up.uploadId, mapping: rest, mode: 'all-or-nothing', saveMapping: false }, 200);
    expect(done).toMatchObject({ created: 2, invalid: 0 });
    const items = await liveItems();
    expect(items.filter((i) => i.title.startsWith('补充件')).map((i) => i.archival_code)).toEqual([code(6), code(7)]);
  });

  it('reports a 档号 repeated within the sheet on the later row', async () => {
    const up = await uploaded(await xlsx([HEADER, row(20), row(21), row(20, { 题名: '重复' })]), 'd.xlsx');
    const dry = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/dry-run`, { uploadId: up.uploadId, mapping }, 200);
    expect(dry.errors).toEqual([expect.objectContaining({ row: 4, field: 'archival_code', column: '档号', code: 'DUPLICATE_IN_SHEET' })]);
    expect(dry.errors[0].message).toContain('第 2 行');
  });

  it('imports a GBK CSV with Chinese content, found without being told the encoding', async () => {
    const rows = [HEADER, row(30, { 题名: '峄城区关于“档案”工作的通知，含逗号', 备注: '第一行\n第二行' }), row(31, { 题名: '鳌头镇人民政府' })];
    const up = await uploaded(iconv.encode(csv(rows), 'gbk'), '目录.csv');
    expect(up).toMatchObject({ format: 'csv', encoding: 'gb18030', rowCount: 2 });
    const done = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: up.uploadId, mapping, mode: 'all-or-nothing' }, 200);
    expect(done.created).toBe(2);
    const items = await liveItems();
    expect(items.find((i) => i.archival_code === code(30))).toMatchObject({ title: '峄城区关于“档案”工作的通知，含逗号', notes: '第一行\n第二行' });
    expect(items.find((i) => i.archival_code === code(31))!.title).toBe('鳌头镇人民政府');
  });

  it('stores SQL metacharacters and markup as plain text and names an over-long field', async () => {
    const evil = `'); DROP TABLE items; -- <script>alert(1)</script>`;
    const rows = [HEADER, row(40, { 题名: evil, 责任者: 'Robert"); --' }), row(41, { 题名: '长'.repeat(1001) })];
    const up = await uploaded(Buffer.from('\ufeff' + csv(rows), 'utf8'), 'e.csv');
    expect(up.encoding).toBe('utf-8');
    const done = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: up.uploadId, mapping, mode: 'valid-only' }, 200);
    expect(done).toMatchObject({ created: 1, invalid: 1 });
    expect(done.errors).toEqual([expect.objectContaining({ row: 3, field: 'title', column: '题名', code: 'FIELD_TOO_LONG' })]);
    const item = (await liveItems()).find((i) => i.archival_code === code(40))!;
    expect(item).toMatchObject({ title: evil, responsible: 'Robert"); --' });
  });

  it('refuses oversized, non-spreadsheet, broken, empty and wrongly encoded files, keeping nothing', async () => {
    const limit = t.ctx.config.importMaxBytes;
    t.ctx.config.importMaxBytes = 1024;
    try {
      const big = await upload(archivist, Buffer.from(csv([HEADER, ...Array.from({ length: 50 }, (_, i) => row(100 + i))])), 'big.csv');
      expect(big.statusCode).toBe(413);
      expect(big.json().error.code).toBe('IMPORT_FILE_TOO_LARGE');
    } finally {
      t.ctx.config.importMaxBytes = limit;
    }
    const pdf = await upload(archivist, Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), '目录.xlsx');
    expect(pdf.statusCode).toBe(415);
    expect(pdf.json().error).toMatchObject({ code: 'IMPORT_FILE_TYPE', message: expect.stringContaining('PDF'), message_en: expect.stringContaining('PDF') });
    const good = await xlsx(sheet());
    const broken = await upload(archivist, good.subarray(0, Math.floor(good.length / 2)), 'broken.xlsx');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('IMPORT_FILE_BROKEN');
    const empty = await upload(archivist, await xlsx([]), 'empty.xlsx');
    expect(empty.json().error.code).toBe('IMPORT_EMPTY');
    const headerOnly = await upload(archivist, Buffer.from(csv([HEADER])), 'header.csv');
    expect(headerOnly.json().error).toMatchObject({ code: 'IMPORT_EMPTY', message: expect.stringContaining('标题行') });
    const noHeader = await upload(archivist, Buffer.from(csv([row(1), row(2)].map((r) => r.slice(4, 8)))), 'noheader.csv');
    expect(noHeader.json().error.code).toBe('IMPORT_HEADER_MISSING');
    const traditional = [['檔號', '題名', '責任者', '日期', '保管期限'], ['Z109-WS·2023·Y·辦公室-0060', '關於進一步加強檔案工作的通知', '嶧城區人民政府辦公室', '20230315', '永久'], ['Z109-WS·2023·Y·辦公室-0061', '臺灣檔案館藏資料彙編說明', '鰲頭鎮人民政府', '20230316', '永久']];
    const big5 = await upload(archivist, iconv.encode(csv(traditional), 'big5'), 'big5.csv');
    expect(big5.statusCode).toBe(400);
    expect(big5.json().error.code).toBe('IMPORT_ENCODING');
    const leftovers = await import('node:fs/promises').then((fs) => fs.readdir(join(t.ctx.config.dataDir, 'uploads')));
    const metas = leftovers.filter((n) => n.endsWith('.json'));
    expect(leftovers.length).toBe(metas.length * 2);
  });

  it('keeps an upload to its sender and checks the mapping', async () => {
    const up = await uploaded(await xlsx(sheet()), 'a.xlsx');
    const other = await t.user('keeper2', { businessRole: 'keeper', clearance: '机密', allFonds: true });
    const res = await other.call('POST', `/api/v1/categories/${categoryId}/import/dry-run`, { uploadId: up.uploadId, mapping });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('IMPORT_UPLOAD_NOT_FOUND');
    const unmapped = await archivist.call('POST', `/api/v1/categories/${categoryId}/import/dry-run`, { uploadId: up.uploadId, mapping: { 题名: 'title' } });
    expect(unmapped.json().error).toMatchObject({ code: 'MAPPING_INVALID', message: expect.stringContaining('责任者') });
    const unknown = await archivist.call('POST', `/api/v1/categories/${categoryId}/import/dry-run`, { uploadId: up.uploadId, mapping: { ...mapping, 备注: 'nonsense' } });
    expect(unknown.json().error.code).toBe('MAPPING_INVALID');
    const reader = await t.user('reader9', { businessRole: 'reader', clearance: '机密', allFonds: true });
    expect((await upload(reader, await xlsx(sheet()), 'a.xlsx')).statusCode).toBe(403);
    expect((await reader.call('GET', `/api/v1/categories/${categoryId}/export.xlsx`)).statusCode).toBe(403);
  });

  it('exports a category to .xlsx that reads back to the stored values', async () => {
    const res = await archivist.call('GET', `/api/v1/categories/${categoryId}/export.xlsx?year=2023`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename\*=UTF-8''Z109-WS-2023\.xlsx/);
    const rows = await readXlsx(res.rawPayload);
    expect(rows[0]).toEqual(['档号', '题名', '责任者', '文件编号', '日期', '年度', '保管期限', '密级', '保密期限', '开放标识', '页数', '备注', '机构(问题)', '载体形态']);
    const items = await liveItems();
    expect(rows).toHaveLength(items.length + 1);
    const first = rows[1]!;
    expect(first.slice(0, 8)).toEqual([items[0]!.archival_code, items[0]!.title, items[0]!.responsible, items[0]!.doc_number, items[0]!.date, 2023, '永久', '公开']);
    expect(first[13]).toBe('纸质');
    // The export imports back as it is: every row is found unchanged.
    const up = await uploaded(res.rawPayload, 'export.xlsx');
    const dry = await archivist.json('POST', `/api/v1/categories/${categoryId}/import/dry-run`, { uploadId: up.uploadId, mapping: up.suggestedMapping }, 200);
    expect(dry).toMatchObject({ total: items.length, toSkip: items.length, invalid: 0 });
  });

  it('exports picked items, leaving out those above the caller\'s clearance', async () => {
    const secret = await archivist.json('POST', '/api/v1/items', { categoryId, fields: { title: '秘密件', responsible: '办公室', date: '20230401', retention: 'Y', org: '办公室', classification: '秘密', secrecy_period: '10' } }, 201);
    const items = await liveItems();
    const lowReader = await t.user('keeper3', { businessRole: 'keeper', clearance: '内部', allFonds: true });
    const res = await lowReader.call('POST', '/api/v1/items/export.xlsx', { ids: items.map((i) => i.id) });
    expect(res.statusCode).toBe(200);
    const rows = await readXlsx(res.rawPayload);
    expect(rows).toHaveLength(items.length);
    expect(rows.map((r) => r[1])).not.toContain('秘密件');
    const mine = await archivist.call('POST', '/api/v1/items/export.xlsx', { ids: [secret.id] });
    expect((await readXlsx(mine.rawPayload))[1]![1]).toBe('秘密件');
    const exports = await t.ctx.database.db.selectFrom('audit_log').select(['action', 'actor_name']).where('action', '=', 'catalog.export').execute();
    expect(exports).toContainEqual({ action: 'catalog.export', actor_name: 'keeper3' });
  });

  it('prints the 归档文件目录 as an A4 landscape PDF with an embedded CJK font and extractable text', async () => {
    // Enough rows, one with a very long title, to need several pages.
    const many = [HEADER, ...Array.from({ length: 60 }, (_, i) => row(200 + i, { 题名: i === 3 ? '关于'.padEnd(300, '档案工作规范化建设') : `第${200 + i}件通知` }))];
    const up = await uploaded(await xlsx(many), 'many.xlsx');
    await archivist.json('POST', `/api/v1/categories/${categoryId}/import/commit`, { uploadId: up.uploadId, mapping, mode: 'all-or-nothing' }, 200);
    const res = await archivist.call('GET', `/api/v1/fonds/${fondsId}/catalogue?year=2023&format=pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = await PDFDocument.load(res.rawPayload);
    expect(pdf.getPageCount()).toBeGreaterThan(1);
    for (const page of pdf.getPages()) {
      const { width, height } = page.getSize();
      expect(width).toBeCloseTo(841.89, 1);
      expect(height).toBeCloseTo(595.28, 1);
    }
    const fonts = pdf.context.enumerateIndirectObjects().map(([, o]) => o).filter((o) => (o as { get?: (k: PDFName) => unknown }).get?.(PDFName.of('Type')) === PDFName.of('FontDescriptor'));
    expect(fonts.length).toBeGreaterThan(0);
    const descriptor = fonts[0] as unknown as { get(k: PDFName): unknown };
    expect(String(descriptor.get(PDFName.of('FontName')))).toContain('NotoSansSC');
    // Embedded as a subset: a small part of the 10.5 MB font.
    const file = pdf.context.lookup(descriptor.get(PDFName.of('FontFile2')) as PDFRef) as PDFRawStream;
    expect(file.getContents().length).toBeGreaterThan(1000);
    expect(file.getContents().length).toBeLessThan(1_000_000);
    expect(res.rawPayload.length).toBeLessThan(2_000_000);
    if (!hasPdftotext) throw new Error('pdftotext (Debian poppler-utils) is needed to check the PDF text layer');
    const dir = mkdtempSync(join(tmpdir(), 'lantai-pdf-'));
    try {
      writeFileSync(join(dir, 'c.pdf'), res.rawPayload);
      const text = execFileSync('pdftotext', ['-layout', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' });
      expect(text).toContain('归档文件目录');
      expect(text).toContain('峄城区人民政府');
      expect(text).toContain('第205件通知');
      expect(text).toContain('20230315');
      // Archival codes mix Latin, digits, hyphens and CJK: every character must extract.
      expect(text).toMatch(/Z109-WS·2023·Y·办公室-02\d/);
      expect(text).toMatch(/第\s*1\s*页\s*共\s*\d+\s*页/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists the 归档文件目录 as .xlsx with 序号 and the DA/T 22 columns', async () => {
    const res = await archivist.call('GET', `/api/v1/fonds/${fondsId}/catalogue?year=2023&format=xlsx&categoryId=${categoryId}`);
    expect(res.statusCode).toBe(200);
    expect(decodeURIComponent(res.headers['content-disposition'] as string)).toContain('归档文件目录-Z109-2023-WS.xlsx');
    const rows = await readXlsx(res.rawPayload);
    expect(rows[0]![0]).toBe('归档文件目录');
    expect(rows[2]).toEqual(['序号', '档号', '文号', '责任者', '题名', '日期', '密级', '页数', '备注']);
    expect(rows[3]!.slice(0, 2)).toEqual([1, code(1)]);
    expect(rows[4]![0]).toBe(2);
    expect(rows[3]![5]).toBe('20230315');
    const outsider = await t.user('outsider', { businessRole: 'archivist', clearance: '机密', fondsIds: [] });
    expect((await outsider.call('GET', `/api/v1/fonds/${fondsId}/catalogue?year=2023&format=pdf`)).statusCode).toBe(404);
  });
});
