/**
 * Checks on the description itself: value type, length, value list, plausibility, special
 * characters, DA/T 46 elements and DA/T 18 mandatory fields. Core values go through the same
 * validator as the catalogue (validateCoreFields), so a transfer is judged by the rules its
 * items will be stored under.
 */
import { CORE_FIELDS, validateCoreFields } from '../../domain/core-fields.js';
import { isEmptyValue } from '../../domain/field-values.js';
import { parsePartialDate, partialDateBounds } from '../../domain/partial-date.js';
import type { TransferItem } from '../packages/model.js';
import type { Offending } from './types.js';

export const METADATA_CHECKS = {
  length: 'LT-YJ-1-2',
  type: 'LT-YJ-1-3',
  valueList: 'LT-YJ-1-4',
  plausible: 'LT-YJ-1-5',
  specialChars: 'YJ-1-6',
  elements: 'LT-YJ-2-3',
  mandatory: 'LT-YJ-2-4',
  readable: 'LT-YJ-3-1',
} as const;

type MetadataCheck = (typeof METADATA_CHECKS)[keyof typeof METADATA_CHECKS];

/**
 * The DA/T 46 elements the DA/T 48 schema requires of a 文件实体, by their leaf names (domain.md
 * §4.2, from a vendor transcription of the XSD). An inner array is a choice: one of them suffices.
 */
export const DAT46_REQUIRED_ELEMENTS: ReadonlyArray<string | readonly string[]> = [
  '聚合层次',
  '立档单位名称',
  '电子文件号',
  '年度',
  '保管期限',
  ['室编件号', '馆编件号'],
  '题名',
  '责任者',
  '日期',
  '密级',
  '文件组合类型',
  '脱机载体编号',
];

const ISSUE_CHECK: Record<string, MetadataCheck> = {
  FIELD_REQUIRED: METADATA_CHECKS.mandatory,
  FIELD_TOO_LONG: METADATA_CHECKS.length,
  FIELD_WRONG_TYPE: METADATA_CHECKS.type,
  FIELD_NOT_INTEGER: METADATA_CHECKS.type,
  FIELD_INVALID_DATE: METADATA_CHECKS.type,
  FIELD_NOT_IN_LIST: METADATA_CHECKS.valueList,
  FIELD_CONFLICT: METADATA_CHECKS.valueList,
  CLASSIFICATION_UNKNOWN: METADATA_CHECKS.valueList,
  SECRECY_PERIOD_NOT_ALLOWED: METADATA_CHECKS.valueList,
  SECRECY_PERIOD_INVALID: METADATA_CHECKS.type,
  SECRECY_PERIOD_TOO_LONG: METADATA_CHECKS.plausible,
  FIELD_OUT_OF_RANGE: METADATA_CHECKS.plausible,
};

const MULTILINE_FIELDS = new Set(CORE_FIELDS.filter((f) => f.type === 'longtext').map((f) => f.name));
const MULTILINE_ELEMENTS = new Set(['摘要', '附注', '备注', '说明题名文字']);

/**
 * Characters no description should hold: controls (tab and line breaks only in multi-line
 * values), format characters (zero-width, BOM, bidi overrides, soft hyphen), lone surrogates,
 * private-use code points (often 造字 from a GBK user-defined area that will not display
 * elsewhere), unassigned code points and non-characters. U+FFFD is a decoding failure and is
 * reported by the readability check instead.
 */
const SPECIAL = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu;
const LINE_CHARS = new Set(['\t', '\n', '\r']);

function specialCharacters(value: string, multiline: boolean): string[] {
  const found = new Set<string>();
  for (const m of value.matchAll(SPECIAL)) {
    if (multiline && LINE_CHARS.has(m[0])) continue;
    found.add('U+' + (m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0'));
  }
  return [...found];
}

type Sink = (check: MetadataCheck, o: Offending) => void;

function values(item: TransferItem): Array<{ name: string; value: string; multiline: boolean }> {
  return [
    ...Object.entries(item.metadata).map(([name, value]) => ({ name, value, multiline: MULTILINE_ELEMENTS.has(name) })),
    ...Object.entries(item.fields)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([name, value]) => ({ name, value, multiline: MULTILINE_FIELDS.has(name) })),
  ];
}

function fieldLabel(name: string): { zh: string; en: string } {
  const def = CORE_FIELDS.find((f) => f.name === name);
  return def ? def.label : { zh: name, en: name };
}

/** Calendar day in China, where the archive is. */
function todayDigits(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

export function checkItemMetadata(
  item: TransferItem,
  options: { requireDat46: boolean; requiredElements: ReadonlyArray<string | readonly string[]>; now: Date },
  add: Sink,
): void {
  const at = { item: item.key };
  const { issues } = validateCoreFields(item.fields);
  for (const i of issues) {
    // Bad characters are reported once, with the code points, by the special-character check.
    if (i.code === 'FIELD_BAD_CHARS') continue;
    add(ISSUE_CHECK[i.code] ?? METADATA_CHECKS.type, { ...at, reason: i.message, reason_en: i.message_en });
  }
  // DA/T 18-2022 makes 档号 必著; the catalogue can render one, but a transferred item must bring its own.
  if (isEmptyValue(item.fields.archival_code)) {
    add(METADATA_CHECKS.mandatory, { ...at, reason: '“档号”为必填项', reason_en: 'Archival code is required' });
  }
  const itemNo = item.fields.item_no;
  if (!isEmptyValue(itemNo) && !/^\d+$/.test(String(itemNo).normalize('NFKC').trim())) {
    add(METADATA_CHECKS.type, { ...at, reason: `件号“${String(itemNo)}”应为正整数`, reason_en: `Item number "${String(itemNo)}" must be a positive whole number` });
  }
  const date = typeof item.fields.date === 'string' || typeof item.fields.date === 'number' ? parsePartialDate(item.fields.date) : null;
  if (date && partialDateBounds(date).from > todayDigits(options.now)) {
    add(METADATA_CHECKS.plausible, { ...at, reason: `日期“${date.value}”晚于检测当日`, reason_en: `Date "${date.value}" is after the day of the check` });
  }

  for (const { name, value, multiline } of values(item)) {
    const special = specialCharacters(value, multiline);
    if (special.length > 0) {
      add(METADATA_CHECKS.specialChars, {
        ...at,
        reason: `“${fieldLabel(name).zh}”含特殊字符 ${special.join(' ')}`,
        reason_en: `${fieldLabel(name).en} contains special characters ${special.join(' ')}`,
      });
    }
    if (value.includes('\uFFFD')) {
      add(METADATA_CHECKS.readable, {
        ...at,
        reason: `“${fieldLabel(name).zh}”含替换字符 U+FFFD，元数据未能按其编码正确读取`,
        reason_en: `${fieldLabel(name).en} contains U+FFFD: the metadata was not decoded correctly`,
      });
    }
  }
  if (Object.keys(item.metadata).length === 0 && Object.keys(item.fields).length === 0) {
    add(METADATA_CHECKS.readable, { ...at, reason: '未读出任何元数据', reason_en: 'no metadata could be read' });
  }

  if (options.requireDat46) {
    for (const element of options.requiredElements) {
      const choice = typeof element === 'string' ? [element] : element;
      if (choice.some((e) => !isEmptyValue(item.metadata[e]))) continue;
      const name = choice.join('”或“');
      add(METADATA_CHECKS.elements, {
        ...at,
        reason: `缺少 DA/T 46 必选元素“${name}”`,
        reason_en: `missing the mandatory DA/T 46 element ${choice.join(' or ')}`,
      });
    }
  }
}
