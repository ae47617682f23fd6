import { CORE_FIELDS, type FieldDef } from '../../domain/field-schema.js';
import { retentionLabel } from '../../domain/retention.js';
import type { ItemRow } from '../catalog.repository.js';

export type CellValue = string | number | null;

export interface ExportColumn {
  header: string;
  /** Width in characters, for spreadsheets; in points, for the PDF catalogue. */
  width: number;
  value: (item: ItemRow, extra: Record<string, unknown>) => CellValue;
}

const text = (v: unknown): CellValue => (v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? '是' : '否') : typeof v === 'number' ? v : String(v));

const CORE_WIDTHS: Record<string, number> = { archival_code: 30, title: 50, responsible: 24, doc_number: 20, date: 11, notes: 24, org: 12 };

/**
 * A category's columns for a spreadsheet export: the core fields, then its own fields, under their
 * Chinese labels, so the file imports back through the suggested mapping. 保管期限 is written in
 * words (永久, 定期30年), which the import reads back to its code.
 */
export function itemExportColumns(schema: FieldDef[]): ExportColumn[] {
  const core: ExportColumn[] = CORE_FIELDS.map((f) => ({
    header: f.label.zh,
    width: CORE_WIDTHS[f.name] ?? 10,
    value: f.name === 'retention' ? (i) => retentionLabel(i.retention).zh : (i) => text(i[f.name as keyof ItemRow]),
  }));
  const own: ExportColumn[] = schema.map((f) => ({ header: f.label.zh, width: f.type === 'longtext' ? 30 : 14, value: (_i, extra) => text(extra[f.name]) }));
  return [...core, ...own];
}

/** The fields of several categories' schemas, each name once (an export of items picked across categories). */
export function mergeSchemas(schemas: FieldDef[][]): FieldDef[] {
  const seen = new Map<string, FieldDef>();
  for (const schema of schemas) for (const f of schema) if (!seen.has(f.name)) seen.set(f.name, f);
  return [...seen.values()];
}

/** 归档文件目录 (DA/T 22-2015): 序号、档号、文号、责任者、题名、日期、密级、页数、备注; 日期 as YYYYMMDD. Widths in points on A4 landscape. */
export const CATALOGUE_COLUMNS: ReadonlyArray<{ header: string; width: number; xlsxWidth: number; value: (item: ItemRow, seq: number) => CellValue }> = [
  { header: '序号', width: 34, xlsxWidth: 6, value: (_i, seq) => seq },
  { header: '档号', width: 140, xlsxWidth: 30, value: (i) => i.archival_code },
  { header: '文号', width: 88, xlsxWidth: 18, value: (i) => i.doc_number },
  { header: '责任者', width: 96, xlsxWidth: 20, value: (i) => i.responsible },
  { header: '题名', width: 230, xlsxWidth: 50, value: (i) => i.title },
  { header: '日期', width: 56, xlsxWidth: 11, value: (i) => i.date },
  { header: '密级', width: 36, xlsxWidth: 6, value: (i) => i.classification },
  { header: '页数', width: 32, xlsxWidth: 6, value: (i) => i.pages },
  { header: '备注', width: 57.89, xlsxWidth: 16, value: (i) => i.notes },
];
