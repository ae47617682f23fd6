import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { TRANSFER_CHECK_IDS } from '../ingest/checks/run.js';
import { codeOf, writePackageDir } from '../ingest/transfer/transfer-testkit.js';
import { zipDirectory } from '../ingest/unpack/zip-fixtures.js';
import { runNextJob } from '../platform/jobs/jobs.service.js';
import { createItem } from '../storage/preservation/preservation-testkit.js';
import { createCatalogFixture, createTestApp, type TestApp } from '../test-support/app.js';
import { runLantai } from '../test-support/cli.js';
import { BACKENDS } from '../test-support/databases.js';
import { runTransferCheckCommand } from './transfer.commands.js';

const dirs: string[] = [];
let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

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
  });
});
