import { csvRows } from './csv-rows.js';
import type { TextEncoding } from './encoding.js';
import type { SheetFormat } from './file-type.js';
import { xlsxRows } from './xlsx-rows.js';

/** One row of a sheet: its number as the sheet shows it, and its cells as text. */
export interface SheetRow {
  row: number;
  cells: string[];
}

export const isBlankRow = (cells: string[]) => cells.every((c) => c === undefined || c.trim() === '');

/** The non-blank rows of a CSV or the first worksheet of an .xlsx, in batches, numbered as the sheet shows them. */
export async function* sheetRows(path: string, format: SheetFormat, encoding: TextEncoding, batchSize = 5000): AsyncGenerator<SheetRow[]> {
  const source = format === 'xlsx' ? xlsxRows(path, batchSize) : csvRows(path, encoding, batchSize);
  for await (const batch of source) {
    const rows = batch.filter((r) => !isBlankRow(r.cells));
    if (rows.length) yield rows;
  }
}
