/**
 * Reading `lantai/metadata.json` back from an item's OCFL object. The file was written by another
 * version of Lantai, perhaps decades ago, and may have been damaged since: every value is checked
 * for the type its column needs before anything reaches the database, and the first wrong value
 * is named by its path in the file.
 */
import { parseTemplate } from '../../domain/archival-code.js';
import { isClassificationLevel } from '../../domain/classification.js';
import { DomainError } from '../../domain/errors.js';
import { validateSchema } from '../../domain/field-schema.js';
import { isOpenStatus } from '../../domain/open-status.js';
import { isRetention } from '../../domain/retention.js';
import { ITEM_METADATA_FORMAT, type ItemMetadata } from '../preservation/metadata.js';

type VolumeMetadata = NonNullable<ItemMetadata['volume']>;

export class MetadataError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Field readers that name the path of the value they reject. */
class Reader {
  constructor(private readonly path: string) {}

  private fail(key: string, zh: string, en: string): never {
    throw new MetadataError(`${this.path}.${key} ${zh}`, `${this.path}.${key} ${en}`);
  }

  record(obj: Json, key: string): Json {
    const v = obj[key];
    if (!isRecord(v)) this.fail(key, '应为对象', 'must be an object');
    return v;
  }

  text(obj: Json, key: string): string {
    const v = obj[key];
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, '应为非空字符串', 'must be a non-empty string');
    return v;
  }

  optionalText(obj: Json, key: string): string | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') this.fail(key, '应为字符串或 null', 'must be a string or null');
    return v;
  }

  integer(obj: Json, key: string, min = 0): number {
    const v = obj[key];
    if (!Number.isSafeInteger(v) || (v as number) < min) this.fail(key, `应为不小于 ${min} 的整数`, `must be an integer of at least ${min}`);
    return v as number;
  }

  optionalInteger(obj: Json, key: string): number | null {
    return obj[key] === undefined || obj[key] === null ? null : this.integer(obj, key);
  }

  time(obj: Json, key: string): string {
    const v = obj[key];
    if (typeof v !== 'string' || !ISO_TIME.test(v) || Number.isNaN(Date.parse(v))) this.fail(key, '应为 ISO 8601 UTC 时间', 'must be an ISO 8601 UTC time');
    return v;
  }

  oneOf(obj: Json, key: string, ok: (v: unknown) => boolean, zh: string, en: string): string {
    const v = this.text(obj, key);
    if (!ok(v)) this.fail(key, `的值“${v}”不是有效的${zh}`, `value "${v}" is not a valid ${en}`);
    return v;
  }

  template(obj: Json, key: string, optional: boolean): string | null {
    const v = optional ? this.optionalText(obj, key) : this.text(obj, key);
    if (v === null) return null;
    try {
      parseTemplate(v);
    } catch (e) {
      if (e instanceof DomainError) this.fail(key, `不是有效的档号模板：${e.message}`, `is not a valid code template: ${e.message_en}`);
      throw e;
    }
    return v;
  }
}

function organization(raw: unknown, i: number): ItemMetadata['organizations'][number] {
  const r = new Reader(`organizations[${i}]`);
  if (!isRecord(raw)) throw new MetadataError(`organizations[${i}] 应为对象`, `organizations[${i}] must be an object`);
  return { code: r.text(raw, 'code'), name: r.text(raw, 'name'), kind: r.text(raw, 'kind') };
}

function fonds(raw: Json): ItemMetadata['fonds'] {
  const r = new Reader('fonds');
  return { code: r.text(raw, 'code'), name: r.text(raw, 'name'), start_year: r.optionalInteger(raw, 'start_year'), end_year: r.optionalInteger(raw, 'end_year'), history: r.optionalText(raw, 'history') };
}

function category(raw: Json): ItemMetadata['category'] {
  const r = new Reader('category');
  const arrangement = r.oneOf(raw, 'arrangement', (v) => v === 'item' || v === 'volume', '整理方式（item 或 volume）', 'arrangement (item or volume)');
  try {
    // The catalogue reads every category's schema through this check; one it rejects would break the category.
    validateSchema(raw.field_schema);
  } catch (e) {
    if (e instanceof DomainError) throw new MetadataError(`category.field_schema 无效：${e.message}`, `category.field_schema is invalid: ${e.message_en}`);
    throw e;
  }
  return {
    code: r.text(raw, 'code'), name: r.text(raw, 'name'), name_en: r.optionalText(raw, 'name_en'), arrangement,
    code_template: r.template(raw, 'code_template', false)!, volume_template: r.template(raw, 'volume_template', true), field_schema: raw.field_schema as unknown[],
  };
}

function described(r: Reader, raw: Json) {
  return {
    archival_code: r.text(raw, 'archival_code'),
    title: r.text(raw, 'title'),
    year: r.integer(raw, 'year', 1),
    retention: r.oneOf(raw, 'retention', isRetention, '保管期限', 'retention period'),
    classification: r.oneOf(raw, 'classification', isClassificationLevel, '密级', 'classification'),
    open_status: r.oneOf(raw, 'open_status', isOpenStatus, '开放标识', 'open status'),
    org: r.optionalText(raw, 'org'),
    notes: r.optionalText(raw, 'notes'),
  };
}

function volume(raw: Json): VolumeMetadata {
  const r = new Reader('volume');
  return {
    id: r.integer(raw, 'id', 1),
    ...described(r, raw),
    sort_key: r.text(raw, 'sort_key'),
    volume_no: r.integer(raw, 'volume_no', 1),
    responsible: r.optionalText(raw, 'responsible'),
    date_from: r.optionalText(raw, 'date_from'),
    date_to: r.optionalText(raw, 'date_to'),
    state: r.text(raw, 'state'),
    deleted_reason: r.optionalText(raw, 'deleted_reason'),
    created_by: r.optionalInteger(raw, 'created_by'),
    created_at: r.time(raw, 'created_at'),
    updated_at: r.time(raw, 'updated_at'),
    version: r.integer(raw, 'version', 1),
  };
}

function item(raw: Json): ItemMetadata['item'] {
  const r = new Reader('item');
  return {
    id: r.integer(raw, 'id', 1),
    ...described(r, raw),
    item_no: r.integer(raw, 'item_no', 1),
    responsible: r.text(raw, 'responsible'),
    doc_number: r.optionalText(raw, 'doc_number'),
    date: r.text(raw, 'date'),
    secrecy_period: r.optionalText(raw, 'secrecy_period'),
    pages: r.optionalInteger(raw, 'pages'),
    extra: r.record(raw, 'extra'),
    created_at: r.time(raw, 'created_at'),
    updated_at: r.time(raw, 'updated_at'),
  };
}

/** The metadata in `bytes`, or a MetadataError naming what is wrong. */
export function parseItemMetadata(bytes: Buffer): ItemMetadata {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new MetadataError(`不是有效的 UTF-8 JSON：${(e as Error).message}`, `not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!isRecord(json)) throw new MetadataError('顶层应为对象', 'the top level must be an object');
  if (json.format !== ITEM_METADATA_FORMAT) {
    throw new MetadataError(`format 应为“${ITEM_METADATA_FORMAT}”，实为 ${JSON.stringify(json.format)}`, `format must be "${ITEM_METADATA_FORMAT}", not ${JSON.stringify(json.format)}`);
  }
  const top = new Reader('metadata');
  if (!Array.isArray(json.organizations) || json.organizations.length === 0) {
    throw new MetadataError('organizations 应为非空数组', 'organizations must be a non-empty array');
  }
  const organizations = json.organizations.map(organization);
  const codes = new Set(organizations.map((o) => o.code));
  if (codes.size !== organizations.length) throw new MetadataError('organizations 中机构代码重复', 'organizations repeats an organization code');
  const cat = category(top.record(json, 'category'));
  const vol = json.volume === null || json.volume === undefined ? null : volume(top.record(json, 'volume'));
  if (vol && cat.arrangement !== 'volume') throw new MetadataError('按件整理的门类不能有案卷（volume 应为 null）', 'an item-arranged category has no volumes (volume must be null)');
  return { format: ITEM_METADATA_FORMAT, organizations, fonds: fonds(top.record(json, 'fonds')), category: cat, volume: vol, item: item(top.record(json, 'item')) };
}
