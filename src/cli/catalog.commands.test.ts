import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { runLantai } from '../test-support/cli.js';

describe('lantai import / export', () => {
  let t: TestApp;
  let dir: string;
  let categoryId: number;
  let fondsId: number;
  const saved = { url: process.env.LANTAI_DATABASE_URL, data: process.env.LANTAI_DATA_DIR };

  const lantai = runLantai;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'lantai-cli-'));
    process.env.LANTAI_DATABASE_URL = t.ctx.config.databaseUrl;
    process.env.LANTAI_DATA_DIR = dir;
    await t.user('clerk', { businessRole: 'keeper', clearance: '机密', allFonds: true });
    const admin = await t.user('boss', { businessRole: 'archivist', clearance: '机密', allFonds: true });
    const org = await admin.json('POST', '/api/v1/organizations', { code: 'O1', name: '鳌头镇人民政府', kind: 'township' }, 201);
    const fonds = await admin.json('POST', '/api/v1/fonds', { organizationId: org.id, code: 'X013', name: '鳌头镇人民政府' }, 201);
    fondsId = fonds.id;
    categoryId = (await admin.json('POST', `/api/v1/fonds/${fondsId}/categories`, { code: 'WS' }, 201)).id;
  });
  afterEach(() => {
    process.exitCode = 0;
  });
  afterAll(async () => {
    process.env.LANTAI_DATABASE_URL = saved.url;
    process.env.LANTAI_DATA_DIR = saved.data;
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const sheet = (rows: string[]) => ['档号,题名,责任者,日期,保管期限,机构', ...rows].join('\n') + '\n';
  const good = (n: number) => `X013-WS·2022·Y·办公室-${String(n).padStart(4, '0')},第${n}件,鳌头镇人民政府,20220301,永久,办公室`;

  it('checks a sheet in a dry run, as the named user, and exits non-zero on bad rows', async () => {
    const file = join(dir, '目录.csv');
    writeFileSync(file, sheet([good(1), good(2).replace('20220301', '20221340')]));
    const r = await lantai('import', file, '--category', String(categoryId), '--dry-run', '--as', 'clerk');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('第 3 行');
    expect(r.stdout).toContain('Row 3');
    expect(r.stdout).toMatch(/将新建 1/);
    expect(await t.ctx.database.db.selectFrom('items').select('id').execute()).toHaveLength(0);
  });

  it('imports all-or-nothing and refuses a sheet with a bad row, listing it', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, sheet([good(1), good(2).replace('永久', '暂存')]));
    const r = await lantai('import', file, '--category', String(categoryId), '--as', 'clerk');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('IMPORT_HAS_ERRORS');
    expect(r.stdout).toContain('第 3 行');
    expect(await t.ctx.database.db.selectFrom('items').select('id').execute()).toHaveLength(0);

    writeFileSync(file, sheet([good(1), good(2)]));
    const ok = await lantai('import', file, '--category', String(categoryId), '--as', 'clerk');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/已新建 2/);
    const audit = await t.ctx.database.db.selectFrom('audit_log').select(['actor_name', 'details']).where('action', '=', 'catalog.import').executeTakeFirstOrThrow();
    expect(audit.actor_name).toBe('clerk');
    expect(JSON.parse(audit.details!)).toMatchObject({ fileName: 'bad.csv', created: 2 });
  });

  it('uses a mapping file', async () => {
    const file = join(dir, 'odd.csv');
    writeFileSync(file, ['名称,单位,时间,期限,部门', '第3件,鳌头镇人民政府,20220302,Y,办公室'].join('\n'));
    const mapping = join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify({ 名称: 'title', 单位: 'responsible', 时间: 'date', 期限: 'retention', 部门: 'org' }));
    const r = await lantai('import', file, '--category', String(categoryId), '--mapping', mapping, '--as', 'clerk');
    expect(r.code, r.stderr).toBe(0);
    const item = await t.ctx.database.db.selectFrom('items').selectAll().where('title', '=', '第3件').executeTakeFirstOrThrow();
    expect(item.archival_code).toBe('X013-WS·2022·Y·办公室-0003');
  });

  it('exports a category and the 归档文件目录 to files', async () => {
    const xlsx = join(dir, 'ws.xlsx');
    const r = await lantai('export', '--category', String(categoryId), '--year', '2022', '--out', xlsx, '--as', 'clerk');
    expect(r.code, r.stderr).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets[0]!.rowCount).toBe(4);
    const pdf = join(dir, 'catalogue.pdf');
    const c = await lantai('export', 'catalogue', '--fonds', String(fondsId), '--year', '2022', '--format', 'pdf', '--out', pdf, '--as', 'clerk');
    expect(c.code, c.stderr).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    const exports = await t.ctx.database.db.selectFrom('audit_log').select('actor_name').where('action', '=', 'catalog.export').execute();
    expect(exports).toEqual([{ actor_name: 'clerk' }, { actor_name: 'clerk' }]);
  });

  it('fails with a bilingual message for an unknown user or a category out of reach', async () => {
    const r = await lantai('export', '--category', String(categoryId), '--as', 'nobody', '--out', join(dir, 'x.xlsx'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('用户“nobody”不存在');
    expect(r.stderr).toContain('No user "nobody"');
    expect(existsSync(join(dir, 'x.xlsx'))).toBe(false);
    const missing = await lantai('export', '--category', '999', '--as', 'clerk', '--out', join(dir, 'y.xlsx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
  });
});
