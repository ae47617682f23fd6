import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runNextJob } from '../../platform/jobs/jobs.service.js';
import { type CatalogFixture, cleanUpAfterEach, createCatalogFixture, createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { TRANSFER_CHECK_IDS } from '../checks/run.js';
import { zipDirectory } from '../unpack/zip-fixtures.js';
import { sweepExpiredUploads, uploadStore, uploadStoreDir } from './inbox.service.js';
import { writePackageDir } from './transfer-testkit.js';
import { transferDir } from './transfer.service.js';

let t: TestApp | undefined;
const dirs: string[] = [];
cleanUpAfterEach(() => t, dirs);

const UPLOADS = '/api/v1/transfer-inbox/uploads';
const FILE_NAME = '峄城区办公室移交包-2023年.zip';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

async function zippedCarrier(count: number): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'lantai-transfer-uploads-'));
  dirs.push(dir);
  await writePackageDir(join(dir, 'carrier'), count);
  return readFileSync(await zipDirectory(join(dir, 'carrier'), join(dir, 'carrier.zip'), ''));
}

/** One tus request, as a sender's client sends it. */
function tus(app: TestApp, token: string | null, method: 'POST' | 'HEAD' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string> = {}, payload?: Buffer) {
  return app.app.inject({
    method, url, payload,
    headers: { 'tus-resumable': '1.0.0', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/offset+octet-stream' } : {}), ...headers },
  });
}

const create = (app: TestApp, token: string | null, length: number, categoryId: number, fileName = FILE_NAME) =>
  tus(app, token, 'POST', UPLOADS, { 'upload-length': String(length), 'upload-metadata': `filename ${b64(fileName)},categoryId ${b64(String(categoryId))}` });

const patch = (app: TestApp, token: string, url: string, offset: number, chunk: Buffer) => tus(app, token, 'PATCH', url, { 'upload-offset': String(offset) }, chunk);

async function senders(fixture: CatalogFixture): Promise<{ org: number; token: string; tokenId: number; otherToken: string }> {
  const s = fixture.archivist;
  const { organizations } = await s.json('GET', '/api/v1/organizations', undefined, 200);
  const org = organizations.find((o: { code: string }) => o.code === 'YZ001').id as number;
  const otherOrg = (await s.json('POST', '/api/v1/organizations', { code: 'YZ002', name: '峄城区财政局', kind: 'agency' }, 201)).id as number;
  const { token, id: tokenId } = await s.json('POST', `/api/v1/organizations/${org}/tokens`, { name: '办公室系统' }, 201);
  const otherToken = (await s.json('POST', `/api/v1/organizations/${otherOrg}/tokens`, { name: '财政局系统' }, 201)).token;
  return { org, token, tokenId, otherToken };
}

const expectError = (res: { statusCode: number; json(): any }, status: number, code: string) => {
  expect(res.statusCode).toBe(status);
  expect(res.json().error).toMatchObject({ code, message: expect.stringMatching(/\p{Script=Han}/u), message_en: expect.stringMatching(/[a-z]/) });
};

describe.each(BACKENDS)('resumable transfer uploads over tus (%s)', (dialect) => {
  it('uploads in chunks, resumes from the offset HEAD reports after an interruption, and the finished upload becomes a checked transfer', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const { org, token } = await senders(fixture);
    const zip = await zippedCarrier(2);
    const chunk = Math.ceil(zip.length / 5);

    const created = await create(t, token, zip.length, fixture.categoryId);
    expect(created.statusCode, created.body).toBe(201);
    const url = created.headers.location as string;
    expect(url).toMatch(new RegExp(`^${UPLOADS}/[0-9a-f]+$`));
    const uploadId = url.split('/').pop()!;
    for (let offset = 0; offset < 2 * chunk; offset += chunk) {
      const res = await patch(t, token, url, offset, zip.subarray(offset, offset + chunk));
      expect(res.statusCode, res.body).toBe(204);
      expect(res.headers['upload-offset']).toBe(String(offset + chunk));
    }

    // The sender's connection dropped; its client asks where to go on.
    const head = await tus(t, token, 'HEAD', url);
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({ 'upload-offset': String(2 * chunk), 'upload-length': String(zip.length) });
    expect(head.headers['upload-metadata']).toContain(`filename ${b64(FILE_NAME)}`);
    expectError(await patch(t, token, url, chunk, zip.subarray(chunk)), 409, 'UPLOAD_OFFSET_MISMATCH');
    expect((await tus(t, token, 'HEAD', url.replace('uploads/', 'uploads/0'))).statusCode).toBe(404);
    expectError((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })), 409, 'UPLOAD_INCOMPLETE');
    expect(await t.ctx.database.db.selectFrom('transfers').select('id').execute()).toEqual([]);

    let last;
    for (let offset = 2 * chunk; offset < zip.length; offset += chunk) last = await patch(t, token, url, offset, zip.subarray(offset, offset + chunk));
    expect(last!.statusCode, last!.body).toBe(204);
    expect(last!.headers['upload-offset']).toBe(String(zip.length));
    const transferId = Number(last!.headers['lantai-transfer-id']);
    expect(transferId).toBeGreaterThan(0);

    // Received exactly as a multipart submission is: the package kept, its check queued, the trail naming the token.
    expect(await runNextJob(t.ctx)).toMatchObject({ kind: 'transfer.check', state: 'done', result: { transferId, state: 'awaiting_decision', blocking: false } });
    const seen = (await t.app.inject({ method: 'GET', url: `/api/v1/transfer-inbox/${transferId}`, headers: { authorization: `Bearer ${token}` } })).json();
    expect(seen).toMatchObject({ transferId, state: 'awaiting_decision', fileName: FILE_NAME, itemCount: 2 });
    expect(readFileSync(join(transferDir(t.ctx, transferId), 'package', FILE_NAME)).equals(zip)).toBe(true);
    expect(seen.report.checks.map((c: { id: string }) => c.id)).toEqual(TRANSFER_CHECK_IDS);
    expect(await fixture.archivist.json('GET', `/api/v1/transfers/${transferId}`, undefined, 200)).toMatchObject({ organizationId: org, fileName: FILE_NAME });
    const trail = await t.ctx.database.db.selectFrom('audit_log').select(['action', 'actor_name']).where('action', '=', 'transfer.receive').execute();
    expect(trail).toEqual([{ action: 'transfer.receive', actor_name: 'token:YZ001/办公室系统' }]);

    // The upload itself is gone; its id still names the transfer.
    await vi.waitFor(() => expect(readdirSync(uploadStoreDir(t!.ctx))).toEqual([]));
    const lookup = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expect(lookup.json()).toEqual({ uploadId, transferId, state: 'awaiting_decision', location: `/api/v1/transfer-inbox/${transferId}` });
    expect((await tus(t, token, 'HEAD', url)).statusCode).toBe(404);
  });

  it('creation with upload finishes in one request; the size limit is enforced on Upload-Length and on deferred lengths with 413', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const { token } = await senders(fixture);
    const zip = await zippedCarrier(1);

    const whole = await tus(t, token, 'POST', UPLOADS, { 'upload-length': String(zip.length), 'upload-metadata': `filename ${b64('一次上传.zip')},categoryId ${b64(String(fixture.categoryId))}` }, zip);
    expect(whole.statusCode, whole.body).toBe(201);
    expect(Number(whole.headers['lantai-transfer-id'])).toBeGreaterThan(0);

    t.ctx.config.uploadMaxBytes = zip.length - 1;
    const over = await create(t, token, zip.length, fixture.categoryId);
    expectError(over, 413, 'FILE_TOO_LARGE');
    expect(over.json().error.message).toContain(`${zip.length - 1} 字节`);
    expect(over.json().error.message_en).toContain('exceeds the size limit');
    const deferred = await tus(t, token, 'POST', UPLOADS, { 'upload-defer-length': '1', 'upload-metadata': `filename ${b64('a.zip')},categoryId ${b64(String(fixture.categoryId))}` });
    expect(deferred.statusCode, deferred.body).toBe(201);
    expectError(await tus(t, token, 'PATCH', deferred.headers.location as string, { 'upload-offset': '0', 'upload-length': String(zip.length) }, zip), 413, 'FILE_TOO_LARGE');

    expectError(await tus(t, token, 'POST', UPLOADS, { 'upload-length': '10', 'upload-metadata': `categoryId ${b64(String(fixture.categoryId))}` }), 400, 'FIELD_REQUIRED');
    expectError(await create(t, token, 10, 999999), 404, 'NOT_FOUND');
    expect(await t.ctx.database.db.selectFrom('transfer_uploads').select('upload_id').execute()).toHaveLength(2);
  });

  it('a wrong, absent or revoked token is refused before anything is stored; another organization cannot HEAD, PATCH, DELETE or look up an upload', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const { org, token, tokenId, otherToken } = await senders(fixture);
    const zip = await zippedCarrier(1);

    for (const bad of [null, 'lt_unknown', 'not-a-token']) expectError(await create(t, bad, zip.length, fixture.categoryId), 401, 'TOKEN_INVALID');
    // A signed-in archivist's session is no sender either.
    expect((await t.app.inject({ method: 'POST', url: UPLOADS, headers: { 'tus-resumable': '1.0.0', 'upload-length': '10', cookie: fixture.archivist.cookie, 'x-csrf-token': fixture.archivist.csrf } })).statusCode).toBe(401);
    expect(readdirSync(uploadStoreDir(t.ctx))).toEqual([]);

    const url = (await create(t, token, zip.length, fixture.categoryId)).headers.location as string;
    expect((await patch(t, token, url, 0, zip.subarray(0, 100))).statusCode).toBe(204);
    for (const res of [
      await tus(t, otherToken, 'HEAD', url),
      await patch(t, otherToken, url, 100, zip.subarray(100)),
      await tus(t, otherToken, 'DELETE', url),
      await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${otherToken}` } }),
    ]) expect(res.statusCode).toBe(404);
    expect((await tus(t, token, 'HEAD', url)).headers['upload-offset']).toBe('100');

    await fixture.archivist.json('DELETE', `/api/v1/organizations/${org}/tokens/${tokenId}`, undefined, 200);
    expectError(await patch(t, token, url, 100, zip.subarray(100)), 401, 'TOKEN_INVALID');
    expect((await tus(t, token, 'HEAD', url)).statusCode).toBe(401);
    expectError(await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }), 401, 'TOKEN_INVALID');

    // The owner's new token may terminate it: the bytes go.
    const fresh = (await fixture.archivist.json('POST', `/api/v1/organizations/${org}/tokens`, { name: '新令牌' }, 201)).token;
    expect((await tus(t, fresh, 'DELETE', url)).statusCode).toBe(204);
    expect((await tus(t, fresh, 'HEAD', url)).statusCode).toBe(404);
    expect(readdirSync(uploadStoreDir(t.ctx))).toEqual([]);
    expect(await t.ctx.database.db.selectFrom('transfers').select('id').execute()).toEqual([]);
  });

  it('the sweep removes unfinished uploads past their expiry, bytes and records, and leaves fresh ones', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const { token } = await senders(fixture);
    const stale = (await create(t, token, 1000, fixture.categoryId)).headers.location as string;
    const fresh = (await create(t, token, 1000, fixture.categoryId)).headers.location as string;
    expect((await patch(t, token, stale, 0, Buffer.alloc(10))).statusCode).toBe(204);
    const staleId = stale.split('/').pop()!;
    const info = join(uploadStoreDir(t.ctx), `${staleId}.json`);
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000).toISOString();
    writeFileSync(info, JSON.stringify({ ...JSON.parse(readFileSync(info, 'utf8')), creation_date: twoDaysAgo }));
    await t.ctx.database.db.updateTable('transfer_uploads').set({ created_at: twoDaysAgo }).where('upload_id', '=', staleId).execute();

    expectError(await patch(t, token, stale, 10, Buffer.alloc(10)), 410, 'UPLOAD_EXPIRED');
    expect(await sweepExpiredUploads(t.ctx, uploadStore(t.ctx))).toBe(1);
    expect(readdirSync(uploadStoreDir(t.ctx)).filter((f) => f.startsWith(staleId))).toEqual([]);
    expect((await tus(t, token, 'HEAD', stale)).statusCode).toBe(404);
    expect((await tus(t, token, 'HEAD', fresh)).statusCode).toBe(200);
    expect(await t.ctx.database.db.selectFrom('transfer_uploads').select('upload_id').execute()).toEqual([{ upload_id: fresh.split('/').pop() }]);
  });
});
