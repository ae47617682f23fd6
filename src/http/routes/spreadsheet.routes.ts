import { PassThrough } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type Download, exportCatalogue, exportCategoryXlsx, exportItemsXlsx } from '../../catalog/export/export.service.js';
import { IMPORT_MODES } from '../../catalog/import/import.service.js';
import { commitUpload, dryRunUpload, uploadSheet } from '../../catalog/import/upload.service.js';
import type { AppContext } from '../../platform/context.js';
import { badRequest } from '../../platform/errors.js';
import { actorOf, idParam } from '../request-context.js';

/** RFC 6266 / 5987: an ASCII fallback for old clients and the UTF-8 name for the rest. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function sendDownload(reply: FastifyReply, d: Download) {
  const body = new PassThrough();
  d.write(body).catch((e: unknown) => body.destroy(e as Error));
  return reply.header('content-type', d.contentType).header('content-disposition', contentDisposition(d.fileName)).header('cache-control', 'no-store').send(body);
}

const mappingBody = { type: 'object', additionalProperties: { type: ['string', 'null'] } };
const uploadRef = { type: 'string', maxLength: 64 };

/** Spreadsheet import (upload → dry run → commit) and exports: category and item lists as .xlsx, the DA/T 22 归档文件目录 as .xlsx or PDF. */
export function spreadsheetRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Multipart only where a file is expected; its size limit is read per request, from the configuration.
  app.register(async (scoped) => {
    await scoped.register(multipart, { limits: { files: 1, fields: 5, parts: 6 } });
    scoped.post('/api/v1/categories/:id/import/upload', {
      schema: { tags: ['import'], summary: '上传待导入的表格（.xlsx 或 .csv）/ Upload a sheet to import', consumes: ['multipart/form-data'] },
    }, async (req) => {
      const actor = actorOf(req);
      const data = await req.file({ limits: { fileSize: ctx.config.importMaxBytes, files: 1 } });
      if (!data || data.fieldname !== 'file') throw badRequest('IMPORT_FILE_MISSING', '请在表单字段 file 中上传文件', 'Upload the file in the form field "file"');
      return uploadSheet(ctx, actor, idParam(req), { fileName: data.filename, stream: data.file, truncated: () => data.file.truncated });
    });
  });

  app.post('/api/v1/categories/:id/import/dry-run', {
    schema: { tags: ['import'], summary: '试导入：逐行校验 / Dry run: check every row', body: { type: 'object', required: ['uploadId', 'mapping'], properties: { uploadId: uploadRef, mapping: mappingBody } } },
  }, async (req) => dryRunUpload(ctx, actorOf(req), idParam(req), req.body as { uploadId: string; mapping: Record<string, string> }));

  app.post('/api/v1/categories/:id/import/commit', {
    schema: {
      tags: ['import'], summary: '导入 / Import',
      body: { type: 'object', required: ['uploadId', 'mapping', 'mode'], properties: { uploadId: uploadRef, mapping: mappingBody, mode: { type: 'string', enum: [...IMPORT_MODES] }, saveMapping: { type: 'boolean' } } },
    },
  }, async (req) => commitUpload(ctx, actorOf(req), idParam(req), req.body as { uploadId: string; mapping: Record<string, string>; mode: string; saveMapping?: boolean }));

  app.get('/api/v1/categories/:id/export.xlsx', {
    schema: { tags: ['export'], summary: '导出门类目录（.xlsx）/ Export a category as .xlsx', querystring: { type: 'object', properties: { year: { type: 'integer' }, retention: { type: 'string' } } } },
  }, async (req, reply) => {
    const q = req.query as { year?: number; retention?: string };
    return sendDownload(reply, await exportCategoryXlsx(ctx, actorOf(req), idParam(req), { ...(q.year !== undefined ? { year: q.year } : {}), ...(q.retention ? { retention: q.retention } : {}) }));
  });

  app.post('/api/v1/items/export.xlsx', {
    schema: { tags: ['export'], summary: '导出选中的文件（.xlsx）/ Export picked items as .xlsx', body: { type: 'object', required: ['ids'], properties: { ids: { type: 'array', items: { type: 'integer' } } } } },
  }, async (req, reply) => sendDownload(reply, await exportItemsXlsx(ctx, actorOf(req), (req.body as { ids: number[] }).ids)));

  app.get('/api/v1/fonds/:id/catalogue', {
    schema: {
      tags: ['export'], summary: '归档文件目录（DA/T 22）/ Archival file catalogue',
      querystring: { type: 'object', required: ['year'], properties: { year: { type: 'integer' }, format: { type: 'string', enum: ['xlsx', 'pdf'] }, categoryId: { type: 'integer' } } },
    },
  }, async (req, reply) => {
    const q = req.query as { year: number; format?: string; categoryId?: number };
    return sendDownload(reply, await exportCatalogue(ctx, actorOf(req), idParam(req), { year: q.year, format: q.format ?? 'xlsx', ...(q.categoryId !== undefined ? { categoryId: q.categoryId } : {}) }));
  });
}
