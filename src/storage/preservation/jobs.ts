import type { AuditActor } from '../../platform/audit/audit.service.js';
import type { AppContext } from '../../platform/context.js';
import { enqueueJob, type JobView, registerJobHandler, type Schedule } from '../../platform/jobs/jobs.service.js';
import { startJobRunner } from '../../platform/jobs/runner.js';
import { type Actor, requirePermission } from '../../security/actor.js';
import { type FixityAuditResult, runFixityAudit } from './fixity.js';
import { closeLocations, findLocation, storageLocations } from './locations.js';
import { refreshStaleMetadata } from './preservation.service.js';
import { replicateAll } from './replication.js';

export const FIXITY_AUDIT_JOB = 'preservation.fixity-audit';
export const REPLICATE_JOB = 'preservation.replicate';

export interface FixityAuditPayload {
  /** One location, or every location in turn. */
  location?: string;
  budgetSeconds?: number;
}

/** Audits each named location (or all) for its budget in turn; the budget applies per location. */
export async function auditLocations(
  ctx: AppContext,
  payload: FixityAuditPayload,
  opts: { signal?: AbortSignal; onProgress?: (checked: number) => void; actor?: AuditActor } = {},
): Promise<FixityAuditResult[]> {
  const names = payload.location ? [findLocation(ctx, payload.location).name] : storageLocations(ctx).map((l) => l.name);
  const budgetMs = (payload.budgetSeconds ?? ctx.config.fixityBudgetSeconds) * 1000;
  const results: FixityAuditResult[] = [];
  let before = 0;
  for (const location of names) {
    if (opts.signal?.aborted) break;
    const result = await runFixityAudit(ctx, {
      location, budgetMs, onProgress: (n) => opts.onProgress?.(before + n), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.actor ? { actor: opts.actor } : {}),
    });
    before += result.checked;
    results.push(result);
  }
  return results;
}

/** Registers the preservation job kinds with the runner; idempotent, called at start-up. */
export function registerPreservationJobs(): void {
  registerJobHandler(FIXITY_AUDIT_JOB, (ctx, job) =>
    auditLocations(ctx, (job.payload ?? {}) as FixityAuditPayload, { signal: job.signal, onProgress: (n) => void job.progress(n).catch(() => undefined) }));
  registerJobHandler(REPLICATE_JOB, async (ctx, job) => {
    const metadata = await refreshStaleMetadata(ctx, { signal: job.signal });
    return { metadata, ...(await replicateAll(ctx, { signal: job.signal, onProgress: (n) => void job.progress(n).catch(() => undefined) })) };
  });
}

/**
 * The periodic work: a fixity audit per location in LANTAI_FIXITY_LOCATIONS (all by default)
 * every LANTAI_FIXITY_INTERVAL_HOURS, and replica catch-up every LANTAI_REPLICATION_INTERVAL_MINUTES.
 */
export function preservationSchedules(ctx: AppContext): Schedule[] {
  const { config } = ctx;
  const names = config.fixityLocations.length ? config.fixityLocations.map((n) => findLocation(ctx, n).name) : storageLocations(ctx).map((l) => l.name);
  return [
    ...names.map((location) => ({
      kind: FIXITY_AUDIT_JOB, payload: { location, budgetSeconds: config.fixityBudgetSeconds }, everyMs: config.fixityIntervalHours * 3_600_000,
    })),
    { kind: REPLICATE_JOB, payload: {}, everyMs: config.replicationIntervalMinutes * 60_000 },
  ];
}

/** "Audit now", from the API: a job, so the request returns at once and the UI follows its progress. */
export async function requestFixityAudit(ctx: AppContext, actor: Actor, payload: FixityAuditPayload): Promise<JobView> {
  requirePermission(actor, 'preservation.operate');
  if (payload.location) findLocation(ctx, payload.location);
  return enqueueJob(ctx, FIXITY_AUDIT_JOB, payload, actor.userId);
}

/**
 * What `lantai serve` runs beside the HTTP server: the job worker with the preservation
 * schedules (unless LANTAI_JOBS=off). `stop()` lets the running job save its progress, then
 * closes the storage locations.
 */
export function startPreservationWork(ctx: AppContext, onError: (err: unknown) => void): { stop(): Promise<void> } {
  registerPreservationJobs();
  const runner = ctx.config.jobs ? startJobRunner(ctx, { schedules: preservationSchedules(ctx), onError }) : null;
  return {
    stop: async () => {
      await runner?.stop();
      await closeLocations(ctx);
    },
  };
}
