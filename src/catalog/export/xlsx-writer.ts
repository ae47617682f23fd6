import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CellValue } from './columns.js';

export interface SheetLayout {
  sheetName: string;
  /** Lines above the header row (a catalogue's title), each merged across the columns. */
  titles?: string[];
  columns: Array<{ header: string; width: number }>;
}

/**
 * Streams one worksheet to `out`: optional title lines, a bold header row frozen in place, then
 * the rows as they come, each committed at once so memory stays flat however long the export.
 */
export async function writeXlsx(out: Writable, layout: SheetLayout, rows: AsyncIterable<CellValue[][]>): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Lantai 兰台';
  const titles = layout.titles ?? [];
  const sheet = workbook.addWorksheet(layout.sheetName, { views: [{ state: 'frozen', ySplit: titles.length + 1 }] });
  sheet.columns = layout.columns.map((c) => ({ width: c.width }));
  const last = layout.columns.length;
  titles.forEach((t, i) => {
    const row = sheet.getRow(i + 1);
    row.getCell(1).value = t;
    row.font = i === 0 ? { bold: true, size: 16 } : { size: 11 };
    row.alignment = { horizontal: 'center' };
    sheet.mergeCells(i + 1, 1, i + 1, last);
    row.commit();
  });
  const header = sheet.addRow(layout.columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  let count = 0;
  for await (const batch of rows) {
    for (const values of batch) {
      sheet.addRow(values).commit();
      count++;
    }
  }
  sheet.commit();
  await workbook.commit();
  return count;
}
