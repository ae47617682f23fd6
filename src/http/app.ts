import { existsSync } from 'node:fs';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AppContext } from '../platform/context.js';
import { toErrorBody } from '../platform/errors.js';
import { VERSION } from '../platform/paths.js';
import { registerAuthHook } from './auth-hook.js';
import { auditRoutes } from './routes/audit.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { preservationRoutes } from './routes/preservation.routes.js';
import { searchRoutes } from './routes/search.routes.js';
import { spreadsheetRoutes } from './routes/spreadsheet.routes.js';
import { systemRoutes } from './routes/system.routes.js';
import { transferInboxRoutes } from './routes/transfer-inbox.routes.js';
import { transferUploadRoutes } from './routes/transfer-uploads.routes.js';
import { transferRoutes } from './routes/transfer.routes.js';
import { usersRoutes } from './routes/users.routes.js';

export type RouteModule = (app: FastifyInstance, ctx: AppContext) => void;

/** Each business module's routes; a new module adds its file here. */
const ROUTES: RouteModule[] = [systemRoutes, authRoutes, usersRoutes, auditRoutes, catalogRoutes, spreadsheetRoutes, searchRoutes, preservationRoutes, transferRoutes, transferInboxRoutes, transferUploadRoutes];

export interface AppOptions {
  logger?: boolean;
  /** Extra route modules (import/export and later modules register through this too). */
  routes?: RouteModule[];
}

export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { level: ctx.config.logLevel } : false,
    trustProxy: true,
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: { info: { title: 'Lantai 兰台 API', version: VERSION, description: '数字档案馆系统接口 / Digital archive system API' } },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      const where = err.validation[0]?.instancePath || err.validation[0]?.params?.missingProperty || '';
      return reply.code(400).send({
        error: { code: 'REQUEST_INVALID', message: `请求格式不正确：${where} ${err.message}`, message_en: `Malformed request: ${err.message}`, details: { validation: err.validation } },
      });
    }
    const { status, body } = toErrorBody(err);
    if (status >= 500) req.log.error(err);
    if (err.statusCode && err.statusCode < 500 && status === 500) {
      return reply.code(err.statusCode).send({ error: { code: err.code ?? 'REQUEST_INVALID', message: `请求无法处理：${err.message}`, message_en: err.message } });
    }
    return reply.code(status).send(body);
  });

  registerAuthHook(app, ctx);
  for (const routes of [...ROUTES, ...(options.routes ?? [])]) routes(app, ctx);

  if (existsSync(ctx.config.webDir)) {
    await app.register(fastifyStatic, { root: ctx.config.webDir, wildcard: false });
    // The UI routes client-side: any non-API path serves the app's index.
    app.setNotFoundHandler((req, reply) => {
      if (req.url.startsWith('/api/')) {
        return reply.code(404).send({ error: { code: 'NOT_FOUND', message: '接口不存在', message_en: 'No such endpoint' } });
      }
      return reply.sendFile('index.html');
    });
  }
  return app;
}
