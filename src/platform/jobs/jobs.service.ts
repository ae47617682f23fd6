/**
 * A durable job queue in the `jobs` table (DESIGN §8: long work runs as jobs with progress).
 * Modules register a handler per job kind at start-up; enqueueing an unknown kind is refused.
 * A worker claims one queued job at a time (atomically, so two workers never run the same job),
 * runs its handler with progress reporting and a heartbeat, and records the result or the error.
 */
import { nowIso } from '../../db/database.js';
import { type Actor, can } from '../../security/actor.js';
import type { AppContext } from '../context.js';
import { type AppError, badRequest, notFound } from '../errors.js';
import { type JobRow, JobsRepository } from './jobs.repository.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobRun {
  id: number;
  payload: unknown;
  /** Aborted when the worker is stopping: finish the current step, save progress, return. */
  signal: AbortSignal;
  progress(done: number, total?: number): Promise<void>;
}

/** Returns the job's result (stored as JSON); throwing fails the job with the error recorded. */
export type JobHandler = (ctx: AppContext, job: JobRun) => Promise<unknown>;

const handlers = new Map<string, JobHandler>();

/** Registers (or replaces) the handler of a kind; modules call this at start-up. */
export function registerJobHandler(kind: string, handler: JobHandler): void {
  handlers.set(kind, handler);
}

export const registeredJobKinds = (): string[] => [...handlers.keys()];

const repo = (ctx: AppContext) => new JobsRepository(ctx.database.db, ctx.database.dialect);

export interface JobView {
  id: number;
  kind: string;
  state: JobState;
  progress: number;
  total: number | null;
  payload: unknown;
  result: unknown;
  error: { code: string; message: string; message_en: string } | null;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

const parsed = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));

export const jobView = (j: JobRow): JobView => ({
  id: j.id, kind: j.kind, state: j.state as JobState, progress: j.progress, total: j.total, payload: parsed(j.payload), result: parsed(j.result),
  error: parsed(j.error) as JobView['error'], createdBy: j.created_by, createdAt: j.created_at, updatedAt: j.updated_at,
});

export async function enqueueJob(ctx: AppContext, kind: string, payload: unknown, createdBy: number | null): Promise<JobView> {
  if (!handlers.has(kind)) {
    throw badRequest('JOB_KIND_UNKNOWN', `未知的任务类型：${kind}（已注册：${registeredJobKinds().join('、') || '无'}）`, `Unknown job kind: ${kind} (registered: ${registeredJobKinds().join(', ') || 'none'})`, {
      kind, registered: registeredJobKinds(),
    });
  }
  const at = nowIso();
  return jobView(await repo(ctx).insert({ kind, state: 'queued', progress: 0, total: null, payload: JSON.stringify(payload ?? null), created_by: createdBy, created_at: at, updated_at: at }));
}

/** A job, for the user who started it or for the system administrator, who runs the system. */
export async function getJob(ctx: AppContext, actor: Actor, id: number): Promise<JobView> {
  const job = await repo(ctx).job(id);
  if (!job || (job.created_by !== actor.userId && !can(actor, 'system.operate'))) throw notFound({ zh: '任务', en: 'Job' });
  return jobView(job);
}

function errorText(err: unknown): string {
  const e = err as Partial<AppError>;
  const message = e?.message ?? String(err);
  return JSON.stringify({ code: e?.code ?? 'INTERNAL', message, message_en: e?.message_en ?? message });
}

/** How often a running job tells the table it is alive. */
export const HEARTBEAT_MS = 30_000;

/**
 * Claims the oldest queued job this process has a handler for and runs it to the end. Returns
 * the finished job, or null when nothing was queued.
 */
export async function runNextJob(ctx: AppContext, signal: AbortSignal = new AbortController().signal): Promise<JobView | null> {
  const jobs = repo(ctx);
  const job = await jobs.claim(registeredJobKinds(), nowIso());
  if (!job) return null;
  const heartbeat = setInterval(() => void jobs.update(job.id, { updated_at: nowIso() }).catch(() => undefined), HEARTBEAT_MS);
  try {
    const run: JobRun = {
      id: job.id, payload: parsed(job.payload), signal,
      progress: (done, total) => jobs.update(job.id, { progress: done, ...(total === undefined ? {} : { total }), updated_at: nowIso() }),
    };
    const result = await handlers.get(job.kind)!(ctx, run);
    await jobs.update(job.id, { state: 'done', result: JSON.stringify(result ?? null), updated_at: nowIso() });
  } catch (err) {
    await jobs.update(job.id, { state: 'failed', error: errorText(err), updated_at: nowIso() });
  } finally {
    clearInterval(heartbeat);
  }
  return jobView((await jobs.job(job.id))!);
}

/** Fails jobs left running by a worker that died (no heartbeat for `staleMs`), so they do not look alive forever. */
export function failInterruptedJobs(ctx: AppContext, staleMs: number): Promise<number> {
  const error = JSON.stringify({
    code: 'JOB_INTERRUPTED', message: '任务执行中断（工作进程已停止），请重新发起', message_en: 'The job was interrupted (its worker stopped); start it again',
  });
  return repo(ctx).failStale(new Date(Date.now() - staleMs).toISOString(), error, nowIso());
}

/** A periodic task: a job of `kind` with `payload`, enqueued when the last such job is older than `everyMs`. */
export interface Schedule {
  kind: string;
  payload: Record<string, unknown>;
  everyMs: number;
}

/**
 * Enqueues each schedule's job when it is due. The last run is looked up in the table, so a
 * restart neither forgets nor repeats it; a job still queued or running is never doubled.
 */
export async function enqueueDue(ctx: AppContext, schedules: Schedule[], now = Date.now()): Promise<JobView[]> {
  const out: JobView[] = [];
  for (const s of schedules) {
    const last = await repo(ctx).latest(s.kind, JSON.stringify(s.payload));
    const busy = last && (last.state === 'queued' || last.state === 'running');
    if (busy || (last && Date.parse(last.created_at) > now - s.everyMs)) continue;
    out.push(await enqueueJob(ctx, s.kind, s.payload, null));
  }
  return out;
}
