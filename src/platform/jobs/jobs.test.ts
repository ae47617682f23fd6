import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../db/database.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../test-support/databases.js';
import { defaultConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { enqueueDue, enqueueJob, failInterruptedJobs, registerJobHandler, runNextJob } from './jobs.service.js';
import { startJobRunner } from './runner.js';

const ran: number[] = [];
registerJobHandler('test.echo', async (_ctx, job) => {
  await job.progress(1, 2);
  await job.progress(2);
  return { echoed: job.payload };
});
registerJobHandler('test.fail', async () => {
  throw new AppError(507, 'STORAGE_FULL', '存储空间已满', 'Storage is full');
});
registerJobHandler('test.count', async (_ctx, job) => {
  ran.push(job.id);
  await sleep(2);
});

describe.each(BACKENDS)('job runner on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: AppContext;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'lantai-jobs-'));
    ctx = { database: t.database, config: defaultConfig(dir) };
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const drain = async (c: AppContext) => {
    while (await runNextJob(c));
  };

  it('runs a queued job with progress and records its result', async () => {
    const queued = await enqueueJob(ctx, 'test.echo', { 题名: '通知' }, 7);
    expect(queued).toMatchObject({ kind: 'test.echo', state: 'queued', progress: 0, payload: { 题名: '通知' }, createdBy: 7 });
    const done = await runNextJob(ctx);
    expect(done).toMatchObject({ id: queued.id, state: 'done', progress: 2, total: 2, result: { echoed: { 题名: '通知' } }, error: null });
    expect(await runNextJob(ctx)).toBeNull();
  });

  it('records a failing job with its error', async () => {
    const queued = await enqueueJob(ctx, 'test.fail', null, null);
    expect(await runNextJob(ctx)).toMatchObject({ id: queued.id, state: 'failed', error: { code: 'STORAGE_FULL', message: '存储空间已满', message_en: 'Storage is full' } });
  });

  it('refuses a kind no module registered', async () => {
    await expect(enqueueJob(ctx, 'test.nobody', {}, null)).rejects.toMatchObject({ status: 400, code: 'JOB_KIND_UNKNOWN', message_en: expect.stringContaining('test.nobody') });
  });

  it('never gives one job to two workers, even on two connections at once', async () => {
    ran.length = 0;
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push((await enqueueJob(ctx, 'test.count', { i }, null)).id);
    const other: Database = await openDatabase(t.url);
    try {
      const second: AppContext = { database: other, config: ctx.config };
      await Promise.all([drain(ctx), drain(second), drain(ctx), drain(second)]);
    } finally {
      await other.close();
    }
    expect([...ran].sort((a, b) => a - b)).toEqual(ids);
    const states = await ctx.database.db.selectFrom('jobs').select('state').where('kind', '=', 'test.count').execute();
    expect(states.every((s) => s.state === 'done')).toBe(true);
  });

  it('enqueues scheduled jobs when due, never doubling one that is queued', async () => {
    const schedule = [{ kind: 'test.echo', payload: { every: 'hour' }, everyMs: 3_600_000 }];
    expect(await enqueueDue(ctx, schedule)).toHaveLength(1);
    expect(await enqueueDue(ctx, schedule)).toHaveLength(0);
    await drain(ctx);
    expect(await enqueueDue(ctx, schedule)).toHaveLength(0);
    expect(await enqueueDue(ctx, schedule, Date.now() + 3_600_001)).toHaveLength(1);
    await drain(ctx);
  });

  it('fails jobs whose worker died, and a started runner works the queue until stopped', async () => {
    const stale = await enqueueJob(ctx, 'test.echo', 'stale', null);
    await ctx.database.db.updateTable('jobs').set({ state: 'running', updated_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', stale.id).execute();
    expect(await failInterruptedJobs(ctx, 60_000)).toBe(1);
    const queued = await enqueueJob(ctx, 'test.echo', 'later', null);
    const runner = startJobRunner(ctx, { pollMs: 20 });
    for (let i = 0; i < 200; i++) {
      const row = await ctx.database.db.selectFrom('jobs').select('state').where('id', '=', queued.id).executeTakeFirstOrThrow();
      if (row.state === 'done') break;
      await sleep(20);
    }
    await runner.stop();
    const rows = await ctx.database.db.selectFrom('jobs').select(['id', 'state', 'error']).where('id', 'in', [stale.id, queued.id]).orderBy('id').execute();
    expect(rows.map((r) => r.state)).toEqual(['failed', 'done']);
    expect(JSON.parse(rows[0]!.error!).code).toBe('JOB_INTERRUPTED');
  });
});
