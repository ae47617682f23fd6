/**
 * Online transfer (issue 4 §6): a record room or office system submits packages through the API
 * with its organization's token. The token is shown once when made; only its SHA-256 is kept,
 * so the lookup is by hash and needs no constant-time comparison.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { CatalogRepository, type OrganizationRow } from '../../catalog/catalog.repository.js';
import { nowIso } from '../../db/database.js';
import type { OrganizationTokenTable } from '../../db/schema.js';
import { appendAudit } from '../../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../../platform/context.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { type Actor, auditActorOf, requirePermission } from '../../security/actor.js';

type TokenRow = Selectable<OrganizationTokenTable>;

const TOKEN = { zh: '移交令牌', en: 'Transfer token' };
const ORGANIZATION = { zh: '机构', en: 'Organization' };
export const TOKEN_PREFIX = 'lt_';

export interface TokenView {
  id: number;
  organizationId: number;
  name: string;
  createdBy: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const tokenView = (r: TokenRow): TokenView => ({
  id: r.id, organizationId: r.organization_id, name: r.name, createdBy: r.created_by, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
});

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

async function loadOrganization(ctx: AppContext, actor: Actor, organizationId: number): Promise<OrganizationRow> {
  requirePermission(actor, 'catalog.configure');
  const org = await new CatalogRepository(ctx.database.db).organization(organizationId);
  if (!org || org.state !== 'active') throw notFound(ORGANIZATION);
  return org;
}

/** Makes a token for the organization; the returned `token` is the only time it is seen. */
export async function createToken(ctx: AppContext, actor: Actor, organizationId: number, name: unknown): Promise<TokenView & { token: string }> {
  const org = await loadOrganization(ctx, actor, organizationId);
  if (typeof name !== 'string' || !name.trim() || name.trim().length > 100) {
    throw badRequest('TOKEN_NAME_REQUIRED', '请为令牌命名（不超过 100 字），以便在审计记录中识别发送方', 'Name the token (up to 100 characters); the audit trail names the sender by it', { field: 'name' });
  }
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return inTransaction(ctx, async (tx) => {
    const row = await tx.insertInto('organization_tokens').values({
      organization_id: org.id, name: name.trim(), token_sha256: sha256(token), created_by: actor.userId, created_at: nowIso(), last_used_at: null, revoked_at: null,
    }).returningAll().executeTakeFirstOrThrow();
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'transfer.token_create', target: { type: 'organization', id: org.id }, details: { tokenId: row.id, name: row.name } }]);
    return { ...tokenView(row), token };
  });
}

export async function listTokens(ctx: AppContext, actor: Actor, organizationId: number): Promise<TokenView[]> {
  await loadOrganization(ctx, actor, organizationId);
  const rows = await ctx.database.db.selectFrom('organization_tokens').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute();
  return rows.map(tokenView);
}

/** Stops the token working at once; revoking a revoked token changes nothing. */
export async function revokeToken(ctx: AppContext, actor: Actor, organizationId: number, tokenId: number): Promise<TokenView> {
  await loadOrganization(ctx, actor, organizationId);
  return inTransaction(ctx, async (tx) => {
    const row = await tx.selectFrom('organization_tokens').selectAll().where('id', '=', tokenId).where('organization_id', '=', organizationId).executeTakeFirst();
    if (!row) throw notFound(TOKEN);
    if (row.revoked_at !== null) return tokenView(row);
    const at = nowIso();
    await tx.updateTable('organization_tokens').set({ revoked_at: at }).where('id', '=', tokenId).execute();
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'transfer.token_revoke', target: { type: 'organization', id: organizationId }, details: { tokenId, name: row.name } }]);
    return tokenView({ ...row, revoked_at: at });
  });
}

export interface TokenHolder {
  organization: OrganizationRow;
  tokenName: string;
}

/** The organization a live token speaks for, or null for an unknown or revoked token. */
export async function resolveToken(ctx: AppContext, bearer: string): Promise<TokenHolder | null> {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null;
  const db = ctx.database.db;
  const row = await db.selectFrom('organization_tokens').selectAll().where('token_sha256', '=', sha256(bearer)).where('revoked_at', 'is', null).executeTakeFirst();
  if (!row) return null;
  const organization = await new CatalogRepository(db).organization(row.organization_id);
  if (!organization || organization.state !== 'active') return null;
  await db.updateTable('organization_tokens').set({ last_used_at: nowIso() }).where('id', '=', row.id).execute();
  return { organization, tokenName: row.name };
}

/**
 * The sender as the services see it: it may submit packages for its own organization to any
 * receiving category (hence all fonds) and read nothing of the catalogue.
 */
export function tokenActor(holder: TokenHolder, clientIp: string | null): Actor {
  return {
    userId: null, username: `token:${holder.organization.code}/${holder.tokenName}`, displayName: holder.organization.name, adminRole: null, businessRole: null,
    clearance: '公开', allFonds: true, fondsIds: [], organizationId: holder.organization.id, permissions: new Set(['transfer.submit']), clientIp,
  };
}
