import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../platform/audit/audit.service.js';
import { BACKENDS } from '../test-support/databases.js';
import { createTestApp, STRONG_PASSWORD, type Session, type TestApp } from '../test-support/app.js';
import { cliActor } from './actor.js';
import { bootstrapAdministrators, resetPassword } from './users.service.js';

describe.each(BACKENDS)('security model on %s', (dialect) => {
  let t: TestApp;
  let sys: Session;
  let sec: Session;
  let aud: Session;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    sys = await t.login('sysadmin', t.admins.sysadmin!, STRONG_PASSWORD);
    sec = await t.login('secadmin', t.admins.secadmin!, STRONG_PASSWORD);
    aud = await t.login('auditor', t.admins.auditor!, STRONG_PASSWORD);
  });
  afterAll(async () => t?.dispose());

  it('creates the three administrators once, with scrypt hashes and a forced change', async () => {
    expect(Object.keys(t.admins).sort()).toEqual(['auditor', 'secadmin', 'sysadmin']);
    expect(await bootstrapAdministrators(t.ctx)).toEqual([]);
    const rows = await t.ctx.database.db.selectFrom('users').select(['username', 'password_hash', 'admin_role']).execute();
    for (const r of rows) expect(r.password_hash).toMatch(/^scrypt\$/);
    expect(rows.map((r) => r.admin_role).sort()).toEqual(['auditor', 'secadmin', 'sysadmin']);
  });

  it('allows nothing but a password change until the one-time password is replaced', async () => {
    const fresh = await sys.json('POST', '/api/v1/users', { username: 'wangwu', displayName: '王五' }, 201);
    const s = await t.login('wangwu', fresh.oneTimePassword);
    const me = await s.json('GET', '/api/v1/auth/me', undefined, 200);
    expect(me.user.mustChangePassword).toBe(true);
    expect((await s.call('GET', '/api/v1/fonds')).json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await s.call('POST', '/api/v1/auth/password', { current: fresh.oneTimePassword, next: 'short' })).json().error.code).toBe('PASSWORD_TOO_SHORT');
    expect((await s.call('POST', '/api/v1/auth/password', { current: fresh.oneTimePassword, next: fresh.oneTimePassword })).json().error.code).toBe('PASSWORD_REUSED');
    await s.json('POST', '/api/v1/auth/password', { current: fresh.oneTimePassword, next: STRONG_PASSWORD }, 200);
    expect((await s.json('GET', '/api/v1/auth/me')).user.mustChangePassword).toBe(false);
    // Past the change, an account without rights meets the ordinary refusal.
    expect((await s.call('GET', '/api/v1/fonds')).json().error.code).toBe('FORBIDDEN');
  });

  it('sets the session cookie HttpOnly and SameSite=Strict', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'sysadmin', password: STRONG_PASSWORD } });
    const cookie = res.cookies.find((c) => c.name === 'lantai_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
  });

  it('refuses a state-changing call without the CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: 'nocsrf' }, headers: { cookie: sys.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_TOKEN_INVALID');
  });

  it('keeps the three administrators apart', async () => {
    const u = await sys.json('POST', '/api/v1/users', { username: 'lisi', displayName: '李四' }, 201);
    // The system administrator opens accounts but grants nothing and reads no audit trail or content.
    expect((await sys.call('PUT', `/api/v1/users/${u.user.id}/rights`, { businessRole: 'archivist', clearance: '绝密', version: 1 })).statusCode).toBe(403);
    expect((await sys.call('GET', '/api/v1/audit')).statusCode).toBe(403);
    expect((await sys.call('GET', '/api/v1/tree?key=root')).statusCode).toBe(403);
    // The security officer grants but opens no accounts.
    expect((await sec.call('POST', '/api/v1/users', { username: 'zhaoliu' })).statusCode).toBe(403);
    await sec.json('PUT', `/api/v1/users/${u.user.id}/rights`, { businessRole: 'reader', clearance: '内部', version: 1 }, 200);
    // The auditor reads the trail and nothing else.
    expect((await aud.call('GET', '/api/v1/audit')).statusCode).toBe(200);
    expect((await aud.call('GET', '/api/v1/users')).statusCode).toBe(403);
    expect((await aud.call('POST', '/api/v1/users', { username: 'x1' })).statusCode).toBe(403);
    expect((await aud.call('GET', '/api/v1/tree?key=root')).statusCode).toBe(403);
  });

  it('lets nobody change their own rights, and gives administrators no business rights', async () => {
    const me = await sec.json('GET', '/api/v1/auth/me');
    const self = await sec.call('PUT', `/api/v1/users/${me.user.id}/rights`, { businessRole: 'archivist', clearance: '绝密', version: 1 });
    expect(self.json().error.code).toBe('SELF_CHANGE_FORBIDDEN');
    const users = (await sec.json('GET', '/api/v1/users')).users as Array<{ id: number; username: string; version: number }>;
    const auditor = users.find((u) => u.username === 'auditor')!;
    const res = await sec.call('PUT', `/api/v1/users/${auditor.id}/rights`, { businessRole: 'archivist', clearance: '绝密', version: auditor.version });
    expect(res.json().error.code).toBe('ADMIN_HAS_NO_BUSINESS_RIGHTS');
  });

  it('shows the security officer only ordinary users\' audit rows, and the auditor everything', async () => {
    const secRows = (await sec.json('GET', '/api/v1/audit?limit=500')).entries as Array<{ actor_name: string }>;
    expect(secRows.length).toBeGreaterThan(0);
    expect(secRows.map((r) => r.actor_name)).not.toContain('sysadmin');
    const audRows = (await aud.json('GET', '/api/v1/audit?limit=500')).entries as Array<{ actor_name: string; action: string }>;
    expect(audRows.map((r) => r.actor_name)).toContain('sysadmin');
    expect(audRows.map((r) => r.action)).toEqual(expect.arrayContaining(['security.bootstrap', 'auth.login', 'user.create', 'rights.grant', 'auth.password_change']));
  });

  it('locks an account after repeated failures and audits each failure', async () => {
    await t.user('locky', { businessRole: 'reader' });
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'locky', password: 'wrong-password' } });
      expect(r.json().error.code).toBe('LOGIN_FAILED');
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'locky', password: STRONG_PASSWORD } });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error).toMatchObject({ code: 'ACCOUNT_LOCKED', message: expect.stringContaining('锁定'), message_en: expect.stringContaining('locked') });
    const failures = await t.ctx.database.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.login_failed').where('actor_name', '=', 'locky').execute();
    expect(failures.length).toBe(6);
  });

  it('ends the sessions of a disabled account and refuses its login', async () => {
    const s = await t.user('temp', { businessRole: 'reader' });
    const users = (await sys.json('GET', '/api/v1/users')).users as Array<{ id: number; username: string; version: number }>;
    const temp = users.find((u) => u.username === 'temp')!;
    await sys.json('POST', `/api/v1/users/${temp.id}/status`, { status: 'disabled', version: temp.version }, 200);
    expect((await s.call('GET', '/api/v1/auth/me')).statusCode).toBe(401);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'temp', password: STRONG_PASSWORD } });
    expect(again.json().error.code).toBe('ACCOUNT_DISABLED');
  });

  it('expires a session left idle past the timeout', async () => {
    const s = await t.user('idle', { businessRole: 'reader' });
    expect((await s.call('GET', '/api/v1/auth/me')).statusCode).toBe(200);
    const longAgo = new Date(Date.now() - (t.ctx.config.sessionIdleMinutes + 1) * 60_000).toISOString();
    await t.ctx.database.db.updateTable('sessions').set({ last_seen_at: longAgo }).execute();
    expect((await s.call('GET', '/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('recovers a lost administrator password from the command line, audited', async () => {
    const otp = await resetPassword(t.ctx, cliActor('root'), { username: 'auditor' }, true);
    const s = await t.login('auditor', otp);
    expect((await s.json('GET', '/api/v1/auth/me')).user.mustChangePassword).toBe(true);
    const row = await t.ctx.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.reset_password').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(row.actor_name).toBe('cli:root');
    expect(JSON.parse(row.details!)).toEqual({ via: 'cli' });
    expect((await verifyAuditChain(t.ctx.database)).ok).toBe(true);
  });
});
