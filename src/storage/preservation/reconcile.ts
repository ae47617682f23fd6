import { nowIso } from '../../db/database.js';
import { type AuditActor, appendAudit } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { corrupt } from '../ocfl/inventory.js';
import { eventRow, SYSTEM_ACTOR } from './events.js';
import { primaryLocation, type StorageLocation } from './locations.js';
import { objectIdOf, readRootInventory } from './object-files.js';
import { PreservationRepository } from './preservation.repository.js';
import { describeVersions, writeVersions } from './records.js';

export interface ReconcileResult {
  action: 'none' | 'recorded';
  /** Head version number the database knew before, and knows now. */
  from: number;
  to: number;
}

/**
 * Brings the database up to the primary's committed inventory: the storage is written first and
 * the database after, so a crash between the two leaves versions the database never recorded.
 * The inventory head wins. A database ahead of the primary is not "reconciled" downwards: that
 * is a lost version, which the fixity audit repairs from a replica.
 */
export async function reconcileObject(ctx: AppContext, itemId: number, actor: AuditActor = SYSTEM_ACTOR): Promise<ReconcileResult> {
  const id = objectIdOf(itemId);
  const primary = primaryLocation(ctx);
  const repo = await primary.repository();
  const root = await readRootInventory(repo, id);
  const db = new PreservationRepository(ctx.database.db);
  const previous = await db.object(itemId);
  const from = previous?.head_number ?? 0;
  if (root === 'absent') return { action: 'none', from, to: from };
  if (root === 'bad') throw corrupt(repo.objectRoot(id), 'the root inventory does not match its sidecar');
  if (from >= root.headNumber) return { action: 'none', from, to: from };
  const described = await describeVersions(ctx.database.db, repo, itemId, root.inventory, root.sha512, from, new Map());
  await inTransaction(ctx, async (tx) => {
    const at = nowIso();
    await writeVersions(tx, primary.name, itemId, root.inventory, root.sha512, described, previous, at);
    const details = { objectId: id, from: previous?.head ?? null, to: root.inventory.head };
    await new PreservationRepository(tx).insertEvents([eventRow(actor, { itemId, location: primary.name, kind: 'recover', result: 'repaired', details }, at)]);
    await appendAudit(ctx.database, tx, actor, [{ action: 'preservation.reconcile', target: { type: 'item', id: itemId }, details }]);
  });
  return { action: 'recorded', from, to: root.headNumber };
}

/**
 * The OCFL writer's crash recovery for one object at a location (an interrupted version rolled
 * forward or removed, a stale root inventory restored), recorded as an event when it did anything.
 */
export async function recoverAt(ctx: AppContext, location: StorageLocation, itemId: number): Promise<void> {
  const report = await (await location.repository()).recover(objectIdOf(itemId));
  if (report.action === 'none') return;
  const details = { action: report.action, head: report.head ?? null, rolledForward: report.rolledForward, removed: report.removed };
  await inTransaction(ctx, (tx) =>
    new PreservationRepository(tx).insertEvents([eventRow(SYSTEM_ACTOR, { itemId, location: location.name, kind: 'recover', result: 'repaired', details })]));
}
