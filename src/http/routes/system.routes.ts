import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import { checkHealth } from '../../platform/health.service.js';
import { VERSION } from '../../platform/paths.js';

export function systemRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v1/health', { schema: { tags: ['system'], summary: '健康检查 / Health of database, storage and jobs' } }, async (_req, reply) => {
    const health = await checkHealth(ctx, VERSION);
    return reply.code(health.status === 'ok' ? 200 : 503).send(health);
  });
}
