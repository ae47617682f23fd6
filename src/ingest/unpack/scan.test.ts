import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_UNPACK_LIMITS } from './limits.js';
import { findPathCollisions, pathProblem } from './paths.js';
import { scanDirectory } from './scan.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantai-scan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, body = 'x'): Promise<void> {
  await mkdir(join(dir, rel, '..'), { recursive: true });
  await writeFile(join(dir, rel), body);
}

describe('path rules', () => {
  it('names the first rule a path breaks', () => {
    expect(pathProblem('文书/2023/通知.txt')).toBeNull();
    expect(pathProblem('..foo/bar..')).toBeNull();
    expect(pathProblem('a/../b')).toBe('escape');
    expect(pathProblem('D:\\x')).toBe('absolute');
    expect(pathProblem('a\tb')).toBe('control');
    expect(pathProblem(`${'档'.repeat(86)}.txt`)).toBe('too-long');
    expect(pathProblem('')).toBe('empty');
  });

  it('finds collisions through implied parent directories, once each', () => {
    const found = findPathCollisions([
      { path: 'Scans/1.tif', type: 'file' },
      { path: 'scans/2.tif', type: 'file' },
      { path: 'scans/3.tif', type: 'file' },
    ]);
    expect(found).toEqual([{ kind: 'case', first: 'Scans', second: 'scans' }]);
  });
});

describe('scanDirectory', () => {
  it('lists files and directories with their sizes', async () => {
    await put('文书档案/2023/通知.txt', '通知');
    await mkdir(join(dir, '空目录'));
    const result = await scanDirectory(dir, DEFAULT_UNPACK_LIMITS);
    expect(result).toMatchObject({ root: dir, files: 1, directories: 3, totalBytes: 6 });
    expect(result.entries.map((e) => e.path)).toEqual(['文书档案', '文书档案/2023', '文书档案/2023/通知.txt', '空目录']);
  });

  it('refuses symlinks anywhere in the tree, even ones pointing inside', async () => {
    await put('a/real.txt');
    await symlink(join(dir, 'a/real.txt'), join(dir, 'a/link.txt'));
    await expect(scanDirectory(dir, DEFAULT_UNPACK_LIMITS)).rejects.toMatchObject({ code: 'UNPACK_SYMLINK', details: { entry: 'a/link.txt' } });
  });

  it('refuses pipes and other special files', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await expect(scanDirectory(dir, DEFAULT_UNPACK_LIMITS)).rejects.toMatchObject({ code: 'UNPACK_SPECIAL_FILE' });
  });

  it('refuses names that collide on Windows or macOS', async () => {
    await put('报告/Report.doc');
    await put('报告/report.doc');
    await expect(scanDirectory(dir, DEFAULT_UNPACK_LIMITS)).rejects.toMatchObject({
      code: 'UNPACK_DUPLICATE_PATH',
      details: { kind: 'case', other: '报告/Report.doc', entry: '报告/report.doc' },
    });
  });

  it('refuses names that are not UTF-8, showing them as GB18030', async () => {
    await mkdir(join(dir, 'sub'));
    await writeFile(Buffer.concat([Buffer.from(`${dir}/sub/`), iconv.encode('文件.xls', 'gbk')]), 'x');
    await expect(scanDirectory(dir, DEFAULT_UNPACK_LIMITS)).rejects.toMatchObject({
      code: 'UNPACK_INVALID_NAME',
      details: { entry: 'sub/文件.xls' },
    });
  });

  it('refuses backslashes and control characters that Linux allows', async () => {
    await put('a\\b.txt');
    await expect(scanDirectory(dir, DEFAULT_UNPACK_LIMITS)).rejects.toMatchObject({ code: 'UNPACK_INVALID_NAME', details: { problem: 'backslash' } });
  });

  it('applies the entry and size limits', async () => {
    for (const n of [1, 2, 3]) await put(`${n}.txt`, 'abcd');
    await expect(scanDirectory(dir, { ...DEFAULT_UNPACK_LIMITS, maxEntries: 2 })).rejects.toMatchObject({ code: 'UNPACK_TOO_MANY_FILES' });
    await expect(scanDirectory(dir, { ...DEFAULT_UNPACK_LIMITS, maxTotalBytes: 10 })).rejects.toMatchObject({
      code: 'UNPACK_TOO_LARGE',
      details: { total: 12, source: 'on-disk' },
    });
  });

  it('reports a missing directory', async () => {
    await expect(scanDirectory(join(dir, 'nope'), DEFAULT_UNPACK_LIMITS)).rejects.toMatchObject({ code: 'UNPACK_NOT_FOUND' });
  });
});
