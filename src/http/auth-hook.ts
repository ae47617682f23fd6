import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../platform/context.js';
import { AppError, forbidden, unauthorized } from '../platform/errors.js';
import { resolveSession } from '../security/auth.service.js';
import { SESSION_COOKIE } from './request-context.js';
import { TRANSFER_INBOX_PATH } from './routes/transfer-inbox.routes.js';

const PUBLIC_ROUTES = new Set(['/api/v1/health', '/api/v1/auth/login', '/api/v1/public/search']);
/** What a user who must change their password may still do. */
const PASSWORD_CHANGE_ROUTES = new Set(['/api/v1/auth/me', '/api/v1/auth/password', '/api/v1/auth/logout']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every /api/v1 call but login and health needs a live session; unsafe methods also need the
 * session's CSRF token in X-CSRF-Token (the cookie is SameSite=Strict as well: two locks).
 */
export function registerAuthHook(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('mustChangePassword', false);
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const path = req.routeOptions.url ?? req.url;
    if (!path.startsWith('/api/v1/') || PUBLIC_ROUTES.has(path)) return;
    // Senders authenticate with their organization's bearer token, checked by the routes; no cookie, so no CSRF.
    if (path === TRANSFER_INBOX_PATH || path.startsWith(`${TRANSFER_INBOX_PATH}/`)) return;
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await resolveSession(ctx, token, req.ip) : null;
    if (!session) throw unauthorized('NOT_SIGNED_IN', '未登录或会话已过期，请重新登录', 'Not signed in, or the session expired; please sign in again');
    if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken) {
      throw forbidden('请求缺少有效的防跨站令牌', 'The request lacks a valid CSRF token', 'CSRF_TOKEN_INVALID');
    }
    if (session.mustChangePassword && !PASSWORD_CHANGE_ROUTES.has(path)) {
      throw new AppError(403, 'PASSWORD_CHANGE_REQUIRED', '请先修改初始口令或已过期的口令', 'Change your one-time or expired password first');
    }
    req.actor = session.actor;
    req.sessionId = session.sessionId;
    req.csrfToken = session.csrfToken;
    req.mustChangePassword = session.mustChangePassword;
  });
}
