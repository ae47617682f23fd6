import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CatalogRepository } from '../../catalog/catalog.repository.js';
import { registerTransferJobs, requestAccept, requestCheck } from '../../ingest/transfer/jobs.js';
import { receiptPdf, reportPdf, reportXlsx } from '../../ingest/transfer/report.js';
import { getTransfer, listTransfers, receiveTransfer, returnTransfer, TRANSFER_STATES } from '../../ingest/transfer/transfer.service.js';
import type { AppContext } from '../../platform/context.js';
import { AppError, badRequest } from '../../platform/errors.js';
import { requirePermission } from '../../security/actor.js';
import { actorOf, idParam } from '../request-context.js';
import { contentDisposition } from './spreadsheet.routes.js';

const send = (reply: FastifyReply, body: Uint8Array | Buffer, contentType: string, fileName: string) =>
  reply.header('content-type', contentType).header('content-disposition', contentDisposition(fileName)).header('cache-control', 'no-store').send(Buffer.from(body));

const PDF = 'application/pdf';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const categoryIdOf = (fields: Record<string, string>): number => {
  const categoryId = Number(fields.categoryId);
  if (!Number.isSafeInteger(categoryId)) throw badRequest('FIELD_REQUIRED', '请指明接收门类 categoryId', 'Name the receiving category (categoryId)', { field: 'categoryId' });
  return categoryId;
};

export const packageTooLarge = (ctx: AppContext) =>
  new AppError(413, 'FILE_TOO_LARGE', `移交包超过大小上限（${ctx.config.uploadMaxBytes} 字节）`, `The package exceeds the size limit (${ctx.config.uploadMaxBytes} bytes)`, { limit: ctx.config.uploadMaxBytes });

/**
 * Streams a multipart upload of one package file (and a few fields) to a temporary directory,
 * hands it to `receive`, and removes the upload after, whatever happens. Needs @fastify/multipart
 * registered in the route's scope.
 */
export async function withUploadedPackage<T>(
  ctx: AppContext, req: FastifyRequest, maxFields: number, receive: (file: { path: string; name: string }, fields: Record<string, string>) => Promise<T>,
): Promise<T> {
  const dir = join(ctx.config.dataDir, 'uploads', `transfer-${randomUUID()}`);
  await mkdir(dir, { recursive: true });
  try {
    const fields: Record<string, string> = {};
    let file: { path: string; name: string } | null = null;
    for await (const part of req.parts({ limits: { fileSize: ctx.config.uploadMaxBytes, files: 1, fields: maxFields } })) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      const path = join(dir, 'package');
      await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
      if (part.file.truncated) throw packageTooLarge(ctx);
      file = { path, name: part.filename };
    }
    if (!file) throw badRequest('TRANSFER_PACKAGE_REQUIRED', '请上传一个移交包文件', 'Upload one package file');
    return await receive(file, fields);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The archive's side of receiving: upload, inbox, decision, report and receipt. */
export function transferRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerTransferJobs();

  app.register(async (scoped) => {
    await scoped.register(multipart);
    scoped.post('/api/v1/transfers', {
      schema: { tags: ['transfer'], consumes: ['multipart/form-data'], summary: '上传移交包（字段 categoryId、organizationId，文件一个）/ Upload a transfer package (fields categoryId, organizationId; one file)' },
    }, async (req, reply) => {
      const actor = actorOf(req);
      requirePermission(actor, 'transfer.receive');
      const view = await withUploadedPackage(ctx, req, 4, (file, fields) => {
        const organizationId = fields.organizationId ? Number(fields.organizationId) : null;
        return receiveTransfer(ctx, actor, { path: file.path, fileName: file.name, categoryId: categoryIdOf(fields), organizationId });
      });
      return reply.code(201).send(view);
    });
  });

  app.get('/api/v1/transfers', {
    schema: {
      tags: ['transfer'], summary: '移交收件箱（按状态、移交单位筛选，游标分页）/ Transfer inbox (filter by state and sender; cursor paging)',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { state: { type: 'string', enum: [...TRANSFER_STATES] }, sender: { type: 'string', maxLength: 200 }, organizationId: { type: 'integer' }, cursor: { type: 'string', maxLength: 40 }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
      },
    },
  }, async (req) => listTransfers(ctx, actorOf(req), req.query as Parameters<typeof listTransfers>[2]));

  app.get('/api/v1/transfers/:id', { schema: { tags: ['transfer'], summary: '移交详情与检测报告 / A transfer with its check report' } }, async (req) => getTransfer(ctx, actorOf(req), idParam(req)));

  app.post('/api/v1/transfers/:id/check', { schema: { tags: ['transfer'], summary: '解包并四性检测（后台任务，返回任务）/ Unpack and run the four-property checks (runs as a job; returns the job)' } }, async (req, reply) =>
    reply.code(202).send(await requestCheck(ctx, actorOf(req), idParam(req))));

  app.post('/api/v1/transfers/:id/accept', { schema: { tags: ['transfer'], summary: '接收（后台任务，返回任务）/ Accept (runs as a job; returns the job)' } }, async (req, reply) =>
    reply.code(202).send(await requestAccept(ctx, actorOf(req), idParam(req))));

  app.post('/api/v1/transfers/:id/return', {
    schema: { tags: ['transfer'], summary: '退回（附理由与检测报告）/ Return with a reason and the report', body: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', maxLength: 2000 } } } },
  }, async (req) => returnTransfer(ctx, actorOf(req), idParam(req), (req.body as { reason: string }).reason));

  app.get('/api/v1/transfers/:id/report.pdf', { schema: { tags: ['transfer'], summary: '检测报告 PDF / Check report as PDF' } }, async (req, reply) => {
    const t = await getTransfer(ctx, actorOf(req), idParam(req));
    return send(reply, await reportPdf(t), PDF, `四性检测报告-移交${t.id}.pdf`);
  });

  app.get('/api/v1/transfers/:id/report.xlsx', { schema: { tags: ['transfer'], summary: '检测报告 .xlsx / Check report as .xlsx' } }, async (req, reply) => {
    const t = await getTransfer(ctx, actorOf(req), idParam(req));
    return send(reply, await reportXlsx(t), XLSX, `四性检测报告-移交${t.id}.xlsx`);
  });

  app.get('/api/v1/transfers/:id/receipt.pdf', { schema: { tags: ['transfer'], summary: '电子档案移交与接收登记表 PDF / Transfer and receipt form as PDF' } }, async (req, reply) => {
    const t = await getTransfer(ctx, actorOf(req), idParam(req));
    const org = t.organizationId === null ? undefined : await new CatalogRepository(ctx.database.db).organization(t.organizationId);
    return send(reply, await receiptPdf(t, org?.name ?? null), PDF, `电子档案移交与接收登记表-移交${t.id}.pdf`);
  });
}
