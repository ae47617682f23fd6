import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspectForCategory, runImport } from '../src/catalog/import/import.service.js';
import { listItems } from '../src/catalog/items.service.js';
import { treeChildren } from '../src/catalog/tree.service.js';
import type { Dialect } from '../src/db/database.js';
import { buildApp } from '../src/http/app.js';
import type { AppContext } from '../src/platform/context.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { cliActor } from '../src/security/actor.js';
import { resetPassword } from '../src/security/users.service.js';
import { CSV_HEADER, generateRows, writeCsv } from './generate.js';
import { benchArchive } from './setup.js';
import { fmt, percentiles, rate, repeat, timeMs } from './stats.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const HOT = Math.min(200_000, Math.floor(ROWS / 5));
const HOT_YEAR = 2023;
const OUT = join(PROJECT_ROOT, 'bench/out');

async function csvFile(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `catalog-${ROWS}.csv`);
  if (!existsSync(path)) {
    const { ms } = await timeMs(() => writeCsv(path, generateRows(ROWS, { fonds: 'Z109', hotYear: HOT_YEAR, hotCount: HOT })));
    process.stdout.write(`generated ${ROWS.toLocaleString()} rows (${fmt(statSync(path).size / 1e6)} MB) in ${fmt(ms / 1000)} s\n`);
  }
  return path;
}

/** The ceiling: the sqlite3 shell's own CSV import into a bare table with the same columns, no checks at all. */
function sqliteCliCeiling(csv: string): number {
  const db = join(OUT, 'ceiling.db');
  rmSync(db, { force: true });
  const cols = CSV_HEADER.map((_, i) => `c${i} text`).join(', ');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sqlite3', [db, `create table bare(${cols});`, '.mode csv', `.import --skip 1 ${csv} bare`], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`sqlite3 .import failed: ${r.stderr || r.error}`);
  rmSync(db, { force: true });
  return ms;
}

/** A fresh database with an archivist and a WS category, set up through the services as a user would. */
async function setUp(dialect: Dialect) {
  const archive = await benchArchive(dialect, join(OUT, `data-${dialect}`), { importMaxRows: ROWS + 10, importMaxBytes: 2 ** 31 });
  const { categoryId } = await archive.fondsWithCategory('Z109');
  return { ...archive, categoryId };
}

async function importInto(dialect: Dialect, csv: string) {
  const env = await setUp(dialect);
  const { ctx, actor, categoryId } = env;
  const inspected = await timeMs(() => inspectForCategory(ctx, actor, categoryId, csv, 'catalog.csv'));
  const committed = await timeMs(() => runImport(ctx, actor, categoryId, inspected.value, { mapping: inspected.value.suggestedMapping, mode: 'all-or-nothing', dryRun: false }));
  if (committed.value.invalid) throw new Error(`benchmark sheet had ${committed.value.invalid} invalid rows: ${JSON.stringify(committed.value.errors.slice(0, 3))}`);
  return { ...env, inspectMs: inspected.ms, importMs: committed.ms, created: committed.value.toCreate };
}

/** Opening the 200,000-item node: the first page in archival-code order, through the service and through HTTP. */
async function nodeLatency(env: Awaited<ReturnType<typeof importInto>>) {
  const { ctx, actor, categoryId } = env;
  const node = { categoryId, year: HOT_YEAR, retention: 'Y' };
  const count = (await treeChildren(ctx, actor, `year:${categoryId}:${HOT_YEAR}`)).nodes.find((n) => n.ref.retention === 'Y')?.count;
  await listItems(ctx, actor, node, undefined, 50);
  const service = percentiles(await repeat(50, () => listItems(ctx, actor, node, undefined, 50)));
  const tree = percentiles(await repeat(20, () => treeChildren(ctx, actor, `year:${categoryId}:${HOT_YEAR}`)));
  const years = percentiles(await repeat(20, () => treeChildren(ctx, actor, `category:${categoryId}`)));

  const app = await buildApp(ctx);
  // The HTTP figure goes through session lookup and JSON encoding as the UI's request does.
  const sessionCookie = await httpSession(ctx, app);
  const url = `/api/v1/items?categoryId=${categoryId}&year=${HOT_YEAR}&retention=Y&limit=50`;
  const probe = await app.inject({ method: 'GET', url, headers: { cookie: sessionCookie } });
  if (probe.statusCode !== 200 || probe.json().items.length !== 50) throw new Error(`HTTP page request failed: ${probe.statusCode} ${probe.body.slice(0, 200)}`);
  const http = percentiles(await repeat(50, () => app.inject({ method: 'GET', url, headers: { cookie: sessionCookie } })));
  await app.close();
  return { count, service, http, tree, years };
}

async function httpSession(ctx: AppContext, app: Awaited<ReturnType<typeof buildApp>>): Promise<string> {
  const otp = await resetPassword(ctx, cliActor('bench'), { username: 'bench' }, true);
  const first = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bench', password: otp } });
  const cookie = `lantai_session=${first.cookies.find((c) => c.name === 'lantai_session')!.value}`;
  const changed = await app.inject({ method: 'POST', url: '/api/v1/auth/password', payload: { current: otp, next: 'Archive#2026-perf' }, headers: { cookie, 'x-csrf-token': first.json().csrfToken } });
  if (changed.statusCode !== 200) throw new Error(`password change failed: ${changed.body}`);
  return cookie;
}

const line = (label: string, p: { p50: number; p95: number; p99: number }) => `  ${label.padEnd(44)} p50 ${fmt(p.p50, 2)} ms   p95 ${fmt(p.p95, 2)} ms   p99 ${fmt(p.p99, 2)} ms\n`;

export async function run(): Promise<void> {
  const csv = await csvFile();
  const ceilingMs = sqliteCliCeiling(csv);
  const ceiling = rate(ROWS, ceilingMs);
  process.stdout.write(`ceiling: sqlite3 shell .import into a bare table: ${fmt(ceilingMs / 1000, 2)} s, ${ceiling.toLocaleString()} rows/s\n`);
  const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];
  for (const dialect of dialects) {
    const env = await importInto(dialect, csv);
    try {
      const total = env.inspectMs + env.importMs;
      const r = rate(ROWS, total);
      process.stdout.write(`\n${dialect}: imported ${env.created.toLocaleString()} rows through the import path (inspect ${fmt(env.inspectMs / 1000, 2)} s + validate/number/write/audit ${fmt(env.importMs / 1000, 2)} s)\n`);
      process.stdout.write(`  ${r.toLocaleString()} rows/s = ${fmt(r / ceiling, 2)} × the sqlite3 .import ceiling (goal on SQLite ≥ 0.30)\n`);
      const lat = await nodeLatency(env);
      process.stdout.write(`  node ${HOT_YEAR}/永久 holds ${lat.count?.toLocaleString()} items; first page of 50 in archival-code order (goal < 50 ms):\n`);
      process.stdout.write(line('service listItems', lat.service));
      process.stdout.write(line('HTTP GET /api/v1/items (session + JSON)', lat.http));
      process.stdout.write(line('tree: retention counts of the year node', lat.tree));
      process.stdout.write(line(`tree: years of the category (${ROWS.toLocaleString()} items)`, lat.years));
    } finally {
      await env.t.dispose();
    }
  }
}
