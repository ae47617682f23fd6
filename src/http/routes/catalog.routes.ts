import type { FastifyInstance, FastifyRequest } from 'fastify';
import { countItems, createItem, deleteItem, getItem, itemNumberGaps, listItems, updateItem } from '../../catalog/items.service.js';
import {
  createCategory, createFonds, createOrganization, deleteStructure, listCategories, listFonds, listOrganizations, loadCategory, updateCategory, updateFonds, updateOrganization,
} from '../../catalog/structure.service.js';
import { treeChildren } from '../../catalog/tree.service.js';
import { createVolume, listVolumes } from '../../catalog/volumes.service.js';
import { categoryView } from '../../catalog/views.js';
import { CORE_FIELDS } from '../../domain/field-schema.js';
import type { AppContext } from '../../platform/context.js';
import { actorOf, idParam } from '../request-context.js';

const versioned = { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } };
const body = <T>(req: FastifyRequest) => req.body as T & { version: number };

/** Query values arrive as strings; a node filter needs numbers where the columns are numbers. */
function nodeFilter(q: Record<string, string | undefined>) {
  return {
    categoryId: Number(q.categoryId),
    ...(q.year ? { year: Number(q.year) } : {}),
    ...(q.retention ? { retention: q.retention } : {}),
    ...(q.volumeId ? { volumeId: Number(q.volumeId) } : {}),
  };
}

const nodeQuery = {
  type: 'object', required: ['categoryId'],
  properties: { categoryId: { type: 'integer' }, year: { type: 'integer' }, retention: { type: 'string' }, volumeId: { type: 'integer' }, cursor: { type: 'string' }, limit: { type: 'integer' } },
};

export function catalogRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v1/organizations', { schema: { tags: ['catalog'], summary: '机构 / Organizations' } }, async (req) => ({ organizations: await listOrganizations(ctx, actorOf(req)) }));
  app.post('/api/v1/organizations', { schema: { tags: ['catalog'], summary: '新建机构 / New organization', body: { type: 'object' } } }, async (req, reply) =>
    reply.code(201).send(await createOrganization(ctx, actorOf(req), body(req))));
  app.patch('/api/v1/organizations/:id', { schema: { tags: ['catalog'], body: versioned } }, async (req) => updateOrganization(ctx, actorOf(req), idParam(req), body<object>(req).version, body(req)));

  app.get('/api/v1/fonds', { schema: { tags: ['catalog'], summary: '全宗 / Fonds', querystring: { type: 'object', properties: { organizationId: { type: 'integer' } } } } }, async (req) =>
    ({ fonds: await listFonds(ctx, actorOf(req), (req.query as { organizationId?: number }).organizationId) }));
  app.post('/api/v1/fonds', { schema: { tags: ['catalog'], summary: '新建全宗 / New fonds', body: { type: 'object' } } }, async (req, reply) =>
    reply.code(201).send(await createFonds(ctx, actorOf(req), body(req))));
  app.patch('/api/v1/fonds/:id', { schema: { tags: ['catalog'], body: versioned } }, async (req) => updateFonds(ctx, actorOf(req), idParam(req), body<object>(req).version, body(req)));

  app.get('/api/v1/fonds/:id/categories', { schema: { tags: ['catalog'], summary: '门类 / Categories of a fonds' } }, async (req) => ({ categories: await listCategories(ctx, actorOf(req), idParam(req)) }));
  app.post('/api/v1/fonds/:id/categories', { schema: { tags: ['catalog'], summary: '新建门类 / New category', body: { type: 'object', required: ['code'] } } }, async (req, reply) =>
    reply.code(201).send(await createCategory(ctx, actorOf(req), idParam(req), body(req))));
  app.get('/api/v1/categories/:id', { schema: { tags: ['catalog'], summary: '门类及其著录项 / Category with its fields' } }, async (req) => {
    const { category } = await loadCategory(ctx, actorOf(req), idParam(req));
    return { ...categoryView(category), coreFields: CORE_FIELDS };
  });
  app.patch('/api/v1/categories/:id', { schema: { tags: ['catalog'], body: versioned } }, async (req) => updateCategory(ctx, actorOf(req), idParam(req), body<object>(req).version, body(req)));

  app.get('/api/v1/categories/:id/volumes', {
    schema: { tags: ['catalog'], summary: '案卷列表 / Volumes', querystring: { type: 'object', properties: { year: { type: 'integer' }, retention: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'integer' } } } },
  }, async (req) => {
    const q = req.query as { year?: number; retention?: string; cursor?: string; limit?: number };
    return listVolumes(ctx, actorOf(req), { categoryId: idParam(req), ...(q.year ? { year: q.year } : {}), ...(q.retention ? { retention: q.retention } : {}) }, q.cursor, q.limit);
  });
  app.post('/api/v1/categories/:id/volumes', { schema: { tags: ['catalog'], summary: '新建案卷 / New volume', body: { type: 'object' } } }, async (req, reply) =>
    reply.code(201).send(await createVolume(ctx, actorOf(req), idParam(req), body(req))));

  for (const [path, kind] of [['organizations', 'organization'], ['fonds', 'fonds'], ['categories', 'category']] as const) {
    app.delete(`/api/v1/${path}/:id`, {
      schema: { tags: ['catalog'], summary: '删除（留痕，须为空）/ Delete (tombstone; must be empty)', body: { type: 'object', required: ['version', 'reason'], properties: { version: { type: 'integer' }, reason: { type: 'string' } } } },
    }, async (req) => {
      const b = req.body as { version: number; reason: string };
      return deleteStructure(ctx, actorOf(req), kind, idParam(req), b.version, b.reason);
    });
  }

  app.get('/api/v1/tree', { schema: { tags: ['catalog'], summary: '目录树子节点 / Children of a tree node', querystring: { type: 'object', properties: { key: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'integer' } } } } }, async (req) => {
    const q = req.query as { key?: string; cursor?: string; limit?: number };
    return treeChildren(ctx, actorOf(req), q.key ?? 'root', q.cursor, q.limit);
  });

  app.get('/api/v1/items', { schema: { tags: ['catalog'], summary: '文件列表（按档号排序，游标分页）/ Items in archival-code order', querystring: nodeQuery } }, async (req) => {
    const q = req.query as Record<string, string | undefined>;
    return listItems(ctx, actorOf(req), nodeFilter(q), q.cursor, Number(q.limit ?? 50));
  });
  app.get('/api/v1/items/count', { schema: { tags: ['catalog'], querystring: nodeQuery } }, async (req) => ({ count: await countItems(ctx, actorOf(req), nodeFilter(req.query as Record<string, string>)) }));
  app.get('/api/v1/items/gaps', { schema: { tags: ['catalog'], summary: '件号连续性检查 / Item-number gaps and duplicates', querystring: nodeQuery } }, async (req) =>
    itemNumberGaps(ctx, actorOf(req), nodeFilter(req.query as Record<string, string>)));
  app.post('/api/v1/items', {
    schema: { tags: ['catalog'], summary: '著录文件 / Describe a new item', body: { type: 'object', required: ['categoryId', 'fields'], properties: { categoryId: { type: 'integer' }, volumeId: { type: ['integer', 'null'] }, fields: { type: 'object' } } } },
  }, async (req, reply) => {
    const b = req.body as { categoryId: number; volumeId?: number | null; fields: Record<string, unknown> };
    return reply.code(201).send(await createItem(ctx, actorOf(req), b.categoryId, b.fields, b.volumeId ?? null));
  });
  app.get('/api/v1/items/:id', { schema: { tags: ['catalog'] } }, async (req) => getItem(ctx, actorOf(req), idParam(req)));
  app.patch('/api/v1/items/:id', {
    schema: { tags: ['catalog'], summary: '修改（带版本号）/ Edit (with version)', body: { type: 'object', required: ['version', 'fields'], properties: { version: { type: 'integer' }, fields: { type: 'object' } } } },
  }, async (req) => {
    const b = req.body as { version: number; fields: Record<string, unknown> };
    return updateItem(ctx, actorOf(req), idParam(req), b.version, b.fields);
  });
  app.delete('/api/v1/items/:id', {
    schema: { tags: ['catalog'], summary: '删除（留痕）/ Delete (tombstone)', body: { type: 'object', required: ['version', 'reason'], properties: { version: { type: 'integer' }, reason: { type: 'string', minLength: 1 } } } },
  }, async (req) => {
    const b = req.body as { version: number; reason: string };
    return deleteItem(ctx, actorOf(req), idParam(req), b.version, b.reason);
  });
}
