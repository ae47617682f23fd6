import type { FastifyInstance } from 'fastify';
import { listAudit, verifyAuditChain } from '../../platform/audit/audit.service.js';
import type { AppContext } from '../../platform/context.js';
import { forbidden } from '../../platform/errors.js';
import { can } from '../../security/actor.js';
import { UsersRepository } from '../../security/users.repository.js';
import { actorOf } from '../request-context.js';

export function auditRoutes(app: FastifyInstance, ctx: AppContext): void {
  /**
   * The auditor reads the whole trail; the security officer only ordinary users' rows
   * (domain.md §5.2); nobody else reads it.
   */
  app.get('/api/v1/audit', {
    schema: {
      tags: ['audit'], summary: '审计日志 / Audit trail',
      querystring: { type: 'object', properties: { beforeSeq: { type: 'integer' }, action: { type: 'string' }, actorId: { type: 'integer' }, targetType: { type: 'string' }, targetId: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'integer' } } },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const q = req.query as Record<string, string | number | undefined> & { limit?: number };
    let actorIds: number[] | undefined;
    if (!can(actor, 'audit.read')) {
      if (!can(actor, 'audit.read_business')) throw forbidden();
      actorIds = await new UsersRepository(ctx.database.db).idsWithoutAdminRole();
    }
    const rows = await listAudit(ctx.database, {
      beforeSeq: q.beforeSeq as number | undefined, action: q.action as string | undefined, actorId: q.actorId as number | undefined,
      targetType: q.targetType as string | undefined, targetId: q.targetId as string | undefined, from: q.from as string | undefined, to: q.to as string | undefined, actorIds,
    }, q.limit ?? 100);
    return { entries: rows, nextBeforeSeq: rows.length ? rows[rows.length - 1]!.seq : null };
  });

  app.post('/api/v1/audit/verify', { schema: { tags: ['audit'], summary: '校验审计链 / Verify the audit chain' } }, async (req) => {
    if (!can(actorOf(req), 'audit.read')) throw forbidden();
    return verifyAuditChain(ctx.database);
  });
}
