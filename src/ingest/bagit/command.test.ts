import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBagValidateCommand } from './command.js';
import { writeBag } from './write.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-bag-cmd-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function run(path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runBagValidateCommand(path, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('runBagValidateCommand', () => {
  it('exits 0 for a valid bag, warnings allowed, with a bilingual summary', async () => {
    const dir = join(work, 'bag');
    await writeBag(dir, [{ path: '通知.txt', body: Buffer.from('通知') }], [['Source-Organization', '兰台档案馆']], ['md5']);
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('BagIt 包有效：1 个载荷文件，6 B，算法 md5，1 条警告\nValid bag: 1 payload file, 6 B, algorithms md5, 1 warning\n');
    expect(r.stderr).toMatch(/^警告\/WARNING BAG_ALGORITHM_WEAK {2}manifest-md5.txt\n {2}载荷清单只使用 md5.*\n {2}The payload manifests use only md5/);
  });

  it('exits 1 for an invalid bag, errors on stdout', async () => {
    const dir = join(work, 'bag');
    await writeBag(dir, [{ path: 'a.txt', body: Buffer.from('a') }], []);
    await writeFile(join(dir, 'data', 'a.txt'), 'b');
    const r = await run(dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('错误/ERROR BAG_PAYLOAD_DIGEST_MISMATCH  data/a.txt\n');
    expect(r.stdout).toContain('BagIt 包无效：2 个错误，0 条警告\nInvalid bag: 2 errors, 0 warnings\n');
    expect(r.stderr).toBe('');
  });

  it('exits 2 when there is no directory or file to read', async () => {
    const missing = await run(join(work, 'nope'));
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('找不到 BagIt 包');
    expect(missing.stderr).toContain('not found');

    execFileSync('mkfifo', [join(work, 'pipe')]);
    expect((await run(join(work, 'pipe'))).code).toBe(2);
  });
});
