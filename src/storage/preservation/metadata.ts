/**
 * The descriptive metadata stored inside each item's OCFL object, so the catalogue can be rebuilt
 * from the storage locations alone (DESIGN §4): `lantai/metadata.json` is the machine-readable
 * record `lantai rebuild --from-storage` reads back, `lantai/metadata.xml` the same description
 * as a DA/T 46-style 文件实体 for people and other systems. Both are rendered deterministically,
 * so storing unchanged files of an unchanged item makes no new version.
 */
import type { CategoryRow, FondsRow, ItemRow, OrganizationRow, VolumeRow } from '../../catalog/catalog.repository.js';
import { retentionLabel } from '../../domain/retention.js';

export const ITEM_METADATA_FORMAT = 'lantai-item-metadata/1';

/** The contents of `lantai/metadata.json`, format `lantai-item-metadata/1`. Change it only with a new format name. */
export interface ItemMetadata {
  format: typeof ITEM_METADATA_FORMAT;
  /** From the root organization down to the one that owns the fonds. */
  organizations: Array<{ code: string; name: string; kind: string }>;
  fonds: { code: string; name: string; start_year: number | null; end_year: number | null; history: string | null };
  category: {
    code: string;
    name: string;
    name_en: string | null;
    arrangement: string;
    code_template: string;
    volume_template: string | null;
    field_schema: unknown[];
  };
  /** Every column of the volume but its fonds and category, which the enclosing records name; null for item-level arrangement. */
  volume: null | {
    id: number;
    archival_code: string;
    sort_key: string;
    volume_no: number;
    title: string;
    responsible: string | null;
    year: number;
    retention: string;
    classification: string;
    open_status: string;
    org: string | null;
    date_from: string | null;
    date_to: string | null;
    notes: string | null;
    state: string;
    deleted_reason: string | null;
    created_by: number | null;
    created_at: string;
    updated_at: string;
    version: number;
  };
  item: {
    id: number;
    archival_code: string;
    item_no: number;
    title: string;
    responsible: string;
    doc_number: string | null;
    date: string;
    year: number;
    retention: string;
    classification: string;
    secrecy_period: string | null;
    open_status: string;
    pages: number | null;
    org: string | null;
    notes: string | null;
    /** The category-specific fields, keyed by the field names of `category.field_schema`. */
    extra: Record<string, unknown>;
    created_at: string;
    updated_at: string;
  };
}

export interface MetadataSource {
  item: ItemRow;
  fonds: FondsRow;
  category: CategoryRow;
  volume: VolumeRow | null;
  /** Root first. */
  organizations: OrganizationRow[];
}

export function itemMetadata(src: MetadataSource): ItemMetadata {
  const { item: i, fonds: f, category: c, volume: v } = src;
  return {
    format: ITEM_METADATA_FORMAT,
    organizations: src.organizations.map((o) => ({ code: o.code, name: o.name, kind: o.kind })),
    fonds: { code: f.code, name: f.name, start_year: f.start_year, end_year: f.end_year, history: f.history },
    category: {
      code: c.code, name: c.name, name_en: c.name_en, arrangement: c.arrangement, code_template: c.code_template, volume_template: c.volume_template,
      field_schema: JSON.parse(c.field_schema) as unknown[],
    },
    volume: v && {
      id: v.id, archival_code: v.archival_code, sort_key: v.sort_key, volume_no: v.volume_no, title: v.title, responsible: v.responsible, year: v.year,
      retention: v.retention, classification: v.classification, open_status: v.open_status, org: v.org, date_from: v.date_from, date_to: v.date_to,
      notes: v.notes, state: v.state, deleted_reason: v.deleted_reason, created_by: v.created_by, created_at: v.created_at, updated_at: v.updated_at, version: v.version,
    },
    item: {
      id: i.id, archival_code: i.archival_code, item_no: i.item_no, title: i.title, responsible: i.responsible, doc_number: i.doc_number, date: i.date,
      year: i.year, retention: i.retention, classification: i.classification, secrecy_period: i.secrecy_period, open_status: i.open_status, pages: i.pages,
      org: i.org, notes: i.notes, extra: JSON.parse(i.extra) as Record<string, unknown>, created_at: i.created_at, updated_at: i.updated_at,
    },
  };
}

export const metadataJson = (m: ItemMetadata): Buffer => Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');

// XML 1.0 cannot carry these characters even as references; the JSON record keeps the exact text.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

type XmlNode = { name: string; attrs?: Record<string, string>; text?: string | number | null; children?: Array<XmlNode | null> };

function render(node: XmlNode, depth: number): string {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(node.attrs ?? {}).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  const children = (node.children ?? []).filter((c): c is XmlNode => c !== null);
  if (children.length) return `${pad}<${node.name}${attrs}>\n${children.map((c) => render(c, depth + 1)).join('')}${pad}</${node.name}>\n`;
  return `${pad}<${node.name}${attrs}>${escapeXml(String(node.text ?? ''))}</${node.name}>\n`;
}

/** An element, or nothing when the value is absent: DA/T 46 leaves out what was not described. */
const el = (name: string, text: string | number | null | undefined): XmlNode | null => (text === null || text === undefined || text === '' ? null : { name, text });

function fieldValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The DA/T 46 文件实体 of the item (element names from DA/T 46-2009 and the DA/T 48 schema,
 * domain.md §4.2), plus the category's own fields under 扩展著录项. `objectId` is the 电子文件号.
 */
export function metadataXml(m: ItemMetadata, objectId: string): Buffer {
  const i = m.item;
  const owner = m.organizations.at(-1);
  const archive = m.organizations.find((o) => o.kind === 'archive');
  const labels = new Map<string, string>();
  for (const f of m.category.field_schema as Array<{ name?: unknown; label?: { zh?: unknown } }>) {
    if (typeof f?.name === 'string') labels.set(f.name, typeof f.label?.zh === 'string' ? f.label.zh : f.name);
  }
  const extra = Object.entries(i.extra).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const root: XmlNode = {
    name: '文件实体',
    children: [
      el('聚合层次', '文件'),
      {
        name: '来源',
        children: [el('档案馆名称', archive?.name), el('全宗名称', m.fonds.name), el('立档单位名称', owner?.name)],
      },
      el('电子文件号', objectId),
      el('档号', i.archival_code),
      el('全宗号', m.fonds.code),
      el('年度', i.year),
      el('保管期限', retentionLabel(i.retention).zh),
      el('机构或问题', i.org),
      el('室编案卷号', m.volume?.volume_no),
      el('室编件号', i.item_no),
      {
        name: '内容描述',
        children: [
          el('题名', i.title),
          el('文件编号', i.doc_number),
          el('责任者', i.responsible),
          el('日期', i.date),
          el('密级', i.classification),
          el('保密期限', i.secrecy_period),
        ],
      },
      i.pages === null ? null : { name: '形式特征', children: [el('页数', i.pages)] },
      {
        name: '权限管理',
        children: [el('控制标识', i.open_status === '开放' ? '开放' : '控制'), el('开放标识', i.open_status)],
      },
      el('附注', i.notes),
      extra.length
        ? { name: '扩展著录项', children: extra.map(([k, v]) => ({ name: '著录项', attrs: { 名称: labels.get(k) ?? k, 字段: k }, text: fieldValue(v) })) }
        : null,
    ],
  };
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${render(root, 0)}`, 'utf8');
}
