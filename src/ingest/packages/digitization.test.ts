import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPackage } from './model.js';

const code = (n: string) => `Z109-WS·2011·Y·办公室-${n}`;
const HEADER = ['档号', '题名', '责任者', '日期', '页数'];
const ROWS = [
  [code('0001'), '关于印发工作要点的通知', '某某县人民政府', '20110105', 3],
  [code('0002'), '会议纪要', '办公室', '20110301', 5],
  [code('0003'), '工作总结', '办公室', '20111230', 2],
  [code('0004'), '未扫描的文件', '办公室', '20111231', 1],
  ['', '没有档号的行', '办公室', '20111231', 1],
];

const SCANS: Record<string, string> = {
  [`图像/${code('0001')}/10.jpg`]: 'page 10',
  [`图像/${code('0001')}/2.jpg`]: 'page 2',
  [`图像/${code('0001')}/1.jpg`]: 'page 1',
  [`图像/${code('0002')}.pdf`]: '%PDF five pages',
  [`图像/${code('0003')}-0001.tif`]: 'II*',
  [`图像/${code('0003')}-0002.tif`]: 'II*',
  [`图像/${code('0003')}-0003.tif`]: 'II*',
  [`图像/${code('0099')}/0001.jpg`]: 'stray',
  [`图像/${code('0099')}/0002.jpg`]: 'stray',
  '说明.txt': '扫描说明',
};

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-digi-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeScans(dir: string): Promise<void> {
  for (const [path, body] of Object.entries(SCANS)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), body);
  }
}

describe('digitization deliverables', () => {
  it('hooks catalogue rows to scans by archival code and reports what does not hook', async () => {
    const dir = join(work, '数字化成果');
    await writeScans(dir);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('目录');
    ws.addRow(['归档文件目录']);
    ws.addRow(HEADER);
    for (const r of ROWS) ws.addRow(r);
    await wb.xlsx.writeFile(join(dir, '目录.xlsx'));

    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.format).toBe('digitization');
    expect(pkg.declared).toEqual({ itemCount: 5 });
    expect(pkg.encodings).toEqual({ '目录.xlsx': 'UTF-8' });
    expect(pkg.items).toEqual([
      {
        key: 'row 3',
        metadata: { 档号: code('0001'), 题名: '关于印发工作要点的通知', 责任者: '某某县人民政府', 日期: '20110105', 页数: '3' },
        fields: { archival_code: code('0001'), title: '关于印发工作要点的通知', responsible: '某某县人民政府', date: '20110105', pages: 3 },
        files: ['1.jpg', '2.jpg', '10.jpg'].map((name) => ({ path: `图像/${code('0001')}/${name}`, name, size: SCANS[`图像/${code('0001')}/${name}`]!.length, declaredDigests: [] })),
      },
      expect.objectContaining({ key: 'row 4', files: [{ path: `图像/${code('0002')}.pdf`, name: `${code('0002')}.pdf`, size: 15, declaredDigests: [] }] }),
      expect.objectContaining({ key: 'row 5', files: ['0001', '0002', '0003'].map((n) => expect.objectContaining({ path: `图像/${code('0003')}-${n}.tif` })) }),
    ]);
    expect(pkg.findings.map((f) => [f.code, f.item ?? f.path])).toEqual([
      ['DIGITIZATION_ROW_NO_CODE', 'row 7'],
      ['DIGITIZATION_PAGE_COUNT_MISMATCH', 'row 5'],
      ['DIGITIZATION_ROW_UNMATCHED', 'row 6'],
      ['DIGITIZATION_SCAN_UNMATCHED', `图像/${code('0099')}`],
    ]);
    expect(pkg.findings[1]!.details).toEqual({ archival_code: code('0003'), declared: 2, found: 3 });
    expect(pkg.findings[2]!.message).toBe(`目录第 6 行（档号“${code('0004')}”）找不到对应的扫描图像`);
    expect(pkg.findings[3]!.details).toEqual({ files: [`图像/${code('0099')}/0001.jpg`, `图像/${code('0099')}/0002.jpg`] });
    expect(pkg.unreferencedFiles).toEqual([`图像/${code('0099')}/0001.jpg`, `图像/${code('0099')}/0002.jpg`, '说明.txt']);
    expect(pkg.missingFiles).toEqual([]);
  });

  it('reads a GBK CSV catalogue with full-width archival codes', async () => {
    const dir = join(work, 'csv');
    await writeScans(dir);
    const csv = [HEADER.join(','), ...ROWS.slice(0, 1).map((r) => [String(r[0]).normalize('NFKC').replace('Z109', 'Ｚ１０９'), ...r.slice(1)].join(','))].join('\r\n');
    await writeFile(join(dir, '目录.csv'), iconv.encode(csv, 'gbk'));
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.encodings).toEqual({ '目录.csv': 'GB18030' });
    expect(pkg.items.map((i) => [i.key, i.files.length])).toEqual([['row 2', 3]]);
    expect(pkg.findings.filter((f) => f.code === 'DIGITIZATION_SCAN_UNMATCHED').map((f) => f.path)).toEqual([
      `图像/${code('0002')}.pdf`,
      `图像/${code('0003')}-0001.tif`,
      `图像/${code('0003')}-0002.tif`,
      `图像/${code('0003')}-0003.tif`,
      `图像/${code('0099')}`,
    ]);
  });
});
