import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob, runNextJob } from '../platform/jobs/jobs.service.js';
import { REPLICATE_JOB } from '../storage/preservation/jobs.js';
import { refreshStaleMetadata } from '../storage/preservation/preservation.service.js';
import { closeLocations } from '../storage/preservation/locations.js';
import { ITEM_METADATA_FORMAT, type ItemMetadata } from '../storage/preservation/metadata.js';
import { createItem, fsLocation, uploadFiles, useLocations, validateAt } from '../storage/preservation/preservation-testkit.js';
import { createCatalogFixture, createTestApp, type Session, STRONG_PASSWORD, type TestApp } from '../test-support/app.js';
import { BACKENDS } from '../test-support/databases.js';
import { startS3Server, type TestS3Server } from '../test-support/s3-server.js';

const hash = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');
const NOTICE = '电子文件/关于2023年工作的通知.pdf';
const TABLE = '附件/统计表 <第1号> & “说明”.txt';
const TITLE = '关于做好2023年度档案工作的通知';

describe.each(BACKENDS)('preservation API on %s', (dialect) => {
  let t: TestApp;
  let s3: TestS3Server;
  let archivist: Session;
  let fondsId: number;
  let categoryId: number;
  let itemId: number;
  let pdf: Buffer;
  const text = Buffer.from('序号,项目,金额\n1,档案数字化,12000\n', 'utf8');

  beforeAll(async () => {
    t = await createTestApp(dialect);
    s3 = await startS3Server();
    useLocations(t.ctx, [
      fsLocation('primary', join(t.ctx.config.dataDir, 'primary')),
      fsLocation('disk2', join(t.ctx.config.dataDir, 'disk2')),
      { name: 'oss', kind: 's3', ...s3.storeConfig(`api-${dialect}`) },
    ]);
    ({ archivist, fondsId, categoryId } = await createCatalogFixture(t, 'zhang'));
    itemId = await createItem(archivist, categoryId, TITLE, { doc_number: '峄政办发〔2023〕1号', notes: 'a < b & "c"', carrier: '电子' });
    const doc = await PDFDocument.create();
    doc.addPage();
    pdf = Buffer.from(await doc.save());
  });
  afterAll(async () => {
    if (t) await closeLocations(t.ctx);
    await t?.dispose();
    await s3?.close();
  });

  it('stores files with Chinese names as one OCFL version on the primary and every replica', async () => {
    const res = await uploadFiles(t, archivist, itemId, [{ name: NOTICE, bytes: pdf }, { name: TABLE, bytes: text }], { message: '首次归档' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ itemId, objectId: `lantai:item:${itemId}`, version: 'v1', created: true });
    expect(body.replicas).toEqual([{ location: 'disk2', state: 'ok' }, { location: 'oss', state: 'ok' }]);
    expect(body.files.map((f: any) => f.path).sort()).toEqual(['lantai/metadata.json', 'lantai/metadata.xml', TABLE, NOTICE].sort());
    const notice = body.files.find((f: any) => f.path === NOTICE);
    expect(notice).toMatchObject({ size: pdf.length, sha512: hash('sha512', pdf), sha256: hash('sha256', pdf), sm3: hash('sm3', pdf), contentPath: `v1/content/${NOTICE}` });
    expect(notice.format).toMatchObject({ mime: 'application/pdf', encrypted: false });
    expect(body.files.find((f: any) => f.path === TABLE).format).toMatchObject({ mime: expect.stringContaining('text/') });
    for (const location of ['primary', 'disk2', 'oss']) {
      const result = await validateAt(t.ctx, location, itemId);
      expect(result.kind).toBe('object');
      expect(result.errors, `${location}: ${JSON.stringify(result.errors)}`).toEqual([]);
    }
  });

  it('writes the item metadata as lantai/metadata.json and a DA/T 46-style lantai/metadata.xml', async () => {
    const download = (path: string) => archivist.call('GET', `/api/v1/items/${itemId}/files/content?path=${encodeURIComponent(path)}`);
    const meta = JSON.parse((await download('lantai/metadata.json')).body) as ItemMetadata;
    expect(meta).toMatchObject({
      format: ITEM_METADATA_FORMAT,
      organizations: [{ code: 'YZ001', name: '峄城区人民政府办公室', kind: 'agency' }],
      fonds: { code: 'Z109', name: '峄城区人民政府' },
      category: { code: 'WS', field_schema: [expect.objectContaining({ name: 'carrier' })] },
      volume: null,
      item: { id: itemId, title: TITLE, doc_number: '峄政办发〔2023〕1号', retention: 'Y', extra: { carrier: '电子' }, notes: 'a < b & "c"' },
    });
    const xml = (await download('lantai/metadata.xml')).body;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<文件实体>')).toBe(true);
    expect(xml).toContain(`<档号>${meta.item.archival_code}</档号>`);
    expect(xml).toContain(`<题名>${TITLE}</题名>`);
    expect(xml).toContain('<保管期限>永久</保管期限>');
    expect(xml).toContain('<附注>a &lt; b &amp; &quot;c&quot;</附注>');
    expect(xml).toContain('<著录项 名称="载体形态" 字段="carrier">电子</著录项>');
    expect(xml).not.toContain('<!DOCTYPE');
  });

  it('makes v2 on a second upload and keeps v1', async () => {
    const note = Buffer.from('补充说明：第二次上传\n', 'utf8');
    const res = await uploadFiles(t, archivist, itemId, [{ name: '补充说明.txt', bytes: note }]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().version).toBe('v2');
    const v2 = await archivist.json('GET', `/api/v1/items/${itemId}/files`, undefined, 200);
    expect(v2.version).toBe('v2');
    expect(v2.files.map((f: any) => f.path)).toEqual(expect.arrayContaining([NOTICE, TABLE, '补充说明.txt']));
    // Unchanged content is not stored again: the notice still points at v1's copy.
    expect(v2.files.find((f: any) => f.path === NOTICE).contentPath).toBe(`v1/content/${NOTICE}`);
    expect(v2.versions.map((v: any) => [v.version, v.message])).toEqual([['v1', '首次归档'], ['v2', expect.stringContaining('1')]]);
    expect(v2.locations.map((l: any) => [l.location, l.version, l.state])).toEqual([['disk2', 'v2', 'ok'], ['oss', 'v2', 'ok'], ['primary', 'v2', 'ok']]);
    const v1 = await archivist.json('GET', `/api/v1/items/${itemId}/files?version=v1`, undefined, 200);
    expect(v1.files.map((f: any) => f.path)).not.toContain('补充说明.txt');
    const old = await archivist.call('GET', `/api/v1/items/${itemId}/files/content?path=${encodeURIComponent(TABLE)}&version=1`);
    expect(Buffer.from(old.rawPayload)).toEqual(text);
    for (const location of ['primary', 'disk2', 'oss']) expect((await validateAt(t.ctx, location, itemId)).errors).toEqual([]);

    const kinds = v2.events.map((e: any) => `${e.kind}:${e.location}:${e.result}`);
    expect(kinds.filter((k: string) => k === 'ingest:primary:pass')).toHaveLength(2);
    expect(kinds.filter((k: string) => k.startsWith('replicate:'))).toEqual(['replicate:oss:pass', 'replicate:disk2:pass', 'replicate:oss:pass', 'replicate:disk2:pass']);
    const audit = await t.ctx.database.db.selectFrom('audit_log').select(['action', 'actor_name', 'details']).where('action', '=', 'preservation.store').orderBy('seq').execute();
    expect(audit.map((a) => [a.actor_name, JSON.parse(a.details!).version])).toEqual([['zhang', 'v1'], ['zhang', 'v2']]);
  });

  it('leaves an unchanged upload as it is, and refuses unsafe names with a bilingual 400', async () => {
    const same = await uploadFiles(t, archivist, itemId, [{ name: '补充说明.txt', bytes: Buffer.from('补充说明：第二次上传\n', 'utf8') }]);
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ version: 'v2', created: false });
    for (const name of ['../逃逸.txt', '电子文件/../../x.txt', '/etc/passwd', 'C:\\Windows\\x.txt', 'lantai/metadata.json']) {
      const res = await uploadFiles(t, archivist, itemId, [{ name, bytes: text }]);
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error).toMatchObject({ code: expect.stringMatching(/^FILE_NAME_(INVALID|RESERVED)$/), message: expect.any(String), message_en: expect.any(String) });
    }
    const files = await archivist.json('GET', `/api/v1/items/${itemId}/files`, undefined, 200);
    expect(files.version).toBe('v2');
  });

  it('audits downloads of items that are not open as views', async () => {
    const res = await archivist.call('GET', `/api/v1/items/${itemId}/files/content?path=${encodeURIComponent(NOTICE)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain(encodeURIComponent('关于2023年工作的通知.pdf'));
    expect(Buffer.from(res.rawPayload)).toEqual(pdf);
    const views = await t.ctx.database.db.selectFrom('audit_log').select('details').where('action', '=', 'item.file.view').execute();
    expect(views.map((v) => JSON.parse(v.details!).path)).toContain(NOTICE);
  });

  it('hides files from readers outside the fonds and content from the system administrator', async () => {
    const outsider = await t.user('li', { businessRole: 'reader', clearance: '机密', fondsIds: [] });
    expect((await outsider.call('GET', `/api/v1/items/${itemId}/files`)).statusCode).toBe(404);
    expect((await outsider.call('GET', `/api/v1/items/${itemId}/files/content?path=${encodeURIComponent(NOTICE)}`)).statusCode).toBe(404);
    expect((await uploadFiles(t, outsider, itemId, [{ name: 'x.txt', bytes: text }])).statusCode).toBe(403);
    const reader = await t.user('wang', { businessRole: 'reader', clearance: '机密', fondsIds: [fondsId] });
    expect((await reader.call('GET', `/api/v1/items/${itemId}/files`)).statusCode).toBe(200);
    expect((await uploadFiles(t, reader, itemId, [{ name: 'x.txt', bytes: text }])).statusCode).toBe(403);

    const sysadmin = await t.login('sysadmin', STRONG_PASSWORD);
    const summary = await sysadmin.json('GET', '/api/v1/preservation/summary', undefined, 200);
    expect(summary.totals).toMatchObject({ objects: 1, versions: 2 });
    expect(summary.locations.map((l: any) => [l.name, l.primary, l.objects, l.versionsBehind])).toEqual([
      ['primary', true, 1, 0], ['disk2', false, 1, 0], ['oss', false, 1, 0],
    ]);
    const events = await sysadmin.json('GET', '/api/v1/preservation/events?kind=ingest', undefined, 200);
    expect(events.events).toHaveLength(2);
    const seen = JSON.stringify([summary, events]);
    for (const secret of [TITLE, '关于2023年工作的通知', '统计表', '补充说明']) expect(seen).not.toContain(secret);
    expect((await sysadmin.call('GET', `/api/v1/items/${itemId}/files`)).statusCode).toBe(403);
    const full = await archivist.json('GET', '/api/v1/preservation/events?kind=ingest&limit=1', undefined, 200);
    expect(full.events[0].details.files).toEqual(['补充说明.txt']);
    expect(full.next).toBe(full.events[0].id);
    expect((await archivist.json('GET', `/api/v1/preservation/events?kind=ingest&before=${full.next}`, undefined, 200)).events).toHaveLength(1);
  });

  it('runs an audit requested through the API as a job', async () => {
    const sysadmin = await t.login('sysadmin', STRONG_PASSWORD);
    expect((await archivist.call('POST', '/api/v1/preservation/audit', { location: 'primary' })).statusCode).toBe(403);
    expect((await sysadmin.call('POST', '/api/v1/preservation/audit', { location: 'nowhere' })).statusCode).toBe(404);
    const { jobId } = await sysadmin.json('POST', '/api/v1/preservation/audit', { location: 'oss', budgetSeconds: 60 }, 202);
    expect((await sysadmin.json('GET', `/api/v1/jobs/${jobId}`, undefined, 200)).state).toBe('queued');
    expect((await archivist.call('GET', `/api/v1/jobs/${jobId}`)).statusCode).toBe(404);
    await runNextJob(t.ctx);
    const job = await sysadmin.json('GET', `/api/v1/jobs/${jobId}`, undefined, 200);
    expect(job).toMatchObject({ state: 'done', kind: 'preservation.fixity-audit', result: [{ location: 'oss', checked: 1, passed: 1, cycleCompleted: true }] });
    const all = await sysadmin.json('POST', '/api/v1/preservation/audit', undefined, 202);
    expect(all.job.payload).toEqual({});
    await runNextJob(t.ctx);
    expect((await sysadmin.json('GET', `/api/v1/jobs/${all.jobId}`, undefined, 200)).result.map((r: any) => [r.location, r.checked])).toEqual([['primary', 1], ['disk2', 1], ['oss', 1]]);
    const summary = await sysadmin.json('GET', '/api/v1/preservation/summary', undefined, 200);
    expect(summary.locations.find((l: any) => l.name === 'oss').audit.lastCompleted).toMatchObject({ cycle: 2, checked: 1, failed: 0 });
    expect(summary.fixity).toMatchObject({ checks: 4, failed: 0, missing: 0 });
  });

  it('brings an object\'s metadata up to date after the item is described anew, through the replication job', async () => {
    const before = await archivist.json('GET', `/api/v1/items/${itemId}/files`, undefined, 200);
    const item = await archivist.json('GET', `/api/v1/items/${itemId}`, undefined, 200);
    await archivist.json('PATCH', `/api/v1/items/${itemId}`, { version: item.version, fields: { title: '关于做好2023年度档案工作的通知（修订）' } }, 200);
    await enqueueJob(t.ctx, REPLICATE_JOB, {}, null);
    expect((await runNextJob(t.ctx))?.result).toMatchObject({ metadata: { refreshed: 1, failed: [] } });
    const after = await archivist.json('GET', `/api/v1/items/${itemId}/files`, undefined, 200);
    expect(after.versions).toHaveLength(before.versions.length + 1);
    const meta = JSON.parse((await archivist.call('GET', `/api/v1/items/${itemId}/files/content?path=lantai%2Fmetadata.json`)).body) as ItemMetadata;
    expect(meta.item.title).toBe('关于做好2023年度档案工作的通知（修订）');
    for (const location of ['primary', 'disk2', 'oss']) expect((await validateAt(t.ctx, location, itemId)).errors).toEqual([]);
    // Up to date now: the next run writes nothing.
    expect(await refreshStaleMetadata(t.ctx)).toEqual({ refreshed: 0, failed: [] });
  });
});
