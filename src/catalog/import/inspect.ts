import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { type TextEncoding, detectEncoding } from './encoding.js';
import { type SheetFormat, sniffFormat } from './file-type.js';
import { emptySheet, fileTooLarge, headerMissing, tooManyRows } from './import-errors.js';
import { type ImportField, columnNames, headerMatches } from './mapping.js';
import { type SheetRow, sheetRows } from './sheet-rows.js';

/** A sheet as the import reads it: where, what kind, which row holds the headers, and its fingerprint. */
export interface SheetSource {
  path: string;
  fileName: string;
  size: number;
  sha256: string;
  format: SheetFormat;
  encoding: TextEncoding;
  headerRow: number;
  columns: string[];
  rowCount: number;
}

export interface SheetInspection extends SheetSource {
  sample: string[][];
}

export interface SheetLimits {
  maxBytes: number;
  maxRows: number;
}

const SNIFF_BYTES = 256 * 1024;
/** A title row (「归档文件目录」) may sit above the headers; look this far down for them. */
const HEADER_SEARCH_ROWS = 10;
const SAMPLE_ROWS = 5;

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const looksLikeValue = (cell: string) => /^[\d\s.\-/:年月日[\]]+$/.test(cell.trim()) && /\d/.test(cell);

/** The header row: the first of the top rows naming two known fields, else the first non-blank row. */
function pickHeader(rows: SheetRow[], fields: ImportField[]): SheetRow {
  const named = rows.find((r) => headerMatches(r.cells, fields) >= 2);
  const header = named ?? rows[0]!;
  if (!named && headerMatches(header.cells, fields) === 0 && header.cells.some((c) => c && looksLikeValue(c))) throw headerMissing(header.row);
  return header;
}

/**
 * Reads a stored file once, whole: its kind (from its bytes), encoding, header row, columns, row
 * count and first rows. Refuses files over the size or row limits, empty sheets, and sheets
 * without a header row, each with a bilingual error.
 */
export async function inspectSheet(path: string, fileName: string, limits: SheetLimits, fields: ImportField[], knownSha256?: string): Promise<SheetInspection> {
  const { size } = await stat(path);
  if (size > limits.maxBytes) throw fileTooLarge(limits.maxBytes);
  const head = await readHead(path, SNIFF_BYTES);
  const format = sniffFormat(head);
  const encoding: TextEncoding = format === 'csv' ? detectEncoding(head) : 'utf-8';

  const top: SheetRow[] = [];
  let header: SheetRow | null = null;
  let rowCount = 0;
  const sample: string[][] = [];
  const take = (r: SheetRow) => {
    if (++rowCount > limits.maxRows) throw tooManyRows(limits.maxRows);
    if (sample.length < SAMPLE_ROWS) sample.push(r.cells);
  };
  for await (const batch of sheetRows(path, format, encoding)) {
    for (const r of batch) {
      if (header) take(r);
      else if (top.length < HEADER_SEARCH_ROWS) top.push(r);
      if (!header && top.length === HEADER_SEARCH_ROWS) {
        header = pickHeader(top, fields);
        for (const t of top) if (t.row > header.row) take(t);
      }
    }
  }
  if (!header) {
    if (!top.length) throw emptySheet(false);
    header = pickHeader(top, fields);
    for (const t of top) if (t.row > header.row) take(t);
  }
  if (rowCount === 0) throw emptySheet(true);
  const columns = columnNames(header.cells);
  return {
    path, fileName, size, sha256: knownSha256 ?? (await sha256File(path)), format, encoding, headerRow: header.row, columns, rowCount,
    sample: sample.map((cells) => columns.map((_, i) => cells[i] ?? '')),
  };
}
