import { retentionLabel } from '../domain/retention.js';
import type { CategoryRow, FondsRow, ItemRow, OrganizationRow, VolumeRow } from './catalog.repository.js';

export const organizationView = (o: OrganizationRow) => ({
  id: o.id, code: o.code, name: o.name, kind: o.kind, parentId: o.parent_id, notes: o.notes, version: o.version, updatedAt: o.updated_at,
});

export const fondsView = (f: FondsRow) => ({
  id: f.id, organizationId: f.organization_id, code: f.code, name: f.name, startYear: f.start_year, endYear: f.end_year,
  history: f.history, version: f.version, updatedAt: f.updated_at,
});

export const categoryView = (c: CategoryRow) => ({
  id: c.id, fondsId: c.fonds_id, code: c.code, name: c.name, nameEn: c.name_en, arrangement: c.arrangement,
  codeTemplate: c.code_template, volumeTemplate: c.volume_template, fieldSchema: JSON.parse(c.field_schema) as unknown[],
  importMapping: c.import_mapping ? (JSON.parse(c.import_mapping) as Record<string, string>) : null, version: c.version, updatedAt: c.updated_at,
});

export const volumeView = (v: VolumeRow) => ({
  id: v.id, fondsId: v.fonds_id, categoryId: v.category_id, archivalCode: v.archival_code, volumeNo: v.volume_no, title: v.title,
  responsible: v.responsible, year: v.year, retention: v.retention, classification: v.classification, openStatus: v.open_status,
  notes: v.notes, version: v.version,
});

/** An item: bookkeeping at the top, the described fields (core and category-specific) under `fields`, keyed as in the schema. */
export function itemView(i: ItemRow) {
  return {
    id: i.id, fondsId: i.fonds_id, categoryId: i.category_id, volumeId: i.volume_id, state: i.state, version: i.version,
    createdAt: i.created_at, updatedAt: i.updated_at, deletedReason: i.deleted_reason,
    retentionLabel: retentionLabel(i.retention),
    fields: {
      archival_code: i.archival_code, item_no: i.item_no, title: i.title, responsible: i.responsible, doc_number: i.doc_number,
      date: i.date, year: i.year, retention: i.retention, classification: i.classification, secrecy_period: i.secrecy_period,
      open_status: i.open_status, pages: i.pages, org: i.org, notes: i.notes, ...(JSON.parse(i.extra) as Record<string, unknown>),
    },
  };
}
export type ItemView = ReturnType<typeof itemView>;

/** The state an audit digest covers: the described content, not bookkeeping. */
export const itemState = (i: ItemRow) => itemView(i).fields;
