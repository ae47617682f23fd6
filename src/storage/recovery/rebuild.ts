/**
 * `lantai rebuild --from-storage`: the catalogue rebuilt from an OCFL storage root alone (DESIGN
 * §4, the last line of defence). Each item object carries `lantai/metadata.json`; an object is
 * validated in full (every content digest) before its metadata is trusted, and one that fails, or
 * whose metadata does not parse, is reported and skipped whole. The rest goes into an empty
 * database in batches, one transaction each, with the search index and the preservation records
 * of every version's files (digests, sizes, formats) written in the same transaction.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nowIso } from '../../db/database.js';
import { appendAudit } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { AppError, conflict } from '../../platform/errors.js';
import { type Actor, auditActorOf } from '../../security/actor.js';
import { FsObjectStore } from '../fs-store.js';
import { INVENTORY, parseInventory, type OcflInventory } from '../ocfl/inventory.js';
import { objectPath } from '../ocfl/layout.js';
import { createOcflRepository, LANTAI_METADATA_PATHS, type OcflRepository } from '../ocfl/repository.js';
import { validateObject } from '../ocfl/validate.js';
import { primaryLocation, storageLocations } from '../preservation/locations.js';
import type { ItemMetadata } from '../preservation/metadata.js';
import { type DescribedVersions, describeVersions, writeVersions } from '../preservation/records.js';
import { type CatalogCounts, CatalogWriter, type RecoveredItem } from './catalog-writer.js';
import { MetadataError, parseItemMetadata } from './item-metadata.js';
import { localObjectRoots, ReadOnlyDirStore, resolveLocalStorageRoot } from './local-root.js';

export const ITEM_OBJECT_ID = /^lantai:item:([1-9]\d*)$/;

export interface RebuildProblem {
  /** The object root, relative to the storage root. */
  objectPath: string;
  objectId: string | null;
  code: 'OBJECT_INVALID' | 'OBJECT_UNREADABLE' | 'METADATA_MISSING' | 'METADATA_INVALID' | 'OBJECT_MISPLACED' | 'CATALOGUE_CONFLICT';
  message: string;
  message_en: string;
  /** The validator's findings, for OBJECT_INVALID. */
  findings?: string[];
}

export interface RebuildReport extends CatalogCounts {
  storageRoot: string;
  objects: number;
  /** Preservation file records written, one per file of every version. */
  files: number;
  /** Objects that are not item objects (another id scheme); left alone. */
  ignored: Array<{ objectPath: string; objectId: string }>;
  problems: RebuildProblem[];
}

export interface RebuildProgress {
  done: number;
  total: number;
}

export interface RebuildOptions {
  /** Objects per transaction. */
  batchSize?: number;
  onProgress?: (p: RebuildProgress) => void;
}

const CATALOGUE_TABLES = ['organizations', 'fonds', 'categories', 'volumes', 'items'] as const;
const MAX_FINDINGS = 20;

/** Refuses unless every catalogue table is empty: a rebuild never merges into a live catalogue. */
export async function assertCatalogueEmpty(ctx: AppContext): Promise<void> {
  for (const table of CATALOGUE_TABLES) {
    const row = await ctx.database.db.selectFrom(table).select('id').limit(1).executeTakeFirst();
    if (row) {
      throw conflict(
        'REBUILD_DATABASE_NOT_EMPTY',
        `目标数据库已有目录数据（${table} 表非空）；重建只能写入空数据库，请先新建一个空数据库`,
        `The target database already holds catalogue data (table ${table} is not empty); a rebuild only writes into an empty database, so create an empty one first`,
        { table },
      );
    }
  }
}

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');

interface RecoveredObject extends RecoveredItem {
  inventory: OcflInventory;
  inventorySha512: string;
  versions: DescribedVersions;
}

type Outcome = { object: RecoveredObject } | { problem: RebuildProblem } | { ignored: string };

/** Validates one object, reads its metadata and describes its versions; nothing here writes to the database. */
async function readObject(ctx: AppContext, repo: OcflRepository, root: string, rel: string): Promise<Outcome> {
  const abs = join(root, rel);
  const problem = (objectId: string | null, code: RebuildProblem['code'], zh: string, en: string, findings?: string[]): Outcome => ({
    problem: { objectPath: rel, objectId, code, message: zh, message_en: en, ...(findings ? { findings } : {}) },
  });
  const result = await validateObject(abs);
  let inventory: OcflInventory;
  let inventoryBytes: Buffer;
  if (result.valid) {
    inventoryBytes = await readFile(join(abs, INVENTORY));
    inventory = parseInventory(inventoryBytes, rel);
  } else {
    const findings = result.errors.slice(0, MAX_FINDINGS).map((f) => `${f.code} ${f.path}: ${f.message_zh} / ${f.message}`);
    if (result.errors.length > MAX_FINDINGS) findings.push(`… 另有 ${result.errors.length - MAX_FINDINGS} 个错误 / ${result.errors.length - MAX_FINDINGS} more errors`);
    const id = await readFile(join(abs, INVENTORY)).then((b) => parseInventory(b, rel).id, () => null);
    return problem(id, 'OBJECT_INVALID', `OCFL 对象校验未通过（${result.errors.length} 个错误）`, `the OCFL object is invalid (${result.errors.length} errors)`, findings);
  }
  const id = inventory.id;
  const m = ITEM_OBJECT_ID.exec(id);
  if (!m) return { ignored: id };
  if (objectPath(id) !== rel) {
    return problem(id, 'OBJECT_MISPLACED', `对象不在其标识按存储布局应在的位置 ${objectPath(id)}`, `the object is not where the storage layout puts its id (${objectPath(id)})`);
  }
  const head = inventory.versions[inventory.head]!;
  const digest = Object.entries(head.state).find(([, paths]) => paths.includes(LANTAI_METADATA_PATHS.json))?.[0];
  if (!digest) return problem(id, 'METADATA_MISSING', `最新版本中没有 ${LANTAI_METADATA_PATHS.json}`, `the head version has no ${LANTAI_METADATA_PATHS.json}`);
  const bytes = await readFile(join(abs, inventory.manifest[digest]![0]!));
  // Validation hashed this file a moment ago; hashing the bytes actually parsed closes the gap.
  if (sha512(bytes) !== digest.toLowerCase()) return problem(id, 'OBJECT_INVALID', `${LANTAI_METADATA_PATHS.json} 在读取时与清单摘要不符`, `${LANTAI_METADATA_PATHS.json} did not match its manifest digest when read`);
  let metadata: ItemMetadata;
  try {
    metadata = parseItemMetadata(bytes);
  } catch (e) {
    if (!(e instanceof MetadataError)) throw e;
    return problem(id, 'METADATA_INVALID', `${LANTAI_METADATA_PATHS.json}：${e.zh}`, `${LANTAI_METADATA_PATHS.json}: ${e.en}`);
  }
  if (String(metadata.item.id) !== m[1]) {
    return problem(id, 'METADATA_INVALID', `元数据中的 item.id ${metadata.item.id} 与对象标识不符`, `item.id ${metadata.item.id} in the metadata does not match the object id`);
  }
  const inventorySha512 = sha512(inventoryBytes);
  const versions = await describeVersions(ctx.database.db, repo, metadata.item.id, inventory, inventorySha512, 0, new Map());
  return { object: { metadata, stamp: Date.parse(head.created), inventory, inventorySha512, versions } };
}

/**
 * The local directory of `source`: a configured storage location's name (an fs location; S3 is
 * read through the object store, which the validator cannot walk) or else a path.
 */
async function localSource(ctx: AppContext, source: string): Promise<string> {
  const location = storageLocations(ctx).find((l) => l.name === source);
  if (!location) return resolveLocalStorageRoot(source);
  const repo = await location.repository();
  if (!(repo.store instanceof FsObjectStore)) {
    throw new AppError(400, 'REBUILD_SOURCE_NOT_LOCAL', `存储位置“${source}”不在本地磁盘上；请先把它复制到本地目录，再从该目录重建`, `Storage location "${source}" is not on a local disk; copy it to a local directory and rebuild from there`, { location: source });
  }
  return resolveLocalStorageRoot(join(repo.store.root, repo.root));
}

/**
 * Rebuilds the catalogue of `ctx`'s database, which must hold no catalogue rows, from an OCFL
 * storage root: `source` names a configured fs storage location, or is the path of the root itself
 * or of the fs store directory holding it under `ocfl/`. Item ids, codes, times and described
 * values come back exactly; sort keys are recomputed; each object's version and file records are
 * written as the primary location's. Finishes with one `catalog.rebuild` audit entry of the counts.
 */
export async function rebuildFromStorage(ctx: AppContext, actor: Actor, source: string, opts: RebuildOptions = {}): Promise<RebuildReport> {
  const root = await localSource(ctx, source);
  await assertCatalogueEmpty(ctx);
  const repo = createOcflRepository(new ReadOnlyDirStore(root), { root: '' });
  const primary = primaryLocation(ctx).name;
  const batchSize = opts.batchSize ?? 500;
  let total = 0;
  for await (const _ of localObjectRoots(root)) total++;

  const at = nowIso();
  const writer = new CatalogWriter(ctx.database, at);
  const report: RebuildReport = { storageRoot: root, objects: 0, files: 0, ignored: [], problems: [], ...writer.counts() };
  let batch: RecoveredObject[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const objects = batch;
    batch = [];
    await inTransaction(ctx, async (tx) => {
      await writer.write(tx, objects);
      for (const o of objects) await writeVersions(tx, primary, o.metadata.item.id, o.inventory, o.inventorySha512, o.versions, undefined, at);
    });
    report.files += objects.reduce((n, o) => n + o.versions.files.length, 0);
  };

  for await (const rel of localObjectRoots(root)) {
    let outcome: Outcome;
    try {
      outcome = await readObject(ctx, repo, root, rel);
    } catch (e) {
      // Unreadable files (permissions, a failing disk) spoil this object, not the rebuild.
      const why = e instanceof AppError ? { zh: e.message, en: e.message_en } : { zh: (e as Error).message, en: (e as Error).message };
      outcome = { problem: { objectPath: rel, objectId: null, code: 'OBJECT_UNREADABLE', message: `无法读取对象：${why.zh}`, message_en: `the object cannot be read: ${why.en}` } };
    }
    report.objects++;
    if ('ignored' in outcome) report.ignored.push({ objectPath: rel, objectId: outcome.ignored });
    else if ('problem' in outcome) report.problems.push(outcome.problem);
    else {
      const clash = writer.claim(outcome.object.metadata);
      if (clash) {
        report.problems.push({ objectPath: rel, objectId: `lantai:item:${outcome.object.metadata.item.id}`, code: 'CATALOGUE_CONFLICT', message: clash.zh, message_en: clash.en });
      } else {
        batch.push(outcome.object);
        if (batch.length >= batchSize) await flush();
      }
    }
    opts.onProgress?.({ done: report.objects, total });
  }
  await flush();

  Object.assign(report, writer.counts());
  await inTransaction(ctx, async (tx) => {
    await writer.advanceSequences(tx);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{
      action: 'catalog.rebuild',
      target: { type: 'storage', id: root },
      details: { ...writer.counts(), objects: report.objects, files: report.files, ignored: report.ignored.length, skipped: report.problems.length },
    }]);
  });
  return report;
}
