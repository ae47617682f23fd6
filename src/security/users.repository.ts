import type { Selectable, Updateable, Insertable } from 'kysely';
import type { Executor } from '../db/database.js';
import type { SessionTable, UserTable } from '../db/schema.js';

export type UserRow = Selectable<UserTable>;
export type SessionRow = Selectable<SessionTable>;

/** SQL for users, grants and sessions. */
export class UsersRepository {
  constructor(private readonly db: Executor) {}

  byUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  byId(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('id').execute();
  }

  async countAdmins(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('admin_role', 'is not', null).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async insert(row: Insertable<UserTable>): Promise<UserRow> {
    return this.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  }

  /** Updates only when the stored version is the expected one; returns the new row or undefined on a stale write. */
  async update(id: number, version: number, patch: Updateable<UserTable>): Promise<UserRow | undefined> {
    return this.db.updateTable('users').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
  }

  /** Login bookkeeping is not an edit of the account, so it does not bump the version. */
  async recordLoginAttempt(id: number, patch: Pick<Updateable<UserTable>, 'failed_attempts' | 'locked_until' | 'last_login_at'>): Promise<void> {
    await this.db.updateTable('users').set(patch).where('id', '=', id).execute();
  }

  async fondsOf(userId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('user_fonds').select('fonds_id').where('user_id', '=', userId).orderBy('fonds_id').execute();
    return rows.map((r) => Number(r.fonds_id));
  }

  async setFonds(userId: number, fondsIds: number[], grantedBy: number, at: string): Promise<void> {
    await this.db.deleteFrom('user_fonds').where('user_id', '=', userId).execute();
    if (fondsIds.length) {
      await this.db.insertInto('user_fonds').values(fondsIds.map((fonds_id) => ({ user_id: userId, fonds_id, granted_by: grantedBy, granted_at: at }))).execute();
    }
  }

  async idsWithoutAdminRole(): Promise<number[]> {
    const rows = await this.db.selectFrom('users').select('id').where('admin_role', 'is', null).execute();
    return rows.map((r) => Number(r.id));
  }

  insertSession(row: SessionRow): Promise<unknown> {
    return this.db.insertInto('sessions').values(row).execute();
  }

  session(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  touchSession(id: string, at: string): Promise<unknown> {
    return this.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  deleteSession(id: string): Promise<unknown> {
    return this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  deleteSessionsOf(userId: number, exceptId?: string): Promise<unknown> {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return q.execute();
  }
}
