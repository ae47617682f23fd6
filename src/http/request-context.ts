import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../platform/errors.js';
import type { Actor } from '../security/actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
    csrfToken: string | null;
    mustChangePassword: boolean;
  }
}

/** The signed-in actor of a route that requires one (the auth hook has already refused anonymous calls). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthorized('NOT_SIGNED_IN', '请先登录', 'Please sign in first');
  return req.actor;
}

export const idParam = (req: FastifyRequest): number => Number((req.params as { id: string }).id);

export const SESSION_COOKIE = 'lantai_session';
