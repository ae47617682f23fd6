/**
 * Coercing one submitted value to its field's type. Shared by the core item columns and
 * the per-门类 extra fields so both report problems the same way.
 */
import { type Issue, type Label, issue } from './errors.js';
import { parsePartialDate, toStoredDate } from './partial-date.js';

export const FIELD_TYPES = ['text', 'longtext', 'integer', 'date', 'enum', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  /** [a-z][a-z0-9_]* */
  name: string;
  label: Label;
  type: FieldType;
  required?: boolean;
  /** The allowed values of an enum. */
  values?: string[];
  /** In characters (code points), so a CJK character counts as one. */
  maxLength?: number;
}

/** Integer bounds; only core columns carry them. */
export interface BoundedFieldDef extends FieldDef {
  min?: number;
  max?: number;
}

/** Applied when a definition sets no maxLength, so no field takes unbounded text. */
export const DEFAULT_MAX_LENGTH: Readonly<Record<'text' | 'longtext', number>> = { text: 1000, longtext: 20000 };

export type Coerced = { value: unknown } | { issue: Issue } | { empty: true };

export function isEmptyValue(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Multi-line fields may keep tabs and line breaks; no field keeps other control characters.
const BAD_CHARS = /[\p{Cc}]/u;
const BAD_CHARS_MULTILINE = /[^\P{Cc}\t\n]/u;

export function hasBadChars(s: string, multiline: boolean): boolean {
  return (multiline ? BAD_CHARS_MULTILINE : BAD_CHARS).test(s) || LONE_SURROGATE.test(s);
}

export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const BOOLEANS = new Map<string, boolean>([
  ['true', true], ['false', false], ['1', true], ['0', false], ['是', true], ['否', false],
]);

function fail(def: FieldDef, code: string, zh: string, en: string, details?: Record<string, unknown>): { issue: Issue } {
  return { issue: issue(def.name, code, `“${def.label.zh}”${zh}`, `${def.label.en} ${en}`, details) };
}

export function requiredIssue(def: FieldDef): Issue {
  return issue(def.name, 'FIELD_REQUIRED', `“${def.label.zh}”为必填项`, `${def.label.en} is required`);
}

function coerceText(def: BoundedFieldDef, raw: unknown): Coerced {
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
    return fail(def, 'FIELD_WRONG_TYPE', '应为文字', 'must be text');
  }
  const multiline = def.type === 'longtext';
  let s = String(raw).trim();
  if (multiline) s = s.replace(/\r\n?/g, '\n');
  if (hasBadChars(s, multiline)) {
    return fail(def, 'FIELD_BAD_CHARS', '含有不允许的控制字符', 'contains control characters that are not allowed');
  }
  const max = def.maxLength ?? DEFAULT_MAX_LENGTH[multiline ? 'longtext' : 'text'];
  const length = codePointLength(s);
  if (length > max) return fail(def, 'FIELD_TOO_LONG', `不能超过 ${max} 个字（现有 ${length} 个）`, `must be at most ${max} characters (has ${length})`, { max, length });
  return { value: s };
}

function coerceInteger(def: BoundedFieldDef, raw: unknown): Coerced {
  const text = typeof raw === 'string' ? raw.normalize('NFKC').trim() : raw;
  const n = typeof text === 'number' ? text : typeof text === 'string' && /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n)) return fail(def, 'FIELD_NOT_INTEGER', '应为整数', 'must be a whole number', { value: raw });
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
    const range = `${def.min ?? '−∞'}–${def.max ?? '∞'}`;
    return fail(def, 'FIELD_OUT_OF_RANGE', `应在 ${range} 之间`, `must be between ${range}`, { min: def.min, max: def.max, value: n });
  }
  return { value: n };
}

function coerceDate(def: FieldDef, raw: unknown): Coerced {
  const d = typeof raw === 'string' || typeof raw === 'number' ? parsePartialDate(raw) : null;
  if (d === null) {
    return fail(def, 'FIELD_INVALID_DATE', '不是有效日期，应写作 YYYYMMDD、YYYYMM 或 YYYY（考证日期加 [ ]）', 'is not a valid date: use YYYYMMDD, YYYYMM or YYYY ([ ] for an inferred date)', {
      value: raw,
    });
  }
  return { value: toStoredDate(d) };
}

function coerceEnum(def: FieldDef, raw: unknown): Coerced {
  const s = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : null;
  const allowed = def.values ?? [];
  if (s === null || !allowed.includes(s)) {
    return fail(def, 'FIELD_NOT_IN_LIST', `应为以下之一：${allowed.join('、')}`, `must be one of: ${allowed.join(', ')}`, { allowed, value: raw });
  }
  return { value: s };
}

function coerceBoolean(def: FieldDef, raw: unknown): Coerced {
  const key = typeof raw === 'boolean' || typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const value = BOOLEANS.get(key);
  if (value === undefined) return fail(def, 'FIELD_NOT_BOOLEAN', '应为“是”或“否”', 'must be yes or no', { value: raw });
  return { value };
}

/** Coerces a non-empty value; an empty one (undefined, null, blank) is reported as such for the caller to decide. */
export function coerceField(def: BoundedFieldDef, raw: unknown): Coerced {
  if (isEmptyValue(raw)) return { empty: true };
  switch (def.type) {
    case 'text':
    case 'longtext':
      return coerceText(def, raw);
    case 'integer':
      return coerceInteger(def, raw);
    case 'date':
      return coerceDate(def, raw);
    case 'enum':
      return coerceEnum(def, raw);
    case 'boolean':
      return coerceBoolean(def, raw);
  }
}
