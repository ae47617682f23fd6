import { type CodeComponent, type CodeTemplate, parseCode, renderCode, templateComponents } from '../domain/archival-code.js';
import { DomainError, type Issue } from '../domain/errors.js';
import { CORE_FIELDS, type FieldDef, validateCoreFields, validateFieldValues } from '../domain/field-schema.js';
import { naturalSortKey } from '../domain/natural-sort.js';
import type { Selectable } from 'kysely';
import type { ItemTable } from '../db/schema.js';
import type { NumberingGroup } from './catalog.repository.js';

/** The stored columns of an item that description decides (everything but bookkeeping). */
export type ItemColumns = Pick<Selectable<ItemTable>,
  | 'archival_code' | 'sort_key' | 'item_no' | 'title' | 'responsible' | 'doc_number' | 'date' | 'year' | 'retention'
  | 'classification' | 'secrecy_period' | 'open_status' | 'pages' | 'org' | 'notes' | 'extra'>;

export interface CategoryRules {
  categoryId: number;
  fondsCode: string;
  categoryCode: string;
  template: CodeTemplate;
  schema: FieldDef[];
}

const CORE_NAMES = new Set(CORE_FIELDS.map((f) => f.name));

/** Core fields, the category's own fields, and the components the code needs (件号 and the like). */
export interface ValidatedItem {
  core: Omit<ItemColumns, 'archival_code' | 'sort_key' | 'item_no' | 'extra'>;
  extra: Record<string, unknown>;
  itemNo: number | null;
  suppliedCode: string | null;
}

/**
 * Splits submitted fields into core columns and category fields and validates both; every
 * problem is returned at once, each naming its field, so a form or an import row can show them all.
 */
export function validateItemFields(rules: CategoryRules, fields: Record<string, unknown>): { item: ValidatedItem | null; issues: Issue[] } {
  const core: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  let itemNo: unknown = null;
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'item_no') itemNo = v;
    else if (CORE_NAMES.has(k)) core[k] = v;
    else extra[k] = v;
  }
  const coreResult = validateCoreFields(core);
  const extraResult = validateFieldValues(rules.schema, extra);
  const issues = [...coreResult.issues, ...extraResult.issues];
  let parsedNo: number | null = null;
  if (itemNo !== null && itemNo !== undefined && itemNo !== '') {
    parsedNo = Number(itemNo);
    if (!Number.isInteger(parsedNo) || parsedNo < 1) {
      issues.push({ field: 'item_no', code: 'FIELD_NOT_INTEGER', message: '件号必须是正整数', message_en: 'The item number must be a positive whole number' });
      parsedNo = null;
    }
  }
  if (issues.length) return { item: null, issues };
  const values = coreResult.values as unknown as Record<string, unknown>;
  const supplied = typeof values.archival_code === 'string' && values.archival_code ? values.archival_code : null;
  const { archival_code: _ignored, ...coreColumns } = values;
  return {
    item: { core: coreColumns as ValidatedItem['core'], extra: extraResult.values, itemNo: parsedNo, suppliedCode: supplied },
    issues: [],
  };
}

/** The lowest class an item is numbered within: whatever the code template puts above 件号. */
export function numberingGroup(rules: CategoryRules, fields: { year: number; retention: string; org: string | null }, volumeId: number | null): NumberingGroup {
  const parts = new Set(templateComponents(rules.template));
  const group: NumberingGroup = { categoryId: rules.categoryId };
  if (parts.has('year')) group.year = fields.year;
  if (parts.has('retention')) group.retention = fields.retention;
  if (parts.has('org')) group.org = fields.org ?? null;
  if (parts.has('volume')) group.volumeId = volumeId;
  return group;
}

function componentValues(rules: CategoryRules, item: ValidatedItem, itemNo: number, volumeNo: number | null): Partial<Record<CodeComponent, string | number | null>> {
  const extra = item.extra;
  const pick = (k: string) => (extra[k] === undefined || extra[k] === null ? null : String(extra[k]));
  return {
    fonds: rules.fondsCode, category: rules.categoryCode, year: item.core.year, retention: item.core.retention, org: item.core.org,
    item: itemNo, volume: volumeNo, class2: pick('class2'), class3: pick('class3'), class4: pick('class4'),
    project: pick('project'), catalog: pick('catalog'), group: pick('group'), page: pick('page'),
  };
}

/**
 * A supplied 档号 must be the one the template renders from the item's own fields; its 件号 is
 * taken from the code. A mismatch is an error, never a silent rewrite of what the archivist typed.
 */
export function itemNoFromSuppliedCode(rules: CategoryRules, item: ValidatedItem): { itemNo: number | null; issue: Issue | null } {
  if (!item.suppliedCode) return { itemNo: item.itemNo, issue: null };
  const parts = parseCode(rules.template, item.suppliedCode);
  const raw = parts?.item;
  if (!parts || raw === undefined) {
    return {
      itemNo: null,
      issue: { field: 'archival_code', code: 'CODE_TEMPLATE_MISMATCH', message: `档号“${item.suppliedCode}”不符合本门类的档号模板 ${rules.template.source}`, message_en: `Archival code "${item.suppliedCode}" does not fit this category's template ${rules.template.source}`, details: { template: rules.template.source } },
    };
  }
  return { itemNo: Number(raw), issue: null };
}

export function buildColumns(rules: CategoryRules, item: ValidatedItem, itemNo: number, volumeNo: number | null): { columns: ItemColumns | null; issue: Issue | null } {
  let code: string;
  try {
    code = renderCode(rules.template, componentValues(rules, item, itemNo, volumeNo));
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { columns: null, issue: { field: String(e.details?.component ?? 'archival_code'), code: e.code, message: e.message, message_en: e.message_en, details: e.details } };
  }
  if (item.suppliedCode && item.suppliedCode !== code) {
    return {
      columns: null,
      issue: { field: 'archival_code', code: 'CODE_FIELDS_MISMATCH', message: `档号“${item.suppliedCode}”与著录项推算出的档号“${code}”不一致`, message_en: `Archival code "${item.suppliedCode}" differs from "${code}", which the described fields give`, details: { expected: code } },
    };
  }
  // Spelled out rather than spread: imports build a million of these.
  const c = item.core;
  const columns: ItemColumns = {
    archival_code: code, sort_key: naturalSortKey(code), item_no: itemNo, title: c.title, responsible: c.responsible, doc_number: c.doc_number ?? null,
    date: c.date, year: c.year, retention: c.retention, classification: c.classification, secrecy_period: c.secrecy_period ?? null,
    open_status: c.open_status, pages: c.pages ?? null, org: c.org ?? null, notes: c.notes ?? null, extra: JSON.stringify(item.extra),
  };
  return { columns, issue: null };
}
