import type BetterSqlite3 from 'better-sqlite3';
import { canAccess } from '../../domain/classification.js';
import { type Issue, issue } from '../../domain/errors.js';
import type { Executor } from '../../db/database.js';
import { nowIso } from '../../db/database.js';
import { type AuditEntry, appendAudit } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { AppError, badRequest, conflict, staleVersion } from '../../platform/errors.js';
import { type Actor, auditActorOf, requirePermission } from '../../security/actor.js';
import { indexNewItems, reindexItems } from '../../search/index.service.js';
import { CatalogRepository, type CategoryRow, type ItemRow } from '../catalog.repository.js';
import type { ItemColumns } from '../item-rules.js';
import { categoryRules } from '../items.service.js';
import { loadCategory } from '../structure.service.js';
import { itemState } from '../views.js';
import { MAX_LISTED_ERRORS, type RowError, rowError, tooManyRows } from './import-errors.js';
import { type SheetInspection, type SheetSource, inspectSheet } from './inspect.js';
import { mappedColumns, mergedChanges } from './item-merge.js';
import { importFields, resolveMapping, suggestMapping } from './mapping.js';
import { plannedBatches } from './planned-batches.js';
import { type PlanResult, isPlanned } from './row-planner.js';

export const IMPORT_MODES = ['all-or-nothing', 'valid-only'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export interface ImportRequest {
  mapping: Record<string, unknown>;
  mode: ImportMode;
  dryRun: boolean;
  /** Rows read so far, after each batch. */
  onProgress?: (rows: number) => void;
}

export interface ImportSummary {
  total: number;
  valid: number;
  invalid: number;
  toCreate: number;
  toUpdate: number;
  toSkip: number;
  errors: RowError[];
  errorsTruncated: boolean;
  firstCode: string | null;
  lastCode: string | null;
}

/** Rows read, checked and written together; written in code order, so larger batches keep index writes local (1M rows: 69 s at 5,000, 30 s at 50,000). */
const BATCH_ROWS = 50_000;
/** Imports this large change the table's shape enough to re-sample it for the query planner. */
const ANALYZE_AFTER_ROWS = 10_000;
/** SQLite page cache for a commit, in KiB: a large import's scattered index inserts thrash the default 2 MB (2× slower). */
const IMPORT_CACHE_KIB = 64 * 1024;

async function withLargerCache<T>(sqlite: BetterSqlite3.Database | null, fn: () => Promise<T>): Promise<T> {
  if (!sqlite) return fn();
  const before = Number(sqlite.pragma('cache_size', { simple: true }));
  const kib = before < 0 ? -before : (before * Number(sqlite.pragma('page_size', { simple: true }))) / 1024;
  if (kib >= IMPORT_CACHE_KIB) return fn();
  sqlite.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  try {
    return await fn();
  } finally {
    sqlite.pragma(`cache_size = ${before}`);
  }
}

function importContext(category: CategoryRow) {
  if (category.arrangement !== 'item') {
    throw badRequest('IMPORT_VOLUME_CATEGORY', '按卷整理的门类暂不支持表格导入卷内文件，请按件整理或逐件著录', 'Sheets cannot yet be imported into a category arranged in volumes; describe its items one by one');
  }
}

/** The category's import fields and the suggestion for a sheet's headers (saved mapping first). */
export function mappingFor(category: CategoryRow, columns: string[], schema = categorySchema(category)) {
  const saved = category.import_mapping ? (JSON.parse(category.import_mapping) as Record<string, string>) : null;
  return suggestMapping(columns, importFields(schema), saved);
}

const categorySchema = (category: CategoryRow) => JSON.parse(category.field_schema) as Parameters<typeof importFields>[0];

/** Reads a file for the category: kind, encoding, headers, row count, sample and a suggested mapping. */
export async function inspectForCategory(ctx: AppContext, actor: Actor, categoryId: number, path: string, fileName: string, knownSha256?: string): Promise<SheetInspection & { suggestedMapping: Record<string, string> }> {
  requirePermission(actor, 'catalog.import');
  const { category, fonds } = await loadCategory(ctx, actor, categoryId);
  importContext(category);
  const rules = categoryRules(category, fonds);
  const sheet = await inspectSheet(path, fileName, { maxBytes: ctx.config.importMaxBytes, maxRows: ctx.config.importMaxRows }, importFields(rules.schema), knownSha256);
  return { ...sheet, suggestedMapping: mappingFor(category, sheet.columns, rules.schema) };
}

const codeTakenElsewhere = (code: string): Issue =>
  issue('archival_code', 'ARCHIVAL_CODE_TAKEN', `档号“${code}”已被本全宗其他门类或您无权查看的文件使用`, `Archival code "${code}" is used by an item of another category, or one you may not see, in this fonds`);

export const importHasErrors = (s: ImportSummary) =>
  new AppError(422, 'IMPORT_HAS_ERRORS', `表格有 ${s.invalid} 行未通过校验，未导入任何数据`, `${s.invalid} row${s.invalid === 1 ? '' : 's'} of the sheet failed validation; nothing was imported`, {
    total: s.total, invalid: s.invalid, errors: s.errors, errorsTruncated: s.errorsTruncated,
  });

/** The running counts of an import, and the listed errors (up to MAX_LISTED_ERRORS). */
class Tally implements ImportSummary {
  total = 0;
  valid = 0;
  invalid = 0;
  toCreate = 0;
  toUpdate = 0;
  toSkip = 0;
  errors: RowError[] = [];
  errorsTruncated = false;
  firstCode: string | null = null;
  lastCode: string | null = null;

  bad(errors: RowError[]) {
    this.invalid++;
    for (const e of errors) {
      if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(e);
      else this.errorsTruncated = true;
    }
  }
  written(code: string, kind: 'toCreate' | 'toUpdate') {
    this.valid++;
    this[kind]++;
    this.firstCode ??= code;
    this.lastCode = code;
  }
  skipped() {
    this.valid++;
    this.toSkip++;
  }
  summary(): ImportSummary {
    const { total, valid, invalid, toCreate, toUpdate, toSkip, errors, errorsTruncated, firstCode, lastCode } = this;
    return { total, valid, invalid, toCreate, toUpdate, toSkip, errors, errorsTruncated, firstCode, lastCode };
  }
}

interface BatchWrites {
  creates: ItemColumns[];
  updates: Array<{ before: ItemRow; patch: Partial<ItemColumns> }>;
}

/** What each planned row of a batch becomes, given the live items holding its codes. */
function classify(planned: PlanResult[], existing: Map<string, ItemRow>, t: Tally, c: { categoryId: number; clearance: string; mapped: Set<string>; schemaFields: string[]; codeColumn: string | undefined }): BatchWrites {
  const out: BatchWrites = { creates: [], updates: [] };
  for (const p of planned) {
    if (!isPlanned(p)) {
      t.bad(p.errors);
      continue;
    }
    const code = p.columns.archival_code;
    const before = existing.get(code);
    if (!before) {
      out.creates.push(p.columns);
      t.written(code, 'toCreate');
    } else if (before.category_id !== c.categoryId || !canAccess(c.clearance, before.classification)) {
      t.bad([rowError(p.row, codeTakenElsewhere(code), c.codeColumn)]);
    } else {
      const patch = mergedChanges(before, p.columns, c.mapped, c.schemaFields);
      if (!patch) t.skipped();
      else {
        out.updates.push({ before, patch });
        t.written(code, 'toUpdate');
      }
    }
  }
  return out;
}

/**
 * Imports (or, dry, only checks) the data rows of a sheet into a category, streaming it in
 * batches: each row is validated by the form rules, numbered, checked against the rows above it
 * and, a batch at a time, against the live codes of the fonds. A row whose 档号 exists updates that
 * item when a field differs (version + audit) and is skipped when not, so a sheet imported twice
 * never duplicates. A commit runs in one transaction with one `catalog.import` audit entry;
 * all-or-nothing writes nothing when any row is bad.
 */
export async function runImport(ctx: AppContext, actor: Actor, categoryId: number, sheet: SheetSource, req: ImportRequest): Promise<ImportSummary> {
  requirePermission(actor, 'catalog.import');
  const { category, fonds } = await loadCategory(ctx, actor, categoryId);
  importContext(category);
  const rules = categoryRules(category, fonds);
  const bindings = resolveMapping(req.mapping, sheet.columns, importFields(rules.schema));
  const rowRules = {
    categoryId, clearance: actor.clearance, mapped: mappedColumns(bindings), schemaFields: rules.schema.map((f) => f.name),
    codeColumn: bindings.find((b) => b.field === 'archival_code')?.column,
  };
  const t = new Tally();

  const work = async (tx: Executor) => {
    const repo = new CatalogRepository(tx, req.dryRun ? null : ctx.database.sqlite);
    // An empty fonds (a first import) needs no lookups of existing codes or item numbers.
    const mayExist = await repo.hasLiveItems(fonds.id);
    const job = { path: sheet.path, format: sheet.format, encoding: sheet.encoding, headerRow: sheet.headerRow, batchRows: BATCH_ROWS, rules, bindings, clearance: actor.clearance };
    const at = nowIso();
    const common = { fondsId: fonds.id, categoryId, createdBy: actor.userId, at };
    const audit: AuditEntry[] = [];
    const write = async ({ creates, updates }: BatchWrites) => {
      const inserted = await repo.insertItemsBulk(common, creates);
      await indexNewItems(ctx.database, tx, inserted.map((r) => ({ ...r, fonds_id: common.fondsId, category_id: common.categoryId })));
      for (const u of updates) {
        const row = await repo.updateItem(u.before.id, u.before.version, { ...u.patch, updated_at: at });
        if (!row) throw staleVersion(u.before.version);
        await reindexItems(ctx.database, tx, [row]);
        audit.push({ action: 'item.update', target: { type: 'item', id: row.id }, before: itemState(u.before), after: itemState(row), details: { archivalCode: row.archival_code, import: true } });
      }
    };
    let inflight: Promise<void> = Promise.resolve();
    const failure: { error?: unknown } = {};

    for await (const { rows, planned } of plannedBatches(job, mayExist ? (g) => repo.maxItemNo(g) : async () => 0)) {
      if ('error' in failure) throw failure.error;
      t.total += rows;
      if (t.total > ctx.config.importMaxRows) throw tooManyRows(ctx.config.importMaxRows);

      const existing = new Map<string, ItemRow>();
      if (mayExist) {
        const codes = planned.filter(isPlanned).map((p) => p.columns.archival_code);
        for (const row of await repo.liveItemsByCodes(fonds.id, codes)) existing.set(row.archival_code, row);
      }
      const writes = classify(planned, existing, t, rowRules);
      // All-or-nothing stops writing at the first bad row but reads on, to list every problem.
      if (!req.dryRun && (req.mode === 'valid-only' || t.invalid === 0)) {
        // On PostgreSQL the next batch is read and checked while the server writes this one;
        // a failed write stops the reading at the next batch and is rethrown there.
        inflight = inflight.then(() => write(writes));
        inflight.catch((e: unknown) => {
          if (!('error' in failure)) failure.error = e;
        });
      }
      req.onProgress?.(t.total);
    }
    await inflight;
    if (req.dryRun) return;
    if (req.mode === 'all-or-nothing' && t.invalid > 0) throw importHasErrors(t);
    audit.push({
      action: 'catalog.import',
      target: { type: 'category', id: categoryId },
      details: {
        fileName: sheet.fileName, sha256: sheet.sha256, format: sheet.format, encoding: sheet.encoding, mode: req.mode,
        total: t.total, created: t.toCreate, updated: t.toUpdate, skipped: t.toSkip, invalid: t.invalid, firstCode: t.firstCode, lastCode: t.lastCode,
      },
    });
    await appendAudit(ctx.database, tx, auditActorOf(actor), audit);
  };

  try {
    if (req.dryRun) await work(ctx.database.db);
    else {
      await withLargerCache(ctx.database.sqlite, () => inTransaction(ctx, work));
      if (t.toCreate >= ANALYZE_AFTER_ROWS) await new CatalogRepository(ctx.database.db, ctx.database.sqlite).refreshStatistics();
    }
  } catch (e) {
    // Someone else took a code between our lookup and our insert.
    const err = e as { code?: string; message?: string };
    if (err?.code === '23505' || /UNIQUE constraint failed/.test(err?.message ?? '')) {
      throw conflict('ARCHIVAL_CODE_TAKEN', '导入期间有档号被他人占用，未导入任何数据，请重试', 'An archival code was taken by someone else during the import; nothing was imported, try again');
    }
    throw e;
  }
  return t.summary();
}
