import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { inspectForCategory, runImport } from '../src/catalog/import/import.service.js';
import type { Dialect } from '../src/db/database.js';
import type { AppContext } from '../src/platform/context.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { reindexAll, setItemText } from '../src/search/index.service.js';
import { type SearchRequest, search, searchScopeOf } from '../src/search/search.service.js';
import { SearchRepository } from '../src/search/search.repository.js';
import { planQuery } from '../src/search/query-plan.js';
import { parseQuery } from '../src/search/query-parser.js';
import { foldForIndex, foldQuery } from '../src/search/fold.js';
import { generateRows, rng, writeCsv } from './generate.js';
import { benchArchive } from './setup.js';
import { fmt, percentiles, timeMs } from './stats.js';

/**
 * `npm run bench -- search`: 1,000,000 catalogue items (900,000 in fonds Z109, 100,000 in Z200)
 * and a ~500-character full text for each Z200 item, indexed through the same paths the system
 * uses (import, then the text hand-over of receiving/OCR); then 1,000 queries drawn from the
 * texts, timed per class for the first page in code order (a), in relevance order (b) and with
 * facets (c); exactness against a brute-force substring scan of the 100,000 Z200 documents; and
 * the naive alternatives (SQLite LIKE, PostgreSQL pg_trgm) on the same data.
 * BENCH_ROWS scales the item count (the sample stays a tenth of it), BENCH_DIALECTS picks backends.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SAMPLE = Math.floor(ROWS / 10);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1000);
const OUT = join(PROJECT_ROOT, 'bench/out');

const CLAUSES = ['为认真贯彻落实上级有关文件精神', '经研究决定', '现将有关事项通知如下', '各乡镇人民政府、街道办事处', '区政府各部门、各直属单位', '请结合实际认真贯彻执行',
  '进一步提高档案管理水平', '切实加强组织领导', '确保各项工作落到实处', '做好农村集体经济组织财务公开', '严格落实安全生产责任制', '加快推进重点项目建设', '开展档案数字化加工',
  '做好防汛抗旱物资储备', '全面排查安全隐患', '按时报送统计报表', '做好城乡居民医疗保险参保缴费', '落实退役军人优抚政策', '推进政务公开标准化规范化', '提升营商环境便利度',
  '加强森林防火宣传教育', '完成第七次全国人口普查登记', '保障义务教育阶段适龄儿童入学', '积极创建乡村振兴示范村', '认真做好民生实事项目', '强化机关事务管理'];
const NAMES = ['张明华', '李建国', '王秀英', '刘志强', '陈晓东', '杨丽娟', '赵德胜', '孙玉兰', '周建军', '吴海燕', '徐卫东', '马春梅'];
const PLACES = ['峄城区', '枣庄市', '阴平镇', '古邵镇', '坛山街道', '吴林街道', '榴园镇', '底阁镇', '峨山镇', '曹庄村', '贾泉村', '石屋村'];

function fullText(r: () => number, year: number): string {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  let s = '';
  while (s.length < 500) {
    const k = r();
    if (k < 0.55) s += `${pick(CLAUSES)}，`;
    else if (k < 0.7) s += `${pick(PLACES)}${pick(CLAUSES)}。`;
    else if (k < 0.82) s += `联系人：${pick(NAMES)}，电话：0632-${String(7_000_000 + Math.floor(r() * 999_999))}。`;
    else if (k < 0.92) s += `${year}年${1 + Math.floor(r() * 12)}月${1 + Math.floor(r() * 28)}日前完成，`;
    else s += `依据峄政发〔${year}〕${1 + Math.floor(r() * 200)}号文件，`;
  }
  return s;
}

interface Env {
  ctx: AppContext;
  dispose: () => Promise<void>;
  request: (q: Omit<SearchRequest, 'q'> & { q: string }) => ReturnType<typeof search>;
  sampleFondsId: number;
  sampleDocs: Map<number, string[]>;
}

async function setUp(dialect: Dialect): Promise<{ env: Env; timings: Record<string, number> }> {
  mkdirSync(OUT, { recursive: true });
  const archive = await benchArchive(dialect, join(OUT, `search-${dialect}`), { importMaxRows: ROWS + 10, importMaxBytes: 2 ** 31 });
  const { t, ctx, actor } = archive;
  const timings: Record<string, number> = {};
  let sampleFondsId = 0;
  for (const [code, count] of [['Z109', ROWS - SAMPLE], ['Z200', SAMPLE]] as const) {
    const { fondsId, categoryId } = await archive.fondsWithCategory(code);
    const csv = join(OUT, `search-${code}-${count}.csv`);
    await writeCsv(csv, generateRows(count, { fonds: code, hotYear: 2023, hotCount: 0, seed: code === 'Z109' ? 7 : 11 }));
    const inspected = await inspectForCategory(ctx, actor, categoryId, csv, 'catalog.csv');
    const { ms } = await timeMs(() => runImport(ctx, actor, categoryId, inspected, { mapping: inspected.suggestedMapping, mode: 'all-or-nothing', dryRun: false }));
    timings[`import ${code} (${count.toLocaleString()} items, index written in the same transactions)`] = ms;
    if (code === 'Z200') sampleFondsId = fondsId;
  }
  const sampleDocs = new Map<number, string[]>();
  const r = rng(99);
  const texts = await timeMs(async () => {
    const rows = await ctx.database.db.selectFrom('items').selectAll().where('fonds_id', '=', sampleFondsId).orderBy('id').execute();
    for (let i = 0; i < rows.length; i += 1000) {
      await ctx.database.db.transaction().execute(async (tx) => {
        for (const row of rows.slice(i, i + 1000)) {
          const text = fullText(r, Number(row.year));
          await setItemText(ctx.database, tx, { ...row, id: Number(row.id) }, 'ocr', [text]);
          sampleDocs.set(Number(row.id), [row.title, row.responsible, row.doc_number ?? '', row.archival_code, row.notes ?? '', row.org ?? '', text]);
        }
      });
    }
  });
  timings[`full texts for ${SAMPLE.toLocaleString()} items (one page each, through setItemText)`] = texts.ms;
  const rebuild = await timeMs(() => reindexAll(ctx, { restart: true, batch: 5000 }));
  timings['index rebuild from scratch (lantai search reindex)'] = rebuild.ms;
  if (dialect === 'postgres') await sql`analyze`.execute(ctx.database.db);
  const scope = searchScopeOf(actor);
  return {
    env: { ctx, dispose: t.dispose, request: (q) => search(ctx, scope, q), sampleFondsId, sampleDocs },
    timings,
  };
}

async function indexSize(ctx: AppContext): Promise<number> {
  if (ctx.database.dialect === 'sqlite') {
    const r = await sql<{ b: number }>`select sum(pgsize) as b from dbstat where name like 'search_fts%'`.execute(ctx.database.db);
    return Number(r.rows[0]?.b ?? 0);
  }
  const r = await sql<{ b: string }>`select pg_total_relation_size('search_index') as b`.execute(ctx.database.db);
  return Number(r.rows[0]?.b ?? 0);
}

interface Query {
  cls: string;
  q: string;
  filter: boolean;
}

/** Substrings of the sample's texts, per length class, plus phrases across punctuation and the most frequent two-character terms. */
function drawQueries(docs: Map<number, string[]>): Query[] {
  const r = rng(2026);
  const all = [...docs.values()];
  const counts = new Map<string, number>();
  for (const d of all.slice(0, 5000)) {
    const text = d.join('\n');
    for (let i = 0; i + 2 <= text.length; i++) {
      const bi = text.slice(i, i + 2);
      if (/^[\u4e00-\u9fff]{2}$/.test(bi)) counts.set(bi, (counts.get(bi) ?? 0) + 1);
    }
  }
  const frequent = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([t]) => t);
  const classes = ['1', '2', '3', '4', '6', '10', 'phrase', 'frequent'];
  const per = Math.ceil(QUERIES / classes.length);
  const out: Query[] = [];
  for (const cls of classes) {
    for (let i = 0; i < per; i++) {
      const filter = i % 2 === 1;
      if (cls === 'frequent') {
        out.push({ cls, q: frequent[i % frequent.length]!, filter });
        continue;
      }
      const doc = all[Math.floor(r() * all.length)]!;
      const field = cls === 'phrase' ? doc[6]! : doc[Math.floor(r() * doc.length)]! || doc[0]!;
      if (cls === 'phrase') {
        const at = field.indexOf('，', Math.floor(r() * (field.length - 10)));
        const start = Math.max(0, (at < 0 ? 10 : at) - 3);
        out.push({ cls, q: `"${field.slice(start, start + 7)}"`, filter });
        continue;
      }
      const len = Number(cls);
      const chars = Array.from(field);
      let q = '';
      for (let tries = 0; tries < 20 && !/[\p{L}\p{N}]/u.test(q); tries++) {
        const start = Math.floor(r() * Math.max(1, chars.length - len));
        q = chars.slice(start, start + len).join('');
      }
      out.push({ cls, q: `"${q.replace(/"/g, '')}"`, filter });
    }
  }
  return out;
}

async function latencies(env: Env, queries: Query[], warmUp = false) {
  const modes = {
    a: { sort: 'code' as const, facets: false },
    b: { sort: 'relevance' as const, facets: false },
    c: { sort: 'relevance' as const, facets: true },
  };
  const results: Record<string, Record<string, number[]>> = {};
  const slowest: Record<string, Array<{ ms: number; key: string; q: string }>> = {};
  for (const [mode, opts] of Object.entries(modes)) {
    for (const query of queries) {
      const key = `${query.cls}${query.filter ? '+filter' : ''}`;
      const req = { q: query.q, limit: 20, ...opts, ...(query.filter ? { year: 2015 } : {}) };
      const { ms } = await timeMs(() => env.request(req));
      ((results[mode] ??= {})[key] ??= []).push(ms);
      ((results[mode] ??= {}).all ??= []).push(ms);
      (slowest[mode] ??= []).push({ ms, key, q: query.q });
    }
  }
  // The outliers by name, so that a slow query can be looked at on its own (with BENCH_KEEP).
  for (const [mode, list] of warmUp ? [] : Object.entries(slowest)) {
    const worst = list.sort((x, y) => y.ms - x.ms).slice(0, 5).map((x) => `${x.q} (${x.key}) ${fmt(x.ms, 0)} ms`);
    line(`  slowest (${mode}): ${worst.join('; ')}`);
  }
  return results;
}

/** Recall and precision of the index against a plain substring scan of the sample's folded texts. */
async function exactness(env: Env, queries: Query[]) {
  const repo = new SearchRepository(env.ctx.database.db, env.ctx.database.dialect, env.ctx.database.sqlite);
  const where = sql`i.state = 'active' and i.fonds_id = ${env.sampleFondsId}`;
  let truePos = 0;
  let falsePos = 0;
  let falseNeg = 0;
  // The scan compares folded texts, folded once: the same definition as matchesBySubstring, at scan speed.
  const folded = [...env.sampleDocs].map(([id, fields]) => [id, fields.map(foldForIndex)] as const);
  for (const query of queries) {
    const plan = planQuery(parseQuery(query.q));
    const found = new Set((await repo.candidates(plan, where, 10_000_000, false)).map((c) => c.id));
    const needle = foldQuery(plan.highlight[0]!);
    for (const [id, fields] of folded) {
      const expected = fields.some((f) => f.includes(needle));
      const got = found.has(id);
      if (expected && got) truePos++;
      else if (got) falsePos++;
      else if (expected) falseNeg++;
    }
  }
  return { recall: truePos / (truePos + falseNeg), precision: truePos / (truePos + falsePos), matches: truePos, queries: queries.length };
}

/** The naive alternative: SQLite LIKE over every text, or pg_trgm on PostgreSQL, first page in code order. */
async function naive(env: Env, queries: Query[]): Promise<number[]> {
  const { db, dialect } = env.ctx.database;
  await sql`create table naive_text as select i.id as item_id, i.title || ' ' || i.responsible || ' ' || coalesce(i.doc_number, '') || ' ' || i.archival_code || ' ' ||
    coalesce(i.notes, '') || ' ' || coalesce((select string_agg(p.text, ' ') from search_pages p where p.item_id = i.id), '') as text from items i`.execute(db)
    .catch(async () => sql`create table naive_text as select i.id as item_id, i.title || ' ' || i.responsible || ' ' || coalesce(i.doc_number, '') || ' ' || i.archival_code || ' ' ||
    coalesce(i.notes, '') || ' ' || coalesce((select group_concat(p.text, ' ') from search_pages p where p.item_id = i.id), '') as text from items i`.execute(db));
  if (dialect === 'postgres') {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index naive_trgm on naive_text using gin (text gin_trgm_ops)`.execute(db);
    await sql`analyze naive_text`.execute(db);
  }
  const out: number[] = [];
  for (const query of queries) {
    const needle = `%${query.q.replace(/^"|"$/g, '')}%`;
    const { ms } = await timeMs(() => sql`select i.id from items i join naive_text n on n.item_id = i.id where n.text like ${needle} order by i.sort_key limit 20`.execute(db));
    out.push(ms);
  }
  return out;
}

const line = (s: string) => process.stdout.write(`${s}\n`);
const p = (samples: number[]) => {
  const x = percentiles(samples);
  return `${fmt(x.p50)} / ${fmt(x.p95)} / ${fmt(x.p99)} ms`;
};

export async function run(): Promise<void> {
  const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];
  const summary: Record<string, { a: number; b: number; c: number; naive: number }> = {};
  for (const dialect of dialects) {
    line(`\n${dialect}: ${ROWS.toLocaleString()} items, ${SAMPLE.toLocaleString()} full texts`);
    const { env, timings } = await setUp(dialect);
    try {
      for (const [k, ms] of Object.entries(timings)) line(`  ${k}: ${fmt(ms / 1000, 1)} s`);
      line(`  index size: ${fmt((await indexSize(env.ctx)) / 1e6, 0)} MB`);
      const queries = drawQueries(env.sampleDocs);
      if (process.env.BENCH_KEEP) writeFileSync(join(OUT, `search-queries-${dialect}.json`), JSON.stringify(queries));
      await latencies(env, queries.slice(0, 40), true);
      const res = await latencies(env, queries);
      line(`  latency p50 / p95 / p99 over ${queries.length} queries (first page of 20; "+filter" adds 年度 = 2015):`);
      const keys = Object.keys(res.a!).filter((k) => k !== 'all');
      line(`    ${'class'.padEnd(18)} ${'(a) code order'.padEnd(30)} ${'(b) relevance'.padEnd(30)} (c) relevance + facets`);
      for (const k of [...keys, 'all']) line(`    ${k.padEnd(18)} ${p(res.a![k]!).padEnd(30)} ${p(res.b![k]!).padEnd(30)} ${p(res.c![k]!)}`);
      const ex = await exactness(env, queries.filter((_, i) => i % 5 === 0));
      line(`  exactness on the ${SAMPLE.toLocaleString()}-document sample, ${ex.queries} queries, ${ex.matches.toLocaleString()} true matches: recall ${ex.recall.toFixed(4)}, precision ${ex.precision.toFixed(4)}`);
      const naiveQueries = queries.filter((_, i) => i % 10 === 0);
      const nv = await naive(env, naiveQueries);
      line(`  naive (${dialect === 'sqlite' ? "LIKE '%q%'" : 'pg_trgm LIKE'}), first page in code order, ${naiveQueries.length} queries: ${p(nv)}`);
      const a95 = percentiles(res.a!.all!).p95;
      line(`  (a) is ${fmt(percentiles(nv).p95 / a95, 1)}× faster than the naive query at p95 (goal on SQLite ≥ 10×)`);
      summary[dialect] = { a: a95, b: percentiles(res.b!.all!).p95, c: percentiles(res.c!.all!).p95, naive: percentiles(nv).p95 };
    } finally {
      // BENCH_KEEP=1 leaves the database behind for a closer look at single queries.
      if (process.env.BENCH_KEEP) line(`  kept: ${env.ctx.config.databaseUrl}`);
      else await env.dispose();
    }
  }
  if (summary.sqlite && summary.postgres) {
    line(`\nPostgreSQL p95 ÷ SQLite p95 (goal ≤ 3): (a) ${fmt(summary.postgres.a / summary.sqlite.a, 2)}, (b) ${fmt(summary.postgres.b / summary.sqlite.b, 2)}, (c) ${fmt(summary.postgres.c / summary.sqlite.c, 2)}`);
  }
  line('goals on SQLite: (a) p95 ≤ 20 ms, (b) p95 ≤ 150 ms, (c) p95 ≤ 250 ms, recall = precision = 1');
}
