/**
 * Receiving (收, DESIGN §5): a transfer package moves through persisted states
 * received → unpacked → awaiting_decision → accepting → accepted, or → returned with its report
 * and a reason. Accepting is resumable: each package item's row records the catalogue item it
 * became, how many of its versions are stored and whether its text is in, so a run after a crash
 * picks up where the last one stopped and files no item, and stores no version, twice.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import iconv from 'iconv-lite';
import { CatalogRepository } from '../../catalog/catalog.repository.js';
import { buildColumns, type CategoryRules, validateItemFields } from '../../catalog/item-rules.js';
import { categoryRules, createItem, readableItem } from '../../catalog/items.service.js';
import { loadCategory } from '../../catalog/structure.service.js';
import { nowIso } from '../../db/database.js';
import { appendAudit } from '../../platform/audit/audit.service.js';
import { inParallel } from '../../platform/concurrency.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../platform/errors.js';
import { type Actor, auditActorOf, can, canReachFonds, requirePermission } from '../../security/actor.js';
import { setItemText } from '../../search/index.service.js';
import { storeItemFiles } from '../../storage/preservation/preservation.service.js';
import { parseTemplate } from '../../domain/archival-code.js';
import { refusalReport, runChecks } from '../checks/run.js';
import type { CheckReport, VirusScanner } from '../checks/types.js';
import { findScanner } from '../checks/virus.js';
import { DEFAULT_UNPACK_LIMITS } from '../unpack/limits.js';
import { scanDirectory } from '../unpack/scan.js';
import { type ItemLayer, LAYER_LABELS, readPackage, type TransferFile, type TransferItem, type TransferPackage } from '../packages/model.js';
import { type TransferFilter, type TransferItemRow, TransferRepository, type TransferRow } from './transfer.repository.js';

export const TRANSFER_STATES = ['received', 'unpacked', 'awaiting_decision', 'accepting', 'accepted', 'returned'] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

const TRANSFER = { zh: '移交', en: 'Transfer' };

/** The text of an item's files that search indexes: the received .txt files, pages split at form feeds. */
const TEXT_SOURCE = 'transfer';

interface StoredFile {
  name: string;
  /** Relative to the transfer's directory. */
  path: string;
  text: boolean;
}

/** An earlier state of a transfer item (TransferItem.previous) as its row keeps it. */
interface StoredState {
  layer: ItemLayer;
  files: StoredFile[];
}

export interface TransferView {
  id: number;
  organizationId: number | null;
  sender: string | null;
  categoryId: number;
  fondsId: number;
  fileName: string;
  format: string | null;
  state: TransferState;
  itemCount: number;
  fileCount: number;
  bytes: number;
  acceptedCount: number;
  report: CheckReport | null;
  reason: string | null;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
  decidedBy: number | null;
  decidedAt: string | null;
}

export const transferView = (r: TransferRow): TransferView => ({
  id: r.id, organizationId: r.organization_id, sender: r.sender, categoryId: r.category_id, fondsId: r.fonds_id, fileName: r.file_name, format: r.format,
  state: r.state as TransferState, itemCount: r.item_count, fileCount: r.file_count, bytes: r.bytes, acceptedCount: r.accepted_count,
  report: r.report === null ? null : (JSON.parse(r.report) as CheckReport), reason: r.reason, createdBy: r.created_by,
  createdAt: r.created_at, updatedAt: r.updated_at, decidedBy: r.decided_by, decidedAt: r.decided_at,
});

/** Where a transfer's received package and its unpacked copy live. */
export const transferDir = (ctx: AppContext, id: number) => join(ctx.config.dataDir, 'transfers', String(id));
export const packagePath = (ctx: AppContext, row: TransferRow) => join(transferDir(ctx, row.id), 'package', row.file_name);

function wrongState(row: TransferRow, wanted: string, wantedEn: string): AppError {
  return conflict('TRANSFER_STATE', `移交 #${row.id} 当前状态为“${row.state}”，${wanted}`, `Transfer #${row.id} is "${row.state}"; ${wantedEn}`, { state: row.state });
}

/** A transfer the actor may handle: the receiving right and the transfer's fonds within reach. */
async function loadTransfer(ctx: AppContext, actor: Actor, id: number): Promise<TransferRow> {
  requirePermission(actor, 'transfer.receive');
  const row = await new TransferRepository(ctx.database.db).transfer(id);
  if (!row || !canReachFonds(actor, row.fonds_id)) throw notFound(TRANSFER);
  return row;
}

export async function getTransfer(ctx: AppContext, actor: Actor, id: number): Promise<TransferView> {
  return transferView(await loadTransfer(ctx, actor, id));
}

export async function listTransfers(ctx: AppContext, actor: Actor, filter: Omit<TransferFilter, 'beforeId' | 'fondsIds'> & { cursor?: string; limit?: number }) {
  requirePermission(actor, 'transfer.receive');
  const limit = Math.min(Math.max(Math.trunc(Number(filter.limit)) || 50, 1), 500);
  const beforeId = filter.cursor === undefined ? undefined : Number(Buffer.from(filter.cursor, 'base64url').toString('utf8'));
  if (beforeId !== undefined && !Number.isSafeInteger(beforeId)) throw badRequest('CURSOR_INVALID', '分页游标无效', 'Invalid page cursor');
  const rows = await new TransferRepository(ctx.database.db).list({
    ...(filter.state ? { state: filter.state } : {}), ...(filter.sender ? { sender: filter.sender } : {}),
    ...(filter.organizationId === undefined ? {} : { organizationId: filter.organizationId }), ...(beforeId === undefined ? {} : { beforeId }),
    fondsIds: actor.allFonds ? 'all' : actor.fondsIds,
  }, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(transferView), nextCursor: rows.length > limit && last ? Buffer.from(String(last.id)).toString('base64url') : null };
}

export interface ReceiveInput {
  /** A zip file or a directory, copied into the data directory. */
  path: string;
  fileName: string;
  categoryId: number;
  organizationId?: number | null;
  sender?: string | null;
}

/** Keeps a copy of the package under `dataDir/transfers/<id>/package/` and records it as received. */
export async function receiveTransfer(ctx: AppContext, actor: Actor, input: ReceiveInput): Promise<TransferView> {
  if (!can(actor, 'transfer.receive')) {
    // A sender's token submits for its own organization only.
    requirePermission(actor, 'transfer.submit');
    if (input.organizationId == null || input.organizationId !== actor.organizationId) throw forbidden();
  }
  const { category, fonds } = await loadCategory(ctx, actor, input.categoryId);
  const fileName = basename(input.fileName.replace(/\\/g, '/'));
  if (!fileName || fileName === '.' || fileName === '..') throw badRequest('TRANSFER_FILE_NAME', '移交包文件名无效', 'Invalid package file name', { fileName: input.fileName });
  if (input.organizationId != null && !(await new CatalogRepository(ctx.database.db).organization(input.organizationId))) throw notFound({ zh: '移交单位', en: 'Sending organization' });
  const info = await stat(input.path).catch(() => {
    throw badRequest('TRANSFER_PACKAGE_MISSING', `找不到移交包：${input.path}`, `No package at ${input.path}`, { path: input.path });
  });
  // A folder is copied by name, which a name that is not UTF-8 cannot survive: refuse it as unpacking would.
  if (info.isDirectory()) await scanDirectory(input.path, DEFAULT_UNPACK_LIMITS);
  const size = info.isFile() ? info.size : 0;
  // Copied beside its final place first, so the transaction only renames it.
  const incoming = join(ctx.config.dataDir, 'transfers', `incoming-${randomUUID()}`);
  let id = 0;
  try {
    await mkdir(incoming, { recursive: true });
    await cp(input.path, join(incoming, fileName), { recursive: true, errorOnExist: true, force: false });
    return await inTransaction(ctx, async (tx) => {
      const at = nowIso();
      const row = await new TransferRepository(tx).insert({
        organization_id: input.organizationId ?? null, sender: input.sender ?? null, category_id: category.id, fonds_id: fonds.id, file_name: fileName,
        format: null, state: 'received', bytes: size, report: null, reason: null, created_by: actor.userId, created_at: at, updated_at: at, decided_by: null, decided_at: null,
      });
      id = row.id;
      await mkdir(transferDir(ctx, id), { recursive: true });
      await rename(incoming, dirname(packagePath(ctx, row)));
      await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'transfer.receive', target: { type: 'transfer', id: row.id }, details: { fileName, categoryId: category.id, bytes: size } }]);
      return transferView(row);
    });
  } catch (e) {
    await rm(incoming, { recursive: true, force: true });
    if (id) await rm(transferDir(ctx, id), { recursive: true, force: true });
    throw e;
  }
}

/** The work directory `readPackage` unpacks a transfer into. */
export const unpackDir = (ctx: AppContext, id: number) => join(transferDir(ctx, id), 'work');

/**
 * Records what reading the package and checking it found: the items to accept (with their files
 * relative to the transfer's directory) and the report; the transfer then awaits a decision.
 * Checking again replaces both, as long as nothing has been accepted. `pkg` is null for a
 * package that could not be opened: no items, a report saying why.
 */
async function recordCheck(ctx: AppContext, actor: Actor, id: number, pkg: TransferPackage | null, report: CheckReport): Promise<TransferView> {
  const row = await checkableTransfer(ctx, actor, id);
  const dir = transferDir(ctx, id);
  let fileCount = 0;
  let bytes = 0;
  const stored = (root: string, files: TransferFile[]): StoredFile[] => files.map((f) => {
    fileCount += 1;
    bytes += f.size;
    return { name: f.name, path: relative(dir, resolve(root, f.path)), text: extname(f.name).toLowerCase() === '.txt' };
  });
  const items = !pkg ? [] : pkg.items.map((item, seq) => {
    const previous: StoredState[] | null = item.previous ? item.previous.map((s) => ({ layer: s.layer, files: stored(pkg.root, s.files) })) : null;
    const code = typeof item.fields.archival_code === 'string' && item.fields.archival_code.trim() ? item.fields.archival_code.trim() : null;
    return {
      transfer_id: id, seq, item_key: item.key, archival_code: code, fields: JSON.stringify(item.fields), files: JSON.stringify(stored(pkg.root, item.files)),
      previous: previous && JSON.stringify(previous), item_id: null, state: 'pending', updated_at: nowIso(),
    };
  });
  return inTransaction(ctx, async (tx) => {
    const repo = new TransferRepository(tx);
    await repo.replaceItems(id, items);
    const at = nowIso();
    await repo.update(id, {
      state: 'awaiting_decision', format: pkg?.format ?? null, sender: row.sender ?? pkg?.declared.sender ?? null, item_count: items.length, file_count: fileCount,
      // A package that could not be opened keeps the size it was received with.
      bytes: pkg ? bytes : row.bytes, report: JSON.stringify(report), updated_at: at,
    });
    const failed = report.checks.filter((c) => c.result === 'fail').map((c) => c.id);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{
      action: 'transfer.check', target: { type: 'transfer', id }, details: { format: pkg?.format ?? null, items: items.length, files: fileCount, bytes, blocking: report.blocking, failed },
    }]);
    return transferView((await repo.transfer(id))!);
  });
}

/** A transfer that may be checked (again): nothing of it accepted, not returned. */
export async function checkableTransfer(ctx: AppContext, actor: Actor, id: number): Promise<TransferRow> {
  const row = await loadTransfer(ctx, actor, id);
  if (!['received', 'unpacked', 'awaiting_decision'].includes(row.state)) throw wrongState(row, '只有尚未接收或退回的移交才能检测', 'only a transfer not yet accepted or returned can be checked');
  return row;
}

export interface CheckOptions {
  /** The virus scanner; by default the first ClamAV found (clamd, then clamscan), or none. */
  scanner?: VirusScanner | null;
  onProgress?: (done: number, total: number) => void;
}

/**
 * DA/T 46 gives an EEP's 档号 as its parts (全宗号, 年度, 保管期限, 机构或问题, 室编件号); the
 * receiving category's template spells them into the code the catalogue will hold, so that the
 * checks judge that code and accepting files the item under it. The sender's own 全宗号 is kept,
 * as a carrier's written 档号 would keep it. An item without its 件号 is left without a code, for
 * the mandatory-field check to report.
 */
function spellCodeFromParts(rules: CategoryRules, item: TransferItem): void {
  if (String(item.fields.archival_code ?? '').trim() !== '') return;
  const { item: valid } = validateItemFields(rules, item.fields);
  if (valid?.itemNo == null) return;
  const fondsCode = item.metadata['全宗号']?.trim() || rules.fondsCode;
  const { columns } = buildColumns({ ...rules, fondsCode }, valid, valid.itemNo, null);
  if (columns) item.fields.archival_code = columns.archival_code;
}

/**
 * Reads the received package (unpacking a zip safely into the transfer's work directory) and
 * runs the 移交与接收 four-property checks against the receiving fonds: its archival codes for
 * uniqueness, its category's code template for the code format. A package that cannot be opened
 * (the unpacker refuses it, or it is in no format Lantai reads) is the sender's to fix: it gets a
 * report whose structure check fails with the reason, so both sides see why and the archivist
 * can return it.
 */
export async function checkTransfer(ctx: AppContext, actor: Actor, id: number, opts: CheckOptions = {}): Promise<TransferView> {
  const row = await checkableTransfer(ctx, actor, id);
  const { category, fonds } = await loadCategory(ctx, actor, row.category_id);
  const work = unpackDir(ctx, id);
  await rm(work, { recursive: true, force: true });
  let pkg: TransferPackage;
  try {
    pkg = await readPackage(packagePath(ctx, row), { workDir: work });
  } catch (e) {
    // 422 is the package at fault; a missing copy or a clash in the work directory is the archive's.
    if (!(e instanceof AppError) || e.status !== 422) throw e;
    return recordCheck(ctx, actor, id, null, refusalReport({ zh: e.message, en: e.message_en }));
  }
  await new TransferRepository(ctx.database.db).update(id, { state: 'unpacked', format: pkg.format, updated_at: nowIso() });
  // Other formats carry the 档号 as written; DA/T 18 wants it brought, not made up at receipt.
  if (pkg.format === 'eep') {
    const rules = categoryRules(category, fonds);
    for (const item of pkg.items) spellCodeFromParts(rules, item);
  }
  const catalog = new CatalogRepository(ctx.database.db);
  const report = await runChecks(pkg, {
    existingCodes: async (codes) => new Set((await catalog.liveItemsByCodes(fonds.id, codes)).map((i) => i.archival_code)),
    scanner: opts.scanner === undefined ? await findScanner() : opts.scanner,
    codeTemplates: [parseTemplate(category.code_template)],
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  }, ctx.config.transferCheckSeverity);
  return recordCheck(ctx, actor, id, pkg, report);
}

function blocked(row: TransferRow): AppError {
  return conflict('TRANSFER_BLOCKED', `移交 #${row.id} 未通过必须通过的检测项目，不能接收；请退回并附检测报告`,
    `Transfer #${row.id} failed a blocking check and cannot be accepted; return it with the report`, { report: JSON.parse(row.report ?? 'null') });
}

/** Decodes a received text file: UTF-8 when it is valid UTF-8, GB18030 otherwise (the national encodings). */
function decodeText(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gb18030') : utf8;
}

/** A transfer that may be accepted (or is already): checked, no blocking failure, not returned. */
export async function acceptableTransfer(ctx: AppContext, actor: Actor, id: number): Promise<TransferRow> {
  const row = await loadTransfer(ctx, actor, id);
  if (row.state === 'accepted') return row;
  if (row.state !== 'awaiting_decision' && row.state !== 'accepting') throw wrongState(row, '只有已检测、待决定的移交才能接收', 'only a checked transfer awaiting a decision can be accepted');
  const report = JSON.parse(row.report ?? 'null') as CheckReport | null;
  if (!report || report.blocking) throw blocked(row);
  return row;
}

/**
 * Items accepted at once. Each waits mostly on its own fsyncs and hashing workers, and items are
 * independent (each resumes from its own row), so overlapping them costs nothing in safety.
 */
const ACCEPT_CONCURRENCY = 8;

export interface AcceptOptions {
  /** Asked before each item: stop (the transfer stays `accepting`) and resume later. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Files the items of a checked transfer: catalogue record (createItem with the package's code),
 * files to preservation storage, text to the search index, an audit entry per item. Resumable:
 * a run after a crash takes each item from the step it reached, so nothing is filed twice.
 */
export async function acceptTransfer(ctx: AppContext, actor: Actor, id: number, opts: AcceptOptions = {}): Promise<TransferView> {
  let row = await acceptableTransfer(ctx, actor, id);
  if (row.state === 'accepted') return transferView(row);
  const audit = auditActorOf(actor);
  if (row.state === 'awaiting_decision') {
    await inTransaction(ctx, async (tx) => {
      const at = nowIso();
      await new TransferRepository(tx).update(id, { state: 'accepting', decided_by: actor.userId, decided_at: at, updated_at: at });
      await appendAudit(ctx.database, tx, audit, [{ action: 'transfer.accept_start', target: { type: 'transfer', id }, details: { items: row.item_count } }]);
    });
    row = (await new TransferRepository(ctx.database.db).transfer(id))!;
  }
  const repo = new TransferRepository(ctx.database.db);
  const items = await repo.items(id);
  let done = items.filter((i) => i.state === 'done').length;
  opts.onProgress?.(done, items.length);
  const pending = items.filter((i) => i.state !== 'done');
  await inParallel(pending, ACCEPT_CONCURRENCY, async (item) => {
    if (opts.signal?.aborted) return;
    await acceptItem(ctx, actor, row, item);
    done += 1;
    opts.onProgress?.(done, items.length);
  });
  if (opts.signal?.aborted && done < items.length) return transferView((await repo.transfer(id))!);
  return inTransaction(ctx, async (tx) => {
    const r = new TransferRepository(tx);
    const at = nowIso();
    await r.update(id, { state: 'accepted', accepted_count: await r.countAccepted(id), updated_at: at });
    await appendAudit(ctx.database, tx, audit, [{ action: 'transfer.accept', target: { type: 'transfer', id }, details: { items: items.length, format: row.format, sender: row.sender } }]);
    return transferView((await r.transfer(id))!);
  });
}

/**
 * The versions a transfer item's object gets, in order: one per earlier state, then its own files,
 * each saying which transfer it came from and, for an item with earlier states, which layer it is.
 */
function versionsOf(transferId: number, item: TransferItemRow): Array<{ files: StoredFile[]; message: string }> {
  const zh = `移交接收 #${transferId}`;
  const en = `accepted from transfer #${transferId}`;
  const message = (layer?: ItemLayer) => (layer ? `${zh}：${LAYER_LABELS[layer].zh} / ${en}: ${LAYER_LABELS[layer].en}` : `${zh} / ${en}`);
  const previous = item.previous === null ? [] : (JSON.parse(item.previous) as StoredState[]);
  return [
    ...previous.map((s) => ({ files: s.files, message: message(s.layer) })),
    { files: JSON.parse(item.files) as StoredFile[], message: message(previous.length ? 'revision' : undefined) },
  ];
}

/**
 * One item, from whichever step it reached. The item's id is recorded right after creating it;
 * should the process die in between, the item is found again by its archival code, which the
 * checks found free in the fonds, and which only this accept run can have taken since it began.
 */
async function acceptItem(ctx: AppContext, actor: Actor, transfer: TransferRow, item: TransferItemRow): Promise<void> {
  const repo = new TransferRepository(ctx.database.db);
  let itemId = item.item_id;
  if (itemId === null) {
    if (!item.archival_code) {
      throw conflict('TRANSFER_ITEM_CODE_MISSING', `移交包条目“${item.item_key}”没有档号，不能接收`, `Package item "${item.item_key}" has no archival code and cannot be accepted`, { item: item.item_key });
    }
    const existing = await new CatalogRepository(ctx.database.db).liveItemByCode(transfer.fonds_id, item.archival_code);
    if (existing && existing.created_by === actor.userId && transfer.decided_at !== null && existing.created_at >= transfer.decided_at) {
      itemId = existing.id;
    } else {
      itemId = (await createItem(ctx, actor, transfer.category_id, JSON.parse(item.fields) as Record<string, unknown>)).id;
    }
    await repo.updateItem(transfer.id, item.seq, { item_id: itemId, state: 'created', updated_at: nowIso() });
  }
  const dir = transferDir(ctx, transfer.id);
  const versions = versionsOf(transfer.id, item);
  for (const [n, version] of versions.entries()) {
    if (n < item.versions_stored) continue;
    // Each version holds exactly its state's files: a file the revision dropped stays in the earlier
    // version only. Storing the head's files again makes no new version, so a crash before the
    // count below is recorded costs nothing.
    if (version.files.length) {
      await storeItemFiles(ctx, actor, itemId, version.files.map((f) => ({ name: f.name, path: join(dir, f.path) })), { mode: 'replace', message: version.message });
    }
    await repo.updateItem(transfer.id, item.seq, { versions_stored: n + 1, updated_at: nowIso() });
  }
  const files = versions.at(-1)!.files;
  const pages: string[] = [];
  for (const f of files.filter((x) => x.text)) pages.push(...decodeText(await readFile(join(dir, f.path))).split('\f'));
  const row = await readableItem(ctx, actor, itemId);
  await inTransaction(ctx, async (tx) => {
    if (pages.length) await setItemText(ctx.database, tx, row, TEXT_SOURCE, pages);
    const r = new TransferRepository(tx);
    const at = nowIso();
    await r.updateItem(transfer.id, item.seq, { state: 'done', updated_at: at });
    await r.incrementAccepted(transfer.id, at);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{
      action: 'transfer.item_accept', target: { type: 'item', id: itemId },
      details: { transferId: transfer.id, key: item.item_key, archivalCode: row.archival_code, files: files.map((f) => f.name) },
    }]);
  });
}

/** Sends a transfer back with its report and the reason; nothing of it enters the catalogue or storage. */
export async function returnTransfer(ctx: AppContext, actor: Actor, id: number, reason: unknown): Promise<TransferView> {
  const row = await loadTransfer(ctx, actor, id);
  if (typeof reason !== 'string' || !reason.trim()) throw badRequest('TRANSFER_REASON_REQUIRED', '退回移交须说明理由', 'Say why the transfer is returned', { field: 'reason' });
  if (!['received', 'unpacked', 'awaiting_decision'].includes(row.state)) throw wrongState(row, '只有尚未开始接收的移交才能退回', 'only a transfer not yet being accepted can be returned');
  return inTransaction(ctx, async (tx) => {
    const repo = new TransferRepository(tx);
    const at = nowIso();
    await repo.update(id, { state: 'returned', reason: reason.trim(), decided_by: actor.userId, decided_at: at, updated_at: at });
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'transfer.return', target: { type: 'transfer', id }, details: { reason: reason.trim() } }]);
    return transferView((await repo.transfer(id))!);
  });
}
