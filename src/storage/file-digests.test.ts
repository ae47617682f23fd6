import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../test-support/random.js';
import { digestBuffer } from './digests.js';
import { digestFile } from './file-digests.js';

const dir = mkdtempSync(join(tmpdir(), 'lantai-file-digests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomFile(name: string, size: number, seed: number): { path: string; bytes: Buffer } {
  const r = seededRandom(seed);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(r() * 256);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('digestFile (worker threads)', () => {
  it('gives the same size and digests as hashing the bytes in memory, for empty, small and multi-chunk files', async () => {
    for (const [i, size] of [0, 1, 4096, (1 << 20) + 17, 3 << 20].entries()) {
      const { path, bytes } = randomFile(`f${i}.bin`, size, i + 1);
      expect(await digestFile(path, ['sha512', 'sha256', 'sm3', 'md5'] as const)).toEqual(digestBuffer(bytes, ['sha512', 'sha256', 'sm3', 'md5'] as const));
    }
  });

  it('keeps every answer with its own file when many are hashed at once', async () => {
    const files = Array.from({ length: 40 }, (_, i) => randomFile(`many-${i}.bin`, 1000 + i * 997, 100 + i));
    const results = await Promise.all(files.map((f) => digestFile(f.path, ['sm3'] as const)));
    expect(results).toEqual(files.map((f) => digestBuffer(f.bytes, ['sm3'] as const)));
  });

  it('fails with the filesystem error code, and the pool goes on working', async () => {
    await expect(digestFile(join(dir, '不存在.pdf'), ['sha512'] as const)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(digestFile(dir, ['sha512'] as const)).rejects.toMatchObject({ code: 'EISDIR' });
    const { path, bytes } = randomFile('after.bin', 10, 7);
    expect(await digestFile(path, ['sha256'] as const)).toEqual(digestBuffer(bytes, ['sha256'] as const));
  });
});
