import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNextJob } from '../../platform/jobs/jobs.service.js';
import { type CatalogFixture, cleanUpAfterEach, createCatalogFixture, createTestApp, type Session, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { TRANSFER_CHECK_IDS } from '../checks/run.js';
import { zipDirectory } from '../unpack/zip-fixtures.js';
import { can } from '../../security/actor.js';
import { resolveToken, tokenActor } from './tokens.service.js';
import { packageForm, writePackageDir } from './transfer-testkit.js';
import { receiveTransfer } from './transfer.service.js';

let t: TestApp | undefined;
const dirs: string[] = [];
cleanUpAfterEach(() => t, dirs);

async function zippedCarrier(count: number, tamper = false): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'lantai-transfer-inbox-'));
  dirs.push(dir);
  await writePackageDir(join(dir, 'carrier'), count, { tamper });
  return readFileSync(await zipDirectory(join(dir, 'carrier'), join(dir, 'carrier.zip'), ''));
}

async function organizationId(s: Session, code: string): Promise<number> {
  const { organizations } = await s.json('GET', '/api/v1/organizations', undefined, 200);
  return organizations.find((o: { code: string }) => o.code === code).id;
}

function submit(app: TestApp, token: string | null, zip: Buffer, categoryId: number, extra: Record<string, string> = {}) {
  const form = packageForm({ categoryId: String(categoryId) }, { name: '移交包-2023.zip', bytes: zip });
  return app.app.inject({
    method: 'POST', url: '/api/v1/transfer-inbox', payload: form.payload,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': form.contentType, ...extra },
  });
}

const status = (app: TestApp, token: string, id: number) =>
  app.app.inject({ method: 'GET', url: `/api/v1/transfer-inbox/${id}`, headers: { authorization: `Bearer ${token}` } });

async function issued(fixture: CatalogFixture, orgId: number, name: string): Promise<{ id: number; token: string }> {
  return fixture.archivist.json('POST', `/api/v1/organizations/${orgId}/tokens`, { name }, 201);
}

describe.each(BACKENDS)('online transfer inbox (%s)', (dialect) => {
  it('issues a token once, lists tokens without secrets, revokes them; only with catalog.configure, audited', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const s = fixture.archivist;
    const org = await organizationId(s, 'YZ001');

    const made = await s.json('POST', `/api/v1/organizations/${org}/tokens`, { name: '办公室系统' }, 201);
    expect(made).toMatchObject({ organizationId: org, name: '办公室系统', revokedAt: null, lastUsedAt: null });
    expect(made.token).toMatch(/^lt_[A-Za-z0-9_-]{43}$/);
    expect((await s.call('POST', `/api/v1/organizations/${org}/tokens`, { name: '  ' })).statusCode).toBe(400);
    expect((await s.call('POST', '/api/v1/organizations/999999/tokens', { name: 'x' })).statusCode).toBe(404);

    const listed = await s.json('GET', `/api/v1/organizations/${org}/tokens`, undefined, 200);
    expect(listed.items).toEqual([expect.objectContaining({ id: made.id, name: '办公室系统' })]);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    expect(Object.keys(listed.items[0]).sort()).toEqual(['createdAt', 'createdBy', 'id', 'lastUsedAt', 'name', 'organizationId', 'revokedAt']);
    const stored = await t.ctx.database.db.selectFrom('organization_tokens').selectAll().executeTakeFirstOrThrow();
    expect(stored.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_sha256).not.toContain(made.token.slice(3));

    const keeper = await t.user('keeper1', { businessRole: 'keeper', allFonds: true });
    const reader = await t.user('reader1', { businessRole: 'reader', allFonds: true });
    for (const other of [keeper, reader]) {
      expect((await other.call('POST', `/api/v1/organizations/${org}/tokens`, { name: 'x' })).statusCode).toBe(403);
      expect((await other.call('GET', `/api/v1/organizations/${org}/tokens`)).statusCode).toBe(403);
      expect((await other.call('DELETE', `/api/v1/organizations/${org}/tokens/${made.id}`)).statusCode).toBe(403);
    }

    const revoked = await s.json('DELETE', `/api/v1/organizations/${org}/tokens/${made.id}`, undefined, 200);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await s.call('DELETE', `/api/v1/organizations/${org}/tokens/999999`)).statusCode).toBe(404);
    const audit = await t.ctx.database.db.selectFrom('audit_log').select(['action', 'actor_name']).where('action', 'like', 'transfer.token%').orderBy('seq').execute();
    expect(audit).toEqual([{ action: 'transfer.token_create', actor_name: 'archivist' }, { action: 'transfer.token_revoke', actor_name: 'archivist' }]);
  });

  it('a sender submits with its token, follows the check and reads the report; others see nothing, revoked tokens and sessions are refused', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const s = fixture.archivist;
    const org = await organizationId(s, 'YZ001');
    const otherOrg = (await s.json('POST', '/api/v1/organizations', { code: 'YZ002', name: '峄城区财政局', kind: 'agency' }, 201)).id as number;
    const { token, id: tokenId } = await issued(fixture, org, '办公室系统');
    const otherToken = (await issued(fixture, otherOrg, '财政局系统')).token;

    const res = await submit(t, token, await zippedCarrier(2, true), fixture.categoryId);
    expect(res.statusCode, res.body).toBe(202);
    const { transferId, state } = res.json();
    expect(state).toBe('received');
    expect((await status(t, token, transferId)).json()).toMatchObject({ transferId, state: 'received', report: null });
    expect(await runNextJob(t.ctx)).toMatchObject({ kind: 'transfer.check', state: 'done', result: { transferId, state: 'awaiting_decision', blocking: true } });

    const seen = await status(t, token, transferId);
    expect(seen.statusCode).toBe(200);
    const body = seen.json();
    expect(body).toMatchObject({ transferId, state: 'awaiting_decision', itemCount: 2, fileCount: 4, fileName: '移交包-2023.zip' });
    expect(body.report.checks.map((c: { id: string }) => c.id)).toEqual(TRANSFER_CHECK_IDS);
    expect(body.report.checks.find((c: { id: string }) => c.id === 'LT-YJ-1-1-1')).toMatchObject({ result: 'fail', offending: [{ path: '电子档案/2023/0001.pdf' }] });

    // The archive sees it in its inbox, from that organization; the trail names the token.
    expect(await s.json('GET', `/api/v1/transfers/${transferId}`, undefined, 200)).toMatchObject({ organizationId: org, createdBy: null, state: 'awaiting_decision' });
    const trail = await t.ctx.database.db.selectFrom('audit_log').select(['action', 'actor_name', 'actor_id']).where('action', 'in', ['transfer.receive', 'transfer.check']).orderBy('seq').execute();
    expect(trail).toEqual([
      { action: 'transfer.receive', actor_name: 'token:YZ001/办公室系统', actor_id: null },
      { action: 'transfer.check', actor_name: 'system:transfer-inbox', actor_id: null },
    ]);
    const used = await s.json('GET', `/api/v1/organizations/${org}/tokens`, undefined, 200);
    expect(used.items[0].lastUsedAt).not.toBeNull();

    const foreign = await status(t, otherToken, transferId);
    expect(foreign.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/transfer-inbox/abc', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(404);
    // The token reaches only the inbox: the archive's routes want a session.
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/transfers/${transferId}`, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/organizations', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);

    const session = await s.call('GET', `/api/v1/transfer-inbox/${transferId}`);
    expect(session.statusCode).toBe(401);
    expect((await submit(t, null, await zippedCarrier(1), fixture.categoryId, { cookie: s.cookie, 'x-csrf-token': s.csrf })).statusCode).toBe(401);
    expect((await submit(t, 'lt_unknown', await zippedCarrier(1), fixture.categoryId)).statusCode).toBe(401);

    await s.json('DELETE', `/api/v1/organizations/${org}/tokens/${tokenId}`, undefined, 200);
    for (const refused of [await status(t, token, transferId), await submit(t, token, await zippedCarrier(1), fixture.categoryId)]) {
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringContaining('移交令牌'), message_en: expect.stringContaining('revoked') });
    }
    expect((await s.json('GET', '/api/v1/transfers', undefined, 200)).items).toHaveLength(1);
  });

  it('a token submits a sound package for its own organization into an existing category; nothing is catalogued until the archive accepts', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const org = await organizationId(fixture.archivist, 'YZ001');
    const { token } = await issued(fixture, org, '档案室');
    const sender = tokenActor((await resolveToken(t.ctx, token))!, null);
    expect(can(sender, 'catalog.write') || can(sender, 'catalog.read') || can(sender, 'transfer.receive')).toBe(false);
    // Refused before the package is looked at.
    await expect(receiveTransfer(t.ctx, sender, { path: join(tmpdir(), 'never-read.zip'), fileName: 'x.zip', categoryId: fixture.categoryId, organizationId: org + 1 })).rejects.toMatchObject({ status: 403 });
    expect((await submit(t, token, await zippedCarrier(1), 999999)).statusCode).toBe(404);
    const res = await submit(t, token, await zippedCarrier(2), fixture.categoryId);
    expect(res.statusCode).toBe(202);
    await runNextJob(t.ctx);
    const body = (await status(t, token, res.json().transferId)).json();
    expect(body).toMatchObject({ state: 'awaiting_decision', report: { blocking: false } });
    expect((await fixture.archivist.json('GET', `/api/v1/items?categoryId=${fixture.categoryId}`, undefined, 200)).items).toEqual([]);
  });
});
