import { createHash } from 'node:crypto';
import type { AuditLogTable } from '../../db/schema.js';

/** A stored audit row: the fields its hash covers, plus the link to its predecessor and its own hash. */
export type ChainedRow = AuditLogTable;
export type AuditFields = Omit<AuditLogTable, 'prev_hash' | 'hash'>;

/** The chain starts from a fixed, documented value so that the first row is checkable too. */
export const GENESIS_HASH = '0'.repeat(64);

export const sm3 = (text: string): string => createHash('sm3').update(text, 'utf8').digest('hex');

/** Stable JSON: object keys sorted, so the same state always gives the same digest. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SM3 of a record's canonical JSON: what before/after digests hold. */
export const digestOf = (state: unknown): string | null => (state == null ? null : sm3(canonicalJson(state)));

export function rowHash(prevHash: string, row: AuditFields): string {
  const fields = [
    row.seq, row.at, row.actor_id, row.actor_name, row.action, row.target_type, row.target_id,
    row.before_digest, row.after_digest, row.client_ip, row.details,
  ];
  return sm3(`${prevHash}\n${JSON.stringify(fields)}`);
}

export type ChainFault =
  | { kind: 'changed'; seq: number }
  | { kind: 'deleted'; seq: number }
  | { kind: 'reordered'; seq: number }
  | { kind: 'truncated'; seq: number };

/**
 * Walks rows in stored order (by seq) and names the first fault: a row whose content no longer
 * matches its hash (changed), a gap in the sequence (deleted), a row whose link does not point
 * at its predecessor (reordered or re-chained), or a chain shorter than the head says (truncated).
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  fault: ChainFault | null = null;
  checked = 0;

  push(row: ChainedRow): boolean {
    if (this.fault) return false;
    if (row.seq !== this.expectedSeq) {
      this.fault = { kind: row.seq > this.expectedSeq ? 'deleted' : 'reordered', seq: this.expectedSeq };
      return false;
    }
    if (rowHash(row.prev_hash, row) !== row.hash) {
      this.fault = { kind: 'changed', seq: row.seq };
      return false;
    }
    if (row.prev_hash !== this.prevHash) {
      this.fault = { kind: 'reordered', seq: row.seq };
      return false;
    }
    this.prevHash = row.hash;
    this.expectedSeq += 1;
    this.checked += 1;
    return true;
  }

  finish(head: { seq: number; hash: string } | undefined): ChainFault | null {
    if (this.fault) return this.fault;
    const lastSeq = this.expectedSeq - 1;
    if (head && (head.seq !== lastSeq || head.hash !== this.prevHash)) {
      this.fault = head.seq > lastSeq ? { kind: 'truncated', seq: lastSeq + 1 } : { kind: 'changed', seq: head.seq };
    }
    return this.fault;
  }
}
