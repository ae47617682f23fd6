import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import type { Job } from '../api/types.js';

const POLL_MS = 1000;

export const jobActive = (job: Job | null) => job?.state === 'queued' || job?.state === 'running';

/**
 * Starts a background job (the request answers with the queued job) and follows it until it
 * ends, then calls `onFinished` with the ended job: what the job changed can be reloaded then.
 */
export function useJob(onFinished: (job: Job) => void) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  const start = useCallback(async (request: () => Promise<Job>) => {
    setStarting(true);
    setError(null);
    try {
      setJob(await request());
    } catch (e) {
      setError(e);
    } finally {
      setStarting(false);
    }
  }, []);

  useEffect(() => {
    if (!job || !jobActive(job)) return;
    let cancelled = false;
    const timer = window.setTimeout(() => {
      api.get<Job>(`/api/v1/jobs/${job.id}`).then(
        (next) => {
          if (cancelled) return;
          setJob(next);
          if (!jobActive(next)) finished.current(next);
        },
        (e: unknown) => {
          if (!cancelled) setError(e);
        },
      );
    }, POLL_MS);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [job]);

  return { job, error, start, busy: starting || jobActive(job) };
}
