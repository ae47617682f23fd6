import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TRANSFER_CHECK_IDS } from '../ingest/checks/run.js';
import { uploadStoreDir } from '../ingest/transfer/inbox.service.js';
import { codeOf, writePackageDir } from '../ingest/transfer/transfer-testkit.js';
import { zipDirectory } from '../ingest/unpack/zip-fixtures.js';
import { runNextJob } from '../platform/jobs/jobs.service.js';
import { createItem } from '../storage/preservation/preservation-testkit.js';
import { cleanUpAfterEach, createCatalogFixture, createTestApp, type TestApp } from '../test-support/app.js';
import { runLantai } from '../test-support/cli.js';
import { BACKENDS } from '../test-support/databases.js';
import { runTransferCheckCommand } from './transfer.commands.js';

const dirs: string[] = [];
let t: TestApp | undefined;
cleanUpAfterEach(() => t, dirs);

async function carrier(count: number, tamper = false): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lantai-transfer-cli-'));
  dirs.push(dir);
  return writePackageDir(join(dir, 'carrier'), count, { tamper });
}

function capture() {
  const text = { stdout: '', stderr: '' };
  return { text, out: { stdout: { write: (s: string) => (text.stdout += s) }, stderr: { write: (s: string) => (text.stderr += s) } } };
}

describe('lantai transfer check', () => {
  it('prints every check and exits 0 for a sound package', async () => {
    const { text, out } = capture();
    expect(await runTransferCheckCommand(await carrier(2), { scanner: null }, out)).toBe(0);
    for (const id of TRANSFER_CHECK_IDS) expect(text.stdout).toContain(` ${id} `);
    expect(text.stdout).toContain('PASSED: no blocking check failed');
    expect(text.stderr).toContain('No --category');
  });

  it('exits 1 for a tampered file, naming the check, the file and why', async () => {
    const { text, out } = capture();
    expect(await runTransferCheckCommand(await carrier(2, true), { scanner: null }, out)).toBe(1);
    expect(text.stdout).toMatch(/不通过\/FAIL\s+LT-YJ-1-1-1 /);
    expect(text.stdout).toContain('电子档案/2023/0001.pdf');
    expect(text.stdout).toContain('FAILED: a blocking check failed');
  });

  it('with --category, finds a code the catalogue holds already', async () => {
    t = await createTestApp('sqlite');
    const fixture = await createCatalogFixture(t, 'archivist');
    await createItem(fixture.archivist, fixture.categoryId, '已在馆藏的文件', { date: '20230315' });
    const { text, out } = capture();
    expect(await runTransferCheckCommand(await carrier(2), { ctx: t.ctx, categoryId: fixture.categoryId, scanner: null }, out)).toBe(1);
    expect(text.stdout).toContain(codeOf(1));
    expect(text.stderr).not.toContain('No --category');
  });
});

describe.each(BACKENDS)('lantai transfer submit (%s)', (dialect) => {
  it('submits to a listening archive, waits for the check and prints the report; exit 1 for a blocking failure, 2 for a refused token', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const { organizations } = await fixture.archivist.json('GET', '/api/v1/organizations', undefined, 200);
    const org = organizations.find((o: { code: string }) => o.code === 'YZ001').id;
    const { token, id: tokenId } = await fixture.archivist.json('POST', `/api/v1/organizations/${org}/tokens`, { name: '办公室系统' }, 201);
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const dir = mkdtempSync(join(tmpdir(), 'lantai-transfer-submit-'));
    dirs.push(dir);
    const zipped = async (name: string, tamper: boolean) => zipDirectory(await carrier(2, tamper), join(dir, name), '');

    /** The CLI, with the archive's job worker running beside it until the CLI is done. */
    async function submitAndWork(zip: string, tok: string) {
      let done = false;
      const cli = runLantai('transfer', 'submit', zip, '--to', `${url}/`, '--token', tok, '--category', String(fixture.categoryId), '--wait', '--interval', '0.05')
        .finally(() => (done = true));
      while (!done) if (!(await runNextJob(t!.ctx))) await sleep(20);
      return cli;
    }

    const sound = await submitAndWork(await zipped('sound.zip', false), token);
    expect(sound.stderr).toBe('');
    expect(sound.stdout).toMatch(/submitted: 移交 \/ transfer #\d+（received）/);
    expect(sound.stdout).toContain('awaiting_decision');
    for (const id of TRANSFER_CHECK_IDS) expect(sound.stdout).toContain(` ${id} `);
    expect(sound.stdout).toContain('PASSED: no blocking check failed');
    expect(sound.code).toBe(0);

    const tampered = await submitAndWork(await zipped('tampered.zip', true), token);
    expect(tampered.stdout).toContain('电子档案/2023/0001.pdf');
    expect(tampered.stdout).toContain('FAILED: a blocking check failed');
    expect(tampered.code).toBe(1);

    await fixture.archivist.json('DELETE', `/api/v1/organizations/${org}/tokens/${tokenId}`, undefined, 200);
    const refused = await submitAndWork(await zipped('again.zip', false), token);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('TOKEN_INVALID');
    expect(refused.stderr).toContain('The transfer token is invalid or revoked');
    expect((await fixture.archivist.json('GET', '/api/v1/transfers', undefined, 200)).items).toHaveLength(2);
    // Both went over tus, and their uploads are gone once received.
    const uploads = await t.ctx.database.db.selectFrom('transfer_uploads').select('transfer_id').orderBy('transfer_id').execute();
    expect(uploads.map((u) => u.transfer_id)).toEqual((await t.ctx.database.db.selectFrom('transfers').select('id').orderBy('id').execute()).map((r) => r.id));
    expect(readdirSync(uploadStoreDir(t.ctx))).toEqual([]);
  });

  it('resumes the upload from the offset the archive holds when the connection drops mid-PATCH', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const { organizations } = await fixture.archivist.json('GET', '/api/v1/organizations', undefined, 200);
    const org = organizations.find((o: { code: string }) => o.code === 'YZ001').id;
    const { token } = await fixture.archivist.json('POST', `/api/v1/organizations/${org}/tokens`, { name: '办公室系统' }, 201);
    const relay = await cuttingRelay(new URL(await t.app.listen({ port: 0, host: '127.0.0.1' })), 1024 * 1024);
    const dir = mkdtempSync(join(tmpdir(), 'lantai-transfer-resume-'));
    dirs.push(dir);
    // Large enough that the archive has stored part of it when the cut comes.
    const content = await carrier(1);
    writeFileSync(join(content, '扫描件.bin'), randomBytes(3 * 1024 * 1024));
    const zip = await zipDirectory(content, join(dir, '移交包.zip'), '');
    try {
      const res = await runLantai('transfer', 'submit', zip, '--to', relay.url, '--token', token, '--category', String(fixture.categoryId));
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(relay.cut).toBe(true);
      // One upload, resumed: created once, asked for its offset after the cut, which was past the start.
      expect(relay.methods.filter((m) => m === 'POST')).toHaveLength(1);
      expect(relay.methods.slice(relay.methods.indexOf('PATCH'))).toEqual(['PATCH', 'HEAD', 'PATCH', 'GET']);
      expect(Number(/^HTTP\/1\.1 200 [^]*?upload-offset: (\d+)/im.exec(relay.answers)?.[1])).toBeGreaterThan(0);
      const [transfer] = await t.ctx.database.db.selectFrom('transfers').selectAll().execute();
      expect(transfer).toMatchObject({ organization_id: org, file_name: '移交包.zip', state: 'received' });
      expect(readFileSync(join(t.ctx.config.dataDir, 'transfers', String(transfer!.id), 'package', '移交包.zip')).equals(readFileSync(zip))).toBe(true);
    } finally {
      await relay.close();
    }
  });
});

/**
 * A TCP relay to the archive that cuts the connection carrying the first PATCH once `cutAfter`
 * bytes of it have passed, as a flaky network would; it records the requests' methods and the
 * answers' text.
 */
async function cuttingRelay(target: URL, cutAfter: number) {
  const state = { url: '', cut: false, methods: [] as string[], answers: '' };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(Number(target.port), target.hostname);
    let patchBytes = -1;
    const drop = () => {
      sockets.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.on('data', (d: Buffer) => {
      state.answers += d.toString('latin1');
      client.write(d);
    });
    client.on('data', (d: Buffer) => {
      const method = /^(POST|HEAD|PATCH|GET|DELETE) /.exec(d.toString('latin1'))?.[1];
      if (method) state.methods.push(method);
      if (method === 'PATCH' && !state.cut) patchBytes = 0;
      if (patchBytes >= 0 && !state.cut && (patchBytes += d.length) > cutAfter) {
        state.cut = true;
        upstream.end(d.subarray(0, d.length - (patchBytes - cutAfter)), () => client.destroy());
        return;
      }
      upstream.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The client's keep-alive connections would hold the relay open.
  const close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
  return Object.assign(state, { close });
}
