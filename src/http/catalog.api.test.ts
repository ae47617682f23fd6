import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../test-support/databases.js';
import { createCatalogFixture, createTestApp, type Session, type TestApp } from '../test-support/app.js';

describe.each(BACKENDS)('catalogue API on %s', (dialect) => {
  let t: TestApp;
  let archivist: Session;
  let fondsId: number;
  let categoryId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ({ archivist, fondsId, categoryId } = await createCatalogFixture(t, 'zhang'));
  });
  afterAll(async () => t?.dispose());

  const item = (over: Record<string, unknown> = {}) => ({
    title: '关于做好2011年度档案工作的通知', responsible: '峄城区人民政府办公室', date: '20110315', retention: 'Y', org: '办公室', ...over,
  });

  it('numbers items automatically and renders their archival codes from the template', async () => {
    const a = await archivist.json('POST', '/api/v1/items', { categoryId, fields: item() }, 201);
    const b = await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ title: '第二件' }) }, 201);
    expect(a.fields.archival_code).toBe('Z109-WS·2011·Y·办公室-0001');
    expect(b.fields.archival_code).toBe('Z109-WS·2011·Y·办公室-0002');
    expect(a.fields.year).toBe(2011);
    expect(a.fields.open_status).toBe('未审核');
  });

  it('sorts codes naturally and pages with a cursor', async () => {
    for (const n of [10, 3, 9]) await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ item_no: n, title: `第${n}件` }) }, 201);
    const first = await archivist.json('GET', `/api/v1/items?categoryId=${categoryId}&year=2011&retention=Y&limit=3`, undefined, 200);
    expect(first.items.map((i: any) => i.fields.item_no)).toEqual([1, 2, 3]);
    const next = await archivist.json('GET', `/api/v1/items?categoryId=${categoryId}&year=2011&retention=Y&limit=3&cursor=${first.nextCursor}`, undefined, 200);
    expect(next.items.map((i: any) => i.fields.item_no)).toEqual([9, 10]);
    expect(next.nextCursor).toBeNull();
    await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ org: '财务科', item_no: 2, title: '另一机构' }) }, 201);
    const gaps = await archivist.json('GET', `/api/v1/items/gaps?categoryId=${categoryId}&year=2011&retention=Y`, undefined, 200);
    expect(gaps.groups).toEqual([
      expect.objectContaining({ org: '办公室', count: 5, max: 10, missing: [4, 5, 6, 7, 8], duplicates: [] }),
      expect.objectContaining({ org: '财务科', count: 1, max: 2, missing: [1] }),
    ]);
  });

  it('refuses a duplicate archival code with 409 and writes nothing', async () => {
    const res = await archivist.call('POST', '/api/v1/items', { categoryId, fields: item({ item_no: 3 }) });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ARCHIVAL_CODE_TAKEN', message: expect.stringContaining('Z109-WS·2011·Y·办公室-0003') });
    const count = await archivist.json('GET', `/api/v1/items/count?categoryId=${categoryId}`, undefined, 200);
    expect(count.count).toBe(6);
  });

  it('names every bad field of an invalid item, in Chinese and English', async () => {
    const res = await archivist.call('POST', '/api/v1/items', { categoryId, fields: { title: '', date: '20230230', retention: 'X', carrier: '胶片', unknown: 1 } });
    expect(res.statusCode).toBe(422);
    const issues = res.json().error.details.issues as Array<{ field: string; message: string; message_en: string }>;
    const fields = issues.map((i) => i.field);
    for (const f of ['title', 'responsible', 'date', 'retention', 'carrier', 'unknown']) expect(fields).toContain(f);
    for (const i of issues) expect(i.message && i.message_en).toBeTruthy();
  });

  it('stores SQL metacharacters and markup as plain text', async () => {
    const title = `'); DROP TABLE items; -- <script>alert(1)</script>`;
    const created = await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ title, date: '2012' }) }, 201);
    const back = await archivist.json('GET', `/api/v1/items/${created.id}`, undefined, 200);
    expect(back.fields.title).toBe(title);
  });

  it('refuses a stale edit with 409 and keeps the newer one', async () => {
    const created = await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ date: '2013', title: '原题名' }) }, 201);
    const edited = await archivist.json('PATCH', `/api/v1/items/${created.id}`, { version: created.version, fields: { title: '新题名' } }, 200);
    expect(edited.version).toBe(created.version + 1);
    const stale = await archivist.call('PATCH', `/api/v1/items/${created.id}`, { version: created.version, fields: { title: '覆盖' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('STALE_VERSION');
    expect((await archivist.json('GET', `/api/v1/items/${created.id}`)).fields.title).toBe('新题名');
  });

  it('renumbers an item whose year changes into the next free number of its new class', async () => {
    const created = await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ date: '2014' }) }, 201);
    expect(created.fields.archival_code).toBe('Z109-WS·2014·Y·办公室-0001');
    await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ date: '2015' }) }, 201);
    const moved = await archivist.json('PATCH', `/api/v1/items/${created.id}`, { version: created.version, fields: { date: '2015' } }, 200);
    expect(moved.fields.archival_code).toBe('Z109-WS·2015·Y·办公室-0002');
  });

  it('tombstones a deletion with its reason and hides it from lists', async () => {
    const created = await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ date: '2016' }) }, 201);
    expect((await archivist.call('DELETE', `/api/v1/items/${created.id}`, { version: created.version, reason: '' })).statusCode).toBe(400);
    const deleted = await archivist.json('DELETE', `/api/v1/items/${created.id}`, { version: created.version, reason: '重复著录' }, 200);
    expect(deleted).toMatchObject({ state: 'deleted', deletedReason: '重复著录' });
    expect((await archivist.call('GET', `/api/v1/items/${created.id}`)).statusCode).toBe(404);
    const row = await t.ctx.database.db.selectFrom('items').select(['state', 'deleted_reason']).where('id', '=', created.id).executeTakeFirst();
    expect(row).toEqual({ state: 'deleted', deleted_reason: '重复著录' });
  });

  it('opens the tree level by level, with counts that respect clearance', async () => {
    await archivist.json('POST', '/api/v1/items', { categoryId, fields: item({ date: '2011', classification: '秘密', secrecy_period: '10', item_no: 50 }) }, 201);
    const root = await archivist.json('GET', '/api/v1/tree?key=root');
    expect(root.nodes[0]).toMatchObject({ type: 'organization', label: '峄城区人民政府办公室' });
    const org = await archivist.json('GET', `/api/v1/tree?key=${root.nodes[0].key}`);
    expect(org.nodes[0]).toMatchObject({ type: 'fonds', label: 'Z109 峄城区人民政府' });
    const cats = await archivist.json('GET', `/api/v1/tree?key=fonds:${fondsId}`);
    expect(cats.nodes[0]).toMatchObject({ type: 'category', label: 'WS 文书' });
    const years = await archivist.json('GET', `/api/v1/tree?key=category:${categoryId}`);
    // 2014 emptied when its item moved to 2015; 2016 holds only a deleted item.
    expect(years.nodes.map((n: any) => n.label)).toEqual(['2015', '2013', '2012', '2011']);
    const ret = await archivist.json('GET', `/api/v1/tree?key=year:${categoryId}:2011`);
    expect(ret.nodes).toEqual([expect.objectContaining({ label: '永久', count: 7 })]);

    const reader = await t.user('reader1', { businessRole: 'reader', clearance: '公开', fondsIds: [fondsId] });
    const readerRet = await reader.json('GET', `/api/v1/tree?key=year:${categoryId}:2011`);
    expect(readerRet.nodes).toEqual([expect.objectContaining({ count: 6 })]);
    const list = await reader.json('GET', `/api/v1/items?categoryId=${categoryId}&year=2011&retention=Y&limit=100`);
    expect(list.items.map((i: any) => i.fields.classification)).not.toContain('秘密');
  });

  it('hides everything outside the fonds a user is granted', async () => {
    const outsider = await t.user('outsider', { businessRole: 'reader', clearance: '绝密', fondsIds: [] });
    expect((await outsider.json('GET', '/api/v1/fonds')).fonds).toEqual([]);
    expect((await outsider.json('GET', '/api/v1/tree?key=root')).nodes).toEqual([]);
    expect((await outsider.call('GET', `/api/v1/items?categoryId=${categoryId}`)).statusCode).toBe(404);
    const anyItem = await t.ctx.database.db.selectFrom('items').select('id').executeTakeFirstOrThrow();
    expect((await outsider.call('GET', `/api/v1/items/${anyItem.id}`)).statusCode).toBe(404);
  });

  it('audits each write and each view of a controlled item', async () => {
    const secret = await t.ctx.database.db.selectFrom('items').select('id').where('classification', '=', '秘密').executeTakeFirstOrThrow();
    await archivist.json('GET', `/api/v1/items/${secret.id}`, undefined, 200);
    const rows = await t.ctx.database.db.selectFrom('audit_log').select(['action', 'target_id']).where('target_type', '=', 'item').execute();
    expect(rows).toContainEqual({ action: 'item.view', target_id: String(secret.id) });
    expect(rows.filter((r) => r.action === 'item.create').length).toBeGreaterThanOrEqual(10);
    expect(rows.some((r) => r.action === 'item.delete')).toBe(true);
  });

  it('arranges by volume: volume codes, then items numbered within their volume', async () => {
    const kj = await archivist.json('POST', `/api/v1/fonds/${fondsId}/categories`, { code: 'KJ', arrangement: 'volume' }, 201);
    expect(kj.codeTemplate).toBe('{fonds}-{category}·{year}·{retention}-{volume:3}-{item:3}');
    const v1 = await archivist.json('POST', `/api/v1/categories/${kj.id}/volumes`, { title: '城区供水管网改造工程', year: 2019, retention: 'D30' }, 201);
    const v2 = await archivist.json('POST', `/api/v1/categories/${kj.id}/volumes`, { title: '污水处理厂扩建工程', year: 2019, retention: 'D30' }, 201);
    expect([v1.archivalCode, v2.archivalCode]).toEqual(['Z109-KJ·2019·D30-001', 'Z109-KJ·2019·D30-002']);
    const a = await archivist.json('POST', '/api/v1/items', { categoryId: kj.id, volumeId: v2.id, fields: { title: '施工图', responsible: '市政设计院', date: '20190402' } }, 201);
    const b = await archivist.json('POST', '/api/v1/items', { categoryId: kj.id, volumeId: v2.id, fields: { title: '竣工验收报告', responsible: '建设局', date: '20191120' } }, 201);
    expect([a.fields.archival_code, b.fields.archival_code]).toEqual(['Z109-KJ·2019·D30-002-001', 'Z109-KJ·2019·D30-002-002']);
    const vols = await archivist.json('GET', `/api/v1/tree?key=retention:${kj.id}:2019:D30`);
    expect(vols.nodes.map((n: any) => n.type)).toEqual(['volume', 'volume']);
    const inVolume = await archivist.json('GET', `/api/v1/items?categoryId=${kj.id}&volumeId=${v2.id}`);
    expect(inVolume.items).toHaveLength(2);
    const bad = await archivist.call('POST', `/api/v1/categories/${kj.id}/volumes`, { title: '', year: 19, retention: '十年' });
    expect(bad.json().error.details.issues.map((i: any) => i.field)).toEqual(['title', 'year', 'retention']);
  });

  it('deletes a fonds only when empty, leaving a tombstone', async () => {
    const org = await archivist.json('POST', '/api/v1/organizations', { code: 'TMP01', name: '临时机构', kind: 'village' }, 201);
    const f = await archivist.json('POST', '/api/v1/fonds', { organizationId: org.id, code: 'C015', name: '测试全宗' }, 201);
    const c = await archivist.json('POST', `/api/v1/fonds/${f.id}/categories`, { code: 'ZP' }, 201);
    const refused = await archivist.call('DELETE', `/api/v1/organizations/${org.id}`, { version: org.version, reason: '并入' });
    expect(refused.json().error.code).toBe('NOT_EMPTY');
    await archivist.json('DELETE', `/api/v1/categories/${c.id}`, { version: c.version, reason: '建错' }, 200);
    await archivist.json('DELETE', `/api/v1/fonds/${f.id}`, { version: f.version, reason: '建错' }, 200);
    expect((await archivist.json('GET', '/api/v1/fonds')).fonds.map((x: any) => x.code)).not.toContain('C015');
    const row = await t.ctx.database.db.selectFrom('fonds').select(['state', 'deleted_reason']).where('id', '=', f.id).executeTakeFirst();
    expect(row).toEqual({ state: 'deleted', deleted_reason: '建错' });
  });
});
