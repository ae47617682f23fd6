import type { Issue } from '../../domain/errors.js';
import { AppError, badRequest } from '../../platform/errors.js';

/** One problem in one row of a sheet, as the archivist sees it: the sheet's row number and column. */
export interface RowError {
  row: number;
  field?: string;
  column?: string;
  code: string;
  message: string;
  message_en: string;
}

/** Past this many, errors are counted but not listed. */
export const MAX_LISTED_ERRORS = 1000;

export function rowError(row: number, issue: Issue, column: string | undefined): RowError {
  const out: RowError = { row, code: issue.code, message: `第 ${row} 行：${issue.message}`, message_en: `Row ${row}: ${issue.message_en}` };
  if (issue.field !== undefined) out.field = issue.field;
  if (column !== undefined) out.column = column;
  return out;
}

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

export const fileTooLarge = (limit: number) =>
  new AppError(413, 'IMPORT_FILE_TOO_LARGE', `文件超过导入上限 ${mb(limit)}`, `The file is larger than the import limit of ${mb(limit)}`, { limit });

export const tooManyRows = (limit: number) =>
  new AppError(413, 'IMPORT_TOO_MANY_ROWS', `数据超过单次导入上限 ${limit} 行，请拆分后分批导入`, `The sheet has more than the ${limit} rows one import accepts; split it`, { limit });

export const wrongFileType = (what: { zh: string; en: string }) =>
  new AppError(415, 'IMPORT_FILE_TYPE', `文件不是可导入的电子表格（${what.zh}）：请上传 .xlsx 或 .csv 文件`, `The file is not a spreadsheet that can be imported (${what.en}): upload an .xlsx or .csv file`);

export const brokenWorkbook = (reason: string) =>
  badRequest('IMPORT_FILE_BROKEN', '.xlsx 文件已损坏或不完整，无法读取；请在 Excel 或 WPS 中打开后重新保存', 'The .xlsx file is damaged or incomplete; open it in Excel or WPS and save it again', { reason });

export const badEncoding = (row: number | null) =>
  badRequest(
    'IMPORT_ENCODING',
    `CSV 文件${row ? `第 ${row} 行附近` : ''}的字符编码无法识别：请另存为 UTF-8 或 GBK（GB18030）编码`,
    `The CSV file's character encoding is not recognised${row ? ` near row ${row}` : ''}: save it as UTF-8 or GBK (GB18030)`,
    row ? { row } : undefined,
  );

export const emptySheet = (headerOnly: boolean) =>
  headerOnly
    ? badRequest('IMPORT_EMPTY', '表格只有标题行，没有数据行', 'The sheet has a header row but no data rows')
    : badRequest('IMPORT_EMPTY', '表格是空的：第一行应为列标题，其后为数据', 'The sheet is empty: the first row must hold column headers, followed by data');

export const headerMissing = (row: number) =>
  badRequest('IMPORT_HEADER_MISSING', `第 ${row} 行应为列标题（如 档号、题名、责任者、日期），但看起来是数据`, `Row ${row} should hold column headers (such as 档号, 题名, 责任者, 日期) but looks like data`, { row });

export const mappingInvalid = (zh: string, en: string, details: Record<string, unknown>) => badRequest('MAPPING_INVALID', `列映射无效：${zh}`, `Invalid column mapping: ${en}`, details);

export const uploadNotFound = () =>
  new AppError(404, 'IMPORT_UPLOAD_NOT_FOUND', '上传的文件不存在或已过期（保留 24 小时），请重新上传', 'The uploaded file does not exist or has expired (kept 24 hours); upload it again');
