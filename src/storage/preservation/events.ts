/**
 * Preservation events: one row per ingest, fixity check, repair, replication, damage and
 * recovery, the object's PREMIS-like history. Details may name files, which is item content:
 * callers that may not see the item get the numbers only (三员: the system administrator sees
 * counts, locations and failures, never what the files are).
 */
import { nowIso } from '../../db/database.js';
import type { AuditActor } from '../../platform/audit/audit.service.js';
import type { EventRow, NewEvent } from './preservation.repository.js';
import { isLocationFailureCode, type RecordedError } from './object-files.js';

export const EVENT_KINDS = ['ingest', 'fixity', 'repair', 'replicate', 'damage', 'recover'] as const;
export const EVENT_RESULTS = ['pass', 'fail', 'missing', 'repaired', 'error'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type EventResult = (typeof EVENT_RESULTS)[number];

/** The digests kept for each content file: computed at ingest, recomputed by every fixity check. */
export const FIXITY_ALGORITHMS = 'sha512,sha256,sm3';

/** The automatic work of the system (scheduled jobs), as the audit trail and the events name it. */
export const SYSTEM_ACTOR: AuditActor = { id: null, name: 'system:preservation' };

export interface EventInput {
  itemId: number | null;
  location: string | null;
  kind: EventKind;
  result: EventResult;
  algorithm?: string;
  details?: Record<string, unknown>;
}

export function eventRow(actor: AuditActor, e: EventInput, at = nowIso()): NewEvent {
  return {
    at, item_id: e.itemId, location: e.location, kind: e.kind, algorithm: e.algorithm ?? null, result: e.result,
    details: e.details ? JSON.stringify(e.details) : null, actor_id: actor.id, actor_name: actor.name,
  };
}

/** An error as someone who may not see the item may read it: the code, and the message only when it names no file. */
export function publicError(e: RecordedError): RecordedError | { code: string } {
  return isLocationFailureCode(e.code) ? e : { code: e.code };
}

const COUNTED = ['bad', 'paths', 'files', 'removed'] as const;
const KEPT = ['version', 'bytes', 'copied', 'from', 'to', 'head'] as const;

/** Event details without file names: lists become their lengths, errors lose file-naming messages. */
export function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEPT) if (k in details) out[k] = details[k];
  for (const k of COUNTED) {
    const v = details[k];
    if (Array.isArray(v)) out[k] = v.length;
    else if (typeof v === 'number') out[k] = v;
  }
  if (details.error) out.error = publicError(details.error as RecordedError);
  return out;
}

export interface EventView {
  id: number;
  at: string;
  itemId: number | null;
  location: string | null;
  kind: string;
  algorithm: string | null;
  result: string;
  details: Record<string, unknown> | null;
  actor: string;
}

export function eventView(row: EventRow, visible: boolean): EventView {
  const details = row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null;
  return {
    id: row.id, at: row.at, itemId: row.item_id, location: row.location, kind: row.kind, algorithm: row.algorithm, result: row.result,
    details: details && !visible ? redactDetails(details) : details, actor: row.actor_name,
  };
}
