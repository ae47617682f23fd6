import type { Readable } from 'node:stream';
import type { AppContext } from '../../platform/context.js';
import { badRequest } from '../../platform/errors.js';
import { type Actor, requirePermission } from '../../security/actor.js';
import { loadCategory, saveImportMapping } from '../structure.service.js';
import { fileTooLarge } from './import-errors.js';
import { IMPORT_MODES, type ImportMode, inspectForCategory, runImport } from './import.service.js';
import { discardUpload, loadUpload, removeStaleUploads, saveUpload, uploadsDir, writeUploadMeta } from './uploads.js';

export interface UploadedFile {
  fileName: string;
  stream: Readable;
  /** True when the sender's stream was cut at the size limit. */
  truncated: () => boolean;
}

const isSizeLimit = (e: unknown) => (e as { code?: string })?.code === 'FST_REQ_FILE_TOO_LARGE';

/**
 * Step 1 of an import: keeps the file under the data directory (for its sender only, 24 hours)
 * and answers with what the sheet holds and how its columns map to the category's fields.
 */
export async function uploadSheet(ctx: AppContext, actor: Actor, categoryId: number, file: UploadedFile) {
  requirePermission(actor, 'catalog.import');
  await loadCategory(ctx, actor, categoryId);
  const dir = uploadsDir(ctx.config.dataDir);
  await removeStaleUploads(dir);
  let saved: Awaited<ReturnType<typeof saveUpload>>;
  try {
    saved = await saveUpload(dir, file.stream);
  } catch (e) {
    throw isSizeLimit(e) ? fileTooLarge(ctx.config.importMaxBytes) : e;
  }
  try {
    if (file.truncated()) throw fileTooLarge(ctx.config.importMaxBytes);
    const sheet = await inspectForCategory(ctx, actor, categoryId, saved.path, file.fileName, saved.sha256);
    const { path: _path, sample, suggestedMapping, ...source } = sheet;
    await writeUploadMeta(dir, { ...source, id: saved.id, userId: actor.userId, createdAt: new Date().toISOString() });
    return {
      uploadId: saved.id, fileName: sheet.fileName, format: sheet.format, encoding: sheet.encoding, columns: sheet.columns,
      rowCount: sheet.rowCount, sample, suggestedMapping,
    };
  } catch (e) {
    await discardUpload(dir, saved.id);
    throw e;
  }
}

function mappingOf(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('MAPPING_INVALID', '列映射应为“列标题 → 字段名”的对象', 'The mapping must be an object of column header → field name', { field: 'mapping' });
  return input as Record<string, unknown>;
}

/** Step 2: every problem the import would meet, row by row, and what it would create, update and skip. */
export async function dryRunUpload(ctx: AppContext, actor: Actor, categoryId: number, input: { uploadId: unknown; mapping: unknown }) {
  requirePermission(actor, 'catalog.import');
  const sheet = await loadUpload(uploadsDir(ctx.config.dataDir), input.uploadId, actor.userId);
  const s = await runImport(ctx, actor, categoryId, sheet, { mapping: mappingOf(input.mapping), mode: 'valid-only', dryRun: true });
  return { total: s.total, valid: s.valid, invalid: s.invalid, toCreate: s.toCreate, toUpdate: s.toUpdate, toSkip: s.toSkip, errors: s.errors, errorsTruncated: s.errorsTruncated };
}

/** Step 3: the import itself, in one transaction; the mapping is kept for the category's next sheet. */
export async function commitUpload(ctx: AppContext, actor: Actor, categoryId: number, input: { uploadId: unknown; mapping: unknown; mode: unknown; saveMapping?: unknown }) {
  requirePermission(actor, 'catalog.import');
  if (!IMPORT_MODES.includes(input.mode as ImportMode)) {
    throw badRequest('IMPORT_MODE_INVALID', '导入方式应为 all-or-nothing（全部或全不）或 valid-only（只导入有效行）', 'The mode must be all-or-nothing or valid-only', { field: 'mode', allowed: IMPORT_MODES });
  }
  const sheet = await loadUpload(uploadsDir(ctx.config.dataDir), input.uploadId, actor.userId);
  const mapping = mappingOf(input.mapping);
  const s = await runImport(ctx, actor, categoryId, sheet, { mapping, mode: input.mode as ImportMode, dryRun: false });
  if (input.saveMapping !== false) await rememberMapping(ctx, actor, categoryId, mapping);
  return { created: s.toCreate, updated: s.toUpdate, skipped: s.toSkip, invalid: s.invalid, errors: s.errors, errorsTruncated: s.errorsTruncated };
}

/** Saves the mapping used (its non-empty entries) unless the category already has exactly that one. */
export async function rememberMapping(ctx: AppContext, actor: Actor, categoryId: number, mapping: Record<string, unknown>): Promise<void> {
  const used = Object.fromEntries(Object.entries(mapping).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  const { category } = await loadCategory(ctx, actor, categoryId);
  if (category.import_mapping === JSON.stringify(used)) return;
  await saveImportMapping(ctx, actor, categoryId, used);
}
