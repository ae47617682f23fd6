import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import { changePassword, login, logout } from '../../security/auth.service.js';
import { ROLE_LABELS } from '../../security/roles.js';
import type { Actor } from '../../security/actor.js';
import { actorOf, SESSION_COOKIE } from '../request-context.js';

export const meView = (actor: Actor, mustChangePassword: boolean) => ({
  id: actor.userId, username: actor.username, displayName: actor.displayName, adminRole: actor.adminRole, businessRole: actor.businessRole,
  roleLabel: ROLE_LABELS[(actor.adminRole ?? actor.businessRole) as keyof typeof ROLE_LABELS] ?? null,
  clearance: actor.clearance, allFonds: actor.allFonds, fondsIds: actor.fondsIds, permissions: [...actor.permissions].sort(), mustChangePassword,
});

export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post('/api/v1/auth/login', {
    schema: {
      tags: ['auth'], summary: '登录 / Sign in',
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 256 } } },
    },
  }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    const result = await login(ctx, username, password, req.ip, req.headers['user-agent'] ?? null);
    reply.setCookie(SESSION_COOKIE, result.token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.config.cookieSecure, maxAge: ctx.config.sessionMaxHours * 3600,
    });
    return { user: meView(result.actor, result.mustChangePassword), csrfToken: result.csrfToken };
  });

  app.get('/api/v1/auth/me', { schema: { tags: ['auth'], summary: '当前用户 / The signed-in user' } }, async (req) => ({
    user: meView(actorOf(req), req.mustChangePassword), csrfToken: req.csrfToken,
  }));

  app.post('/api/v1/auth/logout', { schema: { tags: ['auth'], summary: '退出 / Sign out' } }, async (req, reply) => {
    await logout(ctx, actorOf(req), req.sessionId!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.post('/api/v1/auth/password', {
    schema: {
      tags: ['auth'], summary: '修改口令 / Change password',
      body: { type: 'object', required: ['current', 'next'], properties: { current: { type: 'string', maxLength: 256 }, next: { type: 'string', maxLength: 256 } } },
    },
  }, async (req) => {
    const { current, next } = req.body as { current: string; next: string };
    await changePassword(ctx, actorOf(req), req.sessionId!, current, next);
    return { ok: true };
  });
}
