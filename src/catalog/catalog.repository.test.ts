import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../db/database.js';
import { defaultConfig } from '../platform/config.js';
import { type AppContext, inTransaction } from '../platform/context.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../test-support/databases.js';
import { CatalogRepository } from './catalog.repository.js';
import type { ItemColumns } from './item-rules.js';

describe.each(BACKENDS)('bulk item inserts on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: AppContext;
  let common: { fondsId: number; categoryId: number; createdBy: number | null; at: string };

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = { database: t.database, config: defaultConfig('/tmp/lantai-unused') };
    const repo = new CatalogRepository(t.database.db);
    const at = nowIso();
    const org = await repo.insertOrganization({ code: 'O', name: '机构', kind: 'agency', state: 'active', created_at: at, updated_at: at, version: 1 });
    const fonds = await repo.insertFonds({ organization_id: org.id, code: 'Z109', name: '全宗', state: 'active', created_at: at, updated_at: at, version: 1 });
    const category = await repo.insertCategory({ fonds_id: fonds.id, code: 'WS', name: '文书', arrangement: 'item', code_template: '{fonds}-{item:4}', field_schema: '[]', state: 'active', created_at: at, updated_at: at, version: 1 });
    common = { fondsId: fonds.id, categoryId: category.id, createdBy: 42, at };
  });
  afterAll(async () => t?.dispose());

  const columns = (n: number): ItemColumns => ({
    archival_code: `Z109-${String(n).padStart(4, '0')}`, sort_key: `Z109-4${n}`, item_no: n, title: `题名'"; -- ${n}`, responsible: '办公室', doc_number: null,
    date: '20230315', year: 2023, retention: 'Y', classification: '公开', secrecy_period: null, open_status: '未审核', pages: n % 2 ? null : n, org: null, notes: null, extra: '{}',
  });
  const count = async () => Number((await t.database.db.selectFrom('items').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('joins the surrounding transaction: a failure afterwards leaves nothing', async () => {
    await expect(inTransaction(ctx, async (tx) => {
      await new CatalogRepository(tx, t.database.sqlite).insertItemsBulk(common, Array.from({ length: 300 }, (_, i) => columns(i + 1)));
      expect(await new CatalogRepository(tx).hasLiveItems(common.fondsId)).toBe(true);
      throw new Error('crash mid-import');
    })).rejects.toThrow('crash mid-import');
    expect(await count()).toBe(0);
  });

  it('stores every column and finds the rows by code in one query', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => columns(i + 1));
    await inTransaction(ctx, (tx) => new CatalogRepository(tx, t.database.sqlite).insertItemsBulk(common, rows));
    expect(await count()).toBe(6000);
    const repo = new CatalogRepository(t.database.db);
    const found = await repo.liveItemsByCodes(common.fondsId, ['Z109-0002', 'Z109-5999', 'Z109-9999']);
    expect(found.map((r) => r.archival_code).sort()).toEqual(['Z109-0002', 'Z109-5999']);
    const two = found.find((r) => r.item_no === 2)!;
    expect(two).toMatchObject({ ...columns(2), fonds_id: common.fondsId, category_id: common.categoryId, volume_id: null, state: 'active', created_by: 42, version: 1, created_at: common.at, updated_at: common.at });
    expect(await repo.maxItemNo({ categoryId: common.categoryId })).toBe(6000);
  });
});
