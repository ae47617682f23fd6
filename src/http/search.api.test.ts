import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setItemText } from '../search/index.service.js';
import { reindexAll } from '../search/index.service.js';
import { BACKENDS } from '../test-support/databases.js';
import { createCatalogFixture, createTestApp, type Session, STRONG_PASSWORD, type TestApp } from '../test-support/app.js';

const q = (query: string, extra: Record<string, string | number | boolean> = {}) =>
  `/api/v1/search?${new URLSearchParams({ q: query, limit: '100', ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])) })}`;

describe.each(BACKENDS)('search API on %s', (dialect) => {
  let t: TestApp;
  let archivist: Session;
  let fondsId: number;
  let categoryId: number;
  let otherCategoryId: number;
  const ids: Record<string, number> = {};

  const item = (over: Record<string, unknown>) => ({ responsible: '峄城区人民政府办公室', date: '20110315', retention: 'Y', org: '办公室', ...over });
  const codes = async (s: Session, query: string, extra: Record<string, string | number | boolean> = {}) =>
    (await s.json('GET', q(query, extra), undefined, 200)).items.map((h: { title: string }) => h.title).sort();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ({ archivist, fondsId, categoryId } = await createCatalogFixture(t, 'zhang'));
    const org = await archivist.json('GET', '/api/v1/organizations', undefined, 200);
    const fonds2 = await archivist.json('POST', '/api/v1/fonds', { organizationId: org.organizations[0].id, code: 'Z200', name: '峄城区档案局' }, 201);
    otherCategoryId = (await archivist.json('POST', `/api/v1/fonds/${fonds2.id}/categories`, { code: 'WS' }, 201)).id;
    const create = async (key: string, cat: number, fields: Record<string, unknown>) => {
      ids[key] = (await archivist.json('POST', '/api/v1/items', { categoryId: cat, fields: item(fields) }, 201)).id;
    };
    await create('notice', categoryId, { title: '关于做好2011年度档案工作的通知', doc_number: '峄政发〔2011〕12号', open_status: '开放' });
    await create('traditional', categoryId, { title: '檔案館藏品徵集辦法', date: '19520101', open_status: '开放' });
    await create('secret', categoryId, { title: '关于档案安全检查的报告', classification: '秘密', open_status: '控制' });
    await create('meeting', categoryId, { title: '区政府常务会议纪要', responsible: '峄城区人民政府', date: '20150620', notes: '涉及档案馆新馆建设' });
    await create('otherFonds', otherCategoryId, { title: '档案局年度工作总结', date: '20140101', open_status: '开放' });
  });
  afterAll(async () => t?.dispose());

  it('finds a term wherever the text contains it, traditional and simplified alike, as soon as the item is saved', async () => {
    expect(await codes(archivist, '档案')).toEqual(['关于做好2011年度档案工作的通知', '关于档案安全检查的报告', '区政府常务会议纪要', '档案局年度工作总结', '檔案館藏品徵集辦法'].sort());
    expect(await codes(archivist, '檔案館')).toEqual(['区政府常务会议纪要', '檔案館藏品徵集辦法'].sort());
    expect(await codes(archivist, '馆')).toEqual(['区政府常务会议纪要', '檔案館藏品徵集辦法'].sort());
    expect(await codes(archivist, '案工')).toEqual(['关于做好2011年度档案工作的通知']);
    expect(await codes(archivist, '11年')).toEqual(['关于做好2011年度档案工作的通知']);
  });

  it('finds document numbers and archival codes by any part', async () => {
    for (const part of ['峄政发', '〔2011〕', '12号', '政发〔2011']) expect(await codes(archivist, `文号:"${part}"`), part).toEqual(['关于做好2011年度档案工作的通知']);
    const hit = (await archivist.json('GET', q('通知'), undefined, 200)).items[0];
    expect(hit.archivalCode).toMatch(/^Z109-WS·2011·Y·办公室-\d{4}$/);
    for (const part of ['Z109', 'z109', 'WS·2011', '办公室-0001', hit.archivalCode]) expect(await codes(archivist, `档号:"${part}"`), part).toContain('关于做好2011年度档案工作的通知');
  });

  it('combines terms with AND, OR and NOT, scopes them to fields and ranges over years and dates', async () => {
    expect(await codes(archivist, '档案 通知')).toEqual(['关于做好2011年度档案工作的通知']);
    expect(await codes(archivist, '通知 OR 纪要')).toEqual(['关于做好2011年度档案工作的通知', '区政府常务会议纪要'].sort());
    expect(await codes(archivist, '档案 -通知 -报告 -總結 -檔案館藏')).toEqual(['区政府常务会议纪要']);
    expect(await codes(archivist, '题名:档案馆')).toEqual(['檔案館藏品徵集辦法']);
    expect(await codes(archivist, '责任者:人民政府 纪要')).toEqual(['区政府常务会议纪要']);
    expect(await codes(archivist, '档案 年度:2014-2015')).toEqual(['区政府常务会议纪要', '档案局年度工作总结'].sort());
    expect(await codes(archivist, '档案 日期:1950..1960-12')).toEqual(['檔案館藏品徵集辦法']);
    expect(await codes(archivist, '年度', { sort: 'code' })).toEqual(['关于做好2011年度档案工作的通知', '档案局年度工作总结'].sort());
    const within = await archivist.json('GET', `${q('工作')}&within=${encodeURIComponent('档案')}&within=${encodeURIComponent('2011')}`, undefined, 200);
    expect(within.items.map((h: { title: string }) => h.title)).toEqual(['关于做好2011年度档案工作的通知']);
    const bad = await archivist.call('GET', q('(档案'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message_en).toMatch(/"\(" is never closed/);
    expect((await archivist.call('GET', q('-档案'))).json().error.code).toBe('SEARCH_QUERY_ONLY_NOT');
    expect((await archivist.call('GET', q('，。'))).statusCode).toBe(400);
  });

  it('follows edits and deletions in the same transaction', async () => {
    const created = await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ title: '临时测试文件甲乙丙' }) }, 201);
    expect(await codes(archivist, '甲乙丙')).toEqual(['临时测试文件甲乙丙']);
    const edited = await archivist.json('PATCH', `/api/v1/items/${created.id}`, { version: created.version, fields: { title: '临时测试文件丁戊' } }, 200);
    expect(await codes(archivist, '甲乙丙')).toEqual([]);
    expect(await codes(archivist, '丁戊')).toEqual(['临时测试文件丁戊']);
    await archivist.json('DELETE', `/api/v1/items/${created.id}`, { version: edited.version, reason: '测试' }, 200);
    expect(await codes(archivist, '丁戊')).toEqual([]);
  });

  it('searches full text page by page, highlights the hit and names its page', async () => {
    const { ctx } = t;
    const row = await ctx.database.db.selectFrom('items').selectAll().where('id', '=', ids.meeting!).executeTakeFirstOrThrow();
    await ctx.database.db.transaction().execute((tx) => setItemText(ctx.database, tx, { ...row, id: Number(row.id) }, 'ocr', ['第一页：会议议程。', '第二页：研究枣庄市檔案數字化工作。']));
    const res = await archivist.json('GET', q('档案数字化'), undefined, 200);
    expect(res.items).toHaveLength(1);
    const hit = res.items[0];
    expect(hit.page).toEqual({ source: 'ocr', page: 2 });
    const full = hit.snippets.find((s: { field: string }) => s.field === 'fulltext');
    const [a, b] = full.highlights[0];
    expect(full.text.slice(a, b)).toBe('檔案數字化');
    expect(await codes(archivist, '全文:会议议程')).toEqual(['区政府常务会议纪要']);
    expect(await codes(archivist, '题名:会议议程')).toEqual([]);
    const titleHit = (await archivist.json('GET', q('纪要'), undefined, 200)).items[0].snippets.find((s: { field: string }) => s.field === 'title');
    expect(titleHit.text.slice(...titleHit.highlights[0])).toBe('纪要');
  });

  it('ranks title hits above full-text hits and sorts by code and date on request', async () => {
    const res = await archivist.json('GET', q('档案'), undefined, 200);
    expect(res.items.at(-1).title).toBe('区政府常务会议纪要');
    const byDate = await archivist.json('GET', q('档案', { sort: 'date' }), undefined, 200);
    expect(byDate.items.map((h: { date: string }) => h.date)).toEqual([...byDate.items.map((h: { date: string }) => h.date)].sort());
    const byCode = await archivist.json('GET', q('档案', { sort: 'code' }), undefined, 200);
    expect(byCode.items[0].archivalCode.startsWith('Z109')).toBe(true);
    expect(byCode.items.at(-1).archivalCode.startsWith('Z200')).toBe(true);
  });

  it('counts, facets and snippets only what the caller may see', async () => {
    const reader = await t.user('reader1', { businessRole: 'reader', clearance: '公开', fondsIds: [fondsId] });
    const mine = await reader.json('GET', q('档案', { facets: true }), undefined, 200);
    expect(mine.items.map((h: { title: string }) => h.title).sort()).toEqual(['关于做好2011年度档案工作的通知', '区政府常务会议纪要', '檔案館藏品徵集辦法'].sort());
    expect(mine.total).toBe(3);
    expect(mine.facets.fonds).toEqual([{ value: String(fondsId), label: 'Z109 峄城区人民政府', count: 3 }]);
    expect(mine.facets.classification).toEqual([{ value: '公开', label: '公开', count: 3 }]);
    expect(JSON.stringify(mine)).not.toContain('安全检查');

    const cleared = await t.user('reader2', { businessRole: 'reader', clearance: '秘密', allFonds: true });
    const all = await cleared.json('GET', q('档案', { facets: true }), undefined, 200);
    expect(all.total).toBe(5);
    expect(all.facets.fonds.map((f: { count: number }) => f.count).reduce((a: number, b: number) => a + b)).toBe(5);
    expect(all.facets.classification.find((f: { value: string }) => f.value === '秘密').count).toBe(1);

    // 三员 hold no business rights: none of them searches the catalogue.
    for (const name of ['sysadmin', 'secadmin']) expect((await (await t.login(name, STRONG_PASSWORD)).call('GET', q('档案'))).statusCode, name).toBe(403);
    const auditor = await t.login('auditor', t.admins.auditor!, STRONG_PASSWORD);
    expect((await auditor.call('GET', q('档案'))).statusCode).toBe(403);
    const keeper = await t.user('keeper1', { businessRole: 'keeper', clearance: '内部', fondsIds: [fondsId] });
    const kept = await keeper.json('GET', q('档案', { facets: true }), undefined, 200);
    expect(kept.total).toBe(3);
    expect(kept.facets.fonds.map((f: { value: string }) => f.value)).toEqual([String(fondsId)]);

    const pub = await t.app.inject({ method: 'GET', url: q('档案', { facets: true }).replace('/api/v1/search', '/api/v1/public/search') });
    expect(pub.statusCode).toBe(200);
    const open = pub.json();
    expect(open.items.map((h: { title: string }) => h.title).sort()).toEqual(['关于做好2011年度档案工作的通知', '档案局年度工作总结', '檔案館藏品徵集辦法'].sort());
    expect(open.facets.open_status).toEqual([{ value: '开放', label: '开放', count: 3 }]);
  });

  it('says "more than N" beyond the count limit and still pages every match exactly once in code order', async () => {
    const { ctx } = t;
    const limit = ctx.config.searchCountLimit;
    ctx.config.searchCountLimit = 2;
    try {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await archivist.json('GET', q('档案', { sort: 'code', limit: 2, ...(cursor ? { cursor } : {}) }), undefined, 200);
        expect(res.totalExact).toBe(false);
        expect(res.total).toBe(2);
        seen.push(...res.items.map((h: { archivalCode: string }) => h.archivalCode));
        cursor = res.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
      const ranked = await archivist.json('GET', q('档案'), undefined, 200);
      expect(ranked.rankedWithin).toBe(2);
    } finally {
      ctx.config.searchCountLimit = limit;
    }
  });

  it('rebuilds the index in batches and resumes after an interruption', async () => {
    const { ctx } = t;
    const before = await codes(archivist, '档案');
    await expect(reindexAll(ctx, { batch: 2, restart: true, onProgress: () => { throw new Error('interrupted'); } })).rejects.toThrow('interrupted');
    const resumed = await reindexAll(ctx, { batch: 2 });
    expect(resumed.done).toBeGreaterThan(0);
    expect(await codes(archivist, '档案')).toEqual(before);
    expect(await codes(archivist, '档案数字化')).toEqual(['区政府常务会议纪要']);
  });
});
