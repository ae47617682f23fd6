import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { UnpackError } from './errors.js';
import { DEFAULT_UNPACK_LIMITS, type UnpackLimits } from './limits.js';
import { unpackZip } from './unpack.js';
import { type FixtureEntry, unicodePathExtra, writeZip } from './zip-fixtures.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-unpack-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const limits = (over: Partial<UnpackLimits> = {}): UnpackLimits => ({ ...DEFAULT_UNPACK_LIMITS, ...over });

async function yazlZip(files: Array<[string, Buffer | null]>, mode?: number): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, body] of files) {
    if (body === null) zip.addEmptyDirectory(name);
    else zip.addBuffer(body, name, mode === undefined ? {} : { mode });
  }
  zip.end();
  const path = join(work, 'in.zip');
  await pipeline(zip.outputStream, createWriteStream(path));
  return path;
}

/** Unpacks into `work/out` and returns the refusal, after checking nothing was left behind. */
async function refusal(entries: FixtureEntry[], over: Partial<UnpackLimits> = {}): Promise<UnpackError> {
  const zipPath = await writeZip(join(work, 'bad.zip'), entries);
  const err = await unpackZip(zipPath, join(work, 'out'), limits(over)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnpackError);
  expect((await readdir(work)).sort()).toEqual(['bad.zip']);
  return err as UnpackError;
}

describe('unpackZip: well-formed archives', () => {
  it('unpacks Chinese names, nested folders and empty directories, verifying every CRC', async () => {
    const body = Buffer.from('关于做好2023年度档案移交工作的通知\n'.repeat(50));
    const zipPath = await yazlZip([
      ['文书档案/2023/通知.txt', body],
      ['文书档案/空目录/', null],
      ['readme.txt', Buffer.from('hello')],
    ]);
    const result = await unpackZip(zipPath, join(work, 'out'), limits());

    expect(result.root).toBe(join(work, 'out'));
    expect(result.files).toBe(2);
    expect(result.directories).toBe(1);
    expect(result.totalBytes).toBe(body.length + 5);
    const notice = result.entries.find((e) => e.path === '文书档案/2023/通知.txt')!;
    expect(notice).toMatchObject({ type: 'file', size: body.length, nameEncoding: 'utf-8' });
    expect(notice.compressedSize).toBeLessThan(body.length);
    expect(notice.crc32).toBe(crc32(body).toString(16).padStart(8, '0'));
    expect(result.entries.find((e) => e.path === '文书档案/空目录')).toMatchObject({ type: 'directory', crc32: null });
    expect(await readFile(join(work, 'out/文书档案/2023/通知.txt'))).toEqual(body);
    expect(await readdir(join(work, 'out/文书档案/空目录'))).toEqual([]);
    expect((await readdir(work)).sort()).toEqual(['in.zip', 'out']);
  });

  it('decodes GBK names written without the UTF-8 flag by Chinese Windows tools', async () => {
    const name = '档案移交/文件一览表.xls';
    const zipPath = await writeZip(join(work, 'gbk.zip'), [{ name: iconv.encode(name, 'gbk'), data: Buffer.from('x') }]);
    const result = await unpackZip(zipPath, join(work, 'out'), limits());
    expect(result.entries).toMatchObject([{ path: name, nameEncoding: 'gb18030' }]);
    expect(await readFile(join(work, 'out', name), 'utf8')).toBe('x');
  });

  it('prefers UTF-8 when unflagged bytes decode cleanly, and says so', async () => {
    const zipPath = await writeZip(join(work, 'u.zip'), [
      { name: Buffer.from('照片/合影.jpg', 'utf8'), utf8Flag: false, data: Buffer.from('jpg') },
      { name: 'plain/ascii.txt', utf8Flag: false, data: Buffer.from('a') },
    ]);
    const result = await unpackZip(zipPath, join(work, 'out'), limits());
    expect(result.entries.map((e) => [e.path, e.nameEncoding])).toEqual([
      ['照片/合影.jpg', 'utf-8-unflagged'],
      ['plain/ascii.txt', 'ascii'],
    ]);
  });

  it('honours the Info-ZIP Unicode Path field, unless its CRC shows it is stale', async () => {
    const raw = iconv.encode('旧名.txt', 'gbk');
    const renamed = iconv.encode('其他.txt', 'gbk');
    const zipPath = await writeZip(join(work, 'up.zip'), [
      { name: raw, extra: unicodePathExtra(raw, '新名.txt'), data: Buffer.from('1') },
      // Renamed after the field was written: the field's CRC is still that of the old name.
      { name: renamed, extra: unicodePathExtra(renamed, '过时.txt', raw), data: Buffer.from('2') },
    ]);
    const result = await unpackZip(zipPath, join(work, 'out'), limits());
    expect(result.entries.map((e) => [e.path, e.nameEncoding])).toEqual([
      ['新名.txt', 'unicode-path-field'],
      ['其他.txt', 'gb18030'],
    ]);
  });

  it('keeps names exactly as sent, without Unicode normalisation', async () => {
    const nfd = 'Cafe\u0301.txt';
    const zipPath = await yazlZip([[nfd, Buffer.from('x')]]);
    const result = await unpackZip(zipPath, join(work, 'out'), limits());
    expect(result.entries[0]!.path).toBe(nfd);
    expect(await readdir(join(work, 'out'))).toEqual([nfd]);
  });
});

describe('unpackZip: refusals leave nothing behind', () => {
  const data = Buffer.from('x');

  it.each([
    ['../evil.txt', 'UNPACK_PATH_ESCAPE'],
    ['docs/../../evil.txt', 'UNPACK_PATH_ESCAPE'],
    ['..\\..\\evil.txt', 'UNPACK_PATH_ESCAPE'],
    ['/etc/cron.d/evil', 'UNPACK_ABSOLUTE_PATH'],
    ['C:/Windows/evil.dll', 'UNPACK_ABSOLUTE_PATH'],
    ['C:evil.txt', 'UNPACK_ABSOLUTE_PATH'],
    ['\\\\server\\share\\evil', 'UNPACK_ABSOLUTE_PATH'],
    ['docs\\report.doc', 'UNPACK_INVALID_NAME'],
    ['docs/a\u0000.txt', 'UNPACK_INVALID_NAME'],
    ['docs/line\nbreak.txt', 'UNPACK_INVALID_NAME'],
    ['docs//double.txt', 'UNPACK_INVALID_NAME'],
    ['./docs/dot.txt', 'UNPACK_INVALID_NAME'],
  ])('refuses the entry name %j with %s', async (name, code) => {
    const err = await refusal([{ name: 'ok.txt', data }, { name, data }]);
    expect(err.code).toBe(code);
    expect(err.details).toMatchObject({ entry: name });
    expect(err.message).toContain(name);
    expect(err.message_en).toContain(name);
  });

  it('refuses names that are neither UTF-8 nor GB18030, and flagged names that are not UTF-8', async () => {
    expect((await refusal([{ name: Buffer.from([0x61, 0xff, 0x62]), data }])).code).toBe('UNPACK_INVALID_NAME');
    expect((await refusal([{ name: iconv.encode('文件.txt', 'gbk'), utf8Flag: true, data }])).code).toBe('UNPACK_INVALID_NAME');
  });

  it('refuses symlinks, whichever tool wrote them', async () => {
    const err = await refusal([{ name: 'link', unixMode: 0o120777, data: Buffer.from('/etc/passwd') }]);
    expect(err.code).toBe('UNPACK_SYMLINK');
    expect(err.message_en).toContain('"link"');

    const viaYazl = await yazlZip([['data/passwd', Buffer.from('../../etc/passwd')]], 0o120777);
    await expect(unpackZip(viaYazl, join(work, 'out'), limits())).rejects.toMatchObject({ code: 'UNPACK_SYMLINK' });
    expect((await readdir(work)).sort()).toEqual(['bad.zip', 'in.zip']);
  });

  it('refuses encrypted entries', async () => {
    const err = await refusal([{ name: '密件.doc', flags: 0x1, method: 0, data: Buffer.alloc(20) }]);
    expect(err.code).toBe('UNPACK_ENCRYPTED');
    expect(err.message).toContain('密件.doc');
    // yauzl stops at PKWARE strong encryption before the name is read: the entry is named by position.
    const strong = await refusal([{ name: 'a.txt', data }, { name: '密件.doc', flags: 0x41, method: 0, data }]);
    expect(strong).toMatchObject({ code: 'UNPACK_ENCRYPTED', details: { entry: '#2' } });
  });

  it('refuses compression methods it cannot check', async () => {
    const err = await refusal([{ name: 'big.tif', method: 9, data }]);
    expect(err).toMatchObject({ code: 'UNPACK_UNSUPPORTED_COMPRESSION', details: { method: 9 } });
  });

  it.each([
    [['a.txt', 'a.txt'], 'exact'],
    [['报告/Report.DOC', '报告/report.doc'], 'case'],
    [['Scans/001.tif', 'scans/002.tif'], 'case'],
    [['caf\u00e9.txt', 'cafe\u0301.txt'], 'normalization'],
    [['a', 'a/b.txt'], 'file-directory'],
  ])('refuses colliding names %j (%s)', async (names, kind) => {
    const err = await refusal(names.map((name) => ({ name, data })));
    expect(err.code).toBe('UNPACK_DUPLICATE_PATH');
    expect(err.details).toMatchObject({ kind });
  });

  it('refuses more entries than allowed before reading any', async () => {
    const err = await refusal([1, 2, 3].map((i) => ({ name: `${i}.txt`, data })), { maxEntries: 2 });
    expect(err).toMatchObject({ code: 'UNPACK_TOO_MANY_FILES', details: { count: 3, limit: 2 } });
  });

  it('refuses on the declared sizes before inflating', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    expect((await refusal([{ name: 'a.bin', data: big }], { maxTotalBytes: 1024 * 1024 })).details).toMatchObject({ source: 'declared' });
    const err = await refusal([{ name: 'zeros.bin', data: big }]);
    expect(err).toMatchObject({ code: 'UNPACK_RATIO', details: { declared: true, limit: 200 } });
  });

  it('stops a bomb with a lying header on the bytes actually inflated: ratio', async () => {
    const bomb = Buffer.alloc(40 * 1024 * 1024);
    const err = await refusal([
      { name: 'ok.txt', data },
      { name: 'bomb.bin', data: bomb, declaredSize: 100 },
    ]);
    expect(err).toMatchObject({ code: 'UNPACK_RATIO', details: { entry: 'bomb.bin', declared: false } });
  });

  it('stops a bomb with a lying header on the bytes actually inflated: total, within one chunk of the limit', async () => {
    const limit = 2 * 1024 * 1024;
    const err = await refusal([{ name: 'bomb.bin', data: Buffer.alloc(40 * 1024 * 1024), declaredSize: 100 }], {
      maxTotalBytes: limit,
      maxRatio: 10_000,
    });
    expect(err).toMatchObject({ code: 'UNPACK_TOO_LARGE', details: { entry: 'bomb.bin', source: 'inflated' } });
    expect(err.details!.total as number).toBeLessThanOrEqual(limit + 64 * 1024);
  });

  it('refuses entries that share compressed data (overlapping bomb)', async () => {
    const err = await refusal([
      { name: 'a.txt', data: Buffer.from('same') },
      { name: 'b.txt', data: Buffer.from('same'), sharesDataWith: 0 },
    ]);
    expect(err).toMatchObject({ code: 'UNPACK_OVERLAPPING_ENTRIES', details: { entry: 'b.txt', other: 'a.txt' } });
  });

  it('refuses a CRC or size that does not match the data', async () => {
    const badCrc = await refusal([{ name: 'a.txt', data: Buffer.from('hello'), declaredCrc: 1234 }]);
    expect(badCrc).toMatchObject({ code: 'UNPACK_CORRUPT', details: { entry: 'a.txt', declared: '000004d2' } });
    const badSize = await refusal([{ name: 'a.txt', data: Buffer.from('hello'), declaredSize: 9 }]);
    expect(badSize).toMatchObject({ code: 'UNPACK_CORRUPT', details: { actual: 5, declared: 9 } });
  });

  it('refuses a file that is not a zip, a missing zip and an existing target', async () => {
    await writeFile(join(work, 'bad.zip'), 'not a zip at all');
    await expect(unpackZip(join(work, 'bad.zip'), join(work, 'out'), limits())).rejects.toMatchObject({ code: 'UNPACK_CORRUPT' });
    await expect(unpackZip(join(work, 'missing.zip'), join(work, 'out'), limits())).rejects.toMatchObject({ code: 'UNPACK_NOT_FOUND', status: 404 });
    expect((await readdir(work)).sort()).toEqual(['bad.zip']);

    const zipPath = await writeZip(join(work, 'ok.zip'), [{ name: 'a.txt', data }]);
    await mkdir(join(work, 'out'));
    await writeFile(join(work, 'out', 'keep.txt'), 'mine');
    await expect(unpackZip(zipPath, join(work, 'out'), limits())).rejects.toMatchObject({ code: 'UNPACK_TARGET_EXISTS', status: 409 });
    expect(await readdir(join(work, 'out'))).toEqual(['keep.txt']);
  });
});
