import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach } from 'vitest';
import type { Dialect } from '../db/database.js';
import { buildApp, type RouteModule } from '../http/app.js';
import { defaultConfig } from '../platform/config.js';
import type { AppContext } from '../platform/context.js';
import { bootstrapAdministrators } from '../security/users.service.js';
import { createTestDatabase } from './databases.js';

export const STRONG_PASSWORD = 'Lantai#2026-strong';

export interface Session {
  cookie: string;
  csrf: string;
  call(method: string, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  json<T = any>(method: string, url: string, payload?: unknown, expectStatus?: number): Promise<T>;
}

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  admins: Record<string, string>;
  /** Signs in (changing a one-time password first when asked to) and returns a session. */
  login(username: string, password: string, newPassword?: string): Promise<Session>;
  /** An account with a business role and rights, opened and granted through the API by the two administrators. */
  user(username: string, rights: { businessRole: string; clearance?: string; allFonds?: boolean; fondsIds?: number[] }): Promise<Session>;
  dispose(): Promise<void>;
}

/** A real app over a fresh database of the given kind, driven through HTTP injection. */
export async function createTestApp(dialect: Dialect, routes: RouteModule[] = []): Promise<TestApp> {
  const t = await createTestDatabase(dialect);
  const dir = mkdtempSync(join(tmpdir(), 'lantai-app-'));
  const config = { ...defaultConfig(dir), databaseUrl: t.url, webDir: join(dir, 'no-web') };
  const ctx: AppContext = { database: t.database, config };
  const creds = await bootstrapAdministrators(ctx);
  const admins = Object.fromEntries(creds.map((c) => [c.username, c.oneTimePassword]));
  const app = await buildApp(ctx, { routes });

  function session(cookie: string, csrf: string): Session {
    const call = (method: string, url: string, payload?: unknown) =>
      app.inject({ method: method as 'GET', url, payload: payload as object, headers: { cookie, 'x-csrf-token': csrf } });
    return {
      cookie, csrf, call,
      async json(method, url, payload, expectStatus) {
        const res = await call(method, url, payload);
        if (expectStatus !== undefined && res.statusCode !== expectStatus) {
          throw new Error(`${method} ${url}: expected ${expectStatus}, got ${res.statusCode}: ${res.body}`);
        }
        return res.json();
      },
    };
  }

  async function login(username: string, password: string, newPassword?: string): Promise<Session> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    const cookie = `lantai_session=${res.cookies.find((c) => c.name === 'lantai_session')!.value}`;
    const body = res.json();
    const s = session(cookie, body.csrfToken);
    if (body.user.mustChangePassword && newPassword) {
      await s.json('POST', '/api/v1/auth/password', { current: password, next: newPassword }, 200);
      passwords.set(username, newPassword);
    }
    return s;
  }

  // Tests change administrators' passwords too; the harness signs in with whichever is current.
  const passwords = new Map<string, string>();
  const adminSessions: Record<string, Session> = {};
  const admin = async (name: 'sysadmin' | 'secadmin') =>
    (adminSessions[name] ??= await login(name, passwords.get(name) ?? admins[name]!, STRONG_PASSWORD));

  async function user(username: string, rights: { businessRole: string; clearance?: string; allFonds?: boolean; fondsIds?: number[] }): Promise<Session> {
    const sys = await admin('sysadmin');
    const created = await sys.json('POST', '/api/v1/users', { username, displayName: username }, 201);
    const sec = await admin('secadmin');
    await sec.json('PUT', `/api/v1/users/${created.user.id}/rights`, { clearance: '公开', ...rights, version: created.user.version }, 200);
    return login(username, created.oneTimePassword, STRONG_PASSWORD);
  }

  return {
    app, ctx, admins, login, user,
    dispose: async () => {
      await app.close();
      await t.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const disposed = new WeakSet<TestApp>();

/**
 * After each test of the file: disposes the app the test made (`app()` still names it, or an
 * earlier test's, which is left alone) and removes the scratch folders it listed in `folders`.
 */
export function cleanUpAfterEach(app: () => TestApp | undefined, folders: string[]): void {
  afterEach(async () => {
    const made = app();
    if (made && !disposed.has(made)) {
      disposed.add(made);
      await made.dispose();
    }
    for (const d of folders.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}

export interface CatalogFixture {
  archivist: Session;
  fondsId: number;
  categoryId: number;
}

/**
 * An archivist (clearance 机密, all fonds) who has set up, through the API, an organization, fonds
 * Z109 and category WS with one enum field of its own (载体形态: 纸质 | 电子).
 */
export async function createCatalogFixture(t: TestApp, username: string): Promise<CatalogFixture> {
  const archivist = await t.user(username, { businessRole: 'archivist', clearance: '机密', allFonds: true });
  const org = await archivist.json('POST', '/api/v1/organizations', { code: 'YZ001', name: '峄城区人民政府办公室', kind: 'agency' }, 201);
  const fonds = await archivist.json('POST', '/api/v1/fonds', { organizationId: org.id, code: 'Z109', name: '峄城区人民政府' }, 201);
  const category = await archivist.json('POST', `/api/v1/fonds/${fonds.id}/categories`, {
    code: 'WS', fieldSchema: [{ name: 'carrier', label: { zh: '载体形态', en: 'Carrier' }, type: 'enum', values: ['纸质', '电子'] }],
  }, 201);
  return { archivist, fondsId: fonds.id, categoryId: category.id };
}
