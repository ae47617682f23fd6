/**
 * Test fixtures for recovery: a small archive described through the API and its items' files
 * stored through the preservation service, as OCFL objects carrying their metadata.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actorFromUser, type Actor } from '../../security/actor.js';
import { UsersRepository } from '../../security/users.repository.js';
import type { Session, TestApp } from '../../test-support/app.js';
import type { OcflRepository } from '../ocfl/repository.js';
import { primaryLocation } from '../preservation/locations.js';
import { storeItemFiles } from '../preservation/preservation.service.js';

export const ARCHIVIST = 'recorder';

export interface TestArchive {
  archivist: Session;
  itemIds: number[];
}

/**
 * Two fonds (Z109, A001) under a two-level organization chain; an item-arranged category with a
 * field of its own and a volume-arranged one with a volume; items with and without optional
 * values, one of them edited.
 */
export async function describeTestArchive(t: TestApp): Promise<TestArchive> {
  const archivist = await t.user(ARCHIVIST, { businessRole: 'archivist', clearance: '机密', allFonds: true });
  const city = await archivist.json('POST', '/api/v1/organizations', { code: 'ZZ000', name: '枣庄市档案馆', kind: 'archive' }, 201);
  const county = await archivist.json('POST', '/api/v1/organizations', { code: 'YZ001', name: '峄城区人民政府办公室', kind: 'agency', parentId: city.id }, 201);
  const z109 = await archivist.json('POST', '/api/v1/fonds', { organizationId: county.id, code: 'Z109', name: '峄城区人民政府', startYear: 1950, history: '1950 年设立。' }, 201);
  const a001 = await archivist.json('POST', '/api/v1/fonds', { organizationId: city.id, code: 'A001', name: '枣庄市档案馆' }, 201);
  const ws = await archivist.json('POST', `/api/v1/fonds/${z109.id}/categories`, {
    code: 'WS', fieldSchema: [{ name: 'carrier', label: { zh: '载体形态', en: 'Carrier' }, type: 'enum', values: ['纸质', '电子'] }],
  }, 201);
  const kj = await archivist.json('POST', `/api/v1/fonds/${z109.id}/categories`, { code: 'KJ', name: '科技档案', arrangement: 'volume' }, 201);
  const ws2 = await archivist.json('POST', `/api/v1/fonds/${a001.id}/categories`, { code: 'WS' }, 201);
  const volume = await archivist.json('POST', `/api/v1/categories/${kj.id}/volumes`, { title: '峄城大桥施工图', year: 2019, retention: 'Y', responsible: '峄城区交通局' }, 201);

  const base = { responsible: '峄城区人民政府办公室', retention: 'Y', org: '办公室' };
  const created = [
    await archivist.json('POST', '/api/v1/items', { categoryId: ws.id, fields: { ...base, title: '关于做好2011年度档案工作的通知', date: '20110315', doc_number: '峄政办发〔2011〕12号', carrier: '电子' } }, 201),
    await archivist.json('POST', '/api/v1/items', { categoryId: ws.id, fields: { ...base, title: '关于峄城区石榴园保护的批复', date: '20110402', item_no: 10, pages: 3, notes: '附图一张' } }, 201),
    await archivist.json('POST', '/api/v1/items', { categoryId: ws.id, fields: { ...base, title: '峄城区人民政府工作报告', date: '201112', retention: 'D30', classification: '秘密', secrecy_period: '10' } }, 201),
    await archivist.json('POST', '/api/v1/items', { categoryId: kj.id, volumeId: volume.id, fields: { title: '桥墩施工图', responsible: '峄城区交通局', date: '20190601' } }, 201),
    await archivist.json('POST', '/api/v1/items', { categoryId: ws2.id, fields: { title: '枣庄市档案馆2020年工作总结', responsible: '枣庄市档案馆', date: '20201230', retention: 'D10' } }, 201),
  ];
  const edited = created[1];
  await archivist.json('PATCH', `/api/v1/items/${edited.id}`, { version: edited.version, fields: { title: '关于峄城区石榴园保护工作的批复', open_status: '开放' } }, 200);
  return { archivist, itemIds: created.map((i) => i.id) };
}

async function actorNamed(t: TestApp, username: string): Promise<Actor> {
  const users = new UsersRepository(t.ctx.database.db);
  const user = (await users.byUsername(username))!;
  return actorFromUser(user, await users.fondsOf(user.id), null);
}

/**
 * Stores files for each item through the preservation service, at a primary location in
 * `storageDir` (outside the app's own directory, so it outlives the app); the first item gets a
 * second version. Returns the primary location's repository.
 */
export async function storeTestFiles(t: TestApp, itemIds: number[], storageDir: string): Promise<OcflRepository> {
  t.ctx.config.storageDir = storageDir;
  const actor = await actorNamed(t, ARCHIVIST);
  const dir = mkdtempSync(join(tmpdir(), 'lantai-files-'));
  try {
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    for (const id of itemIds) {
      await storeItemFiles(t.ctx, actor, id, [
        { name: `电子文件/正文${id}.pdf`, path: file(`${id}.pdf`, `%PDF-1.7\n% 第 ${id} 件的正文\n%%EOF\n`) },
        { name: '附件/说明\\备注.txt', path: file(`${id}.txt`, `文件 ${id} 的说明`) },
      ], { message: '归档 / archived' });
    }
    await storeItemFiles(t.ctx, actor, itemIds[0]!, [{ name: '电子文件/修订说明.txt', path: file('rev.txt', '第二版') }], { message: '补充 / supplement' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return primaryLocation(t.ctx).repository();
}
