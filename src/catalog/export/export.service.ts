import { RETENTION_CODES } from '../../domain/retention.js';
import type { Writable } from 'node:stream';
import { validateSchema } from '../../domain/field-schema.js';
import { type AuditEntry, appendAudit } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { type Actor, auditActorOf, readScope, requirePermission } from '../../security/actor.js';
import { CatalogRepository, type CategoryRow, type ItemRow } from '../catalog.repository.js';
import { loadCategory, loadFonds } from '../structure.service.js';
import { CATALOGUE_COLUMNS, type CellValue, type ExportColumn, itemExportColumns, mergeSchemas } from './columns.js';
import { tableToPdf } from './pdf-catalogue.js';
import { writeXlsx } from './xlsx-writer.js';

/** A file ready to be sent: checks, rights and the audit entry are done; `write` streams it out. */
export interface Download {
  fileName: string;
  contentType: string;
  write(out: Writable): Promise<void>;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PDF_TYPE = 'application/pdf';
export const MAX_EXPORT_IDS = 10_000;

const schemaOf = (c: CategoryRow) => validateSchema(JSON.parse(c.field_schema));

async function* asRows(source: AsyncIterable<ItemRow[]> | ItemRow[][], columns: ExportColumn[]): AsyncGenerator<CellValue[][]> {
  for await (const items of source) {
    yield items.map((item) => {
      const extra = JSON.parse(item.extra) as Record<string, unknown>;
      return columns.map((c) => c.value(item, extra));
    });
  }
}

const audit = (ctx: AppContext, actor: Actor, entry: Omit<AuditEntry, 'action'>) =>
  inTransaction(ctx, (tx) => appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'catalog.export', ...entry }]));

function xlsxDownload(fileName: string, columns: ExportColumn[], source: AsyncIterable<ItemRow[]> | ItemRow[][], titles?: string[]): Download {
  return {
    fileName, contentType: XLSX_TYPE,
    write: async (out) => {
      await writeXlsx(out, { sheetName: '目录', titles, columns }, asRows(source, columns));
    },
  };
}

/** A category, or one year / retention of it, as .xlsx with its columns under Chinese headers. */
export async function exportCategoryXlsx(ctx: AppContext, actor: Actor, categoryId: number, filter: { year?: number; retention?: string } = {}): Promise<Download> {
  requirePermission(actor, 'catalog.export');
  const { category, fonds } = await loadCategory(ctx, actor, categoryId);
  const scope = readScope(actor);
  const repo = new CatalogRepository(ctx.database.db);
  const node = { categoryId, ...(filter.year !== undefined ? { year: filter.year } : {}), ...(filter.retention ? { retention: filter.retention } : {}) };
  const count = await repo.countItems(node, scope);
  await audit(ctx, actor, { target: { type: 'category', id: categoryId }, details: { format: 'xlsx', filter, count } });
  const name = [fonds.code, category.code, filter.year, filter.retention].filter((p) => p !== undefined && p !== '').join('-');
  return xlsxDownload(`${name}.xlsx`, itemExportColumns(schemaOf(category)), repo.iterateItems(node, scope));
}

/** Items picked by id (across categories) as .xlsx; ids the caller may not see are simply not found. */
export async function exportItemsXlsx(ctx: AppContext, actor: Actor, ids: unknown): Promise<Download> {
  requirePermission(actor, 'catalog.export');
  if (!Array.isArray(ids) || !ids.length || !ids.every((i) => Number.isSafeInteger(i) && i > 0)) {
    throw badRequest('EXPORT_IDS_INVALID', '请给出要导出的文件编号列表', 'Give the list of item ids to export', { field: 'ids' });
  }
  if (ids.length > MAX_EXPORT_IDS) throw badRequest('EXPORT_TOO_MANY', `一次最多导出 ${MAX_EXPORT_IDS} 件`, `At most ${MAX_EXPORT_IDS} items per export`, { field: 'ids', max: MAX_EXPORT_IDS });
  const repo = new CatalogRepository(ctx.database.db);
  const items = await repo.itemsByIds([...new Set(ids as number[])], readScope(actor));
  const categories = await Promise.all([...new Set(items.map((i) => i.category_id))].map((id) => repo.category(id)));
  const schema = mergeSchemas(categories.filter((c): c is CategoryRow => !!c).map(schemaOf));
  await audit(ctx, actor, { details: { format: 'xlsx', requested: ids.length, count: items.length, ids: items.map((i) => i.id) } });
  return xlsxDownload('items.xlsx', itemExportColumns(schema), [items]);
}

export type CatalogueFormat = 'xlsx' | 'pdf';

/** 永久 before 定期30年 before 定期10年, legacy values after, unknown ones last. */
function byRetentionRank(a: string, b: string): number {
  const rank = (r: string) => {
    const i = (RETENTION_CODES as readonly string[]).indexOf(r);
    return i === -1 ? RETENTION_CODES.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The 归档文件目录 (DA/T 22-2015) of a fonds and year, all its categories in archival-code order
 * (or one category), with a running 序号: as .xlsx, or as an A4 landscape PDF ready to print.
 */
export async function exportCatalogue(ctx: AppContext, actor: Actor, fondsId: number, opts: { year: unknown; format: unknown; categoryId?: number }): Promise<Download> {
  requirePermission(actor, 'catalog.export');
  const year = Number(opts.year);
  if (!Number.isInteger(year) || year < 1000 || year > 2999) throw badRequest('FIELD_NOT_YEAR', '请给出四位年度', 'Give a four-digit year', { field: 'year' });
  if (opts.format !== 'xlsx' && opts.format !== 'pdf') throw badRequest('EXPORT_FORMAT_INVALID', '格式应为 xlsx 或 pdf', 'The format must be xlsx or pdf', { field: 'format' });
  const fonds = await loadFonds(ctx, actor, fondsId);
  let category: CategoryRow | null = null;
  if (opts.categoryId !== undefined) {
    category = (await loadCategory(ctx, actor, opts.categoryId)).category;
    if (category.fonds_id !== fondsId) throw notFound({ zh: '门类', en: 'Category' });
  }
  const scope = readScope(actor);
  const repo = new CatalogRepository(ctx.database.db);
  const categories = category ? [category] : await repo.listCategories(fondsId);
  let seq = 0;
  // One catalogue per lowest class: category, then retention (permanent first), each in code order.
  async function* numbered(): AsyncGenerator<CellValue[][]> {
    for (const c of categories) {
      const retentions = (await repo.countBy({ categoryId: c.id, year }, 'retention', scope)).map((r) => r.key).sort(byRetentionRank);
      for (const retention of retentions) {
        for await (const items of repo.iterateItems({ categoryId: c.id, year, retention }, scope)) {
          yield items.map((i) => {
            const n = ++seq;
            return CATALOGUE_COLUMNS.map((col) => col.value(i, n));
          });
        }
      }
    }
  }
  const title = '归档文件目录';
  const subtitle = `全宗号：${fonds.code}　全宗名称：${fonds.name}　年度：${year}${category ? `　门类：${category.name}` : ''}`;
  const baseName = `归档文件目录-${fonds.code}-${year}${category ? `-${category.code}` : ''}`;
  const details = { kind: 'catalogue', format: opts.format, fondsId, year, categoryId: category?.id ?? null };

  if (opts.format === 'pdf') {
    const bytes = await tableToPdf({ title, subtitle, columns: CATALOGUE_COLUMNS.map((c) => ({ header: c.header, width: c.width })) }, numbered());
    await audit(ctx, actor, { target: { type: 'fonds', id: fondsId }, details: { ...details, count: seq } });
    return { fileName: `${baseName}.pdf`, contentType: PDF_TYPE, write: async (out) => void out.end(Buffer.from(bytes)) };
  }
  await audit(ctx, actor, { target: { type: 'fonds', id: fondsId }, details });
  return {
    fileName: `${baseName}.xlsx`, contentType: XLSX_TYPE,
    write: async (out) => {
      await writeXlsx(out, { sheetName: '归档文件目录', titles: [title, subtitle], columns: CATALOGUE_COLUMNS.map((c) => ({ header: c.header, width: c.xlsxWidth })) }, numbered());
    },
  };
}
