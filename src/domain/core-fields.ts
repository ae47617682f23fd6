/**
 * The 著录 columns every item has, whatever its 门类, with the DA/T 18-2022 文件级
 * mandatory set: 题名, 责任者, 日期, 保管期限, 开放标识 (档号 too, but the system renders
 * it). 密级 and 文件编号 are 有则必著, so they may be absent.
 */
import {
  CLASSIFICATION_LEVELS,
  type ClassificationLevel,
  DEFAULT_CLASSIFICATION,
  normalizeSecrecyPeriod,
  parseMarking,
  validateSecrecyPeriod,
} from './classification.js';
import { type Issue, issue } from './errors.js';
import { type BoundedFieldDef, coerceField, isEmptyValue, requiredIssue } from './field-values.js';
import { DEFAULT_OPEN_STATUS, OPEN_STATUSES, type OpenStatus, isOpenStatus } from './open-status.js';
import { parsePartialDate, partialDateYear } from './partial-date.js';
import { RETENTION_CODES, type RetentionCode, normalizeRetention } from './retention.js';

export const CORE_FIELDS: readonly BoundedFieldDef[] = [
  { name: 'archival_code', label: { zh: '档号', en: 'Archival code' }, type: 'text', maxLength: 100 },
  { name: 'title', label: { zh: '题名', en: 'Title' }, type: 'text', required: true, maxLength: 1000 },
  { name: 'responsible', label: { zh: '责任者', en: 'Responsible party' }, type: 'text', required: true, maxLength: 200 },
  { name: 'doc_number', label: { zh: '文件编号', en: 'Document number' }, type: 'text', maxLength: 100 },
  { name: 'date', label: { zh: '日期', en: 'Date' }, type: 'date', required: true },
  { name: 'year', label: { zh: '年度', en: 'Year' }, type: 'integer', required: true, min: 1000, max: 2999 },
  { name: 'retention', label: { zh: '保管期限', en: 'Retention period' }, type: 'enum', required: true, values: [...RETENTION_CODES] },
  { name: 'classification', label: { zh: '密级', en: 'Classification' }, type: 'enum', values: [...CLASSIFICATION_LEVELS] },
  { name: 'secrecy_period', label: { zh: '保密期限', en: 'Secrecy period' }, type: 'text', maxLength: 20 },
  { name: 'open_status', label: { zh: '开放标识', en: 'Open status' }, type: 'enum', required: true, values: [...OPEN_STATUSES] },
  { name: 'pages', label: { zh: '页数', en: 'Pages' }, type: 'integer', min: 0 },
  { name: 'notes', label: { zh: '备注', en: 'Notes' }, type: 'longtext', maxLength: 2000 },
  { name: 'org', label: { zh: '机构(问题)', en: 'Organisational unit (subject)' }, type: 'text', maxLength: 100 },
];

export const CORE_FIELD_NAMES: readonly string[] = CORE_FIELDS.map((f) => f.name);

export interface CoreValues {
  archival_code?: string;
  title: string;
  responsible: string;
  doc_number?: string;
  /** DA/T 18 text: YYYY, YYYYMM or YYYYMMDD, in [ ] when it is a 考证日期. */
  date: string;
  year: number;
  retention: RetentionCode;
  classification: ClassificationLevel;
  /** 'N年', 'N个月' or '长期'. */
  secrecy_period?: string;
  open_status: OpenStatus;
  pages?: number;
  notes?: string;
  org?: string;
}

function coreField(name: string): BoundedFieldDef {
  const def = CORE_FIELDS.find((f) => f.name === name);
  if (!def) throw new Error(`no core field ${name}`);
  return def;
}

function notInList(name: string, raw: unknown, zhHint: string, enHint: string, allowed: readonly string[]): Issue {
  const { label } = coreField(name);
  return issue(name, 'FIELD_NOT_IN_LIST', `“${label.zh}”的值“${String(raw)}”无效，${zhHint}`, `${label.en} "${String(raw)}" is not valid: ${enHint}`, {
    allowed: [...allowed],
    value: raw,
  });
}

/**
 * Validates and normalises a whole item's core columns; keys that are not core columns are
 * ignored (the 门类's extra fields go through validateFieldValues). `values` is complete
 * only when `issues` is empty. Empty optional fields are left out.
 *
 * 年度 is not checked against 日期: DA/T 22 files some documents (plans, reports spanning
 * years) under a year other than their date's.
 */
export function validateCoreFields(values: Record<string, unknown>): { values: CoreValues; issues: Issue[] } {
  const out: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const special = new Set(['retention', 'classification', 'secrecy_period', 'open_status']);

  for (const def of CORE_FIELDS) {
    if (special.has(def.name)) continue;
    const r = coerceField(def, values[def.name]);
    if ('issue' in r) issues.push(r.issue);
    else if ('value' in r) out[def.name] = r.value;
    else if (def.required && def.name !== 'year') issues.push(requiredIssue(def));
  }
  if (out.year === undefined && isEmptyValue(values.year) && typeof out.date === 'string') {
    const d = parsePartialDate(out.date);
    if (d) out.year = partialDateYear(d);
  }

  const rawRetention = values.retention;
  if (isEmptyValue(rawRetention)) issues.push(requiredIssue(coreField('retention')));
  else {
    const code = normalizeRetention(rawRetention);
    if (code) out.retention = code;
    else issues.push(notInList('retention', rawRetention, '应为 Y、D30、D10 等“D+年数”或旧值“长期”“短期”', 'use Y, D + years (D30, D10 …) or the legacy 长期/短期', RETENTION_CODES));
  }

  const rawOpen = values.open_status;
  const open = isEmptyValue(rawOpen) ? DEFAULT_OPEN_STATUS : typeof rawOpen === 'string' ? rawOpen.trim() : rawOpen;
  if (isOpenStatus(open)) out.open_status = open;
  else issues.push(notInList('open_status', rawOpen, `应为${OPEN_STATUSES.join('、')}之一`, `use one of ${OPEN_STATUSES.join(', ')}`, OPEN_STATUSES));

  // 目录 spreadsheets often carry the whole marking 「机密★10年」 in the 密级 column.
  const rawLevel = values.classification;
  const marking: ReturnType<typeof parseMarking> = isEmptyValue(rawLevel) ? { level: DEFAULT_CLASSIFICATION } : typeof rawLevel === 'string' ? parseMarking(rawLevel) : null;
  if (marking === null) {
    issues.push(notInList('classification', rawLevel, `应为${CLASSIFICATION_LEVELS.join('、')}之一`, `use one of ${CLASSIFICATION_LEVELS.join(', ')}`, CLASSIFICATION_LEVELS));
  } else {
    out.classification = marking.level;
    validateSecrecy(marking.level, marking.period, values.secrecy_period, out, issues);
  }

  return { values: out as unknown as CoreValues, issues };
}

function validateSecrecy(level: ClassificationLevel, fromMarking: string | undefined, raw: unknown, out: Record<string, unknown>, issues: Issue[]): void {
  const given = isEmptyValue(raw) ? undefined : raw;
  if (fromMarking !== undefined && given !== undefined && normalizeSecrecyPeriod(given) !== fromMarking) {
    issues.push(issue('secrecy_period', 'FIELD_CONFLICT', `保密期限“${String(given)}”与密级标识中的“${fromMarking}”不一致`, `Secrecy period "${String(given)}" contradicts "${fromMarking}" in the classification marking`, {
      value: given,
      marking: fromMarking,
    }));
    return;
  }
  const period = given ?? fromMarking;
  if (period === undefined) return;
  if (typeof period !== 'string' && typeof period !== 'number') {
    issues.push(issue('secrecy_period', 'FIELD_WRONG_TYPE', '“保密期限”应为文字', 'Secrecy period must be text'));
    return;
  }
  const problem = validateSecrecyPeriod(level, period);
  if (problem) issues.push(problem);
  else out.secrecy_period = normalizeSecrecyPeriod(period);
}
