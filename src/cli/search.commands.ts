import type { Command } from 'commander';
import { badRequest } from '../platform/errors.js';
import { reindexAll } from '../search/index.service.js';
import { SEARCH_SORTS, type SearchHit, type SearchSort, search, searchScopeOf } from '../search/search.service.js';
import { actorAs } from './catalog.commands.js';
import { withContext } from './program.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** Highlights become 【】 on a terminal. */
function marked(text: string, highlights: Array<[number, number]>): string {
  let s = '';
  let at = 0;
  for (const [a, b] of highlights) {
    s += `${text.slice(at, a)}【${text.slice(a, b)}】`;
    at = b;
  }
  return s + text.slice(at);
}

function printHit(h: SearchHit): void {
  out(`${h.archivalCode}  ${h.title}`);
  out(`    ${h.responsible} · ${h.date} · ${h.retention} · ${h.classification} · ${h.openStatus}${h.page ? ` · 第 ${h.page.page} 页 / page ${h.page.page}` : ''}`);
  for (const s of h.snippets.filter((x) => x.field !== 'title')) out(`    ${s.field}: ${marked(s.text, s.highlights)}`);
}

export function registerSearchCommands(program: Command): void {
  const cmd = program
    .command('search')
    .description('全文检索（以某用户的权限）/ full-text search, with a user\'s rights')
    .argument('[query]', '检索式 / query')
    .option('--as <username>', '以该业务用户身份检索 / search as this business user')
    .option('--within <query...>', '在这些检索式的结果中检索 / search within the results of these queries')
    .option('--sort <sort>', SEARCH_SORTS.join(' | '), 'relevance')
    .option('--limit <n>', '条数 / results', '20')
    .option('--json', '输出 JSON / print JSON')
    .action(async (query: string | undefined, opts: { as?: string; within?: string[]; sort: string; limit: string; json?: boolean }) => {
      if (!query) throw badRequest('SEARCH_QUERY_EMPTY', '请输入检索词', 'Enter a search term');
      if (!SEARCH_SORTS.includes(opts.sort as SearchSort)) throw badRequest('SEARCH_SORT_INVALID', `--sort 应为 ${SEARCH_SORTS.join('、')}`, `--sort must be one of ${SEARCH_SORTS.join(', ')}`);
      const result = await withContext(async (ctx) => {
        const actor = await actorAs(ctx, opts.as);
        return search(ctx, searchScopeOf(actor), { q: query, within: opts.within ?? [], sort: opts.sort as SearchSort, limit: Number(opts.limit) });
      });
      if (opts.json) {
        out(JSON.stringify(result, null, 2));
        return;
      }
      const total = result.totalExact ? `${result.total}` : `${result.total}+`;
      out(`检索式 / query: ${result.query}    命中 / matches: ${result.totalExact ? total : `多于 ${result.total} / more than ${result.total}`}`);
      for (const h of result.items) printHit(h);
    });
  cmd
    .command('reindex')
    .description('重建检索索引（分批，可中断后续做）/ rebuild the search index in batches; resumes after an interruption')
    .option('--restart', '从头重建 / start over from the first item')
    .action(async (opts: { restart?: boolean }) => {
      const result = await withContext((ctx) => reindexAll(ctx, {
        restart: !!opts.restart,
        onProgress: (p) => process.stderr.write(`\r已索引 / indexed ${p.done}（至 / up to item ${p.lastId}）`),
      }));
      process.stderr.write('\n');
      out(`索引完成，共 ${result.done} 件 / index rebuilt: ${result.done} items`);
    });
}
