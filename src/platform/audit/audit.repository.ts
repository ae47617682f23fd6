import type { Executor } from '../../db/database.js';
import type { ChainedRow } from './chain.js';

/** SQL for the audit tables and nothing else; the chain rules live in audit.service.ts. */
export class AuditRepository {
  constructor(private readonly db: Executor, private readonly lockRows: boolean) {}

  /** Reads the head and, on PostgreSQL, locks it until the transaction ends so appends queue up. */
  async lockHead(): Promise<{ seq: number; hash: string }> {
    let q = this.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    if (this.lockRows) q = q.forUpdate();
    const head = await q.executeTakeFirst();
    if (!head) throw new Error('audit_head row missing: the database was not migrated');
    return head;
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    return this.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  }

  async insert(rows: ChainedRow[], head: { seq: number; hash: string }): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await this.db.insertInto('audit_log').values(rows.slice(i, i + 500)).execute();
    }
    await this.db.updateTable('audit_head').set(head).where('id', '=', 1).execute();
  }

  async page(afterSeq: number, limit: number): Promise<ChainedRow[]> {
    return this.db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  }

  async list(filter: AuditFilter, limit: number): Promise<ChainedRow[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(limit);
    if (filter.beforeSeq) q = q.where('seq', '<', filter.beforeSeq);
    if (filter.action) q = q.where('action', 'like', `${filter.action}%`);
    if (filter.actorId !== undefined) q = q.where('actor_id', '=', filter.actorId);
    if (filter.actorIds) q = filter.actorIds.length ? q.where('actor_id', 'in', filter.actorIds) : q.where(({ lit }) => lit(false));
    if (filter.targetType) q = q.where('target_type', '=', filter.targetType);
    if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
    if (filter.from) q = q.where('at', '>=', filter.from);
    if (filter.to) q = q.where('at', '<', filter.to);
    return q.execute();
  }
}

export interface AuditFilter {
  beforeSeq?: number;
  action?: string;
  actorId?: number;
  /** Restricts to rows by these actors (the security officer sees ordinary users' rows only). */
  actorIds?: number[];
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}
