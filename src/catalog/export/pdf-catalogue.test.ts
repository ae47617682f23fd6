import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../http/routes/spreadsheet.routes.js';
import { A4_LANDSCAPE, tableToPdf, wrapText } from './pdf-catalogue.js';

const measure = (s: string) => [...s].reduce((w, ch) => w + (/[\x20-\x7e]/.test(ch) ? 5 : 10), 0);

describe('wrapping cell text', () => {
  it('breaks CJK text anywhere and keeps every character', () => {
    const text = '关于做好二〇二三年度档案整理工作的通知';
    const lines = wrapText(text, 60, measure);
    expect(lines.every((l) => measure(l) <= 60)).toBe(true);
    expect(lines.join('')).toBe(text);
    expect(lines).toHaveLength(4);
  });

  it('breaks Latin text at spaces and keeps explicit line breaks', () => {
    expect(wrapText('annual report of the archive', 60, measure)).toEqual(['annual', 'report of', 'the archive']);
    expect(wrapText('第一行\n第二行', 200, measure)).toEqual(['第一行', '第二行']);
    expect(wrapText('', 50, measure)).toEqual(['']);
  });
});

describe('table PDF', () => {
  it('makes A4 landscape pages, repeating the headers, with a subset CJK font', async () => {
    async function* rows() {
      yield Array.from({ length: 120 }, (_, i) => [i + 1, `第${i + 1}件：峄城区关于档案工作的通知`]);
    }
    const bytes = await tableToPdf({ title: '归档文件目录', subtitle: '全宗号：Z109', columns: [{ header: '序号', width: 40 }, { header: '题名', width: 300 }] }, rows());
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(3);
    expect(doc.getPage(0).getSize()).toEqual({ width: A4_LANDSCAPE[0], height: A4_LANDSCAPE[1] });
    expect(bytes.length).toBeLessThan(200_000);
  });
});

describe('download file names', () => {
  it('gives an ASCII fallback and the UTF-8 name (RFC 5987)', () => {
    expect(contentDisposition('归档文件目录-Z109-2023.pdf')).toBe(
      `attachment; filename="______-Z109-2023.pdf"; filename*=UTF-8''${encodeURIComponent('归档文件目录')}-Z109-2023.pdf`,
    );
    expect(contentDisposition(`a"b'(c).xlsx`)).toBe(`attachment; filename="a_b'(c).xlsx"; filename*=UTF-8''a%22b%27%28c%29.xlsx`);
  });
});
