/**
 * Fixity audits (长期保存 CQ checks "periodically or ad hoc during storage", domain.md §2.4): a
 * location's objects are walked in item-id order from a checkpoint, every file of every version
 * it holds is read again (content in one streamed pass for SHA-512, SHA-256 and SM3), and each
 * object check is recorded as an event. A bad or missing file is repaired from another location
 * whose copy verifies; when none does, the object is marked damaged and nothing is deleted.
 * A run stops when its time budget is spent and the next run resumes at the checkpoint; a cycle
 * ends after the last object, so each cycle checks every object exactly once.
 */
import { nowIso } from '../../db/database.js';
import type { FixityAuditAlgorithm } from '../../platform/config.js';
import { inParallel } from '../../platform/concurrency.js';
import { appendAudit, type AuditActor, type AuditEntry } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { isStorageError } from '../errors.js';
import { INVENTORY, INVENTORY_SIDECAR, parseSidecar, sidecarText } from '../ocfl/inventory.js';
import { OBJECT_NAMASTE, OBJECT_NAMASTE_TEXT } from '../ocfl/layout.js';
import type { OcflRepository } from '../ocfl/repository.js';
import { joinKey } from '../object-store.js';
import { type EventInput, eventRow, SYSTEM_ACTOR } from './events.js';
import { findLocation, type StorageLocation, storageLocations } from './locations.js';
import {
  type Candidate, candidatesAt, type ContentFile, contentFiles, copyVerified, getObjectFile, isLocationFailure, parseInventoryOf, readRootInventory,
  type RecordedError, recordedError, type RootInventory, sha512Hex, verifiedBytes,
} from './object-files.js';
import { type CheckpointRow, type ObjectRow, PreservationRepository, type ReplicaRow } from './preservation.repository.js';
import { reconcileObject } from './reconcile.js';

export interface FixityAuditOptions {
  location: string;
  /** Time budget of this run; at least one object is checked whatever the budget. */
  budgetMs: number;
  /** Objects read from the database at a time; default 100. */
  batchSize?: number;
  actor?: AuditActor;
  /** Aborting stops the run after the object being checked, with the checkpoint saved. */
  signal?: AbortSignal;
  onProgress?: (checked: number) => void;
}

export interface FixityAuditResult {
  location: string;
  cycle: number;
  /** Objects checked in this run, and how they fared. */
  checked: number;
  passed: number;
  failed: number;
  /** Files repaired. */
  repaired: number;
  /** Objects left damaged (no good copy anywhere). */
  damaged: number;
  /** Objects this location does not hold yet (replication's work). */
  skipped: number;
  /** The cycle ended in this run: every object has been checked once. */
  cycleCompleted: boolean;
  /** The run stopped because the location failed as a whole (unreachable, full). */
  error?: RecordedError;
}

type Problem = 'missing' | 'mismatch';

interface Finding {
  path: string;
  problem: Problem;
  /** Repairs run in this order, so the root sidecar (the commit record) is written last. */
  order: number;
  /** Writes a good copy; returns where it came from, or undefined when no copy verifies. */
  repair(): Promise<string | undefined>;
}

interface ObjectCheck {
  version: string;
  files: number;
  bytes: number;
  findings: Finding[];
  /** The location turned out to hold a newer version than the database knew of. */
  held?: { version_number: number; inventory_sha512: string };
}

const GENERATED = 'generated';

/** Runs one budgeted pass of the audit at a location. */
export async function runFixityAudit(ctx: AppContext, opts: FixityAuditOptions): Promise<FixityAuditResult> {
  const location = findLocation(ctx, opts.location);
  const actor = opts.actor ?? SYSTEM_ACTOR;
  const started = Date.now();
  const db = new PreservationRepository(ctx.database.db);
  const checkpoint = (await db.openCheckpoint(location.name)) ?? (await openCycle(db, location.name));
  const result: FixityAuditResult = {
    location: location.name, cycle: checkpoint.cycle, checked: 0, passed: 0, failed: 0, repaired: 0, damaged: 0, skipped: 0, cycleCompleted: false,
  };
  let repo: OcflRepository;
  try {
    repo = await location.repository();
  } catch (err) {
    return { ...result, error: recordedError(err) };
  }
  let position = checkpoint.last_item_id;
  for (;;) {
    const batch = await db.objectsAfter(position, opts.batchSize ?? 100);
    if (!batch.length) {
      await db.updateCheckpoint(location.name, checkpoint.cycle, { completed_at: nowIso(), updated_at: nowIso() });
      result.cycleCompleted = true;
      return result;
    }
    // Objects are read ahead, several at a time, so that every core hashes; their results are
    // recorded strictly in item order, so the checkpoint never passes an object left unrecorded.
    const checks: Array<Promise<Checked>> = [];
    const readAhead = (upTo: number) => {
      for (let i = checks.length; i < Math.min(upTo, batch.length); i++) checks.push(settle(checkObject(ctx, location, repo, batch[i]!, actor)));
    };
    // Objects that verified are recorded together, in one transaction per run of them: a
    // transaction per object would cost more than reading it. Anything else is recorded alone,
    // after the passes before it, so the checkpoint still advances in item order.
    const passes: Pass[] = [];
    const recordPasses = async () => {
      if (passes.length) await recordVerified(ctx, location, actor, checkpoint.cycle, passes.splice(0));
    };
    for (const [i, obj] of batch.entries()) {
      if (result.checked + result.skipped > 0 && (Date.now() - started >= opts.budgetMs || opts.signal?.aborted)) {
        // Reads already under way finish before the run returns, so none outlives it; their results are not recorded.
        await Promise.all(checks);
        await recordPasses();
        return result;
      }
      readAhead(i + READ_AHEAD);
      const checked = await checks[i]!;
      position = obj.item_id;
      if ('ok' in checked && checked.ok !== 'skipped' && !checked.ok.findings.length && !checked.ok.held) {
        passes.push({ obj, check: checked.ok });
        result.checked += 1;
        result.passed += 1;
        opts.onProgress?.(result.checked);
        continue;
      }
      await recordPasses();
      const error = await auditOne(ctx, location, obj, actor, checkpoint.cycle, result, checked);
      opts.onProgress?.(result.checked);
      if (error) {
        await Promise.all(checks);
        result.error = error;
        return result;
      }
    }
    await recordPasses();
  }
}

/** What a fixity event names as checked. */
const auditedAlgorithms = (ctx: AppContext) => ctx.config.fixityAlgorithms.join(',');

interface Pass {
  obj: ObjectRow;
  check: ObjectCheck;
}

const passEvent = (ctx: AppContext, location: StorageLocation, { obj, check }: Pass): EventInput => ({
  itemId: obj.item_id, location: location.name, kind: 'fixity', result: 'pass', algorithm: auditedAlgorithms(ctx),
  details: { version: check.version, files: check.files, bytes: check.bytes, bad: [] },
});

/** Records a run of objects whose every file verified, with the checkpoint's advance past the last, in one transaction. */
async function recordVerified(ctx: AppContext, location: StorageLocation, actor: AuditActor, cycle: number, passes: Pass[]): Promise<void> {
  const ids = passes.map((p) => p.obj.item_id);
  await inTransaction(ctx, async (tx) => {
    const at = nowIso();
    const r = new PreservationRepository(tx);
    await r.insertEvents(passes.map((p) => eventRow(actor, passEvent(ctx, location, p), at)));
    await r.markVerified(location.name, ids, at);
    await r.refreshObjectStates(ids, at);
    await r.advanceCheckpoint(location.name, cycle, ids.at(-1)!, { checked: ids.length }, at);
  });
}

/** Objects checked at once: enough to keep every hashing worker and the disk busy. */
const READ_AHEAD = 4;

type Checked = { ok: ObjectCheck | 'skipped' } | { err: unknown };
const settle = (check: Promise<ObjectCheck | 'skipped'>): Promise<Checked> => check.then((ok) => ({ ok }), (err: unknown) => ({ err }));

async function openCycle(db: PreservationRepository, location: string): Promise<CheckpointRow> {
  const at = nowIso();
  const row: CheckpointRow = {
    location, cycle: (await db.maxCycle(location)) + 1, started_at: at, completed_at: null, last_item_id: 0, checked: 0, failed: 0, repaired: 0, damaged: 0, updated_at: at,
  };
  await db.insertCheckpoint(row);
  return row;
}

/**
 * Checks and repairs one object and records it with the checkpoint's advance in one transaction,
 * so a crash never counts an object twice. Returns an error only when the location as a whole
 * failed; the checkpoint then stays before the object.
 */
async function auditOne(
  ctx: AppContext,
  location: StorageLocation,
  obj: ObjectRow,
  actor: AuditActor,
  cycle: number,
  result: FixityAuditResult,
  checked: Checked,
): Promise<RecordedError | undefined> {
  const itemId = obj.item_id;
  const advance = (r: PreservationRepository, counts: { checked?: number; failed?: number; repaired?: number; damaged?: number }, at: string) =>
    r.advanceCheckpoint(location.name, cycle, itemId, counts, at);
  if ('err' in checked) {
    const err = checked.err;
    const error = recordedError(err);
    const stop = isLocationFailure(err);
    await inTransaction(ctx, async (tx) => {
      const at = nowIso();
      const r = new PreservationRepository(tx);
      await r.insertEvents([eventRow(actor, { itemId, location: location.name, kind: 'fixity', result: 'error', algorithm: auditedAlgorithms(ctx), details: { error } }, at)]);
      if (!stop) await advance(r, { checked: 1, failed: 1 }, at);
    });
    if (stop) return error;
    result.checked += 1;
    result.failed += 1;
    return undefined;
  }
  const check = checked.ok;
  if (check === 'skipped') {
    await inTransaction(ctx, (tx) => advance(new PreservationRepository(tx), {}, nowIso()));
    result.skipped += 1;
    return undefined;
  }

  const repaired: Array<{ path: string; from: string }> = [];
  const unrepaired: Array<{ path: string; error?: RecordedError }> = [];
  for (const f of [...check.findings].sort((a, b) => a.order - b.order)) {
    try {
      const from = await f.repair();
      if (from) repaired.push({ path: f.path, from });
      else unrepaired.push({ path: f.path });
    } catch (err) {
      unrepaired.push({ path: f.path, error: recordedError(err) });
    }
  }

  const found = check.findings;
  const verdict = found.length === 0 ? 'pass' : found.some((f) => f.problem === 'mismatch') ? 'fail' : 'missing';
  await inTransaction(ctx, async (tx) => {
    const at = nowIso();
    const r = new PreservationRepository(tx);
    const where = { itemId, location: location.name };
    const events: EventInput[] = [{
      ...where, kind: 'fixity', result: verdict, algorithm: auditedAlgorithms(ctx),
      details: { version: check.version, files: check.files, bytes: check.bytes, bad: found.map((f) => ({ path: f.path, problem: f.problem })) },
    }];
    const audit: AuditEntry[] = [];
    for (const fix of repaired) {
      events.push({ ...where, kind: 'repair', result: 'repaired', algorithm: 'sha512', details: { version: check.version, path: fix.path, from: fix.from } });
      audit.push({ action: 'preservation.repair', target: { type: 'item', id: itemId }, details: { objectId: obj.object_id, location: location.name, path: fix.path, from: fix.from } });
    }
    const replica: Partial<ReplicaRow> = { checked_at: at, updated_at: at, ...check.held };
    if (unrepaired.length) {
      const paths = unrepaired.map((u) => u.path);
      events.push({ ...where, kind: 'damage', result: 'fail', details: { version: check.version, paths, errors: unrepaired.filter((u) => u.error) } });
      audit.push({ action: 'preservation.damage', target: { type: 'item', id: itemId }, details: { objectId: obj.object_id, location: location.name, paths } });
      Object.assign(replica, { state: 'damaged', error: JSON.stringify(damagedError(paths.length)) });
    } else if ((await r.replica(itemId, location.name))?.state === 'damaged') {
      Object.assign(replica, { state: 'ok', error: null });
    }
    await r.insertEvents(events.map((e) => eventRow(actor, e, at)));
    await r.updateReplica(itemId, location.name, replica);
    await r.setObjectState(itemId, (await r.damagedLocations(itemId)) > 0 ? 'damaged' : 'ok', at);
    await advance(r, { checked: 1, failed: found.length ? 1 : 0, repaired: repaired.length, damaged: unrepaired.length ? 1 : 0 }, at);
    await appendAudit(ctx.database, tx, actor, audit);
  });
  result.checked += 1;
  if (found.length) result.failed += 1;
  else result.passed += 1;
  result.repaired += repaired.length;
  if (unrepaired.length) result.damaged += 1;
  return undefined;
}

const damagedError = (files: number): RecordedError => ({
  code: 'PRESERVATION_DAMAGED',
  message: `${files} 个文件损坏或缺失，且没有可通过校验的副本可供修复`,
  message_en: `${files} file(s) are damaged or missing and no copy that verifies is available to repair them`,
});

/** What the location is expected to hold: the version and its inventory digest, per the database. */
async function expectedHolding(ctx: AppContext, location: StorageLocation, obj: ObjectRow, actor: AuditActor, root: RootInventory | undefined) {
  const db = new PreservationRepository(ctx.database.db);
  if (location.primary) {
    if (root && root.headNumber > obj.head_number) {
      // Written to storage, never recorded: a crash between the two.
      await reconcileObject(ctx, obj.item_id, actor);
      const now = (await db.object(obj.item_id))!;
      return { number: now.head_number, digest: now.inventory_sha512, held: undefined };
    }
    return { number: obj.head_number, digest: obj.inventory_sha512, held: undefined };
  }
  const replica = await db.replica(obj.item_id, location.name);
  if (!replica?.inventory_sha512 || replica.version_number === 0) return undefined;
  const versions = await db.versions(obj.item_id);
  // A copy interrupted after its commit but before the database heard of it.
  const newer = root && root.headNumber > replica.version_number && versions.find((v) => v.number === root.headNumber && v.inventory_sha512 === root.sha512);
  if (newer) return { number: newer.number, digest: newer.inventory_sha512, held: { version_number: newer.number, inventory_sha512: newer.inventory_sha512 } };
  return { number: replica.version_number, digest: replica.inventory_sha512, held: undefined };
}

async function checkObject(ctx: AppContext, location: StorageLocation, repo: OcflRepository, obj: ObjectRow, actor: AuditActor): Promise<ObjectCheck | 'skipped'> {
  const id = obj.object_id;
  const root = await readRootInventory(repo, id);
  const expected = await expectedHolding(ctx, location, obj, actor, typeof root === 'string' ? undefined : root);
  if (!expected) return 'skipped';
  const db = new PreservationRepository(ctx.database.db);
  const versions = (await db.versions(obj.item_id)).filter((v) => v.number <= expected.number);
  const head = versions.at(-1)!;
  const others = storageLocations(ctx).filter((l) => l.name !== location.name);
  const findings: Finding[] = [];
  const put = (key: string, bytes: Buffer) => repo.store.put(joinKey(repo.objectRoot(id), key), bytes, { sha512: sha512Hex(bytes) });
  /** Verified inventory bytes by key, for checking and regenerating their sidecars. */
  const good = new Map<string, Buffer>();

  const small = async (key: string, sha512: string, order: number, sources: () => Candidate[]) => {
    const bytes = await getObjectFile(repo, id, key);
    if (bytes && sha512Hex(bytes) === sha512) {
      good.set(key, bytes);
      return;
    }
    findings.push({
      path: key, problem: bytes ? 'mismatch' : 'missing', order,
      repair: async () => {
        const found = await verifiedBytes(id, sha512, sources());
        if (!found) return undefined;
        await put(key, found.bytes);
        good.set(key, found.bytes);
        return found.from;
      },
    });
  };
  const sidecar = async (key: string, inventoryKey: string, sha512: string, order: number) => {
    const bytes = await getObjectFile(repo, id, key);
    if (bytes && parseSidecar(bytes) === sha512) return;
    findings.push({
      path: key, problem: bytes ? 'mismatch' : 'missing', order,
      repair: async () => {
        const inventory = good.get(inventoryKey);
        if (!inventory) return undefined;
        await put(key, sidecarText(inventory));
        return GENERATED;
      },
    });
  };

  const namaste = await getObjectFile(repo, id, OBJECT_NAMASTE);
  if (namaste?.toString('utf8') !== OBJECT_NAMASTE_TEXT) {
    findings.push({ path: OBJECT_NAMASTE, problem: namaste ? 'mismatch' : 'missing', order: 0, repair: async () => (await put(OBJECT_NAMASTE, Buffer.from(OBJECT_NAMASTE_TEXT)), GENERATED) });
  }
  for (const v of versions) {
    const key = `${v.name}/${INVENTORY}`;
    const alsoRoot = v.number === head.number ? [...candidatesAt(others, INVENTORY), { location, key: INVENTORY }] : [];
    await small(key, v.inventory_sha512, 2, () => [...candidatesAt(others, key), ...alsoRoot]);
    await sidecar(`${v.name}/${INVENTORY_SIDECAR}`, key, v.inventory_sha512, 3);
  }
  const headKey = `${head.name}/${INVENTORY}`;
  await small(INVENTORY, expected.digest, 4, () => [...candidatesAt(others, headKey), ...candidatesAt(others, INVENTORY), { location, key: headKey }]);
  await sidecar(INVENTORY_SIDECAR, INVENTORY, expected.digest, 5);

  // The content list comes from an inventory that verifies: this location's, or another's copy of it.
  const inventoryBytes = good.get(INVENTORY) ?? good.get(headKey) ?? (await verifiedBytes(id, expected.digest, [...candidatesAt(others, headKey), ...candidatesAt(others, INVENTORY)]))?.bytes;
  const inventory = inventoryBytes && parseInventoryOf(inventoryBytes, id);
  const check: ObjectCheck = { version: head.name, files: 0, bytes: 0, findings, ...(expected.held ? { held: expected.held } : {}) };
  if (!inventory) return check;
  const files = contentFiles(inventory);
  // Side by side: a version of many small scans keeps every hashing worker busy.
  const problems: Array<Problem | undefined> = [];
  await inParallel(files, READ_AHEAD, async (file, i) => {
    problems[i] = await checkContent(repo, id, file, ctx.config.fixityAlgorithms, (n) => (check.bytes += n));
  });
  for (const [i, file] of files.entries()) {
    check.files += 1;
    const problem = problems[i];
    if (problem) {
      findings.push({ path: file.path, problem, order: 1, repair: () => copyVerified(id, repo, file.path, file.sha512, candidatesAt(others, file.path)) });
    }
  }
  return check;
}

/**
 * One read, the configured digests of those the inventory records (SHA-512 always is); each
 * must match. Any one of them detects damage; more of them prove more to an auditor, at the
 * cost of hashing time.
 */
async function checkContent(repo: OcflRepository, id: string, file: ContentFile, algorithms: readonly FixityAuditAlgorithm[], onBytes: (n: number) => void): Promise<Problem | undefined> {
  const recorded = algorithms.filter((a) => file[a] !== undefined);
  let digests;
  try {
    digests = await repo.store.digest(joinKey(repo.objectRoot(id), file.path), recorded.length ? recorded : ['sha512' as const]);
  } catch (err) {
    if (isStorageError(err, 'STORAGE_NOT_FOUND')) return 'missing';
    throw err;
  }
  onBytes(digests.size);
  return Object.entries(digests).some(([a, hex]) => a !== 'size' && hex !== file[a as FixityAuditAlgorithm]) ? 'mismatch' : undefined;
}
