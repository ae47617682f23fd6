import { parseTemplate, renderCode } from '../domain/archival-code.js';
import { normalizeClassification, canAccess } from '../domain/classification.js';
import { DomainError, type Issue } from '../domain/errors.js';
import { naturalSortKey } from '../domain/natural-sort.js';
import { DEFAULT_OPEN_STATUS, isOpenStatus } from '../domain/open-status.js';
import { normalizeRetention } from '../domain/retention.js';
import { nowIso } from '../db/database.js';
import { appendAudit } from '../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../platform/context.js';
import { badRequest, conflict, validationFailed } from '../platform/errors.js';
import { type Actor, auditActorOf, readScope, requirePermission } from '../security/actor.js';
import { CatalogRepository } from './catalog.repository.js';
import { decodeCursor, pageSize, toPage } from './paging.js';
import { loadCategory } from './structure.service.js';
import { volumeView } from './views.js';

export interface VolumeInput {
  title?: unknown;
  responsible?: unknown;
  year?: unknown;
  retention?: unknown;
  classification?: unknown;
  openStatus?: unknown;
  org?: unknown;
  dateFrom?: unknown;
  dateTo?: unknown;
  notes?: unknown;
  volumeNo?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : v == null ? '' : String(v));

/** A volume's description: the fields its code and its listing need, every problem at once. */
function validateVolume(input: VolumeInput) {
  const issues: Issue[] = [];
  const title = str(input.title);
  if (!title) issues.push({ field: 'title', code: 'FIELD_REQUIRED', message: '案卷题名不能为空', message_en: 'The volume title is required' });
  const year = Number(input.year);
  if (!Number.isInteger(year) || year < 1000 || year > 2999) issues.push({ field: 'year', code: 'FIELD_OUT_OF_RANGE', message: '年度须为四位年份', message_en: 'The year must be a four-digit year' });
  const retention = normalizeRetention(input.retention);
  if (!retention) issues.push({ field: 'retention', code: 'FIELD_NOT_IN_LIST', message: '保管期限无效', message_en: 'Unknown retention period' });
  const classification = input.classification == null || input.classification === '' ? '公开' : normalizeClassification(input.classification);
  if (!classification) issues.push({ field: 'classification', code: 'FIELD_NOT_IN_LIST', message: '密级无效', message_en: 'Unknown classification' });
  const openStatus = str(input.openStatus) || DEFAULT_OPEN_STATUS;
  if (!isOpenStatus(openStatus)) issues.push({ field: 'openStatus', code: 'FIELD_NOT_IN_LIST', message: '开放标识无效', message_en: 'Unknown open status' });
  let volumeNo: number | null = null;
  if (input.volumeNo != null && input.volumeNo !== '') {
    volumeNo = Number(input.volumeNo);
    if (!Number.isInteger(volumeNo) || volumeNo < 1) issues.push({ field: 'volumeNo', code: 'FIELD_NOT_INTEGER', message: '案卷号须为正整数', message_en: 'The volume number must be a positive whole number' });
  }
  if (issues.length) throw validationFailed(issues);
  return { title, year, retention: retention!, classification: classification!, openStatus, volumeNo, responsible: str(input.responsible) || null, org: str(input.org) || null };
}

/** 按卷整理: a volume gets the next 案卷号 of its year and retention, and a code from the category's volume template. */
export async function createVolume(ctx: AppContext, actor: Actor, categoryId: number, input: VolumeInput) {
  requirePermission(actor, 'catalog.write');
  const { category, fonds } = await loadCategory(ctx, actor, categoryId);
  if (category.arrangement !== 'volume' || !category.volume_template) {
    throw badRequest('CATEGORY_NOT_BY_VOLUME', '该门类按件整理，没有案卷', 'This category is arranged by item and has no volumes');
  }
  const v = validateVolume(input);
  if (!canAccess(actor.clearance, v.classification)) throw badRequest('ABOVE_CLEARANCE', `不能著录高于本人密级权限（${actor.clearance}）的案卷`, `You cannot describe a volume above your own clearance (${actor.clearance})`);
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const volumeNo = v.volumeNo ?? (await repo.maxVolumeNo(categoryId, v.year, v.retention)) + 1;
    let code: string;
    try {
      code = renderCode(parseTemplate(category.volume_template!), { fonds: fonds.code, category: category.code, year: v.year, retention: v.retention, org: v.org, volume: volumeNo });
    } catch (e) {
      if (e instanceof DomainError) throw validationFailed([{ field: String(e.details?.component ?? 'archival_code'), code: e.code, message: e.message, message_en: e.message_en }]);
      throw e;
    }
    if (await repo.liveVolumeByCode(fonds.id, code)) throw conflict('ARCHIVAL_CODE_TAKEN', `案卷档号“${code}”已存在`, `Volume code "${code}" exists already`, { field: 'archival_code' });
    const at = nowIso();
    const row = await repo.insertVolume({
      fonds_id: fonds.id, category_id: categoryId, archival_code: code, sort_key: naturalSortKey(code), volume_no: volumeNo, title: v.title,
      responsible: v.responsible, year: v.year, retention: v.retention, classification: v.classification, open_status: v.openStatus, org: v.org,
      date_from: str(input.dateFrom) || null, date_to: str(input.dateTo) || null, notes: str(input.notes) || null, state: 'active',
      created_by: actor.userId, created_at: at, updated_at: at, version: 1,
    });
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'volume.create', target: { type: 'volume', id: row.id }, after: volumeView(row) }]);
    return volumeView(row);
  });
}

export async function listVolumes(ctx: AppContext, actor: Actor, node: { categoryId: number; year?: number; retention?: string }, cursor?: string, limit = 100) {
  requirePermission(actor, 'catalog.read');
  await loadCategory(ctx, actor, node.categoryId);
  const size = pageSize(limit, 100);
  const { rows, nextCursor } = toPage(await new CatalogRepository(ctx.database.db).listVolumes(node, readScope(actor), decodeCursor(cursor), size + 1), size);
  return { volumes: rows.map(volumeView), nextCursor };
}
