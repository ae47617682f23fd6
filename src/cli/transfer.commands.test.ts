import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TRANSFER_CHECK_IDS } from '../ingest/checks/run.js';
import { codeOf, writePackageDir } from '../ingest/transfer/transfer-testkit.js';
import { createItem } from '../storage/preservation/preservation-testkit.js';
import { createCatalogFixture, createTestApp, type TestApp } from '../test-support/app.js';
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
