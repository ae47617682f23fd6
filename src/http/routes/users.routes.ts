import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import { createUser, grantRights, listUsers, resetPassword, setUserStatus } from '../../security/users.service.js';
import { actorOf, idParam } from '../request-context.js';

const version = { type: 'integer', minimum: 1 };

export function usersRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v1/users', { schema: { tags: ['users'], summary: '用户列表 / Users' } }, async (req) => ({ users: await listUsers(ctx, actorOf(req)) }));

  app.post('/api/v1/users', {
    schema: {
      tags: ['users'], summary: '开设账户（系统管理员）/ Open an account (system administrator)',
      body: { type: 'object', required: ['username'], properties: { username: { type: 'string' }, displayName: { type: 'string' }, organizationId: { type: ['integer', 'null'] } } },
    },
  }, async (req, reply) => reply.code(201).send(await createUser(ctx, actorOf(req), req.body as { username: string; displayName: string; organizationId?: number | null })));

  app.post('/api/v1/users/:id/status', {
    schema: { tags: ['users'], summary: '停用或启用账户 / Disable or enable', body: { type: 'object', required: ['status', 'version'], properties: { status: { enum: ['active', 'disabled'] }, version } } },
  }, async (req) => {
    const b = req.body as { status: 'active' | 'disabled'; version: number };
    return setUserStatus(ctx, actorOf(req), idParam(req), b.status, b.version);
  });

  app.post('/api/v1/users/:id/reset-password', { schema: { tags: ['users'], summary: '重置口令 / Reset password' } }, async (req) => ({
    oneTimePassword: await resetPassword(ctx, actorOf(req), { id: idParam(req) }),
  }));

  app.put('/api/v1/users/:id/rights', {
    schema: {
      tags: ['users'], summary: '授权（安全保密管理员）/ Grant rights (security officer)',
      body: {
        type: 'object', required: ['clearance', 'version'],
        properties: {
          businessRole: { type: ['string', 'null'] }, clearance: { type: 'string' }, allFonds: { type: 'boolean' },
          fondsIds: { type: 'array', items: { type: 'integer' } }, version,
        },
      },
    },
  }, async (req) => {
    const b = req.body as { businessRole?: string | null; clearance: string; allFonds?: boolean; fondsIds?: number[]; version: number };
    return grantRights(ctx, actorOf(req), idParam(req), {
      businessRole: b.businessRole ?? null, clearance: b.clearance, allFonds: b.allFonds ?? false, fondsIds: b.fondsIds ?? [], version: b.version,
    });
  });
}
