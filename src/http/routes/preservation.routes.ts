import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { getJob } from '../../platform/jobs/jobs.service.js';
import { EVENT_KINDS, EVENT_RESULTS } from '../../storage/preservation/events.js';
import { registerPreservationJobs, requestFixityAudit } from '../../storage/preservation/jobs.js';
import {
  type ItemFileInput, listItemFiles, listPreservationEvents, openItemFile, preservationSummary, storableItem, storeItemFiles,
} from '../../storage/preservation/preservation.service.js';
import { actorOf, idParam } from '../request-context.js';
import { contentDisposition } from './spreadsheet.routes.js';

const fileTooLarge = (limit: number) =>
  new AppError(413, 'FILE_TOO_LARGE', `文件超过大小上限（${limit} 字节）`, `A file exceeds the size limit (${limit} bytes)`, { limit });

const versionQuery = { type: 'string', maxLength: 12 };

/** Electronic files of items (stored in OCFL), their download, and the preservation overview, events and audits. */
export function preservationRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerPreservationJobs();

  app.register(async (scoped) => {
    await scoped.register(multipart);
    scoped.post('/api/v1/items/:id/files', {
      schema: {
        tags: ['preservation'], consumes: ['multipart/form-data'],
        summary: '存入电子文件（可多个，文件名即路径；字段 message、mode=merge|replace、remove）/ Store electronic files (several; the file name is the path; fields message, mode, remove)',
      },
    }, async (req, reply) => {
      const actor = actorOf(req);
      const itemId = idParam(req);
      // Refuse before receiving what may be gigabytes.
      await storableItem(ctx, actor, itemId);
      const dir = join(ctx.config.dataDir, 'uploads', `files-${randomUUID()}`);
      await mkdir(dir, { recursive: true });
      try {
        const files: ItemFileInput[] = [];
        const fields: Record<string, string[]> = {};
        // Fields: message, mode, and at most as many names to remove as files may be sent.
        const limits = { fileSize: ctx.config.uploadMaxBytes, files: ctx.config.uploadMaxFiles, fields: 2 + ctx.config.uploadMaxFiles };
        // preservePath: the name is the logical path ('电子文件/正文.pdf'); a name with '..' is refused by the service, not silently cut.
        for await (const part of req.parts({ limits, preservePath: true })) {
          if (part.type === 'field') {
            (fields[part.fieldname] ??= []).push(String(part.value));
            continue;
          }
          const path = join(dir, String(files.length));
          try {
            await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
          } catch (e) {
            throw (e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ? fileTooLarge(ctx.config.uploadMaxBytes) : e;
          }
          if (part.file.truncated) throw fileTooLarge(ctx.config.uploadMaxBytes);
          files.push({ name: part.filename, path });
        }
        const mode = fields.mode?.[0];
        const result = await storeItemFiles(ctx, actor, itemId, files, {
          ...(fields.message?.[0] ? { message: fields.message[0] } : {}),
          ...(mode ? { mode: mode as 'merge' | 'replace' } : {}),
          ...(fields.remove ? { remove: fields.remove } : {}),
        });
        return reply.code(result.created ? 201 : 200).send(result);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  app.get('/api/v1/items/:id/files', {
    schema: {
      tags: ['preservation'], summary: '电子文件列表：摘要、格式、版本与保存事件 / Stored files with digests, formats, versions and events',
      querystring: { type: 'object', properties: { version: versionQuery } },
    },
  }, async (req) => listItemFiles(ctx, actorOf(req), idParam(req), (req.query as { version?: string }).version));

  app.get('/api/v1/items/:id/files/content', {
    schema: {
      tags: ['preservation'], summary: '下载电子文件（读取时校验 SHA-512）/ Download a stored file (SHA-512 checked while reading)',
      querystring: { type: 'object', required: ['path'], properties: { path: { type: 'string', minLength: 1 }, version: versionQuery } },
    },
  }, async (req, reply) => {
    const q = req.query as { path: string; version?: string };
    const d = await openItemFile(ctx, actorOf(req), idParam(req), q.path, q.version);
    return reply
      .header('content-type', d.mime).header('content-length', d.size).header('content-disposition', contentDisposition(d.fileName)).header('cache-control', 'no-store')
      .send(d.stream);
  });

  app.get('/api/v1/preservation/summary', { schema: { tags: ['preservation'], summary: '长期保存概况 / Preservation overview' } }, async (req) => preservationSummary(ctx, actorOf(req)));

  app.get('/api/v1/preservation/events', {
    schema: {
      tags: ['preservation'], summary: '保存事件（新的在前，分页）/ Preservation events, newest first, paged',
      querystring: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: [...EVENT_KINDS] }, result: { type: 'string', enum: [...EVENT_RESULTS] }, location: { type: 'string' },
          itemId: { type: 'integer' }, before: { type: 'integer' }, limit: { type: 'integer', minimum: 1, maximum: 500 },
        },
      },
    },
  }, async (req) => listPreservationEvents(ctx, actorOf(req), req.query as Parameters<typeof listPreservationEvents>[2]));

  app.post('/api/v1/preservation/audit', {
    schema: {
      tags: ['preservation'], summary: '立即进行固定性检测（后台任务）/ Run a fixity audit now, as a job',
      body: { type: ['object', 'null'], properties: { location: { type: 'string' }, budgetSeconds: { type: 'integer', minimum: 1 } }, additionalProperties: false },
    },
  }, async (req, reply) => {
    const job = await requestFixityAudit(ctx, actorOf(req), (req.body ?? {}) as { location?: string; budgetSeconds?: number });
    return reply.code(202).send({ jobId: job.id, job });
  });

  app.get('/api/v1/jobs/:id', { schema: { tags: ['jobs'], summary: '后台任务状态 / Job status' } }, async (req) => getJob(ctx, actorOf(req), idParam(req)));
}
