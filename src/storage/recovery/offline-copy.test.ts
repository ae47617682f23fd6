import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS, createTestDatabase } from '../../test-support/databases.js';
import { objectPath } from '../ocfl/layout.js';
import type { OcflRepository } from '../ocfl/repository.js';
import { closeLocations } from '../preservation/locations.js';
import { validateOcflPath } from '../ocfl/validate.js';
import { createOfflineCopy, manifestLine } from './offline-copy.js';
import { describeTestArchive, storeTestFiles } from './recovery-testkit.js';

const run = promisify(execFile);
const sha256sum = (dir: string) =>
  run('sha256sum', ['-c', 'manifest-sha256.txt'], { cwd: dir }).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('offline copy manifests', () => {
  it('escape names with a backslash or a line break the way sha256sum -c reads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantai-manifest-'));
    try {
      const names = ['普通.txt', 'a\\b.txt', '换\n行.txt'];
      let manifest = '';
      for (const [i, name] of names.entries()) {
        writeFileSync(join(dir, name), `内容 ${i}`);
        manifest += manifestLine(createHash('sha256').update(`内容 ${i}`).digest('hex'), name);
      }
      expect(manifest.split('\n').filter(Boolean).map((l) => l.startsWith('\\'))).toEqual([false, true, true]);
      writeFileSync(join(dir, 'manifest-sha256.txt'), manifest);
      const r = await sha256sum(dir);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout.match(/: OK$/gm)).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(BACKENDS)('offline copy on %s', (dialect) => {
  let t: TestApp;
  let work: string;
  let repo: OcflRepository;
  let itemIds: number[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ({ itemIds } = await describeTestArchive(t));
    work = mkdtempSync(join(tmpdir(), 'lantai-offline-'));
    repo = await storeTestFiles(t, itemIds, join(work, 'storage'));
  });
  afterAll(async () => {
    await closeLocations(t.ctx);
    await t?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('exports the chosen fonds as a storage root that sha256sum and the OCFL validator verify, and detects one changed byte', async () => {
    const target = join(work, 'copy');
    const progress: number[] = [];
    const report = await createOfflineCopy(t.ctx, { fonds: ['Z109'], target, onProgress: (p) => progress.push(p.done) });
    expect(report).toMatchObject({ target, fonds: { Z109: 4 }, objects: 4, problems: [] });
    expect(progress).toEqual([1, 2, 3, 4]);

    expect(readdirSync(target).sort()).toEqual(['README.txt', 'manifest-sha256.txt', 'manifest-sm3.txt', 'ocfl']);
    const objects = readdirSync(join(target, 'ocfl'), { recursive: true }).filter((p) => String(p).endsWith('0=ocfl_object_1.1'));
    expect(objects.map((p) => String(p).split('/').slice(0, 4).join('/')).sort()).toEqual(itemIds.slice(0, 4).map((id) => objectPath(`lantai:item:${id}`)).sort());

    const listed = readFileSync(join(target, 'manifest-sha256.txt'), 'utf8').trimEnd().split('\n');
    const names = listed.map((l) => l.replace(/^[0-9a-f]{64} {2}/, ''));
    expect(names.sort()).toEqual(filesUnder(target).filter((f) => f.startsWith('ocfl/')).sort());
    expect(report.files).toBe(listed.length);
    const [sm3, path] = readFileSync(join(target, 'manifest-sm3.txt'), 'utf8').split('\n')[0]!.split('  ');
    expect(createHash('sm3').update(readFileSync(join(target, path!))).digest('hex')).toBe(sm3);

    const readme = readFileSync(join(target, 'README.txt'), 'utf8');
    expect(readme).toContain('sha256sum -c manifest-sha256.txt');
    expect(readme).toContain('lantai ocfl validate ocfl');
    expect(readme).toContain('离线');
    expect(readme).toContain('Z109（4）');

    const ok = await sha256sum(target);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout.trimEnd().split('\n')).toHaveLength(listed.length);
    expect((await validateOcflPath(join(target, 'ocfl'))).valid).toBe(true);

    const pdf = join(target, names.find((n) => n.endsWith('.pdf'))!);
    chmodSync(pdf, 0o644);
    const bytes = readFileSync(pdf);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x20;
    writeFileSync(pdf, bytes);
    const bad = await sha256sum(target);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${relative(target, pdf)}: FAILED`);
    const check = await validateOcflPath(join(target, 'ocfl'));
    expect(check.valid).toBe(false);
    expect(check.errors.map((e) => e.code)).toContain('E092');
  });

  it('leaves out an object whose source bytes do not match their digest, says so, and keeps the copy valid', async () => {
    const damaged = `lantai:item:${itemIds[1]}`;
    const file = (await repo.listFiles(damaged)).find((f) => f.logicalPath.endsWith('.pdf'))!;
    const source = join(work, 'storage/ocfl', objectPath(damaged), file.contentPath);
    const original = readFileSync(source);
    writeFileSync(source, Buffer.concat([original, Buffer.from('!')]));
    try {
      const target = join(work, 'copy-damaged');
      const report = await createOfflineCopy(t.ctx, { fonds: ['Z109', 'A001', 'X999'], target });
      expect(report).toMatchObject({ objects: 4, fonds: { Z109: 3, A001: 1, X999: 0 } });
      expect(report.problems.map((p) => p.objectId)).toEqual(['-', damaged]);
      expect(report.problems[1]!.message_en).toContain('digest mismatch');
      expect(report.problems[0]!.message_en).toContain('X999');
      expect((await validateOcflPath(join(target, 'ocfl'))).valid).toBe(true);
      expect((await sha256sum(target)).code).toBe(0);
      expect(readFileSync(join(target, 'README.txt'), 'utf8')).toContain(`${damaged}: 未复制`);
    } finally {
      writeFileSync(source, original);
    }
  });

  it('finds the objects by walking the storage when the database has no preservation records', async () => {
    const empty = await createTestDatabase(dialect);
    const ctx = { database: empty.database, config: t.ctx.config };
    try {
      const report = await createOfflineCopy(ctx, { fonds: ['A001'], target: join(work, 'walked') });
      expect(report).toMatchObject({ objects: 1, fonds: { A001: 1 }, problems: [] });
      expect(readdirSync(join(work, 'walked/ocfl'), { recursive: true }).map(String)).toContain(objectPath(`lantai:item:${itemIds[4]}`));
      expect((await sha256sum(join(work, 'walked'))).code).toBe(0);
    } finally {
      await closeLocations(ctx);
      await empty.dispose();
    }
  });

  it('refuses a target that is not empty, and fonds it holds nothing of', async () => {
    const target = join(work, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'x');
    await expect(createOfflineCopy(t.ctx, { fonds: ['Z109'], target })).rejects.toMatchObject({ code: 'OFFLINE_COPY_TARGET_NOT_EMPTY', message: expect.stringContaining('不是空目录') });
    expect(readdirSync(target)).toEqual(['keep.txt']);
    await expect(createOfflineCopy(t.ctx, { fonds: ['X999'], target: join(work, 'none') })).rejects.toMatchObject({ code: 'OFFLINE_COPY_NOTHING_SELECTED', message_en: expect.stringContaining('X999') });
  });
});
