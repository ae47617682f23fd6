import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { runNextJob } from '../../platform/jobs/jobs.service.js';
import { type CatalogFixture, cleanUpAfterEach, createCatalogFixture, createTestApp, type Session, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { TRANSFER_CHECK_IDS } from '../checks/run.js';
import { zipDirectory } from '../unpack/zip-fixtures.js';
import { codeOf, packageForm, writePackageDir } from './transfer-testkit.js';

let t: TestApp | undefined;
const dirs: string[] = [];
cleanUpAfterEach(() => t, dirs);

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lantai-transfer-api-'));
  dirs.push(d);
  return d;
}

/** POST /api/v1/transfers as multipart/form-data: the package zip and its receiving category. */
function upload(app: TestApp, s: Session, zip: Buffer, fileName: string, fields: Record<string, string>) {
  const form = packageForm(fields, { name: fileName, bytes: zip });
  return app.app.inject({
    method: 'POST', url: '/api/v1/transfers', payload: form.payload,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': form.contentType },
  });
}

/** Uploads a zipped carrier of `count` items and checks it through the API, the check running as a job. */
async function uploadedAndChecked(app: TestApp, fixture: CatalogFixture, count: number, tamper = false) {
  const src = join(tempDir(), 'carrier');
  await writePackageDir(src, count, { tamper });
  const zipPath = await zipDirectory(src, join(tempDir(), 'carrier.zip'), '');
  const res = await upload(app, fixture.archivist, readFileSync(zipPath), '移交包-2023.zip', { categoryId: String(fixture.categoryId) });
  expect(res.statusCode, res.body).toBe(201);
  const received = res.json();
  expect(received).toMatchObject({ state: 'received', fileName: '移交包-2023.zip', categoryId: fixture.categoryId });
  const job = await fixture.archivist.json('POST', `/api/v1/transfers/${received.id}/check`, undefined, 202);
  expect(await runNextJob(app.ctx)).toMatchObject({ id: job.id, kind: 'transfer.check', state: 'done', result: { transferId: received.id, state: 'awaiting_decision', blocking: tamper } });
  return received.id as number;
}

function pdfText(body: Buffer): string {
  const file = join(tempDir(), 'out.pdf');
  writeFileSync(file, body);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe.each(BACKENDS)('transfer API (%s)', (dialect) => {
  it('upload → report → accept as a job: items catalogued with their codes, report and receipt as PDF and .xlsx', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const id = await uploadedAndChecked(t, fixture, 3);
    const s = fixture.archivist;

    const inbox = await s.json('GET', '/api/v1/transfers?state=awaiting_decision', undefined, 200);
    expect(inbox.items.map((x: { id: number }) => x.id)).toEqual([id]);
    expect((await s.json('GET', '/api/v1/transfers?state=returned', undefined, 200)).items).toEqual([]);
    const detail = await s.json('GET', `/api/v1/transfers/${id}`, undefined, 200);
    expect(detail).toMatchObject({ state: 'awaiting_decision', itemCount: 3, fileCount: 6, sender: '峄城区人民政府办公室' });
    expect(detail.report.checks.map((c: { id: string }) => c.id)).toEqual(TRANSFER_CHECK_IDS);
    expect(detail.report.blocking).toBe(false);
    const names = detail.report.checks.map((c: { name: { zh: string } }) => c.name.zh) as string[];

    const pdf = await s.call('GET', `/api/v1/transfers/${id}/report.pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('电子档案四性检测报告');
    // Long names wrap inside their cell; each name's first line is on the page.
    for (const name of names) expect(text).toContain(name.slice(0, 8));
    expect(text).toContain('需人工核验');

    const xlsx = await s.call('GET', `/api/v1/transfers/${id}/report.xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells = book.worksheets[0]!.getSheetValues().flat().map(String);
    expect(cells).toEqual(expect.arrayContaining([...TRANSFER_CHECK_IDS, ...names, '通过']));

    const job = await s.json('POST', `/api/v1/transfers/${id}/accept`, undefined, 202);
    expect(job).toMatchObject({ kind: 'transfer.accept', state: 'queued' });
    expect(await runNextJob(t.ctx)).toMatchObject({ id: job.id, state: 'done', result: { transferId: id, state: 'accepted', acceptedCount: 3 } });
    expect(await s.json('GET', `/api/v1/jobs/${job.id}`, undefined, 200)).toMatchObject({ state: 'done', progress: 3, total: 3 });
    expect(await s.json('GET', `/api/v1/transfers/${id}`, undefined, 200)).toMatchObject({ state: 'accepted', acceptedCount: 3 });
    const items = await s.json('GET', `/api/v1/items?categoryId=${fixture.categoryId}`, undefined, 200);
    expect(items.items.map((i: { fields: { archival_code: string } }) => i.fields.archival_code).sort()).toEqual([codeOf(1), codeOf(2), codeOf(3)]);

    const receipt = pdfText((await s.call('GET', `/api/v1/transfers/${id}/receipt.pdf`)).rawPayload);
    for (const words of ['电子档案移交与接收登记表', '移交单位', '峄城区人民政府办公室', '接收单位', '个电子文件', '网络在线移交', '完整性检测', '合格', '已接收']) {
      expect(receipt).toContain(words);
    }
  });

  it('refuses to accept a package that failed a blocking check (409 with the report), returns it with a reason, and keeps others out', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const id = await uploadedAndChecked(t, fixture, 2, true);
    const s = fixture.archivist;

    const refused = await s.call('POST', `/api/v1/transfers/${id}/accept`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'TRANSFER_BLOCKED', details: { report: { blocking: true } } });
    expect(refused.json().error.details.report.checks.find((c: { id: string }) => c.id === 'LT-YJ-1-1-1')).toMatchObject({ result: 'fail', offending: [{ path: '电子档案/2023/0001.pdf' }] });
    expect((await s.call('POST', `/api/v1/transfers/${id}/return`, {})).statusCode).toBe(400);
    expect(await s.json('POST', `/api/v1/transfers/${id}/return`, { reason: '第1件摘要不符，请核对后重新移交' }, 200)).toMatchObject({ state: 'returned', reason: '第1件摘要不符，请核对后重新移交' });
    const report = pdfText((await s.call('GET', `/api/v1/transfers/${id}/report.pdf`)).rawPayload);
    for (const words of ['固化信息有效性检测（数字摘要）', '不通过', '摘要不一', '已退回']) expect(report).toContain(words);
    expect((await s.json('GET', `/api/v1/items?categoryId=${fixture.categoryId}`, undefined, 200)).items).toEqual([]);

    const second = await uploadedAndChecked(t, fixture, 1);
    const first = await s.json('GET', '/api/v1/transfers?limit=1', undefined, 200);
    expect(first.items.map((x: { id: number }) => x.id)).toEqual([second]);
    const next = await s.json('GET', `/api/v1/transfers?limit=1&cursor=${first.nextCursor}`, undefined, 200);
    expect(next).toEqual({ items: [expect.objectContaining({ id, state: 'returned' })], nextCursor: null });
    expect((await s.json('GET', `/api/v1/transfers?sender=${encodeURIComponent('峄城区人民政府办公室')}&state=returned`, undefined, 200)).items.map((x: { id: number }) => x.id)).toEqual([id]);

    const reader = await t.user('reader1', { businessRole: 'reader', allFonds: true });
    expect((await reader.call('GET', `/api/v1/transfers/${id}`)).statusCode).toBe(403);
    const keeper = await t.user('keeper1', { businessRole: 'keeper', allFonds: true });
    expect((await keeper.call('GET', '/api/v1/transfers')).statusCode).toBe(403);
  });
});
