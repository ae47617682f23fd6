import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { lastRecordEnd } from './csv-rows.js';
import { type SheetRow, sheetRows } from './sheet-rows.js';
import { cellText } from './xlsx-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'lantai-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(path: string, format: 'csv' | 'xlsx', encoding: 'utf-8' | 'gb18030' = 'utf-8', batch = 5000): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const b of sheetRows(path, format, encoding, batch)) out.push(...b);
  return out;
}

describe('CSV rows', () => {
  it('numbers records as a spreadsheet shows them, across quoted line breaks, blank lines and CRLF', async () => {
    const path = join(dir, 'a.csv');
    writeFileSync(path, '\ufeff题名,备注\r\n"第一件","两行\r\n备注"\r\n\r\n"引号""内""",x\r\n末行,无换行');
    expect(await all(path, 'csv')).toEqual([
      { row: 1, cells: ['题名', '备注'] }, { row: 2, cells: ['第一件', '两行\r\n备注'] }, { row: 4, cells: ['引号"内"', 'x'] }, { row: 5, cells: ['末行', '无换行'] },
    ]);
  });

  it('reads records split across read chunks and batches', async () => {
    const path = join(dir, 'big.csv');
    const lines = ['题名,备注', ...Array.from({ length: 30_000 }, (_, i) => `"第${i}件,含逗号","备注\n${i}"`)];
    writeFileSync(path, lines.join('\n'));
    const rows = await all(path, 'csv', 'utf-8', 7000);
    expect(rows).toHaveLength(30_001);
    expect(rows[12_345]).toEqual({ row: 12_346, cells: ['第12344件,含逗号', '备注\n12344'] });
  });

  it('decodes GBK and semicolon or tab separated files', async () => {
    const path = join(dir, 'gbk.csv');
    writeFileSync(path, iconv.encode('题名;责任者\n峄城区档案;办公室\n', 'gbk'));
    expect((await all(path, 'csv', 'gb18030'))[1]!.cells).toEqual(['峄城区档案', '办公室']);
    writeFileSync(path, '题名\t责任者\n甲\t乙\n');
    expect((await all(path, 'csv'))[1]!.cells).toEqual(['甲', '乙']);
  });

  it('stops at a byte that is not valid in the encoding, naming the row', async () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, Buffer.concat([Buffer.from('题名\n第一件\n'), Buffer.from([0xe9, 0x41, 0x0a])]));
    await expect(all(path, 'csv')).rejects.toMatchObject({ code: 'IMPORT_ENCODING', details: { row: 3 } });
  });

  it('cuts text only between records', () => {
    expect(lastRecordEnd('a,b\nc,"d\ne"\nf')).toBe(12);
    expect(lastRecordEnd('a,"b\nc')).toBe(-1);
    expect(lastRecordEnd('a,"b""\n"\n')).toBe(9);
  });
});

describe('xlsx rows', () => {
  it('gives cells as text: dates as YYYYMMDD, formulas as results, rich text joined', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('目录');
    ws.addRow(['题名', '日期', '页数', '合计']);
    ws.addRow([]);
    const r = ws.addRow([{ richText: [{ text: '关于' }, { text: '通知', font: { bold: true } }] }, new Date(Date.UTC(2011, 2, 15)), 12, { formula: 'C3*2', result: 24 }]);
    r.getCell(2).numFmt = 'yyyy-mm-dd';
    const path = join(dir, 'a.xlsx');
    await wb.xlsx.writeFile(path);
    expect(await all(path, 'xlsx')).toEqual([
      { row: 1, cells: ['题名', '日期', '页数', '合计'] }, { row: 3, cells: ['关于通知', '20110315', '12', '24'] },
    ]);
  });

  it('reads a workbook ExcelJS wrote (workbook.xml last) every time, though ExcelJS now and then misses that entry', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('目录');
    sheet.addRow(['档号', '题名']);
    sheet.addRow(['Z109-WS·2023·Y·办公室-0001', '关于第1号文件的通知']);
    const path = join(dir, 'again.xlsx');
    await wb.xlsx.writeFile(path);
    for (let i = 0; i < 300; i++) {
      expect((await all(path, 'xlsx')).map((r) => r.cells)).toEqual([['档号', '题名'], ['Z109-WS·2023·Y·办公室-0001', '关于第1号文件的通知']]);
    }
  });

  it('converts odd cell values', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(true)).toBe('true');
    expect(cellText({ text: '链接', hyperlink: 'http://x' })).toBe('链接');
    expect(cellText({ error: '#N/A' })).toBe('');
  });
});
