import { createHash, randomBytes } from 'node:crypto';
import { nowIso } from '../db/database.js';
import { appendAudit } from '../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../platform/context.js';
import { AppError, badRequest, unauthorized } from '../platform/errors.js';
import { type Actor, actorFromUser, auditActorOf } from './actor.js';
import { checkPasswordPolicy, hashPassword, isPasswordExpired, type PasswordPolicy, verifyPassword } from './password.js';
import { type UserRow, UsersRepository } from './users.repository.js';

export const policyOf = (ctx: AppContext): PasswordPolicy => ({
  minLength: ctx.config.passwordMinLength,
  expiryDays: ctx.config.passwordExpiryDays,
  history: ctx.config.passwordHistory,
});

/** Sessions are stored by the SHA-256 of their token, so a copy of the database does not hand out sessions. */
const sessionKey = (token: string) => createHash('sha256').update(token).digest('hex');

const loginFailed = () => unauthorized('LOGIN_FAILED', '用户名或口令错误', 'Wrong user name or password');

export interface LoginResult {
  token: string;
  csrfToken: string;
  actor: Actor;
  mustChangePassword: boolean;
}

export async function login(ctx: AppContext, username: string, password: string, clientIp: string | null, userAgent: string | null): Promise<LoginResult> {
  const repo = new UsersRepository(ctx.database.db);
  const user = await repo.byUsername(username);
  const now = new Date();
  const anonymous = { id: null, name: username, clientIp };
  if (!user) {
    // Still spend the hashing time, so response times do not reveal which accounts exist.
    await verifyPassword(password, await dummyHash());
    await inTransaction(ctx, (tx) => appendAudit(ctx.database, tx, anonymous, [{ action: 'auth.login_failed', details: { reason: 'unknown_user' } }]));
    throw loginFailed();
  }
  if (user.status !== 'active') {
    await inTransaction(ctx, (tx) => appendAudit(ctx.database, tx, { ...anonymous, id: user.id }, [{ action: 'auth.login_failed', target: { type: 'user', id: user.id }, details: { reason: 'disabled' } }]));
    throw new AppError(403, 'ACCOUNT_DISABLED', '账户已停用，请联系系统管理员', 'This account is disabled; ask the system administrator');
  }
  if (user.locked_until && new Date(user.locked_until) > now) {
    await inTransaction(ctx, (tx) => appendAudit(ctx.database, tx, { ...anonymous, id: user.id }, [{ action: 'auth.login_failed', target: { type: 'user', id: user.id }, details: { reason: 'locked' } }]));
    throw new AppError(423, 'ACCOUNT_LOCKED', `登录失败次数过多，账户已锁定至 ${user.locked_until}`, `Too many failed logins; the account is locked until ${user.locked_until}`, { lockedUntil: user.locked_until });
  }
  if (!(await verifyPassword(password, user.password_hash))) {
    const attempts = user.failed_attempts + 1;
    const lock = attempts >= ctx.config.lockoutThreshold;
    const lockedUntil = lock ? new Date(now.getTime() + ctx.config.lockoutMinutes * 60_000).toISOString() : null;
    await inTransaction(ctx, async (tx) => {
      await new UsersRepository(tx).recordLoginAttempt(user.id, { failed_attempts: lock ? 0 : attempts, locked_until: lockedUntil });
      await appendAudit(ctx.database, tx, { ...anonymous, id: user.id }, [
        { action: 'auth.login_failed', target: { type: 'user', id: user.id }, details: { reason: 'password', attempts, locked: lock } },
      ]);
    });
    throw loginFailed();
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const at = now.toISOString();
  await inTransaction(ctx, async (tx) => {
    const users = new UsersRepository(tx);
    await users.recordLoginAttempt(user.id, { failed_attempts: 0, locked_until: null, last_login_at: at });
    await users.insertSession({
      id: sessionKey(token), user_id: user.id, csrf_token: csrfToken, created_at: at, last_seen_at: at,
      expires_at: new Date(now.getTime() + ctx.config.sessionMaxHours * 3_600_000).toISOString(), client_ip: clientIp, user_agent: userAgent,
    });
    await appendAudit(ctx.database, tx, { id: user.id, name: user.username, clientIp }, [{ action: 'auth.login', target: { type: 'user', id: user.id } }]);
  });
  const actor = actorFromUser(user, await repo.fondsOf(user.id), clientIp);
  return { token, csrfToken, actor, mustChangePassword: mustChange(ctx, user) };
}

let cachedDummy: Promise<string> | null = null;
const dummyHash = () => (cachedDummy ??= hashPassword(randomBytes(12).toString('hex')));

export const mustChange = (ctx: AppContext, user: UserRow): boolean =>
  user.must_change_password === 1 || isPasswordExpired(user.password_changed_at, policyOf(ctx));

export interface ResolvedSession {
  actor: Actor;
  sessionId: string;
  csrfToken: string;
  mustChangePassword: boolean;
}

/** The session behind a cookie, or null when it is unknown, expired, idle too long, or its account is gone or disabled. */
export async function resolveSession(ctx: AppContext, token: string, clientIp: string | null): Promise<ResolvedSession | null> {
  const repo = new UsersRepository(ctx.database.db);
  const id = sessionKey(token);
  const session = await repo.session(id);
  if (!session) return null;
  const now = Date.now();
  const idleLimit = new Date(session.last_seen_at).getTime() + ctx.config.sessionIdleMinutes * 60_000;
  if (new Date(session.expires_at).getTime() < now || idleLimit < now) {
    await repo.deleteSession(id);
    return null;
  }
  const user = await repo.byId(Number(session.user_id));
  if (!user || user.status !== 'active') {
    await repo.deleteSession(id);
    return null;
  }
  // Touch at most once a minute: every request writing the session row would serialise reads on SQLite.
  if (now - new Date(session.last_seen_at).getTime() > 60_000) await repo.touchSession(id, new Date(now).toISOString());
  return { actor: actorFromUser(user, await repo.fondsOf(user.id), clientIp), sessionId: id, csrfToken: session.csrf_token, mustChangePassword: mustChange(ctx, user) };
}

export async function logout(ctx: AppContext, actor: Actor, sessionId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await new UsersRepository(tx).deleteSession(sessionId);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'auth.logout', target: { type: 'user', id: actor.userId ?? 0 } }]);
  });
}

/** Checks policy and history, stores the new hash, and ends the user's other sessions. */
export async function changePassword(ctx: AppContext, actor: Actor, sessionId: string, current: string, next: string): Promise<void> {
  const repo = new UsersRepository(ctx.database.db);
  const user = actor.userId === null ? undefined : await repo.byId(actor.userId);
  if (!user) throw loginFailed();
  if (!(await verifyPassword(current, user.password_hash))) {
    throw badRequest('PASSWORD_WRONG', '当前口令不正确', 'The current password is wrong');
  }
  const violation = checkPasswordPolicy(next, user.username, policyOf(ctx));
  if (violation) throw badRequest(violation.code, violation.message, violation.message_en);
  const history: string[] = JSON.parse(user.password_history);
  for (const old of [user.password_hash, ...history.slice(0, ctx.config.passwordHistory)]) {
    if (await verifyPassword(next, old)) {
      throw badRequest('PASSWORD_REUSED', `新口令不得与最近 ${ctx.config.passwordHistory} 次使用过的口令相同`, `The new password must differ from the last ${ctx.config.passwordHistory} passwords`);
    }
  }
  const hash = await hashPassword(next);
  await inTransaction(ctx, async (tx) => {
    const users = new UsersRepository(tx);
    await users.update(user.id, user.version, {
      password_hash: hash,
      password_changed_at: nowIso(),
      password_history: JSON.stringify([user.password_hash, ...history].slice(0, ctx.config.passwordHistory)),
      must_change_password: 0,
      updated_at: nowIso(),
    });
    await users.deleteSessionsOf(user.id, sessionId);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'auth.password_change', target: { type: 'user', id: user.id } }]);
  });
}
