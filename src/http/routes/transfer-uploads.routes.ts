import type { IncomingMessage } from 'node:http';
import { ERRORS, EVENTS, Metadata, Server } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadCategory } from '../../catalog/structure.service.js';
import { ownUpload, receiveUpload, recordUpload, sweepExpiredUploads, uploadStore } from '../../ingest/transfer/inbox.service.js';
import { type TokenHolder, tokenActor } from '../../ingest/transfer/tokens.service.js';
import { TransferRepository } from '../../ingest/transfer/transfer.repository.js';
import type { AppContext } from '../../platform/context.js';
import { AppError, badRequest, toErrorBody } from '../../platform/errors.js';
import { TRANSFER_INBOX_PATH, tokenHolder } from './transfer-inbox.routes.js';
import { categoryIdOf, packageTooLarge } from './transfer.routes.js';

/** tus 1.0 endpoint for resumable package uploads; under the inbox path, so the bearer token (not a session) admits a sender. */
export const TRANSFER_UPLOADS_PATH = `${TRANSFER_INBOX_PATH}/uploads`;
/** Names the transfer a finished upload became, on the PATCH (or creation-with-upload POST) that finished it. */
export const TRANSFER_ID_HEADER = 'Lantai-Transfer-Id';

const SWEEP_INTERVAL_MS = 60 * 60_000;

/** tus's own refusals, in the API's bilingual error form. */
const TUS_ERRORS = new Map<unknown, { code: string; zh: string; en: string }>([
  [ERRORS.FILE_NOT_FOUND, { code: 'NOT_FOUND', zh: '上传不存在或已过期', en: 'Upload not found or expired' }],
  [ERRORS.FILE_NO_LONGER_EXISTS, { code: 'UPLOAD_EXPIRED', zh: '上传已过期并被清除，请重新上传', en: 'The upload expired and was removed; upload again' }],
  [ERRORS.INVALID_OFFSET, { code: 'UPLOAD_OFFSET_MISMATCH', zh: 'Upload-Offset 与服务器已收到的字节数不符，请先用 HEAD 查询偏移量再续传', en: 'Upload-Offset differs from the bytes the server holds; ask with HEAD and resume from there' }],
  [ERRORS.ERR_SIZE_EXCEEDED, { code: 'UPLOAD_TOO_LONG', zh: '上传的数据超出了声明的 Upload-Length', en: 'The data sent goes past the declared Upload-Length' }],
]);

const isTusError = (e: unknown): e is { status_code: number; body: string } => typeof e === 'object' && e !== null && 'status_code' in e && 'body' in e;

/** What the API answers for an error the tus handler met, its own or one our hooks threw. */
function fromTus(ctx: AppContext, err: unknown): unknown {
  if (err === ERRORS.ERR_MAX_SIZE_EXCEEDED) return packageTooLarge(ctx);
  if (!isTusError(err)) return err;
  const known = TUS_ERRORS.get(err);
  if (known) return new AppError(err.status_code, known.code, known.zh, known.en);
  const detail = err.body.trim();
  return err.status_code < 500 ? new AppError(err.status_code, 'UPLOAD_REQUEST_INVALID', `上传请求不符合 tus 协议：${detail}`, `The upload request breaks the tus protocol: ${detail}`) : err;
}

/**
 * Resumable uploads for online transfer (tus 1.0: creation, creation-with-upload, HEAD offset,
 * PATCH, termination, expiration). The token is checked, and the upload's owner with it, before
 * the tus handler reads a byte; the finished upload is received like a multipart submission.
 */
export function transferUploadRoutes(app: FastifyInstance, ctx: AppContext): void {
  const store = uploadStore(ctx);
  /** Who sent each request the tus handler is working on; its hooks see only the raw request. */
  const senders = new WeakMap<IncomingMessage, { holder: TokenHolder; ip: string }>();
  const senderOf = (req: { runtime?: { node?: { req: object } } }) => {
    const sender = req.runtime?.node && senders.get(req.runtime.node.req as IncomingMessage);
    if (!sender) throw new Error('tus request without a checked sender');
    return sender;
  };

  const tus = new Server({
    path: TRANSFER_UPLOADS_PATH,
    datastore: store,
    maxSize: () => ctx.config.uploadMaxBytes,
    // Behind a proxy the archive's public address is not the Host the server sees.
    relativeLocation: true,
    // Senders are office systems and the CLI, not other sites' pages: no cross-origin access, as for the rest of the API.
    allowedOrigins: [],
    async onUploadCreate(req, upload) {
      await recordUpload(ctx, senderOf(req).holder, upload.id);
      return {};
    },
    async onUploadFinish(req, upload) {
      const { holder, ip } = senderOf(req);
      return { headers: { [TRANSFER_ID_HEADER]: await receiveUpload(ctx, store, holder, ip, upload) } };
    },
    onResponseError(_req, err) {
      const { status, body } = toErrorBody(fromTus(ctx, err));
      if (status >= 500) app.log.error(err);
      return { status_code: status, body: JSON.stringify(body) };
    },
  });
  // Only now: tus still reads the upload after its finish hook when creation came with the whole body.
  const discard = (uploadId: string) => store.remove(uploadId).catch((e: unknown) => app.log.error(e));
  tus.on(EVENTS.POST_FINISH, (_req, _res, upload) => void discard(upload.id));

  /** Refused here, with a proper JSON answer, rather than after bytes have been stored. */
  async function checkCreation(holder: TokenHolder, req: FastifyRequest): Promise<void> {
    const length = Number(req.headers['upload-length']);
    if (Number.isFinite(length) && length > ctx.config.uploadMaxBytes) throw packageTooLarge(ctx);
    let metadata: Record<string, string | null>;
    try {
      metadata = Metadata.parse(String(req.headers['upload-metadata'] ?? ''));
    } catch {
      metadata = {};
    }
    if (!metadata.filename?.trim()) {
      throw badRequest('FIELD_REQUIRED', '请在 Upload-Metadata 中给出移交包文件名 filename（base64 编码）', 'Give the package file name as filename in Upload-Metadata (base64-encoded)', { field: 'filename' });
    }
    await loadCategory(ctx, tokenActor(holder, req.ip), categoryIdOf({ categoryId: metadata.categoryId ?? '' }));
  }

  const uploadIdOf = (req: FastifyRequest) => (req.params as { uploadId: string }).uploadId;

  async function handOver(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const holder = await tokenHolder(ctx, req);
    if (req.method === 'POST') await checkCreation(holder, req);
    else await ownUpload(ctx, holder, uploadIdOf(req));
    senders.set(req.raw, { holder, ip: req.ip });
    reply.hijack();
    await tus.handle(req.raw, reply.raw);
  }

  app.register(async (scoped) => {
    // The tus handler reads PATCH bodies itself, streaming them to disk: nothing may parse them first.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const tags = ['transfer'];
    scoped.post(TRANSFER_UPLOADS_PATH, {
      schema: { tags, summary: 'tus 创建上传（Upload-Length；Upload-Metadata 含 filename、categoryId；Authorization: Bearer 令牌）/ tus: create an upload (Upload-Length; Upload-Metadata with filename and categoryId; bearer token)' },
    }, handOver);
    scoped.route({
      method: ['HEAD', 'PATCH', 'DELETE'], url: `${TRANSFER_UPLOADS_PATH}/:uploadId`,
      schema: { tags, summary: 'tus：查询偏移量（HEAD）、续传（PATCH）、终止（DELETE）/ tus: offset (HEAD), append (PATCH), terminate (DELETE)' },
      handler: handOver,
    });
    scoped.get(`${TRANSFER_UPLOADS_PATH}/:uploadId`, {
      exposeHeadRoute: false,
      schema: { tags, summary: '上传所成的移交（完成而未接收的上传此时接收）/ The transfer an upload became (a finished upload not yet received is received now)' },
    }, async (req) => {
      const holder = await tokenHolder(ctx, req);
      const uploadId = uploadIdOf(req);
      let { transferId } = await ownUpload(ctx, holder, uploadId);
      if (transferId === null) {
        const upload = await store.getUpload(uploadId).catch((e: unknown) => {
          throw fromTus(ctx, e);
        });
        transferId = await receiveUpload(ctx, store, holder, req.ip, upload);
        await discard(uploadId);
      }
      const transfer = await new TransferRepository(ctx.database.db).transfer(transferId);
      return { uploadId, transferId, state: transfer?.state, location: `${TRANSFER_INBOX_PATH}/${transferId}` };
    });
  });

  const sweep = () => sweepExpiredUploads(ctx, store).catch((e: unknown) => app.log.error(e));
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS).unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
