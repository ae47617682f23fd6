import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeZip, zipDirectory } from '../unpack/zip-fixtures.js';
import { type BagAlgorithm, digestFile } from './digest.js';
import type { BagValidation } from './findings.js';
import { decodeManifestPath, encodeManifestPath, splitLines } from './tag-files.js';
import { validateBag } from './validate.js';
import { writeBag } from './write.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-bag-test-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const NOTICE = Buffer.from('关于做好2023年度文书档案移交工作的通知\n'.repeat(20));
const PAYLOAD = [
  { path: '文书档案/2023/关于档案移交的通知.txt', body: NOTICE },
  { path: '照片/合影 001.jpg', body: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]) },
  { path: 'abc.txt', body: Buffer.from('abc') },
];
const INFO: Array<[string, string]> = [
  ['Source-Organization', '枣庄市峄城区档案馆'],
  ['External-Description', '2023年度文书档案移交'],
  ['Contact-Name', '张三'],
];
const PAYLOAD_BYTES = PAYLOAD.reduce((sum, p) => sum + p.body.length, 0);

async function makeBag(payload = PAYLOAD, algorithms?: BagAlgorithm[], name = 'bag'): Promise<string> {
  const dir = join(work, name);
  await writeBag(dir, payload, INFO, algorithms);
  return dir;
}

const codes = (r: BagValidation) => ({ errors: r.errors.map((e) => e.code), warnings: r.warnings.map((w) => w.code) });

/**
 * After a test breaks one rule by editing tag files, rewrite the tag manifests over the tag files
 * now present, so that the bag breaks that rule and no other.
 */
async function reseal(dir: string): Promise<void> {
  const top = await readdir(dir);
  const tagFiles = top.filter((n) => n !== 'data' && !n.startsWith('tagmanifest-')).sort();
  for (const tm of top.filter((n) => n.startsWith('tagmanifest-'))) {
    const algorithm = tm.slice('tagmanifest-'.length, -'.txt'.length) as BagAlgorithm;
    const lines: string[] = [];
    for (const f of tagFiles) lines.push(`${(await digestFile(join(dir, f), [algorithm])).get(algorithm)}  ${f}\n`);
    await writeFile(join(dir, tm), lines.join(''));
  }
}

async function editTagFile(dir: string, file: string, edit: (text: string) => string): Promise<void> {
  await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  await reseal(dir);
}

describe('writeBag and a valid bag', () => {
  it('writes a bag with Chinese payload names, SHA-256 and SM3 that validates cleanly', async () => {
    const dir = await makeBag();
    expect(await readFile(join(dir, 'bagit.txt'), 'utf8')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    expect((await readdir(dir)).sort()).toEqual([
      'bag-info.txt',
      'bagit.txt',
      'data',
      'manifest-sha256.txt',
      'manifest-sm3.txt',
      'tagmanifest-sha256.txt',
      'tagmanifest-sm3.txt',
    ]);
    // The SM3 test vector of GB/T 32905: SM3("abc").
    expect(await readFile(join(dir, 'manifest-sm3.txt'), 'utf8')).toContain('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0  data/abc.txt\n');
    expect(await readdir(work)).toEqual(['bag']);

    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: [], warnings: [] });
    expect(r).toMatchObject({ valid: true, payloadFiles: 3, payloadBytes: PAYLOAD_BYTES, algorithms: ['sha256', 'sm3'] });
    expect(r.info.slice(0, 3)).toEqual(INFO);
    expect(r.info).toContainEqual(['Payload-Oxum', `${PAYLOAD_BYTES}.3`]);
    expect(r.info.find(([l]) => l === 'Bagging-Date')?.[1]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('percent-encodes %, CR and LF in manifest paths and reads them back', async () => {
    const dir = await makeBag([
      { path: '100%完成.txt', body: Buffer.from('a') },
      { path: 'line\nbreak\r.txt', body: Buffer.from('b') },
    ]);
    const manifest = await readFile(join(dir, 'manifest-sha256.txt'), 'utf8');
    expect(manifest).toContain('  data/100%25完成.txt\n');
    expect(manifest).toContain('  data/line%0Abreak%0D.txt\n');
    expect(codes(await validateBag(dir))).toEqual({ errors: [], warnings: [] });
  });

  it('accepts CRLF and CR line endings in every tag file', async () => {
    const dir = await makeBag();
    for (const f of ['bag-info.txt', 'manifest-sha256.txt']) await editTagFile(dir, f, (t) => t.replace(/\n/g, '\r\n'));
    await editTagFile(dir, 'manifest-sm3.txt', (t) => t.replace(/\n/g, '\r'));
    await writeFile(join(dir, 'bagit.txt'), 'BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n');
    await reseal(dir);
    expect(codes(await validateBag(dir))).toEqual({ errors: [], warnings: [] });
  });

  it('unfolds continuation lines and keeps repeated labels in bag-info.txt', async () => {
    const dir = await makeBag();
    await editTagFile(dir, 'bag-info.txt', (t) => `${t}External-Description: 第一行\n  第二行\n\t第三行\nContact-Name: 李四\n`);
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: [], warnings: [] });
    expect(r.info).toContainEqual(['External-Description', '第一行  第二行\t第三行']);
    expect(r.info.filter(([l]) => l === 'Contact-Name').map(([, v]) => v)).toEqual(['张三', '李四']);
  });

  it('warns, without invalidating, for MD5-only manifests, legacy versions and portability risks', async () => {
    expect(codes(await validateBag(await makeBag(PAYLOAD, ['md5'], 'md5')))).toEqual({ errors: [], warnings: ['BAG_ALGORITHM_WEAK'] });
    expect((await validateBag(await makeBag(PAYLOAD, ['sha1', 'sha512'], 'mixed'))).warnings).toEqual([]);

    const legacy = await makeBag(PAYLOAD, undefined, 'legacy');
    await editTagFile(legacy, 'bagit.txt', (t) => t.replace('1.0', '0.97'));
    expect(codes(await validateBag(legacy))).toEqual({ errors: [], warnings: ['BAG_VERSION_LEGACY'] });

    const cases = await makeBag(
      [
        { path: '报告/Readme.txt', body: Buffer.from('1') },
        { path: '报告/readme.txt', body: Buffer.from('2') },
        { path: 'caf\u00e9.txt', body: Buffer.from('3') },
        { path: 'cafe\u0301.txt', body: Buffer.from('4') },
      ],
      undefined,
      'cases',
    );
    const r = await validateBag(cases);
    expect(r.valid).toBe(true);
    expect(codes(r).warnings.sort()).toEqual(['BAG_PATH_CASE_CONFLICT', 'BAG_PATH_NORMALIZATION_CONFLICT']);
    expect(r.warnings.find((w) => w.code === 'BAG_PATH_CASE_CONFLICT')!.message).toContain('data/报告/Readme.txt');
  });

  it('matches a manifest path to a file that differs only in Unicode normalisation, with a warning', async () => {
    const dir = await makeBag([{ path: 'cafe\u0301.txt', body: Buffer.from('x') }]);
    for (const m of ['manifest-sha256.txt', 'manifest-sm3.txt']) await editTagFile(dir, m, (t) => t.normalize('NFC'));
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: [], warnings: ['BAG_PATH_NORMALIZATION_MISMATCH'] });
  });

  it('treats a bag whose fetched files are all present as complete', async () => {
    const dir = await makeBag();
    await writeFile(join(dir, 'fetch.txt'), `https://example.org/abc.txt 3 data/abc.txt\n`);
    await reseal(dir);
    expect(codes(await validateBag(dir))).toEqual({ errors: [], warnings: [] });
  });
});

describe('validateBag: one broken rule at a time', () => {
  it('missing bagit.txt', async () => {
    const dir = await makeBag();
    await rm(join(dir, 'bagit.txt'));
    await reseal(dir);
    expect(codes(await validateBag(dir))).toEqual({ errors: ['BAG_DECLARATION_MISSING'], warnings: [] });
  });

  it.each([
    ['BagIt-Version: 1\nTag-File-Character-Encoding: UTF-8\n', 'BAG_VERSION_INVALID'],
    ['BagIt-Version:1.0\nTag-File-Character-Encoding: UTF-8\n', 'BAG_VERSION_INVALID'],
    ['BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n', 'BAG_VERSION_UNSUPPORTED'],
    ['BagIt-Version: 1.0\nTag-File-Encoding: UTF-8\n', 'BAG_ENCODING_INVALID'],
    ['BagIt-Version: 1.0\nTag-File-Character-Encoding: KLINGON-8\n', 'BAG_ENCODING_UNKNOWN'],
    ['BagIt-Version: 1.0\n', 'BAG_DECLARATION_INVALID'],
    ['BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nBag-Size: 1 MB\n', 'BAG_DECLARATION_INVALID'],
    ['\ufeffBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n', 'BAG_DECLARATION_BOM'],
  ])('bagit.txt %j', async (text, code) => {
    const dir = await makeBag();
    await writeFile(join(dir, 'bagit.txt'), text);
    await reseal(dir);
    const r = await validateBag(dir);
    expect(codes(r).errors).toEqual([code]);
    expect(r.errors[0]).toMatchObject({ path: 'bagit.txt' });
  });

  it('reads tag files in a declared legacy encoding such as GB18030, with a warning', async () => {
    const dir = await makeBag();
    for (const f of ['bag-info.txt', 'manifest-sha256.txt', 'manifest-sm3.txt']) {
      await writeFile(join(dir, f), iconv.encode(await readFile(join(dir, f), 'utf8'), 'gb18030'));
    }
    await writeFile(join(dir, 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: GB18030\n');
    await reseal(dir);
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: [], warnings: ['BAG_ENCODING_NOT_UTF8'] });
    expect(r.info[0]).toEqual(['Source-Organization', '枣庄市峄城区档案馆']);
  });

  it('missing data/', async () => {
    const dir = await makeBag([]);
    await rm(join(dir, 'data'), { recursive: true });
    expect(codes(await validateBag(dir))).toEqual({ errors: ['BAG_PAYLOAD_DIR_MISSING'], warnings: [] });
  });

  it('missing payload manifest', async () => {
    const dir = await makeBag();
    await rm(join(dir, 'manifest-sha256.txt'));
    await rm(join(dir, 'manifest-sm3.txt'));
    await reseal(dir);
    expect(codes(await validateBag(dir))).toEqual({ errors: ['BAG_MANIFEST_MISSING'], warnings: [] });
  });

  it('a manifest that misses a payload file', async () => {
    const dir = await makeBag();
    await editTagFile(dir, 'manifest-sha256.txt', (t) => t.replace(/^.*照片.*\n/m, ''));
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_PAYLOAD_NOT_IN_MANIFEST'], warnings: [] });
    expect(r.errors[0]).toMatchObject({ path: 'data/照片/合影 001.jpg' });
    expect(r.errors[0]!.message).toContain('manifest-sha256.txt');
    expect(r.errors[0]!.message).not.toContain('manifest-sm3.txt');
  });

  it('an extra payload file in no manifest (which also breaks Payload-Oxum)', async () => {
    const dir = await makeBag();
    await writeFile(join(dir, 'data', 'Thumbs.db'), 'x');
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_PAYLOAD_NOT_IN_MANIFEST', 'BAG_OXUM_MISMATCH'], warnings: [] });
    expect(r.errors[0]!.message).toContain('manifest-sha256.txt, manifest-sm3.txt');
  });

  it('a manifest entry whose file is missing', async () => {
    const dir = await makeBag();
    await editTagFile(dir, 'bag-info.txt', (t) => t.replace(`${PAYLOAD_BYTES}.3`, `${PAYLOAD_BYTES - 3}.2`));
    await rm(join(dir, 'data', 'abc.txt'));
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_FILE_MISSING'], warnings: [] });
    expect(r.errors[0]!.message_zh).toContain('manifest-sha256.txt、manifest-sm3.txt');
  });

  it('a payload file whose digest does not match, reported once per algorithm', async () => {
    const dir = await makeBag();
    await writeFile(join(dir, 'data', 'abc.txt'), 'abd');
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_PAYLOAD_DIGEST_MISMATCH', 'BAG_PAYLOAD_DIGEST_MISMATCH'], warnings: [] });
    expect(r.errors.map((e) => e.path)).toEqual(['data/abc.txt', 'data/abc.txt']);
    expect(r.errors[1]!.message).toContain('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('a tag file changed after the tag manifests were written', async () => {
    const dir = await makeBag();
    await appendFile(join(dir, 'bag-info.txt'), 'Internal-Sender-Identifier: 改过\n');
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_TAG_DIGEST_MISMATCH', 'BAG_TAG_DIGEST_MISMATCH'], warnings: [] });
    expect(r.errors[0]).toMatchObject({ path: 'bag-info.txt' });
  });

  it.each([
    [`${PAYLOAD_BYTES}.4`, 'BAG_OXUM_MISMATCH'],
    [`${PAYLOAD_BYTES + 1}.3`, 'BAG_OXUM_MISMATCH'],
    ['12345', 'BAG_OXUM_INVALID'],
  ])('Payload-Oxum %s', async (oxum, code) => {
    const dir = await makeBag();
    await editTagFile(dir, 'bag-info.txt', (t) => t.replace(`${PAYLOAD_BYTES}.3`, oxum));
    expect(codes(await validateBag(dir))).toEqual({ errors: [code], warnings: [] });
  });

  it('a repeated Payload-Oxum is a warning; a bag-info line that is no label is an error', async () => {
    const dir = await makeBag();
    await editTagFile(dir, 'bag-info.txt', (t) => `${t}Payload-Oxum: ${PAYLOAD_BYTES}.3\n`);
    expect(codes(await validateBag(dir))).toEqual({ errors: [], warnings: ['BAG_INFO_REPEATED'] });
    await editTagFile(dir, 'bag-info.txt', (t) => `此行没有标签\n${t}`);
    expect(codes(await validateBag(dir)).errors).toEqual(['BAG_INFO_LINE_INVALID']);
  });

  it('bad percent-encoding in a manifest path', async () => {
    const dir = await makeBag([{ path: '100%.txt', body: Buffer.from('a') }]);
    for (const m of ['manifest-sha256.txt', 'manifest-sm3.txt']) await editTagFile(dir, m, (t) => t.replace('%25', '%'));
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_PATH_PERCENT_ENCODING', 'BAG_PATH_PERCENT_ENCODING', 'BAG_PAYLOAD_NOT_IN_MANIFEST'], warnings: [] });
  });

  it.each(['data/../../etc/passwd', '../outside.txt', '/etc/passwd', 'data/a/../../../x'])('a manifest path escaping the bag: %s', async (path) => {
    const dir = await makeBag();
    await editTagFile(dir, 'manifest-sha256.txt', (t) => `${t}${'0'.repeat(64)}  ${path}\n`);
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_PATH_OUTSIDE_BAG'], warnings: [] });
    expect(r.errors[0]!.message).toContain(path);
  });

  it('a payload manifest listing a tag file, and a tag manifest listing a payload file or a tag manifest', async () => {
    const dir = await makeBag();
    const digest = (await digestFile(join(dir, 'bagit.txt'), ['sha256'])).get('sha256');
    await editTagFile(dir, 'manifest-sha256.txt', (t) => `${t}${digest}  bagit.txt\n`);
    expect(codes(await validateBag(dir)).errors).toEqual(['BAG_MANIFEST_PATH_NOT_PAYLOAD']);

    const other = await makeBag(PAYLOAD, undefined, 'other');
    const line = (await readFile(join(other, 'manifest-sha256.txt'), 'utf8')).split('\n')[0];
    await appendFile(join(other, 'tagmanifest-sha256.txt'), `${line}\n${'0'.repeat(64)}  tagmanifest-sm3.txt\n`);
    expect(codes(await validateBag(other)).errors).toEqual(['BAG_TAGMANIFEST_LISTS_PAYLOAD', 'BAG_TAGMANIFEST_LISTS_TAGMANIFEST']);
  });

  it('a tag manifest that omits a payload manifest (error) or another tag file (warning)', async () => {
    const dir = await makeBag();
    const tm = join(dir, 'tagmanifest-sm3.txt');
    await writeFile(tm, splitLines(await readFile(tm, 'utf8')).filter((l) => !/ (manifest-sha256|bag-info)\.txt$/.test(l)).join('\n') + '\n');
    expect(codes(await validateBag(dir))).toEqual({ errors: ['BAG_TAGMANIFEST_INCOMPLETE'], warnings: ['BAG_TAGMANIFEST_OMITS_TAG_FILE'] });
  });

  it('the same path twice in one manifest', async () => {
    const dir = await makeBag();
    await editTagFile(dir, 'manifest-sha256.txt', (t) => t + t.split('\n')[0] + '\n');
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['BAG_MANIFEST_DUPLICATE_PATH'], warnings: [] });
    expect(r.errors[0]!.message).toMatch(/lines 1 and 4/);
  });

  it('a malformed manifest line, a digest of the wrong length and an unsupported algorithm', async () => {
    const dir = await makeBag();
    await editTagFile(dir, 'manifest-sha256.txt', (t) => `${t}not-a-line\nabcd  data/abc.txt\n`);
    expect(codes(await validateBag(dir)).errors).toEqual(['BAG_MANIFEST_LINE_INVALID', 'BAG_MANIFEST_LINE_INVALID']);

    const other = await makeBag(PAYLOAD, undefined, 'blake');
    await writeFile(join(other, 'manifest-blake3.txt'), '');
    await reseal(other);
    expect(codes(await validateBag(other)).errors).toEqual(['BAG_ALGORITHM_UNSUPPORTED']);
  });

  it('fetch.txt listing files that are not in the bag: incomplete, nothing downloaded', async () => {
    const big = Buffer.alloc(1234, 7);
    const dir = await makeBag([...PAYLOAD, { path: 'scans/big.tif', body: big }]);
    await rm(join(dir, 'data', 'scans', 'big.tif'));
    await writeFile(join(dir, 'fetch.txt'), `https://archive.example.org/big.tif 1234 data/scans/big.tif\n`);
    await reseal(dir);
    const r = await validateBag(dir);
    // Payload-Oxum still counts the file to be fetched, so it agrees.
    expect(codes(r)).toEqual({ errors: ['BAG_FETCH_PENDING'], warnings: [] });
    expect(r.errors[0]).toMatchObject({ path: 'data/scans/big.tif' });
    expect(r.errors[0]!.message).toContain('https://archive.example.org/big.tif (1234 bytes)');
    expect(r.payloadFiles).toBe(3);
  });

  it('fetch.txt with a wrong length, a tag file, or a file no manifest lists', async () => {
    const dir = await makeBag();
    await writeFile(
      join(dir, 'fetch.txt'),
      ['http://x.org/a 4 data/abc.txt', 'http://x.org/b - bag-info.txt', 'http://x.org/c - data/new.txt', 'just-a-url'].join('\n') + '\n',
    );
    await reseal(dir);
    expect(codes(await validateBag(dir)).errors).toEqual([
      'BAG_FETCH_LINE_INVALID',
      'BAG_FETCH_LENGTH_MISMATCH',
      'BAG_FETCH_PATH_NOT_PAYLOAD',
      'BAG_FETCH_NOT_IN_MANIFEST',
      'BAG_FETCH_PENDING',
    ]);
  });

  it('a manifest listing a directory', async () => {
    const dir = await makeBag();
    await editTagFile(dir, 'manifest-sha256.txt', (t) => `${t}${'0'.repeat(64)}  data/照片\n`);
    expect(codes(await validateBag(dir)).errors).toEqual(['BAG_MANIFEST_LISTS_DIRECTORY']);
  });

  it('a symlink in the bag is refused without following it', async () => {
    const dir = await makeBag();
    await symlink('/etc/passwd', join(dir, 'data', 'passwd'));
    const r = await validateBag(dir);
    expect(codes(r)).toEqual({ errors: ['UNPACK_SYMLINK'], warnings: [] });
    expect(r.errors[0]).toMatchObject({ path: 'data/passwd' });
  });

  it('reports a path that does not exist', async () => {
    await expect(validateBag(join(work, 'nope'))).rejects.toMatchObject({ code: 'BAG_NOT_FOUND', status: 404 });
  });
});

describe('validateBag: zipped bags', () => {
  const opts = () => ({ workDir: join(work, 'tmp') });

  beforeEach(async () => {
    await mkdir(join(work, 'tmp'));
  });

  it('unpacks a zipped bag safely, validates it and cleans up', async () => {
    const dir = await makeBag(PAYLOAD, undefined, '移交-2023');
    const zip = await zipDirectory(dir, join(work, '移交-2023.zip'));
    const r = await validateBag(zip, opts());
    expect(codes(r)).toEqual({ errors: [], warnings: [] });
    expect(r).toMatchObject({ valid: true, payloadFiles: 3, algorithms: ['sha256', 'sm3'] });
    expect(await readdir(join(work, 'tmp'))).toEqual([]);
  });

  it('finds a damaged file inside the zip', async () => {
    const dir = await makeBag();
    await writeFile(join(dir, 'data', 'abc.txt'), 'abd');
    const r = await validateBag(await zipDirectory(dir, join(work, 'bag.zip')), opts());
    expect(codes(r).errors).toEqual(['BAG_PAYLOAD_DIGEST_MISMATCH', 'BAG_PAYLOAD_DIGEST_MISMATCH']);
    expect(await readdir(join(work, 'tmp'))).toEqual([]);
  });

  it('warns when the zip and the bag directory are named differently, and ignores __MACOSX', async () => {
    const dir = await makeBag();
    const zip = await zipDirectory(dir, join(work, 'transfer.zip'));
    expect(codes(await validateBag(zip, opts()))).toEqual({ errors: [], warnings: ['BAG_ZIP_NAME_MISMATCH'] });

    await mkdir(join(work, 'mac', '__MACOSX', 'bag'), { recursive: true });
    await writeFile(join(work, 'mac', '__MACOSX', 'bag', '._bagit.txt'), 'resource fork');
    await writeBag(join(work, 'mac', 'bag'), PAYLOAD, INFO);
    const fromMac = await zipDirectory(join(work, 'mac'), join(work, 'bag.zip'), '');
    expect(codes(await validateBag(fromMac, opts()))).toEqual({ errors: [], warnings: ['BAG_ZIP_MACOS_METADATA'] });
  });

  it('refuses a zip made from inside the bag directory', async () => {
    const dir = await makeBag();
    const r = await validateBag(await zipDirectory(dir, join(work, 'bag.zip'), ''), opts());
    expect(codes(r)).toEqual({ errors: ['BAG_ZIP_LAYOUT'], warnings: [] });
  });

  it('reports the unpacker refusal of a dangerous zip as the bag error', async () => {
    const zip = await writeZip(join(work, 'evil.zip'), [
      { name: 'bag/bagit.txt', data: Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n') },
      { name: 'bag/data/link', unixMode: 0o120777, data: Buffer.from('/etc/shadow') },
    ]);
    const r = await validateBag(zip, opts());
    expect(codes(r)).toEqual({ errors: ['UNPACK_SYMLINK'], warnings: [] });
    expect(r.errors[0]).toMatchObject({ path: 'bag/data/link' });
    expect(await readdir(join(work, 'tmp'))).toEqual([]);
  });
});

describe('writeBag refusals', () => {
  it('refuses unsafe payload paths, bad labels and an existing target, leaving nothing behind', async () => {
    const body = Buffer.from('x');
    await expect(writeBag(join(work, 'a'), [{ path: '../x', body }], [])).rejects.toMatchObject({ code: 'BAG_WRITE_INVALID_PATH' });
    await expect(writeBag(join(work, 'a'), [{ path: 'a', body }, { path: 'a/b', body }], [])).rejects.toMatchObject({ code: 'BAG_WRITE_INVALID_PATH' });
    await expect(writeBag(join(work, 'a'), [], [['Bad: label', 'x']])).rejects.toMatchObject({ code: 'BAG_WRITE_INVALID_INFO' });
    await expect(writeBag(join(work, 'a'), [], [['Note', 'two\nlines']])).rejects.toMatchObject({ code: 'BAG_WRITE_INVALID_INFO' });
    await expect(writeBag(join(work, 'a'), [], [['Payload-Oxum', '1.1']])).rejects.toMatchObject({ code: 'BAG_WRITE_INVALID_INFO' });
    await expect(writeBag(join(work, 'a'), [], [], ['crc32' as BagAlgorithm])).rejects.toMatchObject({ code: 'BAG_ALGORITHM_UNSUPPORTED' });
    expect(await readdir(work)).toEqual([]);
    await makeBag();
    await expect(makeBag()).rejects.toMatchObject({ code: 'BAG_TARGET_EXISTS', status: 409 });
  });
});

describe('manifest path encoding', () => {
  it('percent-encodes %, CR and LF, and nothing else', () => {
    expect(encodeManifestPath('a%b\r\nc d\t档')).toBe('a%25b%0D%0Ac d\t档');
  });

  it('decodes only %0A, %0D and %25, in either case, and rejects any other %', () => {
    expect(decodeManifestPath('a%25b%0a%0D')).toBe('a%b\n\r');
    expect(decodeManifestPath('data/%41.txt')).toBeNull();
    expect(decodeManifestPath('data/50%')).toBeNull();
  });
});
