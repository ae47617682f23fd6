/**
 * Replicas: every location after the first holds a byte-identical copy of each object, brought up
 * to the primary's head by copying what it lacks. Content goes first, then the version
 * inventories, then the root inventory and last its sidecar (the commit record), so a replica
 * never shows a head whose content is missing; every byte copied is hashed on the way and checked
 * against the inventory's SHA-512, and a source copy that fails is passed over for another.
 */
import { nowIso } from '../../db/database.js';
import type { AuditActor } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { corrupt, INVENTORY, INVENTORY_SIDECAR, sidecarText, versionNumber } from '../ocfl/inventory.js';
import { OBJECT_NAMASTE, OBJECT_NAMASTE_TEXT } from '../ocfl/layout.js';
import { compareKeys, joinKey } from '../object-store.js';
import type { Executor } from '../../db/database.js';
import { eventRow, SYSTEM_ACTOR } from './events.js';
import { primaryLocation, replicaLocations, type StorageLocation, storageLocations } from './locations.js';
import {
  candidatesAt, contentFiles, copyVerified, isLocationFailure, objectIdOf, readRootInventory, type RecordedError, recordedError, verifiedBytes,
} from './object-files.js';
import { type ObjectRow, PreservationRepository } from './preservation.repository.js';
import { reconcileObject, recoverAt } from './reconcile.js';
import { versionInventoryDigest } from './records.js';

export interface CopyResult {
  /** Version numbers the replica held before and holds now. */
  from: number;
  to: number;
  inventorySha512: string;
  /** Content files copied. */
  copied: number;
}

const noGoodCopy = (id: string, path: string) =>
  new AppError(500, 'PRESERVATION_NO_GOOD_COPY', `没有可通过校验的副本可供复制：${id} ${path}`, `No copy that verifies is available to replicate: ${id} ${path}`, { id, path });

const diverged = (id: string, location: string) =>
  new AppError(
    409, 'PRESERVATION_REPLICA_DIVERGED',
    `存储位置“${location}”上的对象 ${id} 与主位置的历史不一致，未做改动，需人工核查`,
    `Object ${id} at location "${location}" does not share the primary's history; it was left untouched for a person to check`,
    { id, location },
  );

/** Inventory digests of the versions the database has recorded, by version number. */
export async function recordedDigests(db: Executor, itemId: number): Promise<Map<number, string>> {
  return new Map((await new PreservationRepository(db).versions(itemId)).map((v) => [v.number, v.inventory_sha512]));
}

/**
 * Copies to `target` whatever it lacks of the object up to the primary's committed head.
 * `digests` holds the known inventory digest of each version; others are read from the
 * primary's version sidecars.
 */
export async function copyToReplica(ctx: AppContext, itemId: number, target: StorageLocation, digests: Map<number, string>): Promise<CopyResult> {
  const id = objectIdOf(itemId);
  const primary = primaryLocation(ctx);
  const primaryRepo = await primary.repository();
  const source = await readRootInventory(primaryRepo, id);
  if (typeof source === 'string') throw corrupt(primaryRepo.objectRoot(id), `the primary's root inventory is ${source === 'absent' ? 'missing' : 'damaged'}`);
  const repo = await target.repository();
  await repo.init();
  // What an interrupted copy left behind is rolled forward when complete, otherwise removed.
  await recoverAt(ctx, target, itemId);
  const held = await readRootInventory(repo, id);
  if (held === 'bad') throw corrupt(repo.objectRoot(id), 'the root inventory does not match its sidecar');

  const names = new Map(Object.keys(source.inventory.versions).map((v) => [versionNumber(v)!, v]));
  const digestOf = async (n: number) => (n === source.headNumber ? source.sha512 : digests.get(n) ?? (await versionInventoryDigest(primaryRepo, id, names.get(n)!)));
  const from = held === 'absent' ? 0 : held.headNumber;
  if (held !== 'absent' && (from > source.headNumber || held.sha512 !== (await digestOf(from)))) throw diverged(id, target.name);
  const result = { from, to: source.headNumber, inventorySha512: source.sha512, copied: 0 };
  if (from === source.headNumber) return result;

  const sources = storageLocations(ctx).filter((l) => l.name !== target.name);
  const put = (key: string, bytes: Buffer) => repo.store.put(joinKey(repo.objectRoot(id), key), bytes);
  if (held === 'absent') await put(OBJECT_NAMASTE, Buffer.from(OBJECT_NAMASTE_TEXT));
  const content = contentFiles(source.inventory)
    .filter((f) => versionNumber(f.path.split('/')[0]!)! > from)
    .sort((a, b) => compareKeys(a.path, b.path));
  for (const f of content) {
    if (!(await copyVerified(id, repo, f.path, f.sha512, candidatesAt(sources, f.path)))) throw noGoodCopy(id, f.path);
    result.copied += 1;
  }
  for (let n = from + 1; n <= source.headNumber; n++) {
    const key = `${names.get(n)!}/${INVENTORY}`;
    const bytes = n === source.headNumber ? source.bytes : (await verifiedBytes(id, await digestOf(n), candidatesAt(sources, key)))?.bytes;
    if (!bytes) throw noGoodCopy(id, key);
    await put(key, bytes);
    await put(`${names.get(n)!}/${INVENTORY_SIDECAR}`, sidecarText(bytes));
  }
  await put(INVENTORY, source.bytes);
  await put(INVENTORY_SIDECAR, sidecarText(source.bytes));
  return result;
}

export type ReplicaOutcome =
  | { location: string; ok: true; copy: CopyResult }
  | { location: string; ok: false; error: RecordedError; /** The whole location failed (unreachable, full), not this object. */ locationFailure: boolean };

/** Runs the copy and reports how it went instead of throwing: a failing replica never fails its caller. */
export async function replicateTo(ctx: AppContext, itemId: number, target: StorageLocation, digests: Map<number, string>): Promise<ReplicaOutcome> {
  try {
    return { location: target.name, ok: true, copy: await copyToReplica(ctx, itemId, target, digests) };
  } catch (err) {
    return { location: target.name, ok: false, error: recordedError(err), locationFailure: isLocationFailure(err) };
  }
}

/** The replica's row and event for an outcome, inside the caller's transaction. */
export async function recordReplica(tx: Executor, actor: AuditActor, itemId: number, bytes: number, outcome: ReplicaOutcome, at: string): Promise<void> {
  const repo = new PreservationRepository(tx);
  if (outcome.ok) {
    const { copy } = outcome;
    // New versions do not mend old damage: only a fixity audit that finds every file good clears it.
    const damaged = (await repo.replica(itemId, outcome.location))?.state === 'damaged';
    await repo.upsertReplica({
      item_id: itemId, location: outcome.location, version_number: copy.to, inventory_sha512: copy.inventorySha512, bytes,
      state: damaged ? 'damaged' : 'ok', ...(damaged ? {} : { error: null }), replicated_at: at, updated_at: at,
    });
    if (copy.to === copy.from) return;
    const details = { version: `v${copy.to}`, from: copy.from, to: copy.to, copied: copy.copied };
    await repo.insertEvents([eventRow(actor, { itemId, location: outcome.location, kind: 'replicate', result: 'pass', algorithm: 'sha512', details }, at)]);
    return;
  }
  await repo.upsertReplica({ item_id: itemId, location: outcome.location, state: 'lagging', error: JSON.stringify(outcome.error), updated_at: at });
  await repo.insertEvents([eventRow(actor, { itemId, location: outcome.location, kind: 'replicate', result: 'error', details: { error: outcome.error } }, at)]);
}

async function replicateObject(ctx: AppContext, obj: ObjectRow, target: StorageLocation, actor: AuditActor) {
  const outcome = await replicateTo(ctx, obj.item_id, target, await recordedDigests(ctx.database.db, obj.item_id));
  await inTransaction(ctx, (tx) => recordReplica(tx, actor, obj.item_id, obj.bytes, outcome, nowIso()));
  return outcome;
}

export interface ReplicationRun {
  locations: Array<{ location: string; replicated: number; failed: number; error?: RecordedError }>;
}

export interface ReplicateOptions {
  actor?: AuditActor;
  signal?: AbortSignal;
  onProgress?: (done: number) => void;
}

/** Catches one item's replicas up with its primary. */
export async function replicateItem(ctx: AppContext, itemId: number, opts: ReplicateOptions = {}): Promise<ReplicaOutcome[]> {
  const actor = opts.actor ?? SYSTEM_ACTOR;
  await reconcileObject(ctx, itemId, actor);
  const obj = await new PreservationRepository(ctx.database.db).object(itemId);
  if (!obj) return [];
  const out: ReplicaOutcome[] = [];
  for (const target of replicaLocations(ctx)) out.push(await replicateObject(ctx, obj, target, actor));
  return out;
}

/**
 * Catches every replica up: each object a replica lacks or holds an older version of. A location
 * that cannot be reached (or is full) is given up for this run after its first such failure;
 * its objects stay lagging for the next run.
 */
export async function replicateAll(ctx: AppContext, opts: ReplicateOptions = {}): Promise<ReplicationRun> {
  const actor = opts.actor ?? SYSTEM_ACTOR;
  const db = new PreservationRepository(ctx.database.db);
  const run: ReplicationRun = { locations: [] };
  let done = 0;
  for (const target of replicaLocations(ctx)) {
    const summary: ReplicationRun['locations'][number] = { location: target.name, replicated: 0, failed: 0 };
    run.locations.push(summary);
    let after = 0;
    outer: for (;;) {
      const batch = await db.objectsBehind(target.name, after, 100);
      if (!batch.length) break;
      for (const obj of batch) {
        if (opts.signal?.aborted) return run;
        after = obj.item_id;
        const outcome = await replicateObject(ctx, obj, target, actor);
        opts.onProgress?.(++done);
        if (outcome.ok) {
          summary.replicated += 1;
          continue;
        }
        summary.failed += 1;
        if (outcome.locationFailure) {
          summary.error = outcome.error;
          break outer;
        }
      }
    }
  }
  return run;
}

export interface LocationStatus {
  name: string;
  kind: 'fs' | 's3';
  primary: boolean;
  /** Where the store points (never secrets), or null when it cannot be opened. */
  description: string | null;
  /** Objects whose copy here is current and intact, and their bytes. */
  objects: number;
  bytes: number;
  /** Objects this location lacks or holds an older version of. */
  versionsBehind: number;
  damaged: number;
  lastReplicatedAt: string | null;
  /** Objects whose last replication or check here failed. */
  errors: number;
  lastError: RecordedError | null;
}

/** Per location: what it holds, how far it lags behind the primary, and its last failure. */
export async function replicationStatus(ctx: AppContext): Promise<LocationStatus[]> {
  const db = new PreservationRepository(ctx.database.db);
  const counts = await db.locationCounts();
  const out: LocationStatus[] = [];
  for (const loc of storageLocations(ctx)) {
    const mine = counts.filter((c) => c.location === loc.name);
    const ok = mine.find((c) => c.state === 'ok');
    const failures = await db.replicaErrors(loc.name, 1);
    const description = await loc.repository().then((r) => r.store.description, () => null);
    out.push({
      name: loc.name, kind: loc.kind, primary: loc.primary, description,
      objects: Number(ok?.objects ?? 0), bytes: Number(ok?.bytes ?? 0),
      versionsBehind: await db.countBehind(loc.name),
      damaged: Number(mine.find((c) => c.state === 'damaged')?.objects ?? 0),
      lastReplicatedAt: mine.reduce<string | null>((m, c) => (c.lastReplicatedAt && (!m || c.lastReplicatedAt > m) ? c.lastReplicatedAt : m), null),
      errors: await db.countErrors(loc.name),
      lastError: failures[0]?.error ? (JSON.parse(failures[0].error) as RecordedError) : null,
    });
  }
  return out;
}
