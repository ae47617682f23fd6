import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import type { CellValue } from './columns.js';
import { cjkFontFor } from './cjk-font.js';

/** A4 landscape, in points. */
/** OpenType features switched off so that every character is its own glyph and extracts as itself. */
const PLAIN_TEXT = { liga: false, calt: false, clig: false, rlig: false, dlig: false, ccmp: false, locl: false, kern: false };

export const A4_LANDSCAPE: [number, number] = [841.89, 595.28];
const MARGIN = 36;
const TITLE_SIZE = 18;
const SUBTITLE_SIZE = 10.5;
const HEADER_SIZE = 10;
const BODY_SIZE = 9;
const LEADING = 1.35;
const PAD = 3;
const FOOTER = 24;

export interface PdfTable {
  title: string;
  subtitle: string;
  columns: Array<{ header: string; width: number }>;
}

/** Breaks text into lines no wider than `width`: at any character for CJK, at a space when a Latin word would be cut. */
export function wrapText(text: string, width: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n?|\n/)) {
    let line = '';
    let lineWidth = 0;
    for (const ch of paragraph) {
      const w = measure(ch);
      if (lineWidth + w > width && line) {
        const space = line.lastIndexOf(' ');
        const latinTail = space > 0 && /^[\x21-\x7e]+$/.test(line.slice(space + 1) + ch);
        if (latinTail) {
          lines.push(line.slice(0, space));
          line = line.slice(space + 1);
          lineWidth = measure(line);
        } else {
          lines.push(line);
          line = '';
          lineWidth = 0;
        }
      }
      line += ch;
      lineWidth += w;
    }
    lines.push(line);
  }
  return lines;
}

/** Character widths measured once: a catalogue repeats the same few thousand characters. */
function measurer(font: PDFFont, size: number) {
  const widths = new Map<string, number>();
  return (s: string) => {
    let total = 0;
    for (const ch of s) {
      let w = widths.get(ch);
      if (w === undefined) widths.set(ch, (w = font.widthOfTextAtSize(ch, size)));
      total += w;
    }
    return total;
  };
}

const cellText = (v: CellValue | undefined) => (v === null || v === undefined ? '' : String(v));

/**
 * A table as a PDF: A4 landscape, title and column headers repeated on every page, long cells
 * wrapped, page numbers 「第 n 页 共 N 页」, and Noto Sans SC embedded as a subset of the characters
 * used, so the file stays small and its text can be searched and copied. The rows are held until
 * the font is cut, so this suits a catalogue (thousands of rows), not a whole fonds.
 */
export async function tableToPdf(table: PdfTable, source: AsyncIterable<CellValue[][]>): Promise<Uint8Array> {
  const rows: string[][] = [];
  const chars = new Set<string>(`${table.title}${table.subtitle}${table.columns.map((c) => c.header).join('')}第页共 0123456789…`);
  for await (const batch of source) {
    for (const values of batch) {
      const cells = table.columns.map((_, i) => cellText(values[i]));
      for (const c of cells) for (const ch of c) chars.add(ch);
      rows.push(cells);
    }
  }
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`${table.title} ${table.subtitle}`);
  doc.setCreator('Lantai 兰台');
  // Without OpenType shaping: with fontkit's default features the text layer of mixed Latin,
  // digits and CJK lost everything after the first hyphen ('Y-0001' extracted as 'Y-').
  const font = await doc.embedFont(await cjkFontFor([...chars].join('')), { subset: false, features: PLAIN_TEXT });
  const [pageW, pageH] = A4_LANDSCAPE;
  const body = measurer(font, BODY_SIZE);
  const head = measurer(font, HEADER_SIZE);
  const lineH = BODY_SIZE * LEADING;
  const line = { thickness: 0.5, color: rgb(0, 0, 0) };

  let page!: PDFPage;
  let y = 0;
  const drawRow = (cells: string[][], size: number, height: number) => {
    let x = MARGIN;
    table.columns.forEach((c, i) => {
      page.drawRectangle({ x, y: y - height, width: c.width, height, borderWidth: line.thickness, borderColor: line.color });
      (cells[i] ?? []).forEach((t, k) => page.drawText(t, { x: x + PAD, y: y - PAD - (k + 1) * size * LEADING + size * (LEADING - 1), size, font }));
      x += c.width;
    });
    y -= height;
  };
  const headerCells = table.columns.map((c) => wrapText(c.header, c.width - 2 * PAD, head));
  const headerHeight = Math.max(...headerCells.map((l) => l.length)) * HEADER_SIZE * LEADING + 2 * PAD;
  const newPage = () => {
    page = doc.addPage([pageW, pageH]);
    y = pageH - MARGIN;
    page.drawText(table.title, { x: (pageW - font.widthOfTextAtSize(table.title, TITLE_SIZE)) / 2, y: y - TITLE_SIZE, size: TITLE_SIZE, font });
    y -= TITLE_SIZE * 1.6;
    page.drawText(table.subtitle, { x: MARGIN, y: y - SUBTITLE_SIZE, size: SUBTITLE_SIZE, font });
    y -= SUBTITLE_SIZE * 1.8;
    drawRow(headerCells, HEADER_SIZE, headerHeight);
  };
  const bottom = MARGIN + FOOTER;
  newPage();
  const maxLines = Math.floor((y - bottom - 2 * PAD) / lineH);

  for (const values of rows) {
    let cells = table.columns.map((c, i) => wrapText(values[i]!, c.width - 2 * PAD, body));
    // A cell taller than a whole page is cut, marked with an ellipsis.
    cells = cells.map((l) => (l.length > maxLines ? [...l.slice(0, maxLines - 1), `${l[maxLines - 1]}…`] : l));
    const height = Math.max(1, ...cells.map((l) => l.length)) * lineH + 2 * PAD;
    if (y - height < bottom) newPage();
    drawRow(cells, BODY_SIZE, height);
  }

  const pages = doc.getPages();
  pages.forEach((p, i) => {
    const label = `第 ${i + 1} 页 共 ${pages.length} 页`;
    p.drawText(label, { x: (pageW - font.widthOfTextAtSize(label, BODY_SIZE)) / 2, y: MARGIN, size: BODY_SIZE, font });
  });
  return doc.save();
}
