import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { AppError } from '../../platform/errors.js';
import { brokenWorkbook, wrongFileType } from './import-errors.js';
import type { SheetRow } from './sheet-rows.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** A cell as the text an archivist typed: dates as YYYYMMDD (DA/T 22), formulas as their result. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // Excel dates carry no time zone; ExcelJS builds them as UTC.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : `${v.getUTCFullYear()}${pad(v.getUTCMonth() + 1, 2)}${pad(v.getUTCDate(), 2)}`;
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
  }
  return '';
}

/**
 * ExcelJS 4.4's streaming reader now and then misses `xl/workbook.xml` when it is the last entry
 * of the zip, as ExcelJS itself writes it (about one read in a hundred here), and then fails on
 * the missing workbook model before the first row. The failure lies in the reading, not the
 * file: reading it again succeeds.
 */
const MISSED_WORKBOOK = "Cannot read properties of undefined (reading 'sheets')";
const READ_ATTEMPTS = 3;

/**
 * The rows of the first worksheet, streamed: the row number is the one Excel shows. Shared strings
 * and styles are cached (styles tell a date cell from a number), everything else is skipped.
 */
export async function* xlsxRows(path: string, batchSize: number): AsyncGenerator<SheetRow[]> {
  for (let attempt = 1; ; attempt++) {
    let yielded = false;
    try {
      for await (const batch of readFirstSheet(path, batchSize)) {
        yielded = true;
        yield batch;
      }
      return;
    } catch (e) {
      const missed = !yielded && attempt < READ_ATTEMPTS && e instanceof AppError && e.details?.reason === MISSED_WORKBOOK;
      if (!missed) throw e;
    }
  }
}

async function* readFirstSheet(path: string, batchSize: number): AsyncGenerator<SheetRow[]> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  let sawSheet = false;
  let batch: SheetRow[] = [];
  try {
    for await (const sheet of reader) {
      sawSheet = true;
      for await (const r of sheet) {
        const values = r.values as unknown[];
        const cells: string[] = new Array(Math.max(values.length - 1, 0));
        for (let i = 1; i < values.length; i++) cells[i - 1] = cellText(values[i]);
        batch.push({ row: r.number, cells });
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      break;
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw brokenWorkbook((e as Error)?.message ?? String(e));
  } finally {
    file.destroy();
  }
  if (!sawSheet) throw wrongFileType({ zh: '压缩包中没有 Excel 工作表', en: 'the ZIP container holds no Excel worksheet' });
  if (batch.length) yield batch;
}
