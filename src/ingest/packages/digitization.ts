/**
 * A DA/T 31-2017 digitization deliverable: scans named by 档号 — a folder per 档号 of single-page
 * images (`Z109-WS·2011·Y·办公室-0001/0001.jpg`), single pages named 档号 + 流水号
 * (`Z109-WS·2011·Y·办公室-0001-0001.jpg`), or one multi-page file (`…-0001.pdf`) — and a
 * catalogue (.xlsx, or .csv in UTF-8 or GBK) whose header row names 档号, 题名, 责任者 …
 * Rows are hooked to scans by 档号 (挂接); only hooked rows become items.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { detectEncoding } from '../../catalog/import/encoding.js';
import { sniffFormat } from '../../catalog/import/file-type.js';
import { columnNames, headerMatches, importFields } from '../../catalog/import/mapping.js';
import { type SheetRow, sheetRows } from '../../catalog/import/sheet-rows.js';
import { AppError } from '../../platform/errors.js';
import { naturalOrder, type PackageFileEntry } from './common.js';
import { toCoreFields } from './fields.js';
import { Findings } from './findings.js';
import type { TransferItem, TransferPackage } from './model.js';

const SCAN_EXTENSIONS = new Set(['jpg', 'jpeg', 'tif', 'tiff', 'png', 'jp2', 'j2k', 'bmp', 'gif', 'pdf', 'ofd']);
/** One file holds many pages: the images cannot be counted without opening it. */
const MULTI_PAGE = new Set(['pdf', 'ofd']);
const CATALOGUE_EXTENSIONS = new Set(['xlsx', 'csv']);
const HEADER_SEARCH_ROWS = 10;
const FIELDS = importFields([]);

const extension = (path: string) => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
};
const stemOf = (path: string) => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
};
/** 档号 as typed in Excel and as spelt in a file name may differ in width (全角) and stray spaces. */
const codeKey = (code: string) => code.normalize('NFKC').trim();

export function catalogueCandidates(files: PackageFileEntry[]): string[] {
  return files.filter((f) => !f.path.includes('/') && CATALOGUE_EXTENSIONS.has(extension(f.path)) && !f.path.startsWith('~$')).map((f) => f.path).sort(naturalOrder);
}

interface CatalogueRow {
  row: number;
  metadata: Record<string, string>;
}

async function readCatalogue(root: string, file: string, found: Findings, encodings: Record<string, string>): Promise<CatalogueRow[] | null> {
  const path = join(root, file);
  const fh = await open(path, 'r');
  const head = Buffer.alloc(256 * 1024);
  const { bytesRead } = await fh.read(head, 0, head.length, 0).finally(() => fh.close());
  try {
    const format = sniffFormat(head.subarray(0, bytesRead));
    const encoding = format === 'csv' ? detectEncoding(head.subarray(0, bytesRead)) : 'utf-8';
    encodings[file] = encoding === 'gb18030' ? 'GB18030' : 'UTF-8';
    const top: SheetRow[] = [];
    let columns: string[] | null = null;
    const rows: CatalogueRow[] = [];
    const take = (r: SheetRow) => {
      const metadata: Record<string, string> = {};
      columns!.forEach((c, i) => {
        const v = (r.cells[i] ?? '').trim();
        if (v !== '') metadata[c] = v;
      });
      rows.push({ row: r.row, metadata });
    };
    for await (const batch of sheetRows(path, format, encoding)) {
      for (const r of batch) {
        if (columns) take(r);
        else if (headerMatches(r.cells, FIELDS) >= 2) columns = columnNames(r.cells);
        else if (top.push(r) >= HEADER_SEARCH_ROWS) break;
      }
      if (!columns && top.length >= HEADER_SEARCH_ROWS) break;
    }
    if (!columns) {
      found.error('DIGITIZATION_CATALOGUE_HEADER', `目录“${file}”前 ${HEADER_SEARCH_ROWS} 行中找不到表头（应含档号、题名等列名）`, `No header row (naming 档号, 题名 …) in the first ${HEADER_SEARCH_ROWS} rows of the catalogue "${file}"`, { path: file });
      return null;
    }
    return rows;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    found.error('DIGITIZATION_CATALOGUE_UNREADABLE', `目录“${file}”无法读取：${e.message}`, `The catalogue "${file}" cannot be read: ${e.message_en}`, { path: file, details: { cause: e.code } });
    return null;
  }
}

interface Hooked {
  files: string[];
  /** Whether each file is one page, so that the count of files is the count of pages. */
  countable: boolean;
}

export async function readDigitization(root: string, files: PackageFileEntry[]): Promise<TransferPackage> {
  const found = new Findings();
  const encodings: Record<string, string> = {};
  const candidates = catalogueCandidates(files);
  const catalogue = candidates[0];
  if (candidates.length > 1) {
    found.warn('DIGITIZATION_CATALOGUE_AMBIGUOUS', `顶层有 ${candidates.length} 个目录表格，只读取了“${catalogue}”`, `The top level holds ${candidates.length} catalogue sheets; only "${catalogue}" was read`, { path: catalogue!, details: { candidates } });
  }
  if (catalogue === undefined) found.error('DIGITIZATION_CATALOGUE_MISSING', '顶层没有目录表格（.xlsx 或 .csv）', 'No catalogue sheet (.xlsx or .csv) at the top level');
  const rows = catalogue !== undefined ? ((await readCatalogue(root, catalogue, found, encodings)) ?? []) : [];

  const byCode = new Map<string, { row: CatalogueRow; fields: Record<string, string | number> }>();
  for (const row of rows) {
    const fields = toCoreFields(row.metadata);
    const code = typeof fields.archival_code === 'string' ? codeKey(fields.archival_code) : '';
    if (code === '') {
      found.error('DIGITIZATION_ROW_NO_CODE', `目录第 ${row.row} 行没有档号，无法挂接`, `Catalogue row ${row.row} has no archival code and cannot be hooked to scans`, { item: `row ${row.row}`, path: catalogue! });
    } else if (byCode.has(code)) {
      found.error('DIGITIZATION_DUPLICATE_CODE', `目录第 ${row.row} 行的档号“${code}”与第 ${byCode.get(code)!.row.row} 行重复，该行未挂接`, `Catalogue row ${row.row} repeats the archival code "${code}" of row ${byCode.get(code)!.row.row}; it was not hooked`, { item: `row ${row.row}`, path: catalogue!, details: { archival_code: code, first: byCode.get(code)!.row.row } });
    } else byCode.set(code, { row, fields });
  }

  const hooked = new Map<string, Hooked>();
  const unmatched = new Map<string, string[]>();
  const unreferencedFiles: string[] = [];
  for (const f of files) {
    if (f.path === catalogue) continue;
    const ext = extension(f.path);
    if (!SCAN_EXTENSIONS.has(ext)) {
      unreferencedFiles.push(f.path);
      continue;
    }
    const segments = f.path.split('/');
    const parent = segments.length > 1 ? segments.at(-2)! : undefined;
    const stem = stemOf(f.path);
    const pageless = stem.replace(/[-_.]?\d+$/, '');
    const byFolder = parent !== undefined && byCode.has(codeKey(parent)) ? parent : undefined;
    const byName = byCode.has(codeKey(stem)) ? stem : undefined;
    const code = byFolder ?? byName ?? (byCode.has(codeKey(pageless)) ? pageless : undefined);
    if (code !== undefined) {
      const h = hooked.get(codeKey(code)) ?? { files: [], countable: true };
      h.files.push(f.path);
      // A file named exactly by the 档号, outside the 档号's folder, holds all the pages.
      h.countable &&= !MULTI_PAGE.has(ext) && (byFolder !== undefined || byName === undefined);
      hooked.set(codeKey(code), h);
      continue;
    }
    const group = parent !== undefined && /^\d+$/.test(stem) ? segments.slice(0, -1).join('/') : f.path;
    unmatched.set(group, [...(unmatched.get(group) ?? []), f.path]);
  }

  const sizes = new Map(files.map((f) => [f.path, f.size]));
  const items: TransferItem[] = [];
  for (const [code, { row, fields }] of byCode) {
    const key = `row ${row.row}`;
    const h = hooked.get(code);
    if (!h) {
      found.error('DIGITIZATION_ROW_UNMATCHED', `目录第 ${row.row} 行（档号“${code}”）找不到对应的扫描图像`, `Catalogue row ${row.row} (archival code "${code}") has no scans`, { item: key, path: catalogue!, details: { archival_code: code } });
      continue;
    }
    const paths = h.files.sort(naturalOrder);
    items.push({ key, metadata: row.metadata, fields, files: paths.map((path) => ({ path, name: path.slice(path.lastIndexOf('/') + 1), size: sizes.get(path)!, declaredDigests: [] })) });
    if (h.countable && typeof fields.pages === 'number' && fields.pages !== paths.length) {
      found.error('DIGITIZATION_PAGE_COUNT_MISMATCH', `目录第 ${row.row} 行（档号“${code}”）著录页数 ${fields.pages}，实有图像 ${paths.length} 幅`, `Catalogue row ${row.row} (archival code "${code}") gives ${fields.pages} pages; ${paths.length} images were found`, { item: key, details: { archival_code: code, declared: fields.pages, found: paths.length } });
    }
  }
  for (const [group, scans] of unmatched) {
    found.error('DIGITIZATION_SCAN_UNMATCHED', `扫描件“${group}”在目录中找不到对应档号的条目`, `The scans "${group}" match no archival code in the catalogue`, { path: group, details: { files: scans.sort(naturalOrder) } });
    unreferencedFiles.push(...scans);
  }
  unreferencedFiles.sort();
  return { format: 'digitization', root, declared: { itemCount: rows.length }, items, unreferencedFiles, missingFiles: [], findings: found.list, encodings };
}
