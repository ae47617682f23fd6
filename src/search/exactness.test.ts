import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../test-support/databases.js';
import { seededRandom } from '../test-support/random.js';
import { createCatalogFixture, createTestApp, type TestApp } from '../test-support/app.js';
import { setItemText } from './index.service.js';
import { planQuery } from './query-plan.js';
import { parseQuery } from './query-parser.js';
import { SearchRepository } from './search.repository.js';
import { matchesBySubstring } from './tokenizer.js';

/**
 * The promise of search: a term matches exactly the items whose (folded) text contains it. Random
 * texts of simplified and traditional Han, Latin, full-width and ASCII digits and punctuation are
 * indexed through the catalogue; random queries of 1–20 characters, cut from the texts at any
 * point, must find exactly what a substring scan of the same texts finds, on both backends.
 */
const HAN = '档案馆檔案館关于關於发展發展工作会议會議国家國家文件号號书書区區政府年度通知报告報告';
const OTHER = 'ABCdefXYZ0123456789０１２３ＡＢ〔〕·-，。、（）：  ';

function randomText(r: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const pool = r() < 0.7 ? HAN : OTHER;
    s += pool[Math.floor(r() * pool.length)];
  }
  return s;
}

describe.each(BACKENDS)('search exactness against a substring scan on %s', (dialect) => {
  let t: TestApp;
  const docs = new Map<number, string[]>();
  const r = seededRandom(8493);

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const { archivist, categoryId } = await createCatalogFixture(t, 'zhang');
    for (let i = 0; i < 150; i++) {
      const title = randomText(r, 8 + Math.floor(r() * 30)).trim() || '无题';
      const responsible = randomText(r, 6).trim() || '某单位';
      const created = await archivist.json('POST', '/api/v1/items', { categoryId, fields: { title, responsible, date: '20200101', retention: 'Y' } }, 201);
      const pages = i % 3 === 0 ? [randomText(r, 300), randomText(r, 200)] : [];
      const { ctx } = t;
      if (pages.length) {
        const row = await ctx.database.db.selectFrom('items').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
        await ctx.database.db.transaction().execute((tx) => setItemText(ctx.database, tx, { ...row, id: Number(row.id) }, 'ocr', pages));
      }
      docs.set(created.id, [title, responsible, created.fields.archival_code, ...pages]);
    }
  }, 120_000);
  afterAll(async () => t?.dispose());

  it('finds exactly what a substring scan finds, for queries of 1 to 20 characters cut anywhere', async () => {
    const repo = new SearchRepository(t.ctx.database.db, t.ctx.database.dialect, null);
    const all = [...docs.values()];
    let checked = 0;
    let matched = 0;
    for (let i = 0; i < 300; i++) {
      const field = all[Math.floor(r() * all.length)]![Math.floor(r() * 3)]!;
      const chars = Array.from(field);
      const len = 1 + Math.floor(r() * Math.min(20, chars.length));
      const start = Math.floor(r() * (chars.length - len + 1));
      const query = chars.slice(start, start + len).join('').replace(/"/g, '');
      if (!/[\p{L}\p{N}]/u.test(query)) continue;
      const plan = planQuery(parseQuery(`"${query}"`));
      const found = new Set((await repo.candidates(plan, sql`i.state = 'active'`, 100_000, false)).map((c) => c.id));
      const expected = new Set([...docs].filter(([, fields]) => fields.some((f) => matchesBySubstring(f, query))).map(([id]) => id));
      expect([...found].sort(), `query ${JSON.stringify(query)}`).toEqual([...expected].sort());
      checked++;
      matched += expected.size;
    }
    expect(checked).toBeGreaterThan(200);
    expect(matched).toBeGreaterThan(checked);
  });

  it('pages matches in code and date order the same whether it walks the catalogue or reads the index', async () => {
    const repo = new SearchRepository(t.ctx.database.db, t.ctx.database.dialect, t.ctx.database.sqlite);
    const rows = await t.ctx.database.db.selectFrom('items').select(['id', 'sort_key', 'date']).execute();
    const keyed = rows.map((x) => ({ id: Number(x.id), sort_key: x.sort_key, date: x.date }));
    const byCode = (a: (typeof keyed)[number], b: (typeof keyed)[number]) => (a.sort_key < b.sort_key ? -1 : a.sort_key > b.sort_key ? 1 : 0);
    const byDate = (a: (typeof keyed)[number], b: (typeof keyed)[number]) => (a.date < b.date ? -1 : a.date > b.date ? 1 : byCode(a, b));
    const where = sql`i.state = 'active'`;
    for (const query of ['档案', '关于', '年度', '2', 'A']) {
      const plan = planQuery(parseQuery(`"${query}"`));
      const matching = keyed.filter((k) => docs.get(k.id)!.some((f) => matchesBySubstring(f, query)));
      expect(matching.length, query).toBeGreaterThan(5);
      for (const [order, compare] of [['code', byCode], ['date', byDate], ['date_desc', (a: (typeof keyed)[number], b: (typeof keyed)[number]) => byDate(b, a)]] as const) {
        const expected = [...matching].sort(compare).map((k) => k.id);
        for (const budget of [0, 100_000]) {
          const paged: number[] = [];
          let after: { sortKey: string; date: string } | null = null;
          for (;;) {
            const page = await repo.probe(plan, where, order, after, 4, budget);
            paged.push(...page.map((p) => p.id));
            if (page.length < 4) break;
            after = { sortKey: page.at(-1)!.sort_key, date: page.at(-1)!.date };
          }
          expect(paged, `${query} ${order} budget ${budget}`).toEqual(expected);
        }
      }
    }
  });
});
