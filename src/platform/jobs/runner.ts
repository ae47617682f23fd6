import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../context.js';
import { enqueueDue, failInterruptedJobs, HEARTBEAT_MS, runNextJob, type Schedule } from './jobs.service.js';

export interface JobRunnerOptions {
  schedules?: Schedule[];
  /** Pause when the queue is empty; default 2 s. */
  pollMs?: number;
  /** How often schedules are looked at; default 60 s. */
  scheduleMs?: number;
  /** Where trouble with the queue itself (database down) is reported; the loop keeps going. */
  onError?: (err: unknown) => void;
}

export interface JobRunner {
  /** Asks the running job to stop at its next step, waits for it, and ends the loop. */
  stop(): Promise<void>;
}

/**
 * The worker loop of one process: runs queued jobs one at a time and enqueues scheduled ones
 * when due. Several processes may each run one; the queue's claim keeps them apart.
 */
export function startJobRunner(ctx: AppContext, opts: JobRunnerOptions = {}): JobRunner {
  const controller = new AbortController();
  const { signal } = controller;
  const pollMs = opts.pollMs ?? 2000;
  const scheduleMs = opts.scheduleMs ?? 60_000;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined);
  const loop = (async () => {
    let scheduledAt = 0;
    // A job whose heartbeat stopped long ago belonged to a worker that died.
    await failInterruptedJobs(ctx, 10 * HEARTBEAT_MS).catch((err: unknown) => opts.onError?.(err));
    while (!signal.aborted) {
      try {
        if (opts.schedules?.length && Date.now() - scheduledAt >= scheduleMs) {
          scheduledAt = Date.now();
          await enqueueDue(ctx, opts.schedules);
        }
        if (!(await runNextJob(ctx, signal))) await pause(pollMs);
      } catch (err) {
        opts.onError?.(err);
        await pause(pollMs);
      }
    }
  })();
  return {
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}
