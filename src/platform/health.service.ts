import { access, constants, mkdir } from 'node:fs/promises';
import { sql } from 'kysely';
import type { AppContext } from './context.js';

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  database: { ok: boolean; dialect: string; error?: string };
  storage: { ok: boolean; kind: 'local'; error?: string };
  jobs: { ok: boolean; queued: number; running: number; failed: number };
}

/** What `GET /api/v1/health` reports: each dependency checked for real, never assumed. */
export async function checkHealth(ctx: AppContext, version: string): Promise<Health> {
  const database: Health['database'] = { ok: true, dialect: ctx.database.dialect };
  const jobs: Health['jobs'] = { ok: true, queued: 0, running: 0, failed: 0 };
  try {
    await sql`select 1`.execute(ctx.database.db);
    const rows = await ctx.database.db.selectFrom('jobs').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
    for (const r of rows) if (r.state in jobs) (jobs as unknown as Record<string, number>)[r.state] = Number(r.n);
  } catch (e) {
    database.ok = false;
    database.error = (e as Error).message;
    jobs.ok = false;
  }
  const storage: Health['storage'] = { ok: true, kind: 'local' };
  try {
    await mkdir(ctx.config.storageDir, { recursive: true });
    await access(ctx.config.storageDir, constants.W_OK | constants.R_OK);
  } catch (e) {
    storage.ok = false;
    storage.error = (e as Error).message;
  }
  return { status: database.ok && storage.ok ? 'ok' : 'degraded', version, database, storage, jobs };
}
