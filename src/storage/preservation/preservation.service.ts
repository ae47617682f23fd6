/**
 * The preservation service (DESIGN §4): each item's files in one OCFL object, written to the
 * primary location and copied to every replica, recorded in the database with digests and
 * format records, checked by fixity audits (fixity.ts) and caught up by replication
 * (replication.ts). Storage is written before the database, so the storage is the truth and the
 * database is reconciled from it (reconcile.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { CatalogRepository, type ItemRow, type OrganizationRow } from '../../catalog/catalog.repository.js';
import { isControlledView, readableItem } from '../../catalog/items.service.js';
import { nowIso } from '../../db/database.js';
import { inParallel } from '../../platform/concurrency.js';
import { appendAudit } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { AppError, badRequest, notFound } from '../../platform/errors.js';
import { type Actor, auditActorOf, can, requirePermission, systemActor } from '../../security/actor.js';
import { DigestingStream } from '../digests.js';
import { digestMismatch } from '../errors.js';
import { identifyBuffer, identifyFile } from '../format/identify.js';
import { assertLogicalPath, versionNumber } from '../ocfl/inventory.js';
import { LANTAI_METADATA_PATHS, type OcflFile } from '../ocfl/repository.js';
import { joinKey } from '../object-store.js';
import { type EventResult, eventRow, eventView, FIXITY_ALGORITHMS, publicError } from './events.js';
import { primaryLocation, replicaLocations, storageLocations } from './locations.js';
import { itemMetadata, metadataJson, metadataXml } from './metadata.js';
import { objectIdOf, readRootInventory, type RecordedError, recordedError } from './object-files.js';
import { type EventFilter, type FileRow, PreservationRepository, type ReplicaRow, type VersionRow } from './preservation.repository.js';
import { reconcileObject, recoverAt } from './reconcile.js';
import { describeVersions, type KnownFile, writeVersions } from './records.js';
import { type ReplicaOutcome, recordedDigests, recordReplica, replicateTo, replicationStatus } from './replication.js';

export interface ItemFileInput {
  /** The file's name in the object: a relative '/'-separated path, kept exactly (Chinese included). */
  name: string;
  /** Where its bytes are now (an upload's temporary file, a file given on the command line). */
  path: string;
}

export interface StoreOptions {
  /** Why this version was made. */
  message?: string;
  /** 'merge' (default): the item's current files stay unless replaced or removed; 'replace': the version holds exactly `files`. */
  mode?: 'merge' | 'replace';
  /** Names to drop from the current files; 'merge' only. */
  remove?: string[];
}

/** The object's own directory for its descriptive metadata; uploads may not write there. */
const RESERVED_DIR = LANTAI_METADATA_PATHS.json.split('/')[0]!;

const invalidName = (name: string, zh: string, en: string) => badRequest('FILE_NAME_INVALID', `文件名无效：${zh}`, `Invalid file name: ${en}`, { name });

/** Refuses names that could escape the object or overwrite its metadata, each with a bilingual 400. */
function checkName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '') throw invalidName(String(name ?? ''), '文件名不能为空', 'a file name must not be empty');
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) throw invalidName(name, `不能是绝对路径（${name}）`, `it must not be an absolute path (${name})`);
  if (name.split(/[/\\]/).includes('..')) throw invalidName(name, `不能包含“..”（${name}）`, `it must not contain ".." (${name})`);
  if (name === RESERVED_DIR || name.startsWith(`${RESERVED_DIR}/`)) {
    throw badRequest('FILE_NAME_RESERVED', `“${RESERVED_DIR}/”目录保留给系统的元数据文件（${name}）`, `The "${RESERVED_DIR}/" directory is reserved for the system's metadata files (${name})`, { name });
  }
  assertLogicalPath(name);
}

function checkRequest(files: ItemFileInput[], opts: StoreOptions): void {
  const mode = opts.mode ?? 'merge';
  if (mode !== 'merge' && mode !== 'replace') throw badRequest('STORE_MODE_INVALID', '保存方式应为 merge 或 replace', 'The mode must be merge or replace', { mode });
  const remove = opts.remove ?? [];
  if (mode === 'replace' && remove.length) throw badRequest('STORE_REMOVE_WITH_REPLACE', '整体替换时不能同时指定要删除的文件', 'Files to remove can only be named when merging', {});
  if (!files.length && !remove.length) throw badRequest('FILES_REQUIRED', '请至少上传一个文件', 'Upload at least one file', {});
  const seen = new Set<string>();
  for (const f of files) {
    checkName(f.name);
    if (seen.has(f.name)) throw badRequest('FILE_NAME_DUPLICATE', `同一文件名出现了两次：${f.name}`, `The same file name was given twice: ${f.name}`, { name: f.name });
    seen.add(f.name);
  }
  for (const name of remove) checkName(name);
}

/** The catalogue records the metadata files describe, through the catalogue's repository. */
async function metadataSource(ctx: AppContext, item: ItemRow) {
  const catalog = new CatalogRepository(ctx.database.db);
  const fonds = (await catalog.fonds(item.fonds_id))!;
  const category = (await catalog.category(item.category_id))!;
  const volume = item.volume_id === null ? null : ((await catalog.volume(item.volume_id)) ?? null);
  const organizations: OrganizationRow[] = [];
  for (let id: number | null = fonds.organization_id; id !== null && organizations.length < 64; ) {
    const org = await catalog.organization(id);
    if (!org) break;
    organizations.unshift(org);
    id = org.parent_id;
  }
  return { item, fonds, category, volume, organizations };
}

/** The rights to store files of an item: catalogue write, and the item visible to the actor. */
export async function storableItem(ctx: AppContext, actor: Actor, itemId: number): Promise<ItemRow> {
  requirePermission(actor, 'catalog.write');
  return readableItem(ctx, actor, itemId);
}

export interface StoreResult {
  itemId: number;
  objectId: string;
  version: string;
  /** False when the files and metadata equal the current version's: nothing new was stored. */
  created: boolean;
  files: FileView[];
  replicas: Array<{ location: string; state: 'ok' | 'lagging'; error?: RecordedError }>;
}

/**
 * Stores files of an item as a new OCFL version (with its metadata files) on the primary, then
 * copies it to every replica, then records it in one transaction with its audit entry. A replica
 * that fails does not fail the store: it is recorded as lagging and replication catches it up.
 */
export async function storeItemFiles(ctx: AppContext, actor: Actor, itemId: number, files: ItemFileInput[], opts: StoreOptions = {}): Promise<StoreResult> {
  const item = await storableItem(ctx, actor, itemId);
  checkRequest(files, opts);
  return writeItemVersion(ctx, actor, item, files, opts);
}

/**
 * Objects whose item was described anew after their head version carry stale metadata files: each
 * gets a version with the current description (the files stay), so the object keeps standing alone
 * and a rebuild from storage restores the latest description. Run by the replication job.
 */
export async function refreshStaleMetadata(ctx: AppContext, opts: { signal?: AbortSignal } = {}): Promise<{ refreshed: number; failed: Array<{ itemId: number; error: RecordedError }> }> {
  const actor = systemActor('preservation');
  const catalog = new CatalogRepository(ctx.database.db);
  const done = new Set<number>();
  const failed: Array<{ itemId: number; error: RecordedError }> = [];
  for (;;) {
    const stale = (await new PreservationRepository(ctx.database.db).staleMetadata(100)).filter((id) => !done.has(id));
    if (!stale.length || opts.signal?.aborted) return { refreshed: done.size - failed.length, failed };
    for (const id of stale) {
      done.add(id);
      const item = await catalog.item(id);
      // One object that cannot be written now (its storage down) waits for the next run; the others go on.
      if (item) await writeItemVersion(ctx, actor, item, [], { message: '著录信息已更新，元数据随之更新 / description changed: metadata updated' }).catch((err: unknown) => failed.push({ itemId: id, error: recordedError(err) }));
    }
  }
}

/** Files identified at once: each waits mostly on reading its head. */
const IDENTIFY_AT_ONCE = 8;

async function writeItemVersion(ctx: AppContext, actor: Actor, item: ItemRow, files: ItemFileInput[], opts: StoreOptions): Promise<StoreResult> {
  const itemId = item.id;
  const objectId = objectIdOf(itemId);
  const primary = primaryLocation(ctx);
  const repo = await primary.repository();
  // What a crash left: the writer's own recovery, then the database catching up with the storage.
  await recoverAt(ctx, primary, itemId);
  await reconcileObject(ctx, itemId, auditActorOf(actor));

  const known = new Map<string, KnownFile>();
  await inParallel(files, IDENTIFY_AT_ONCE, async (f) => {
    known.set(f.name, { size: (await stat(f.path)).size, format: await identifyFile(f.path, f.name) });
  });
  const meta = itemMetadata(await metadataSource(ctx, item));
  const metadata = [
    { logicalPath: LANTAI_METADATA_PATHS.json, body: metadataJson(meta) },
    { logicalPath: LANTAI_METADATA_PATHS.xml, body: metadataXml(meta, objectId) },
  ];
  for (const m of metadata) known.set(m.logicalPath, { size: m.body.length, format: identifyBuffer(m.body, m.logicalPath) });
  const ocflFiles: OcflFile[] = [...files.map((f) => ({ logicalPath: f.name, body: { file: f.path } })), ...metadata];
  const mode = opts.mode ?? 'merge';
  const message = opts.message?.trim() || `存入 ${files.length} 个文件 / stored ${files.length} file(s)`;
  const written = await repo.createOrUpdateObject(
    objectId, ocflFiles, { message, user: { name: actor.displayName || actor.username, address: `urn:lantai:user:${actor.username}` } },
    { mode, ...(opts.remove?.length ? { remove: opts.remove } : {}) },
  );
  const db = new PreservationRepository(ctx.database.db);
  if (!written.created) {
    const current = (await db.object(itemId))!;
    return { itemId, objectId, version: written.version, created: false, files: (await db.files(itemId, current.head_number)).map(fileView), replicas: [] };
  }

  const root = await readRootInventory(repo, objectId);
  if (typeof root === 'string') throw new Error(`${objectId}: the root inventory cannot be read back after writing it`);
  const previous = await db.object(itemId);
  const described = await describeVersions(ctx.database.db, repo, itemId, root.inventory, root.sha512, previous?.head_number ?? 0, known);
  const digests = await recordedDigests(ctx.database.db, itemId);
  for (const v of described.versions) digests.set(v.number, v.inventory_sha512);
  const outcomes: ReplicaOutcome[] = [];
  for (const target of replicaLocations(ctx)) outcomes.push(await replicateTo(ctx, itemId, target, digests));

  const audit = auditActorOf(actor);
  const object = await inTransaction(ctx, async (tx) => {
    const at = nowIso();
    const row = await writeVersions(tx, primary.name, itemId, root.inventory, root.sha512, described, previous, at);
    for (const outcome of outcomes) await recordReplica(tx, audit, itemId, row.bytes, outcome, at);
    const head = described.files.filter((f) => f.version_number === row.head_number);
    const details = {
      objectId, version: row.head, mode, files: files.map((f) => f.name), removed: opts.remove ?? [], bytes: head.reduce((n, f) => n + f.size, 0),
    };
    await new PreservationRepository(tx).insertEvents([eventRow(audit, { itemId, location: primary.name, kind: 'ingest', result: 'pass', algorithm: FIXITY_ALGORITHMS, details }, at)]);
    await appendAudit(ctx.database, tx, audit, [{
      action: 'preservation.store', target: { type: 'item', id: itemId },
      after: head.map((f) => ({ path: f.logical_path, sha512: f.sha512 })),
      details: { ...details, archivalCode: item.archival_code, replicas: Object.fromEntries(outcomes.map((o) => [o.location, o.ok ? 'ok' : 'lagging'])) },
    }]);
    return row;
  });
  return {
    itemId, objectId, version: object.head, created: true,
    files: (await db.files(itemId, object.head_number)).map(fileView),
    replicas: outcomes.map((o) => (o.ok ? { location: o.location, state: 'ok' as const } : { location: o.location, state: 'lagging' as const, error: o.error })),
  };
}

export interface FileView {
  path: string;
  contentPath: string;
  size: number;
  sha512: string;
  sha256: string | null;
  sm3: string | null;
  format: { id: string; name: string; version: string | null; mime: string; archival: boolean; encrypted: boolean; note: Record<string, unknown> };
}

export const fileView = (f: FileRow): FileView => ({
  path: f.logical_path, contentPath: f.content_path, size: f.size, sha512: f.sha512, sha256: f.sha256, sm3: f.sm3,
  format: {
    id: f.format_id, name: f.format_name, version: f.format_version, mime: f.mime, archival: f.archival === 1, encrypted: f.encrypted === 1,
    note: JSON.parse(f.format_note) as Record<string, unknown>,
  },
});

const versionView = (v: VersionRow) => ({
  version: v.name, number: v.number, created: v.created, message: v.message, user: v.user_name, files: v.file_count, bytes: v.bytes,
});

const replicaView = (r: ReplicaRow) => ({
  location: r.location, version: r.version_number ? `v${r.version_number}` : null, state: r.state, bytes: r.bytes,
  error: r.error ? (JSON.parse(r.error) as RecordedError) : null, replicatedAt: r.replicated_at, checkedAt: r.checked_at,
});

function versionParam(version: string | number | undefined, head: number): number {
  if (version === undefined || version === '') return head;
  const n = typeof version === 'number' ? version : /^\d+$/.test(version) ? Number(version) : versionNumber(version);
  if (n === undefined || n < 1 || n > head) {
    throw new AppError(404, 'OCFL_VERSION_NOT_FOUND', `没有版本 ${version}`, `No version ${version}`, { version });
  }
  return n;
}

/** An item's files (current version by default) with digests and format records, its versions, locations and events. */
export async function listItemFiles(ctx: AppContext, actor: Actor, itemId: number, version?: string | number) {
  await readableItem(ctx, actor, itemId);
  const db = new PreservationRepository(ctx.database.db);
  const obj = await db.object(itemId);
  if (!obj) return { itemId, object: null, version: null, files: [], versions: [], locations: [], events: [] };
  const number = versionParam(version, obj.head_number);
  return {
    itemId,
    object: { id: obj.object_id, head: obj.head, state: obj.state, files: obj.file_count, bytes: obj.bytes, updatedAt: obj.updated_at },
    version: `v${number}`,
    files: (await db.files(itemId, number)).map(fileView),
    versions: (await db.versions(itemId)).map(versionView),
    locations: (await db.replicas(itemId)).map(replicaView),
    events: (await db.events({ itemId }, 200)).map((e) => eventView(e, true)),
  };
}

export interface FileDownload {
  fileName: string;
  mime: string;
  size: number;
  stream: Readable;
}

/**
 * A stored file's bytes from the primary (a replica when the primary cannot serve it), checked
 * against its SHA-512 as they stream: a copy that turns out bad fails the download rather than
 * delivering altered bytes. Opening a file of an item that is not open is audited as a view.
 */
export async function openItemFile(ctx: AppContext, actor: Actor, itemId: number, path: string, version?: string | number): Promise<FileDownload> {
  const item = await readableItem(ctx, actor, itemId);
  const db = new PreservationRepository(ctx.database.db);
  const obj = await db.object(itemId);
  const row = obj && (await db.file(itemId, versionParam(version, obj.head_number), path));
  if (!obj || !row) throw notFound({ zh: '电子文件', en: 'Stored file' });
  if (isControlledView(item)) {
    await inTransaction(ctx, (tx) => appendAudit(ctx.database, tx, auditActorOf(actor), [{
      action: 'item.file.view', target: { type: 'item', id: itemId },
      details: { archivalCode: item.archival_code, path, version: `v${row.version_number}`, classification: item.classification, openStatus: item.open_status },
    }]));
  }
  let source: Readable | undefined;
  let lastError: unknown;
  for (const loc of storageLocations(ctx)) {
    try {
      const repo = await loc.repository();
      source = await repo.store.stream(joinKey(repo.objectRoot(obj.object_id), row.content_path));
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (!source) throw lastError;
  const checked = new DigestingStream(['sha512'] as const, (d) => (d.sha512 === row.sha512 ? undefined : digestMismatch(row.content_path, row.sha512, d.sha512)));
  pipeline(source, checked, () => undefined);
  return { fileName: basename(path), mime: row.mime, size: row.size, stream: checked };
}

/**
 * What the system administrator watches: per location its objects, bytes, lag, last audit and
 * failures, and the damaged objects by id. Counts and locations only, never titles or file names.
 */
export async function preservationSummary(ctx: AppContext, actor: Actor) {
  requirePermission(actor, 'preservation.read');
  const db = new PreservationRepository(ctx.database.db);
  const locations = [];
  for (const status of await replicationStatus(ctx)) {
    const open = await db.openCheckpoint(status.name);
    const done = await db.lastCompletedCycle(status.name);
    const cycle = (c: typeof open) => c && {
      cycle: c.cycle, startedAt: c.started_at, completedAt: c.completed_at, lastRunAt: c.updated_at, checked: c.checked, failed: c.failed, repaired: c.repaired, damaged: c.damaged,
    };
    locations.push({ ...status, lastError: status.lastError && publicError(status.lastError), audit: { current: cycle(open), lastCompleted: cycle(done) } });
  }
  const count = (kind: string, result?: EventResult) => db.countEvents({ kind, ...(result ? { result } : {}) });
  return {
    totals: await db.totals(),
    locations,
    replicationLag: locations.filter((l) => !l.primary).reduce((n, l) => n + l.versionsBehind, 0),
    openFailures: locations.reduce((n, l) => n + l.errors, 0),
    fixity: { checks: await count('fixity'), failed: await count('fixity', 'fail'), missing: await count('fixity', 'missing'), errors: await count('fixity', 'error') },
    repairs: await count('repair'),
    damaged: (await db.damagedObjects(100)).map((d) => ({ itemId: d.item_id, objectId: d.object_id, since: d.updated_at })),
  };
}

export interface EventQuery extends Omit<EventFilter, 'beforeId'> {
  /** The `next` of the previous page. */
  before?: number;
  limit?: number;
}

/**
 * Events, newest first, in pages. Details name files only for items the caller may read; the
 * system administrator (no catalogue rights) sees counts, locations and results.
 */
export async function listPreservationEvents(ctx: AppContext, actor: Actor, query: EventQuery) {
  requirePermission(actor, 'preservation.read');
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const { before, limit: _limit, ...filter } = query;
  const rows = await new PreservationRepository(ctx.database.db).events({ ...filter, ...(before !== undefined ? { beforeId: before } : {}) }, limit + 1);
  const page = rows.slice(0, limit);
  const visible = new Set<number>();
  if (can(actor, 'catalog.read')) {
    for (const id of new Set(page.map((r) => r.item_id).filter((id): id is number => id !== null))) {
      if (await readableItem(ctx, actor, id).then(() => true, () => false)) visible.add(id);
    }
  }
  return { events: page.map((r) => eventView(r, r.item_id !== null && visible.has(r.item_id))), next: rows.length > limit ? page.at(-1)!.id : null };
}
