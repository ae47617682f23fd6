import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFile } from './validate-digest.js';
import { editInventories, sampleArchive, writeObject } from './validate-testkit.js';
import { runValidateCommand, validateOcflPath } from './validate.js';

let work: string;
let cases = 0;
const fresh = () => join(work, `case-${++cases}`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocfl-validate-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('validateOcflPath', () => {
  it('validates an object when it finds an object declaration', async () => {
    const dir = fresh();
    await writeObject(dir, sampleArchive());
    expect(await validateOcflPath(dir)).toMatchObject({ valid: true, kind: 'object', objectsChecked: 1 });
  });

  it('validates a storage root when it finds a root declaration', async () => {
    const dir = fresh();
    await mkdir(dir);
    await writeFile(join(dir, '0=ocfl_1.1'), 'ocfl_1.1\n');
    await writeObject(join(dir, 'obj'), sampleArchive());
    expect(await validateOcflPath(dir)).toMatchObject({ valid: true, kind: 'storage-root', objectsChecked: 1 });
  });

  it('checks an undeclared directory that has an inventory as an object', async () => {
    const dir = fresh();
    await writeObject(dir, sampleArchive());
    await rm(join(dir, '0=ocfl_object_1.1'));
    const result = await validateOcflPath(dir);
    expect(result.kind).toBe('object');
    expect(result.errors.map((f) => f.code)).toEqual(['E003']);
  });

  it('says a directory with neither declaration is neither an object nor a storage root', async () => {
    const dir = fresh();
    await mkdir(dir);
    await writeFile(join(dir, 'readme.txt'), 'x');
    const result = await validateOcflPath(dir);
    expect(result.errors.map((f) => f.code)).toEqual(['E003', 'E069']);
    expect(result.objectsChecked).toBe(0);
  });

  it('reports a path that cannot be read', async () => {
    const result = await validateOcflPath(join(work, 'does-not-exist'));
    expect(result).toMatchObject({ valid: false, objectsChecked: 0 });
    expect(result.errors.map((f) => f.code)).toEqual(['E003']);
  });
});

describe('runValidateCommand', () => {
  async function run(path: string) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runValidateCommand(path, { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  it('exits 0 with only a bilingual summary for a valid object', async () => {
    const dir = fresh();
    await writeObject(dir, sampleArchive());
    expect(await run(dir)).toEqual({
      code: 0,
      stdout: 'OCFL 对象有效：检查对象 1 个，错误 0 个，警告 0 个 / OCFL object is valid: 1 object(s) checked, 0 error(s), 0 warning(s)\n',
      stderr: '',
    });
  });

  it('exits 0 with warnings on stderr when there are only warnings', async () => {
    const dir = fresh();
    await writeObject(dir, { ...sampleArchive(), digestAlgorithm: 'sha256' });
    const { code, stdout, stderr } = await run(dir);
    expect(code).toBe(0);
    expect(stderr).toBe('W004 inventory.json digestAlgorithm should be sha512, not sha256\n');
    expect(stdout).toContain('警告 1 个');
  });

  it('exits 1 and prints errors on stdout as CODE PATH MESSAGE', async () => {
    const dir = fresh();
    await writeObject(dir, sampleArchive());
    await editInventories(dir, ['inventory.json', 'v2/inventory.json'], (inv) => (inv.head = 'v1'));
    const { code, stdout } = await run(dir);
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([
      'E040 inventory.json "head" is v1 but the latest version is v2',
      'OCFL 对象无效：检查对象 1 个，错误 1 个，警告 0 个 / OCFL object is invalid: 1 object(s) checked, 1 error(s), 0 warning(s)',
      '',
    ]);
  });

  it('exits 2 when the path does not exist or is not a directory', async () => {
    const missing = await run(join(work, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^无法读取 \/ Cannot read .*nowhere: ENOENT/);
    const file = join(work, 'plain.txt');
    await writeFile(file, 'x');
    expect((await run(file)).code).toBe(2);
  });
});

describe('streaming digests', () => {
  const MiB = 1 << 20;

  /** Writes 30 MiB a chunk at a time and returns its sha512, so no 30 MiB buffer exists here either. */
  async function writeLargeFile(path: string): Promise<string> {
    const hash = createHash('sha512');
    const handle = await open(path, 'w');
    try {
      for (let i = 0; i < 30; i++) {
        const chunk = Buffer.alloc(MiB, `第${i}块档案数据`);
        hash.update(chunk);
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    return hash.digest('hex');
  }

  it('hashes a 30 MiB file in 1 MiB reads, every algorithm in the same pass', async () => {
    const path = join(work, 'large.bin');
    const sha512 = await writeLargeFile(path);
    const { digests, size, reads } = await digestFile(path, ['sha512', 'sha256', 'sm3', 'size']);
    expect(size).toBe(30 * MiB);
    // 30 full chunks and the read that finds the end: the file is never held whole.
    expect(reads).toBe(31);
    expect(digests.get('sha512')).toBe(sha512);
    expect(digests.get('size')).toBe(String(30 * MiB));
    expect(digests.get('sm3')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates an object holding a 30 MiB file and catches one changed byte at its end', async () => {
    const dir = fresh();
    const spec = sampleArchive();
    const big = '电子档案/扫描件/全宗卷.tif';
    const content = Buffer.alloc(30 * MiB, '全宗卷扫描数据');
    spec.versions[1]!.files[big] = content;
    await writeObject(dir, spec);
    expect(await validateOcflPath(dir)).toMatchObject({ valid: true, errors: [], warnings: [] });

    const handle = await open(join(dir, 'v2/content', big), 'r+');
    await handle.write(Buffer.from([content[content.length - 1]! ^ 0xff]), 0, 1, content.length - 1);
    await handle.close();
    const result = await validateOcflPath(dir);
    expect(result.errors.map((f) => `${f.code} ${f.path} ${f.message.split(' ')[0]}`)).toEqual([
      `E092 v2/content/${big} sha512`,
      `E093 v2/content/${big} sha256`,
      `E093 v2/content/${big} sm3`,
    ]);
  });
});
