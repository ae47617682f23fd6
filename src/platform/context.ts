import type { Database, Executor } from '../db/database.js';
import type { Config } from './config.js';

/** What every service needs: the database and the configuration. Built once per process. */
export interface AppContext {
  database: Database;
  config: Config;
}

export function inTransaction<T>(ctx: AppContext, fn: (tx: Executor) => Promise<T>): Promise<T> {
  return ctx.database.db.transaction().execute(fn);
}
