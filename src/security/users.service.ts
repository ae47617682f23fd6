import { isClassificationLevel } from '../domain/classification.js';
import { nowIso } from '../db/database.js';
import { appendAudit } from '../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../platform/context.js';
import { AppError, badRequest, conflict, forbidden, notFound, staleVersion } from '../platform/errors.js';
import { type Actor, auditActorOf, requirePermission } from './actor.js';
import { generateOneTimePassword, hashPassword } from './password.js';
import { type AdminRole, ADMIN_ROLES, isBusinessRole } from './roles.js';
import { type UserRow, UsersRepository } from './users.repository.js';

const USER = { zh: '用户', en: 'User' };

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  status: string;
  adminRole: string | null;
  businessRole: string | null;
  clearance: string;
  allFonds: boolean;
  fondsIds: number[];
  organizationId: number | null;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  version: number;
}

export function userView(u: UserRow, fondsIds: number[]): UserView {
  return {
    id: u.id, username: u.username, displayName: u.display_name, status: u.status, adminRole: u.admin_role,
    businessRole: u.business_role, clearance: u.clearance, allFonds: u.all_fonds === 1, fondsIds,
    organizationId: u.organization_id, mustChangePassword: u.must_change_password === 1,
    lockedUntil: u.locked_until, lastLoginAt: u.last_login_at, version: u.version,
  };
}

/** The public part of a user row: what the account pages show, never the hash. */
const rightsState = (u: UserRow, fondsIds: number[]) => ({
  businessRole: u.business_role, clearance: u.clearance, allFonds: u.all_fonds, fondsIds,
});

export async function listUsers(ctx: AppContext, actor: Actor): Promise<UserView[]> {
  if (!actor.permissions.has('users.manage') && !actor.permissions.has('rights.grant')) throw forbidden();
  const repo = new UsersRepository(ctx.database.db);
  const users = await repo.list();
  return Promise.all(users.map(async (u) => userView(u, await repo.fondsOf(u.id))));
}

const USERNAME = /^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}$/u;

/** The system administrator opens an account; it starts with no rights and a one-time password. */
export async function createUser(
  ctx: AppContext, actor: Actor, input: { username: string; displayName: string; organizationId?: number | null },
): Promise<{ user: UserView; oneTimePassword: string }> {
  requirePermission(actor, 'users.manage');
  if (!USERNAME.test(input.username)) {
    throw badRequest('USERNAME_INVALID', '用户名须为 2–64 个字母、数字、汉字或 _ . -', 'User names are 2–64 letters, digits, Chinese characters or _ . -');
  }
  const oneTimePassword = generateOneTimePassword();
  const hash = await hashPassword(oneTimePassword);
  return inTransaction(ctx, async (tx) => {
    const repo = new UsersRepository(tx);
    if (await repo.byUsername(input.username)) throw conflict('USERNAME_TAKEN', '用户名已存在', 'That user name is taken');
    const at = nowIso();
    const row = await repo.insert({
      username: input.username, display_name: input.displayName || input.username, password_hash: hash, password_changed_at: at,
      password_history: '[]', must_change_password: 1, failed_attempts: 0, status: 'active', clearance: '公开', all_fonds: 0,
      organization_id: input.organizationId ?? null, created_at: at, updated_at: at, version: 1,
    });
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'user.create', target: { type: 'user', id: row.id }, after: { username: row.username, displayName: row.display_name } }]);
    return { user: userView(row, []), oneTimePassword };
  });
}

async function loadOther(repo: UsersRepository, actor: Actor, id: number): Promise<UserRow> {
  if (actor.userId === id) throw forbidden('不能修改自己的账户或权限', 'Nobody changes their own account or rights', 'SELF_CHANGE_FORBIDDEN');
  const user = await repo.byId(id);
  if (!user) throw notFound(USER);
  return user;
}

export async function setUserStatus(ctx: AppContext, actor: Actor, id: number, status: 'active' | 'disabled', version: number): Promise<UserView> {
  requirePermission(actor, 'users.manage');
  return inTransaction(ctx, async (tx) => {
    const repo = new UsersRepository(tx);
    const user = await loadOther(repo, actor, id);
    const row = await repo.update(id, version, { status, updated_at: nowIso(), ...(status === 'active' ? { failed_attempts: 0, locked_until: null } : {}) });
    if (!row) throw staleVersion(user.version);
    if (status === 'disabled') await repo.deleteSessionsOf(id);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: `user.${status === 'active' ? 'enable' : 'disable'}`, target: { type: 'user', id }, before: { status: user.status }, after: { status } }]);
    return userView(row, await repo.fondsOf(id));
  });
}

/** A new one-time password; by the system administrator, or by `lantai admin reset-password` on the server. */
export async function resetPassword(ctx: AppContext, actor: Actor, target: { id: number } | { username: string }, viaCli = false): Promise<string> {
  if (!viaCli) requirePermission(actor, 'users.manage');
  const oneTimePassword = generateOneTimePassword();
  const hash = await hashPassword(oneTimePassword);
  await inTransaction(ctx, async (tx) => {
    const repo = new UsersRepository(tx);
    const found = 'id' in target ? await repo.byId(target.id) : await repo.byUsername(target.username);
    if (!found) throw notFound(USER);
    const user = viaCli ? found : await loadOther(repo, actor, found.id);
    await repo.update(user.id, user.version, {
      password_hash: hash, password_changed_at: nowIso(), must_change_password: 1, failed_attempts: 0, locked_until: null, updated_at: nowIso(),
    });
    await repo.deleteSessionsOf(user.id);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'user.reset_password', target: { type: 'user', id: user.id }, details: { via: viaCli ? 'cli' : 'api' } }]);
  });
  return oneTimePassword;
}

export interface RightsInput {
  businessRole: string | null;
  clearance: string;
  allFonds: boolean;
  fondsIds: number[];
  version: number;
}

/** The security officer grants a business role, a clearance and a fonds scope; administrators hold no business rights. */
export async function grantRights(ctx: AppContext, actor: Actor, id: number, input: RightsInput): Promise<UserView> {
  requirePermission(actor, 'rights.grant');
  if (input.businessRole !== null && !isBusinessRole(input.businessRole)) {
    throw badRequest('ROLE_INVALID', `未知的业务角色：${input.businessRole}`, `Unknown business role: ${input.businessRole}`);
  }
  if (!isClassificationLevel(input.clearance)) {
    throw badRequest('CLEARANCE_INVALID', `未知的密级：${input.clearance}`, `Unknown clearance: ${input.clearance}`);
  }
  return inTransaction(ctx, async (tx) => {
    const repo = new UsersRepository(tx);
    const user = await loadOther(repo, actor, id);
    if (user.admin_role) {
      throw new AppError(409, 'ADMIN_HAS_NO_BUSINESS_RIGHTS', '三员账户不能被授予业务权限', 'The three administrator accounts cannot hold business rights');
    }
    const before = rightsState(user, await repo.fondsOf(id));
    const row = await repo.update(id, input.version, {
      business_role: input.businessRole, clearance: input.clearance, all_fonds: input.allFonds ? 1 : 0, updated_at: nowIso(),
    });
    if (!row) throw staleVersion(user.version);
    const fondsIds = [...new Set(input.fondsIds)].sort((a, b) => a - b);
    await repo.setFonds(id, fondsIds, actor.userId ?? 0, nowIso());
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{
      action: 'rights.grant', target: { type: 'user', id }, before, after: rightsState(row, fondsIds),
      details: { businessRole: input.businessRole, clearance: input.clearance, allFonds: input.allFonds, fondsIds },
    }]);
    return userView(row, fondsIds);
  });
}

export interface BootstrapCredential {
  username: string;
  role: AdminRole;
  oneTimePassword: string;
}

const ADMIN_ACCOUNTS: Record<AdminRole, { username: string; zh: string }> = {
  sysadmin: { username: 'sysadmin', zh: '系统管理员' },
  secadmin: { username: 'secadmin', zh: '安全保密管理员' },
  auditor: { username: 'auditor', zh: '安全审计员' },
};

/**
 * On first start: the three administrator accounts with one-time passwords that the caller prints
 * once. Nothing is created when administrators exist already, so the passwords never reappear.
 */
export async function bootstrapAdministrators(ctx: AppContext): Promise<BootstrapCredential[]> {
  if ((await new UsersRepository(ctx.database.db).countAdmins()) > 0) return [];
  const creds = await Promise.all(ADMIN_ROLES.map(async (role) => {
    const oneTimePassword = generateOneTimePassword();
    return { role, username: ADMIN_ACCOUNTS[role].username, oneTimePassword, hash: await hashPassword(oneTimePassword) };
  }));
  return inTransaction(ctx, async (tx) => {
    const repo = new UsersRepository(tx);
    if ((await repo.countAdmins()) > 0) return [];
    const at = nowIso();
    for (const c of creds) {
      await repo.insert({
        username: c.username, display_name: ADMIN_ACCOUNTS[c.role].zh, password_hash: c.hash, password_changed_at: at, password_history: '[]',
        must_change_password: 1, failed_attempts: 0, status: 'active', admin_role: c.role, clearance: '公开', all_fonds: 0, created_at: at, updated_at: at, version: 1,
      });
    }
    await appendAudit(ctx.database, tx, { id: null, name: 'system' }, [{ action: 'security.bootstrap', details: { accounts: creds.map((c) => c.username) } }]);
    return creds.map(({ role, username, oneTimePassword }) => ({ role, username, oneTimePassword }));
  });
}
