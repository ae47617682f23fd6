import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { submitPackage } from '../../ingest/transfer/inbox.service.js';
import { createToken, listTokens, resolveToken, revokeToken, type TokenHolder } from '../../ingest/transfer/tokens.service.js';
import { TransferRepository } from '../../ingest/transfer/transfer.repository.js';
import { transferView } from '../../ingest/transfer/transfer.service.js';
import type { AppContext } from '../../platform/context.js';
import { notFound, unauthorized } from '../../platform/errors.js';
import { actorOf, idParam } from '../request-context.js';
import { categoryIdOf, withUploadedPackage } from './transfer.routes.js';

/** Where senders work; the session check leaves these paths to the bearer token (auth-hook.ts). */
export const TRANSFER_INBOX_PATH = '/api/v1/transfer-inbox';

export async function tokenHolder(ctx: AppContext, req: FastifyRequest): Promise<TokenHolder> {
  const [scheme, bearer] = (req.headers.authorization ?? '').split(' ');
  const holder = scheme?.toLowerCase() === 'bearer' && bearer ? await resolveToken(ctx, bearer.trim()) : null;
  if (!holder) throw unauthorized('TOKEN_INVALID', '移交令牌无效或已吊销，请向档案馆申请新令牌', 'The transfer token is invalid or revoked; ask the archive for a new one');
  return holder;
}

/**
 * Online transfer: the archive issues per-organization tokens, and a record room or office
 * system submits packages with one and follows their check (issue 4 §6).
 */
export function transferInboxRoutes(app: FastifyInstance, ctx: AppContext): void {
  const tokenIdParam = (req: FastifyRequest) => Number((req.params as { tokenId: string }).tokenId);

  app.post('/api/v1/organizations/:id/tokens', {
    schema: { tags: ['transfer'], summary: '为机构签发在线移交令牌（令牌只显示这一次）/ Issue an online transfer token for an organization (shown only now)', body: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 100 } } } },
  }, async (req, reply) => reply.code(201).send(await createToken(ctx, actorOf(req), idParam(req), (req.body as { name: string }).name)));

  app.get('/api/v1/organizations/:id/tokens', { schema: { tags: ['transfer'], summary: '机构的在线移交令牌（不含令牌本身）/ An organization\'s transfer tokens (never the secrets)' } }, async (req) =>
    ({ items: await listTokens(ctx, actorOf(req), idParam(req)) }));

  app.delete('/api/v1/organizations/:id/tokens/:tokenId', { schema: { tags: ['transfer'], summary: '吊销在线移交令牌 / Revoke a transfer token' } }, async (req) =>
    revokeToken(ctx, actorOf(req), idParam(req), tokenIdParam(req)));

  app.register(async (scoped) => {
    await scoped.register(multipart);
    scoped.post(TRANSFER_INBOX_PATH, {
      schema: { tags: ['transfer'], consumes: ['multipart/form-data'], summary: '发送方提交移交包（Authorization: Bearer 令牌；字段 categoryId，文件一个）/ A sender submits a package (Authorization: Bearer token; field categoryId; one file)' },
    }, async (req, reply) => {
      const holder = await tokenHolder(ctx, req);
      const view = await withUploadedPackage(ctx, req, 2, (file, fields) =>
        submitPackage(ctx, holder, req.ip, { path: file.path, fileName: file.name, categoryId: categoryIdOf(fields) }));
      return reply.code(202).send({ transferId: view.id, state: view.state });
    });
  });

  app.get(`${TRANSFER_INBOX_PATH}/:id`, { schema: { tags: ['transfer'], summary: '发送方查看移交状态与检测报告 / A sender follows its transfer and reads the report' } }, async (req) => {
    const holder = await tokenHolder(ctx, req);
    const id = idParam(req);
    const row = Number.isSafeInteger(id) ? await new TransferRepository(ctx.database.db).transfer(id) : undefined;
    if (!row || row.organization_id !== holder.organization.id) throw notFound({ zh: '移交', en: 'Transfer' });
    const t = transferView(row);
    return {
      transferId: t.id, state: t.state, fileName: t.fileName, format: t.format, itemCount: t.itemCount, fileCount: t.fileCount, bytes: t.bytes,
      acceptedCount: t.acceptedCount, report: t.report, reason: t.reason, createdAt: t.createdAt, updatedAt: t.updatedAt,
    };
  });
}
