import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeZip } from '../unpack/zip-fixtures.js';
import { readPackage } from './model.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-readpkg-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('readPackage', () => {
  it('refuses what it cannot recognise, bilingually', async () => {
    const dir = join(work, 'unknown');
    await mkdir(dir);
    await writeFile(join(dir, 'a.bin'), 'x');
    await expect(readPackage(dir, { workDir: join(work, 'w') })).rejects.toMatchObject({ code: 'PACKAGE_FORMAT_UNKNOWN', status: 422, message_en: expect.stringContaining('Cannot tell the format') });
    await expect(readPackage(join(work, 'nothing'), { workDir: join(work, 'w') })).rejects.toMatchObject({ code: 'PACKAGE_NOT_FOUND', status: 404 });
  });

  it("passes on the unpacker's refusals: zip slip, links in a directory", async () => {
    const zip = await writeZip(join(work, 'slip.zip'), [{ name: '../说明文件.txt', data: Buffer.from('x') }]);
    await expect(readPackage(zip, { workDir: join(work, 'w') })).rejects.toMatchObject({ code: 'UNPACK_PATH_ESCAPE' });
    const dir = join(work, 'linked');
    await mkdir(dir);
    await writeFile(join(dir, '文件目录.xml'), '<文件目录/>');
    await symlink('/etc/passwd', join(dir, '电子档案'));
    await expect(readPackage(dir, { workDir: join(work, 'w') })).rejects.toMatchObject({ code: 'UNPACK_SYMLINK' });
  });

  it('lets the caller name the format', async () => {
    const dir = join(work, 'forced');
    await mkdir(dir);
    await writeFile(join(dir, '说明文件.txt'), '移交单位：某单位\n');
    const pkg = await readPackage(dir, { workDir: join(work, 'w'), format: 'digitization' });
    expect(pkg.format).toBe('digitization');
    expect(pkg.findings.map((f) => f.code)).toEqual(['DIGITIZATION_CATALOGUE_MISSING']);
  });
});
