/**
 * The extra fields a 门类 adds to the core columns (科技 project numbers, 照片 photographers,
 * 会计 voucher numbers …). Archivists define them, so definitions are checked as strictly
 * as the values entered into them.
 */
import { CODE_COMPONENTS } from './archival-code.js';
import { CORE_FIELD_NAMES } from './core-fields.js';
import { DomainError, type Issue, issue } from './errors.js';
import { FIELD_TYPES, type FieldDef, type FieldType, coerceField, requiredIssue } from './field-values.js';

export { CORE_FIELDS, CORE_FIELD_NAMES, type CoreValues, validateCoreFields } from './core-fields.js';
export { DEFAULT_MAX_LENGTH, FIELD_TYPES, type FieldDef, type FieldType } from './field-values.js';

/** Names an extra field may not take: core columns, 档号 components and the item table's own columns. */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  ...CORE_FIELD_NAMES,
  ...CODE_COMPONENTS,
  'id', 'fonds_id', 'category_id', 'volume_id', 'sort_key', 'item_no', 'extra', 'state',
  'deleted_reason', 'deleted_at', 'deleted_by', 'created_by', 'created_at', 'updated_at', 'version',
]);

const MAX_FIELDS = 100;
const MAX_NAME_LENGTH = 40;
const MAX_LABEL_LENGTH = 50;
const MAX_ENUM_VALUES = 200;
const MAX_ENUM_VALUE_LENGTH = 100;
const MAX_MAX_LENGTH = 100_000;
const KEYS = new Set(['name', 'label', 'type', 'required', 'values', 'maxLength']);

function schemaError(index: number | null, name: string | undefined, zh: string, en: string): DomainError {
  const where = index === null ? '' : `第 ${index + 1} 个字段${name ? `“${name}”` : ''}：`;
  const whereEn = index === null ? '' : `field ${index + 1}${name ? ` "${name}"` : ''}: `;
  return new DomainError('SCHEMA_INVALID', `字段定义无效：${where}${zh}`, `Invalid field schema: ${whereEn}${en}`, {
    ...(index === null ? {} : { index }),
    ...(name ? { field: name } : {}),
  });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkLabel(i: number, name: string, label: unknown): FieldDef['label'] {
  const fail = (zh: string, en: string) => schemaError(i, name, zh, en);
  if (!isPlainObject(label)) throw fail('label 应为 {zh, en}', 'label must be {zh, en}');
  const zh = typeof label.zh === 'string' ? label.zh.trim() : '';
  if (zh === '') throw fail('缺少中文名称 label.zh', 'label.zh is required');
  // An archivist may not write English names; the Chinese one then stands in.
  const en = label.en === undefined ? zh : typeof label.en === 'string' ? label.en.trim() || zh : null;
  if (en === null) throw fail('label.en 应为文字', 'label.en must be text');
  if ([...zh].length > MAX_LABEL_LENGTH || [...en].length > MAX_LABEL_LENGTH) {
    throw fail(`名称不能超过 ${MAX_LABEL_LENGTH} 个字`, `labels must be at most ${MAX_LABEL_LENGTH} characters`);
  }
  return { zh, en };
}

function checkValues(i: number, name: string, values: unknown): string[] {
  const fail = (zh: string, en: string) => schemaError(i, name, zh, en);
  if (!Array.isArray(values) || values.length === 0) throw fail('枚举字段须列出 values', 'an enum needs a non-empty values list');
  if (values.length > MAX_ENUM_VALUES) throw fail(`可选值不能超过 ${MAX_ENUM_VALUES} 个`, `at most ${MAX_ENUM_VALUES} values`);
  const out: string[] = [];
  for (const v of values) {
    const s = typeof v === 'string' ? v.trim() : '';
    if (s === '' || [...s].length > MAX_ENUM_VALUE_LENGTH || /\p{Cc}/u.test(s)) {
      throw fail(`可选值 ${JSON.stringify(v)} 无效`, `value ${JSON.stringify(v)} must be non-empty text of at most ${MAX_ENUM_VALUE_LENGTH} characters`);
    }
    if (out.includes(s)) throw fail(`可选值“${s}”重复`, `value "${s}" is listed twice`);
    out.push(s);
  }
  return out;
}

function checkField(i: number, raw: unknown, seen: Set<string>): FieldDef {
  if (!isPlainObject(raw)) throw schemaError(i, undefined, '应为对象', 'must be an object');
  const name = typeof raw.name === 'string' ? raw.name : '';
  const fail = (zh: string, en: string) => schemaError(i, name || undefined, zh, en);
  if (!/^[a-z][a-z0-9_]*$/.test(name) || name.length > MAX_NAME_LENGTH) {
    throw fail(`字段名须为小写字母开头、由小写字母、数字和下划线组成，不超过 ${MAX_NAME_LENGTH} 个字符`, `name must match [a-z][a-z0-9_]* and be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (RESERVED_FIELD_NAMES.has(name)) throw fail('与系统字段重名', 'the name is taken by a core or system column');
  if (seen.has(name)) throw fail('字段名重复', 'the name is used twice');
  const unknownKey = Object.keys(raw).find((k) => !KEYS.has(k));
  if (unknownKey !== undefined) throw fail(`不认识的属性“${unknownKey}”`, `unknown property "${unknownKey}"`);

  const type = raw.type;
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    throw fail(`类型应为 ${FIELD_TYPES.join('、')} 之一`, `type must be one of ${FIELD_TYPES.join(', ')}`);
  }
  const def: FieldDef = { name, label: checkLabel(i, name, raw.label), type: type as FieldType };
  if (raw.required !== undefined) {
    if (typeof raw.required !== 'boolean') throw fail('required 应为 true 或 false', 'required must be true or false');
    def.required = raw.required;
  }
  if (type === 'enum') def.values = checkValues(i, name, raw.values);
  else if (raw.values !== undefined) throw fail('只有枚举字段才能设 values', 'only an enum takes values');
  if (raw.maxLength !== undefined) {
    if (type !== 'text' && type !== 'longtext') throw fail('只有文字字段才能设 maxLength', 'only text fields take maxLength');
    const max = raw.maxLength;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_MAX_LENGTH) {
      throw fail(`maxLength 应为 1–${MAX_MAX_LENGTH} 的整数`, `maxLength must be an integer from 1 to ${MAX_MAX_LENGTH}`);
    }
    def.maxLength = max;
  }
  return def;
}

/** Checks a 门类's field definitions and returns them normalised; throws SCHEMA_INVALID naming the bad field. */
export function validateSchema(fields: unknown): FieldDef[] {
  if (!Array.isArray(fields)) throw schemaError(null, undefined, '应为字段定义的数组', 'must be an array of field definitions');
  if (fields.length > MAX_FIELDS) throw schemaError(null, undefined, `字段不能超过 ${MAX_FIELDS} 个`, `at most ${MAX_FIELDS} fields`);
  const seen = new Set<string>();
  return fields.map((raw, i) => {
    const def = checkField(i, raw, seen);
    seen.add(def.name);
    return def;
  });
}

/**
 * Validates and coerces the extra fields of one item against a validated schema: '12'
 * becomes 12, strings are trimmed, dates become their DA/T 18 text, and fields the schema
 * does not know are reported. Empty optional fields are left out.
 */
export function validateFieldValues(schema: FieldDef[], values: Record<string, unknown>): { values: Record<string, unknown>; issues: Issue[] } {
  const out: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const known = new Set(schema.map((f) => f.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) issues.push(issue(key, 'FIELD_UNKNOWN', `本门类没有字段“${key}”`, `This category has no field "${key}"`));
  }
  for (const def of schema) {
    const r = coerceField(def, values[def.name]);
    if ('issue' in r) issues.push(r.issue);
    else if ('value' in r) out[def.name] = r.value;
    else if (def.required) issues.push(requiredIssue(def));
  }
  return { values: out, issues };
}
