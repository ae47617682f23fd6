import type { Label } from '../../domain/errors.js';
import { CORE_FIELDS, type FieldDef } from '../../domain/field-schema.js';
import { mappingInvalid } from './import-errors.js';

/** A field a sheet column can fill: the core columns, 件号, and the category's own fields. */
export interface ImportField {
  name: string;
  label: Label;
  required: boolean;
}

export const ITEM_NO_FIELD: ImportField = { name: 'item_no', label: { zh: '件号', en: 'Item number' }, required: false };

/** 年度 follows from 日期 and 开放标识 defaults to 未审核, so neither needs a column. */
const DERIVED = new Set(['year', 'open_status']);

export function importFields(schema: FieldDef[]): ImportField[] {
  return [
    ...CORE_FIELDS.map((f) => ({ name: f.name, label: f.label, required: !!f.required && !DERIVED.has(f.name) })),
    ITEM_NO_FIELD,
    ...schema.map((f) => ({ name: f.name, label: f.label, required: !!f.required })),
  ];
}

/** Headers seen in 目录 spreadsheets from other systems, besides each field's own labels and name. */
const SYNONYMS: Record<string, string[]> = {
  archival_code: ['档号', '档案号', '档案编号', 'reference code', 'archival no'],
  title: ['题名', '文件题名', '标题', '题目', '文件标题', 'title'],
  responsible: ['责任者', '责任人', '责任单位', '发文机关', '发文单位', '作者', 'author', 'creator', 'responsible'],
  doc_number: ['文号', '文件编号', '发文字号', '发文号', '文件字号', 'document no', 'doc no', 'reference number'],
  date: ['日期', '文件日期', '成文日期', '形成日期', '发文日期', '时间', 'date'],
  year: ['年度', '归档年度', '年份', 'year'],
  retention: ['保管期限', '期限', 'retention', 'retention period'],
  classification: ['密级', 'classification', 'security classification'],
  secrecy_period: ['保密期限', 'secrecy period'],
  open_status: ['开放标识', '开放状态', '开放', '开放情况', 'open status', 'access status'],
  pages: ['页数', '页', '页码数', 'pages', 'page count'],
  notes: ['备注', '附注', '说明', 'notes', 'note', 'remarks'],
  org: ['机构', '问题', '机构问题', '机构(问题)', '机构/问题', '机构或问题', '部门', '机构代码', 'org', 'organisational unit', 'department'],
  item_no: ['件号', '件内序号', 'item no', 'item number'],
};

/** Compare headers loosely: full-width forms, spaces (「题　名」), case, brackets and a required-marker star. */
export function headerKey(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s_*:：()（）/／、\-]+/g, '');
}

function dictionary(fields: ImportField[]): Map<string, string> {
  const out = new Map<string, string>();
  const add = (key: string, field: string) => {
    const k = headerKey(key);
    if (k && !out.has(k)) out.set(k, field);
  };
  // Own names and labels first, so a category field labelled 「日期」 is not shadowed by a synonym.
  for (const f of fields) {
    add(f.name, f.name);
    add(f.label.zh, f.name);
    add(f.label.en, f.name);
  }
  for (const f of fields) for (const s of SYNONYMS[f.name] ?? []) add(s, f.name);
  return out;
}

/**
 * A column → field mapping for a sheet's headers: the category's saved mapping first (the last
 * import from the same source), then labels, names and common synonyms. Each field is taken once.
 */
export function suggestMapping(columns: string[], fields: ImportField[], saved: Record<string, string> | null): Record<string, string> {
  const known = new Set(fields.map((f) => f.name));
  const dict = dictionary(fields);
  const out: Record<string, string> = {};
  const taken = new Set<string>();
  const take = (column: string, field: string | undefined) => {
    if (!field || !known.has(field) || taken.has(field) || column in out) return;
    out[column] = field;
    taken.add(field);
  };
  if (saved) for (const c of columns) take(c, saved[c]);
  for (const c of columns) take(c, dict.get(headerKey(c)));
  return out;
}

/** How many of a row's cells read as known headers: finds the header row under a title row. */
export function headerMatches(cells: string[], fields: ImportField[]): number {
  const dict = dictionary(fields);
  return cells.filter((c) => c && dict.has(headerKey(c))).length;
}

/** Header texts made unique and non-empty, since a mapping is keyed by them. */
export function columnNames(cells: string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((c, i) => {
    let name = (c ?? '').replace(/\s+/g, ' ').trim() || `列${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name} (${n})`;
    return name;
  });
}

export interface ColumnBinding {
  index: number;
  column: string;
  field: string;
}

/**
 * Checks a mapping against the sheet's columns and the category's fields and returns it as
 * column positions. Unmapped columns (absent, '' or null) are ignored; every required field needs a column.
 */
export function resolveMapping(mapping: Record<string, unknown>, columns: string[], fields: ImportField[]): ColumnBinding[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const bindings: ColumnBinding[] = [];
  const used = new Map<string, string>();
  for (const [column, target] of Object.entries(mapping ?? {})) {
    if (target === '' || target === null || target === undefined) continue;
    const index = columns.indexOf(column);
    if (index < 0) throw mappingInvalid(`表格中没有列“${column}”`, `the sheet has no column "${column}"`, { column });
    if (typeof target !== 'string' || !byName.has(target)) {
      throw mappingInvalid(`列“${column}”对应的字段“${String(target)}”不存在`, `column "${column}" maps to unknown field "${String(target)}"`, { column, field: target });
    }
    const other = used.get(target);
    if (other !== undefined) {
      throw mappingInvalid(`列“${other}”和“${column}”都对应字段“${byName.get(target)!.label.zh}”`, `columns "${other}" and "${column}" both map to ${byName.get(target)!.label.en}`, { column, field: target });
    }
    used.set(target, column);
    bindings.push({ index, column, field: target });
  }
  const missing = fields.filter((f) => f.required && !used.has(f.name));
  if (missing.length) {
    throw mappingInvalid(
      `必填字段${missing.map((f) => `“${f.label.zh}”`).join('、')}没有对应的列`,
      `required field${missing.length > 1 ? 's' : ''} ${missing.map((f) => f.label.en).join(', ')} ${missing.length > 1 ? 'have' : 'has'} no column`,
      { fields: missing.map((f) => f.name) },
    );
  }
  return bindings;
}
