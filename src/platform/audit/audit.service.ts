import { type Database, type Executor, nowIso } from '../../db/database.js';
import { AuditRepository, type AuditFilter } from './audit.repository.js';
import { type ChainFault, ChainVerifier, type ChainedRow, canonicalJson, digestOf, rowHash } from './chain.js';

/** Who did something and from where; every audit row names one. */
export interface AuditActor {
  id: number | null;
  name: string;
  clientIp?: string | null;
}

export interface AuditEntry {
  action: string;
  target?: { type: string; id: string | number };
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

/**
 * Appends entries to the chain inside the caller's transaction, so the audit row and the change
 * it records commit or roll back together.
 */
export async function appendAudit(database: Database, tx: Executor, actor: AuditActor, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  const repo = new AuditRepository(tx, database.dialect === 'postgres');
  const head = await repo.lockHead();
  const at = nowIso();
  let { seq, hash } = head;
  const rows: ChainedRow[] = entries.map((e) => {
    seq += 1;
    const fields = {
      seq,
      at,
      actor_id: actor.id,
      actor_name: actor.name,
      action: e.action,
      target_type: e.target?.type ?? null,
      target_id: e.target ? String(e.target.id) : null,
      before_digest: digestOf(e.before),
      after_digest: digestOf(e.after),
      client_ip: actor.clientIp ?? null,
      details: e.details ? canonicalJson(e.details) : null,
    };
    const row = { ...fields, prev_hash: hash, hash: rowHash(hash, fields) };
    hash = row.hash;
    return row;
  });
  await repo.insert(rows, { seq, hash });
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  fault: ChainFault | null;
}

/** Re-walks the whole chain in pages; memory stays flat however long the trail is. */
export async function verifyAuditChain(database: Database, onProgress?: (checked: number) => void): Promise<VerifyResult> {
  const repo = new AuditRepository(database.db, false);
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await repo.page(after, 5000);
    if (!rows.length) break;
    for (const row of rows) if (!verifier.push(row)) break;
    if (verifier.fault) break;
    after = rows[rows.length - 1]!.seq;
    onProgress?.(verifier.checked);
  }
  const fault = verifier.finish(await repo.head());
  return { ok: !fault, checked: verifier.checked, fault };
}

export async function listAudit(database: Database, filter: AuditFilter, limit = 100): Promise<ChainedRow[]> {
  return new AuditRepository(database.db, false).list(filter, Math.min(Math.max(limit, 1), 500));
}

export function describeFault(fault: ChainFault): { zh: string; en: string } {
  const text = {
    changed: { zh: `第 ${fault.seq} 条审计记录被篡改`, en: `audit row ${fault.seq} was changed` },
    deleted: { zh: `第 ${fault.seq} 条审计记录被删除`, en: `audit row ${fault.seq} was deleted` },
    reordered: { zh: `第 ${fault.seq} 条审计记录的顺序或链接被改动`, en: `audit row ${fault.seq} was reordered or re-linked` },
    truncated: { zh: `自第 ${fault.seq} 条起的审计记录被截去`, en: `audit rows from ${fault.seq} on were cut off` },
  };
  return text[fault.kind];
}
