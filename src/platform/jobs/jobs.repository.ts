import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Dialect, Executor } from '../../db/database.js';
import type { JobTable } from '../../db/schema.js';

export type JobRow = Selectable<JobTable>;

/** SQL for the jobs table and nothing else; the queue's rules live in jobs.service.ts. */
export class JobsRepository {
  constructor(private readonly db: Executor, private readonly dialect: Dialect) {}

  insert(row: Insertable<JobTable>): Promise<JobRow> {
    return this.db.insertInto('jobs').values(row).returningAll().executeTakeFirstOrThrow();
  }

  job(id: number): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Marks the oldest queued job of one of `kinds` running and returns it, atomically: on
   * PostgreSQL the candidate row is locked with SKIP LOCKED, so concurrent workers take different
   * jobs; on SQLite the single statement runs under the database's write lock, which makes it its
   * own transaction. The state guard in the outer WHERE keeps a job from being claimed twice even
   * if the subquery saw a stale row.
   */
  claim(kinds: string[], at: string): Promise<JobRow | undefined> {
    if (!kinds.length) return Promise.resolve(undefined);
    let next = this.db.selectFrom('jobs').select('id').where('state', '=', 'queued').where('kind', 'in', kinds).orderBy('id').limit(1);
    if (this.dialect === 'postgres') next = next.forUpdate().skipLocked();
    return this.db
      .updateTable('jobs')
      .set({ state: 'running', updated_at: at })
      .where('id', '=', next)
      .where('state', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
  }

  async update(id: number, changes: Updateable<JobTable>): Promise<void> {
    await this.db.updateTable('jobs').set(changes).where('id', '=', id).execute();
  }

  /** The newest job of a kind with exactly this payload: the scheduler's memory, kept in the table so it survives restarts. */
  latest(kind: string, payload: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('kind', '=', kind).where('payload', '=', payload).orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** Fails running jobs whose worker stopped sending heartbeats before `before`. */
  async failStale(before: string, error: string, at: string): Promise<number> {
    const rows = await this.db.updateTable('jobs').set({ state: 'failed', error, updated_at: at }).where('state', '=', 'running').where('updated_at', '<', before).returning('id').execute();
    return rows.length;
  }
}
