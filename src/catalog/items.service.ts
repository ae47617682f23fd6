import { canAccess } from '../domain/classification.js';
import { validateSchema } from '../domain/field-schema.js';
import { parseTemplate, templateComponents } from '../domain/archival-code.js';
import { findGaps } from '../domain/item-number.js';
import { nowIso } from '../db/database.js';
import { appendAudit } from '../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../platform/context.js';
import { badRequest, conflict, forbidden, notFound, staleVersion, validationFailed } from '../platform/errors.js';
import { type Actor, auditActorOf, readScope, requirePermission } from '../security/actor.js';
import { indexNewItems, reindexItems, unindexItems } from '../search/index.service.js';
import { CatalogRepository, type CategoryRow, type FondsRow, type ItemRow, type NodeFilter } from './catalog.repository.js';
import { buildColumns, type CategoryRules, itemNoFromSuppliedCode, numberingGroup, validateItemFields } from './item-rules.js';
import { decodeCursor, pageSize, toPage } from './paging.js';
import { loadCategory } from './structure.service.js';
import { itemState, itemView } from './views.js';

const ITEM = { zh: '文件', en: 'Item' };

export function categoryRules(category: CategoryRow, fonds: FondsRow): CategoryRules {
  return {
    categoryId: category.id, fondsCode: fonds.code, categoryCode: category.code,
    template: parseTemplate(category.code_template), schema: validateSchema(JSON.parse(category.field_schema)),
  };
}

/** Nobody files an item above their own clearance: they could not read it back. */
function checkClearance(actor: Actor, classification: string) {
  if (!canAccess(actor.clearance, classification)) {
    throw forbidden(`不能著录高于本人密级权限（${actor.clearance}）的文件`, `You cannot describe an item above your own clearance (${actor.clearance})`, 'ABOVE_CLEARANCE');
  }
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(err?.message ?? '');
}

const codeTaken = (code: string) =>
  conflict('ARCHIVAL_CODE_TAKEN', `档号“${code}”在本全宗内已存在`, `Archival code "${code}" exists already in this fonds`, { field: 'archival_code', archivalCode: code });

export async function createItem(ctx: AppContext, actor: Actor, categoryId: number, fields: Record<string, unknown>, volumeId: number | null = null) {
  requirePermission(actor, 'catalog.write');
  const { category, fonds } = await loadCategory(ctx, actor, categoryId);
  const rules = categoryRules(category, fonds);
  const volume = volumeId === null ? null : await new CatalogRepository(ctx.database.db).volume(volumeId);
  if (volumeId !== null && (!volume || volume.category_id !== categoryId || volume.state !== 'active')) throw notFound({ zh: '案卷', en: 'Volume' });
  // Items of a volume share its year and retention unless described otherwise.
  const described = volume ? { year: volume.year, retention: volume.retention, ...fields } : fields;
  const { item, issues } = validateItemFields(rules, described);
  if (!item) throw validationFailed(issues);
  checkClearance(actor, item.core.classification);
  const supplied = itemNoFromSuppliedCode(rules, item);
  if (supplied.issue) throw validationFailed([supplied.issue]);
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const itemNo = supplied.itemNo ?? (await repo.maxItemNo(numberingGroup(rules, item.core, volumeId))) + 1;
    const { columns, issue } = buildColumns(rules, item, itemNo, volume?.volume_no ?? null);
    if (!columns) throw validationFailed([issue!]);
    if (await repo.liveItemByCode(fonds.id, columns.archival_code)) throw codeTaken(columns.archival_code);
    const at = nowIso();
    const row = await repo.insertItem({
      ...columns, fonds_id: fonds.id, category_id: categoryId, volume_id: volumeId, state: 'active', created_by: actor.userId, created_at: at, updated_at: at, version: 1,
    }).catch((e: unknown) => {
      // Two writers racing for the same number meet the unique index; say so in words.
      throw isUniqueViolation(e) ? codeTaken(columns.archival_code) : e;
    });
    await indexNewItems(ctx.database, tx, [row]);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'item.create', target: { type: 'item', id: row.id }, after: itemState(row), details: { archivalCode: row.archival_code } }]);
    return itemView(row);
  });
}

async function loadVisibleItem(ctx: AppContext, actor: Actor, id: number): Promise<ItemRow> {
  const row = await new CatalogRepository(ctx.database.db).scopedItem(id, readScope(actor));
  if (!row) throw notFound(ITEM);
  return row;
}

/** The row of an item the actor may read; other modules reach items through this, never the table. */
export async function readableItem(ctx: AppContext, actor: Actor, id: number): Promise<ItemRow> {
  requirePermission(actor, 'catalog.read');
  return loadVisibleItem(ctx, actor, id);
}

/** Whether opening the item (or its files) is a controlled view, which is itself audited: it is not open to the public. */
export const isControlledView = (row: ItemRow) => row.classification !== '公开' || row.open_status !== '开放';

/** Opening an item that is not open to the public (a controlled view) is itself audited. */
export async function getItem(ctx: AppContext, actor: Actor, id: number) {
  requirePermission(actor, 'catalog.read');
  const row = await loadVisibleItem(ctx, actor, id);
  if (isControlledView(row)) {
    await inTransaction(ctx, (tx) => appendAudit(ctx.database, tx, auditActorOf(actor), [{
      action: 'item.view', target: { type: 'item', id }, details: { archivalCode: row.archival_code, classification: row.classification, openStatus: row.open_status },
    }]));
  }
  return itemView(row);
}

/**
 * An edit sends back the version it started from; a stale one is refused with 409. Fields that
 * make up the code renumber the item within its new group, and the code follows.
 */
export async function updateItem(ctx: AppContext, actor: Actor, id: number, version: number, patch: Record<string, unknown>) {
  requirePermission(actor, 'catalog.write');
  const before = await loadVisibleItem(ctx, actor, id);
  const { category, fonds } = await loadCategory(ctx, actor, before.category_id);
  const rules = categoryRules(category, fonds);
  const current = itemView(before).fields as Record<string, unknown>;
  const { archival_code: _code, item_no: currentNo, ...rest } = current;
  const merged: Record<string, unknown> = { ...rest, ...patch };
  delete merged.archival_code;
  // 年度 follows a changed date unless the edit sets it too.
  if ('date' in patch && !('year' in patch)) delete merged.year;
  const { item, issues } = validateItemFields(rules, merged);
  if (!item) throw validationFailed(issues);
  checkClearance(actor, item.core.classification);
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const group = numberingGroup(rules, item.core, before.volume_id);
    const sameGroup = JSON.stringify(group) === JSON.stringify(numberingGroup(rules, before, before.volume_id));
    const itemNo = item.itemNo ?? (sameGroup ? Number(currentNo) : (await repo.maxItemNo(group)) + 1);
    const volume = before.volume_id === null ? null : await repo.volume(before.volume_id);
    const { columns, issue } = buildColumns(rules, item, itemNo, volume?.volume_no ?? null);
    if (!columns) throw validationFailed([issue!]);
    if (columns.archival_code !== before.archival_code) {
      const holder = await repo.liveItemByCode(fonds.id, columns.archival_code);
      if (holder && holder.id !== id) throw codeTaken(columns.archival_code);
    }
    const row = await repo.updateItem(id, version, { ...columns, updated_at: nowIso() });
    if (!row) throw staleVersion(before.version);
    await reindexItems(ctx.database, tx, [row]);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'item.update', target: { type: 'item', id }, before: itemState(before), after: itemState(row), details: { archivalCode: row.archival_code } }]);
    return itemView(row);
  });
}

/** Deletion leaves a tombstone with its reason; the row, its code and its history stay. */
export async function deleteItem(ctx: AppContext, actor: Actor, id: number, version: number, reason: string) {
  requirePermission(actor, 'catalog.write');
  if (!reason?.trim()) throw badRequest('REASON_REQUIRED', '删除须说明理由', 'A deletion needs a reason', { field: 'reason' });
  const before = await loadVisibleItem(ctx, actor, id);
  return inTransaction(ctx, async (tx) => {
    const at = nowIso();
    const row = await new CatalogRepository(tx).updateItem(id, version, { state: 'deleted', deleted_reason: reason.trim(), deleted_at: at, deleted_by: actor.userId, updated_at: at });
    if (!row) throw staleVersion(before.version);
    await unindexItems(ctx.database, tx, [id]);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'item.delete', target: { type: 'item', id }, before: itemState(before), details: { reason: reason.trim(), archivalCode: before.archival_code } }]);
    return itemView(row);
  });
}

/** One page of a node in archival-code order, with the cursor of the next page. */
export async function listItems(ctx: AppContext, actor: Actor, node: NodeFilter, cursor?: string, limit = 50) {
  requirePermission(actor, 'catalog.read');
  await loadCategory(ctx, actor, node.categoryId);
  const size = pageSize(limit);
  const { rows, nextCursor } = toPage(await new CatalogRepository(ctx.database.db).listItems(node, readScope(actor), decodeCursor(cursor), size + 1), size);
  return { items: rows.map(itemView), nextCursor };
}

export async function countItems(ctx: AppContext, actor: Actor, node: NodeFilter): Promise<number> {
  requirePermission(actor, 'catalog.read');
  await loadCategory(ctx, actor, node.categoryId);
  return new CatalogRepository(ctx.database.db).countItems(node, readScope(actor));
}

/**
 * Missing and doubled 件号 in each numbering group of a node (one per 机构(问题) when the code
 * template numbers by it), the check an archivist runs before binding a box. It counts every live
 * item, including ones above the caller's clearance: whoever numbers a class learns that a number
 * is taken anyway, and hiding it would report false gaps.
 */
export async function itemNumberGaps(ctx: AppContext, actor: Actor, node: NodeFilter) {
  requirePermission(actor, 'catalog.write');
  const { category, fonds } = await loadCategory(ctx, actor, node.categoryId);
  const byOrg = templateComponents(categoryRules(category, fonds).template).includes('org');
  const groups = new Map<string | null, number[]>();
  for (const { org, item_no } of await new CatalogRepository(ctx.database.db).itemNumbers(node)) {
    const key = byOrg ? org : null;
    const list = groups.get(key) ?? [];
    list.push(item_no);
    groups.set(key, list);
  }
  return {
    groups: [...groups.entries()]
      .sort(([a], [b]) => (a ?? '').localeCompare(b ?? '', 'zh-CN'))
      .map(([org, numbers]) => ({ org, count: numbers.length, max: Math.max(...numbers), ...findGaps(numbers) })),
  };
}
