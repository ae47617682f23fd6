import { createCategory, createFonds, createOrganization } from '../src/catalog/structure.service.js';
import type { Dialect } from '../src/db/database.js';
import { type Config, defaultConfig } from '../src/platform/config.js';
import type { AppContext } from '../src/platform/context.js';
import { actorFromUser, type Actor } from '../src/security/actor.js';
import { UsersRepository } from '../src/security/users.repository.js';
import { bootstrapAdministrators, createUser, grantRights } from '../src/security/users.service.js';
import { createTestDatabase, type TestDatabase } from '../src/test-support/databases.js';

export interface BenchArchive {
  t: TestDatabase;
  ctx: AppContext;
  /** An archivist cleared for everything, named in the audit trail like any user. */
  actor: Actor;
  organizationId: number;
  /** Creates fonds `code` with a WS category and returns the ids. */
  fondsWithCategory(code: string): Promise<{ fondsId: number; categoryId: number }>;
}

/** A fresh database with an archivist and an organization, set up through the services as a user would. */
export async function benchArchive(dialect: Dialect, dataDir: string, config: Partial<Config> = {}): Promise<BenchArchive> {
  const t = await createTestDatabase(dialect);
  const ctx: AppContext = { database: t.database, config: { ...defaultConfig(dataDir), databaseUrl: t.url, ...config } };
  await bootstrapAdministrators(ctx);
  const users = new UsersRepository(ctx.database.db);
  const admin = async (name: string) => actorFromUser((await users.byUsername(name))!, [], '127.0.0.1');
  const { user } = await createUser(ctx, await admin('sysadmin'), { username: 'bench', displayName: '基准测试' });
  await grantRights(ctx, await admin('secadmin'), user.id, { businessRole: 'archivist', clearance: '绝密', allFonds: true, fondsIds: [], version: user.version });
  const actor = actorFromUser((await users.byUsername('bench'))!, [], '127.0.0.1');
  const org = await createOrganization(ctx, actor, { code: 'YC', name: '峄城区', kind: 'agency' });
  return {
    t, ctx, actor, organizationId: org.id,
    async fondsWithCategory(code) {
      const fonds = await createFonds(ctx, actor, { organizationId: org.id, code, name: code === 'Z109' ? '峄城区人民政府' : `全宗${code}` });
      const category = await createCategory(ctx, actor, fonds.id, { code: 'WS' });
      return { fondsId: fonds.id, categoryId: category.id };
    },
  };
}
