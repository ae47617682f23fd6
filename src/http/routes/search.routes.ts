import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import { itemPages, PUBLIC_SCOPE, SEARCH_SORTS, type SearchRequest, type SearchScope, search, searchScopeOf } from '../../search/search.service.js';
import { actorOf, idParam } from '../request-context.js';

/** A repeatable query parameter: given once it arrives as a string (Ajv's coerceTypes: true does not wrap it in an array). */
const stringList = (description?: string) => ({ anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }], ...(description ? { description } : {}) });

const searchQuery = {
  type: 'object',
  required: ['q'],
  properties: {
    q: { type: 'string', description: '检索式：空格为“与”，OR/或，-/NOT/非，"短语"，题名: 责任者: 文号: 档号: 全文:，年度:2010-2015，日期:2015-01..2015-06' },
    within: stringList('在这些检索式的结果中检索（递进检索） / search within the results of these queries'),
    fondsId: { type: 'integer' }, categoryId: { type: 'integer' }, year: { type: 'integer' }, retention: { type: 'string' },
    classification: { type: 'string' }, openStatus: { type: 'string' }, org: { type: 'string' },
    sort: { type: 'string', enum: [...SEARCH_SORTS] }, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 100 },
    facets: { type: 'boolean' },
  },
} as const;

const run = (ctx: AppContext, scope: SearchScope, req: FastifyRequest) => {
  const q = req.query as SearchRequest & { within?: string | string[] };
  const within = q.within === undefined ? undefined : Array.isArray(q.within) ? q.within : [q.within];
  return search(ctx, scope, { ...q, ...(within ? { within } : {}) });
};

export function searchRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v1/search', { schema: { tags: ['search'], summary: '全文检索 / Full-text search', querystring: searchQuery } }, (req) => run(ctx, searchScopeOf(actorOf(req)), req));
  app.get('/api/v1/items/:id/pages', {
    schema: { tags: ['search'], summary: '文件全文（分页）/ An item\'s full text, page by page', querystring: { type: 'object', properties: { terms: stringList() } } },
  }, (req) => {
    const { terms } = req.query as { terms?: string | string[] };
    return itemPages(ctx, actorOf(req), idParam(req), terms === undefined ? [] : Array.isArray(terms) ? terms : [terms]);
  });
  // Anyone may search open records; nothing else is reachable from here.
  app.get('/api/v1/public/search', { schema: { tags: ['search'], summary: '开放档案检索 / Search open records', querystring: searchQuery } }, (req) => run(ctx, PUBLIC_SCOPE, req));
}
