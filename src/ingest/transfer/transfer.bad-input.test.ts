/**
 * A carrier spoiled in one way each, through the service on both databases: the named check
 * fails (a package the unpacker refuses fails its structure check) with a reason the sender can
 * act on, a blocking failure cannot be accepted, and nothing reaches the catalogue, storage or
 * the search index before the package is returned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksForStage } from '../../domain/four-property-checks.js';
import { search, searchScopeOf } from '../../search/search.service.js';
import { cleanUpAfterEach, createCatalogFixture, createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { VIRUS_MARKER, VIRUS_SIGNATURE, withEncrypt, writeTestSignatures } from '../checks/test-fixtures.js';
import type { VirusScanner } from '../checks/types.js';
import { ClamscanScanner } from '../checks/virus.js';
import { writeZip, zipDirectory } from '../unpack/zip-fixtures.js';
import { acceptTransfer, checkTransfer, receiveTransfer, returnTransfer } from './transfer.service.js';
import { actorNamed, codeOf, writePackageDir } from './transfer-testkit.js';

const CONTENT = '电子档案/2023';

async function edit(path: string, change: (text: string) => string): Promise<void> {
  await writeFile(path, change(await readFile(path, 'utf8')));
}

interface BadCase {
  name: string;
  /** Spoils the carrier at `dir` (written by writePackageDir, three items) and returns what the sender hands over. */
  spoil(dir: string, work: string): Promise<string>;
  check: string;
  /** The English reason the named check gives; the Chinese one is asserted to be there too. */
  says: RegExp;
  path?: string;
  scanned?: boolean;
}

const CASES: BadCase[] = [
  {
    name: 'a missing file', check: 'LT-YJ-1-11', says: /not in the package/, path: `${CONTENT}/0002.pdf`,
    spoil: async (dir) => { await rm(join(dir, CONTENT, '0002.pdf')); return dir; },
  },
  {
    name: 'an extra undeclared file', check: 'LT-YJ-4-3', says: /no metadata references this file/, path: `${CONTENT}/草稿.docx`,
    spoil: async (dir) => { await writeFile(join(dir, CONTENT, '草稿.docx'), 'draft'); return dir; },
  },
  {
    name: 'a wrong declared count', check: 'LT-YJ-2-1', says: /^4 items declared, 3 present$/,
    spoil: async (dir) => { await edit(join(dir, '说明文件.txt'), (s) => s.replace('归档文件数量：3', '归档文件数量：4')); return dir; },
  },
  {
    name: 'a wrong digest', check: 'LT-YJ-1-1-1', says: /^SM3 digest mismatch: declared 0{64}, actual [0-9a-f]{64}$/, path: `${CONTENT}/0001.pdf`,
    spoil: async (dir) => { await edit(join(dir, '文件目录.xml'), (s) => s.replace(/(<校验码 算法="SM3">)[0-9a-f]{64}/, `$1${'0'.repeat(64)}`)); return dir; },
  },
  {
    name: 'a duplicate archival code within the package', check: 'YJ-1-8', says: new RegExp(`^Archival code "${codeOf(2)}" appears 2 times in the package`),
    spoil: async (dir) => { await edit(join(dir, '文件目录.xml'), (s) => s.replace(`<档号>${codeOf(3)}</档号>`, `<档号>${codeOf(2)}</档号>`)); return dir; },
  },
  {
    name: 'an encrypted PDF', check: 'LT-YJ-3-8', says: /^the file is encrypted/, path: `${CONTENT}/0001.pdf`,
    spoil: async (dir) => { const pdf = join(dir, CONTENT, '0001.pdf'); await writeFile(pdf, withEncrypt(await readFile(pdf))); return dir; },
  },
  {
    name: 'a file whose extension lies about its format', check: 'LT-YJ-1-10', says: /^the extension of "0001\.jpg" does not fit its actual format PDF/, path: `${CONTENT}/0001.jpg`,
    spoil: async (dir) => {
      await rename(join(dir, CONTENT, '0001.pdf'), join(dir, CONTENT, '0001.jpg'));
      await edit(join(dir, '文件目录.xml'), (s) => s.replace('<电子档案名称>0001.pdf<', '<电子档案名称>0001.jpg<'));
      return dir;
    },
  },
  {
    name: 'a PDF with more pages declared than it has', check: 'LT-YJ-1-10', says: /^metadata records 3 pages, the PDF content has 1 page$/,
    spoil: async (dir) => { await edit(join(dir, '文件目录.xml'), (s) => s.replace('<页数>1</页数>', '<页数>3</页数>')); return dir; },
  },
  {
    name: 'an infected file', check: 'LT-YJ-4-2', says: new RegExp(`^virus or malicious code found: ${VIRUS_SIGNATURE.replace(/\./g, '\\.')}$`), path: `${CONTENT}/0002.txt`, scanned: true,
    spoil: async (dir) => { await writeFile(join(dir, CONTENT, '0002.txt'), `附件 ${VIRUS_MARKER}`); return dir; },
  },
  {
    name: 'a truncated zip', check: 'LT-YJ-1-13', says: /zip/i,
    spoil: async (dir, work) => {
      const zip = await zipDirectory(dir, join(work, 'carrier.zip'));
      const bytes = await readFile(zip);
      await writeFile(zip, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      return zip;
    },
  },
  {
    name: 'a zip bomb declaring a huge size', check: 'LT-YJ-1-13', says: /bomb\.bin/,
    spoil: async (dir, work) =>
      writeZip(join(work, 'bomb.zip'), [
        { name: 'carrier/说明文件.txt', data: await readFile(join(dir, '说明文件.txt')) },
        { name: 'carrier/电子档案/bomb.bin', data: Buffer.alloc(64 * 1024), declaredSize: 0xffffffff },
      ]),
  },
  {
    name: 'XML with an external entity', check: 'LT-YJ-3-1', says: /DTD|entit/i, path: '文件目录.xml',
    spoil: async (dir) => {
      await edit(join(dir, '文件目录.xml'), (s) => s.replace('<文件目录>', '<!DOCTYPE 文件目录 [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<文件目录>&xxe;'));
      return dir;
    },
  },
];

const BLOCKING = new Set(checksForStage('YJ').filter((c) => c.stageSeverity === 'blocking').map((c) => c.code.code));

let t: TestApp | undefined;
const dirs: string[] = [];
let signatures: string;
let scanner: VirusScanner;
beforeAll(async () => {
  signatures = await writeTestSignatures(mkdtempSync(join(tmpdir(), 'lantai-signatures-')));
  scanner = new ClamscanScanner('clamscan', signatures);
});
afterAll(() => rmSync(signatures, { recursive: true, force: true }));
cleanUpAfterEach(() => t, dirs);

describe.each(BACKENDS)('a spoiled package is reported and returned, never filed (%s)', (dialect) => {
  it.each(CASES)('$name fails $check', async ({ spoil, check, says, path, scanned }) => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const actor = await actorNamed(t.ctx, 'archivist');
    const work = mkdtempSync(join(tmpdir(), 'lantai-spoiled-'));
    dirs.push(work);
    const handed = await spoil(await writePackageDir(join(work, 'carrier'), 3), work);
    const received = await receiveTransfer(t.ctx, actor, { path: handed, fileName: 'spoiled', categoryId: fixture.categoryId });

    const checked = await checkTransfer(t.ctx, actor, received.id, { scanner: scanned ? scanner : null });
    expect(checked.state).toBe('awaiting_decision');
    const result = checked.report!.checks.find((c) => c.id === check)!;
    expect(result.result, JSON.stringify(result)).toBe('fail');
    const reason = result.offending.find((o) => says.test(o.reason_en));
    expect(reason, JSON.stringify(result.offending)).toBeDefined();
    expect(reason!.reason).toMatch(/[\u4e00-\u9fff]/);
    if (path !== undefined) expect(reason!.path).toBe(path);
    if (BLOCKING.has(check)) {
      expect(checked.report!.blocking).toBe(true);
      await expect(acceptTransfer(t.ctx, actor, received.id)).rejects.toMatchObject({ code: 'TRANSFER_BLOCKED' });
    }
    expect(await returnTransfer(t.ctx, actor, received.id, `${reason!.reason} / ${reason!.reason_en}`)).toMatchObject({ state: 'returned' });

    const db = t.ctx.database.db;
    expect(await db.selectFrom('items').select('id').execute()).toEqual([]);
    expect(await db.selectFrom('preservation_objects').select('item_id').execute()).toEqual([]);
    expect(await db.selectFrom('audit_log').select('action').where('action', 'in', ['item.create', 'transfer.item_accept']).execute()).toEqual([]);
    expect((await search(t.ctx, searchScopeOf(actor), { q: '兰台接收测试' })).total).toBe(0);
  }, 60_000);

  it('refuses at receipt a folder whose file names are GBK, saying to convert them to UTF-8, and records nothing', async () => {
    t = await createTestApp(dialect);
    const fixture = await createCatalogFixture(t, 'archivist');
    const actor = await actorNamed(t.ctx, 'archivist');
    const work = mkdtempSync(join(tmpdir(), 'lantai-spoiled-'));
    dirs.push(work);
    const dir = await writePackageDir(join(work, 'carrier'), 1);
    // As a copy from a Chinese Windows share leaves it on a Linux disk: the name's bytes are GBK.
    await writeFile(Buffer.concat([Buffer.from(`${join(dir, CONTENT)}/`), iconv.encode('附件.txt', 'gbk')]), 'x');
    await expect(receiveTransfer(t.ctx, actor, { path: dir, fileName: 'gbk', categoryId: fixture.categoryId })).rejects.toMatchObject({
      status: 422, code: 'UNPACK_INVALID_NAME', message: expect.stringContaining(`${CONTENT}/附件.txt`), message_en: expect.stringContaining('convert the file names to UTF-8'),
    });
    expect(await t.ctx.database.db.selectFrom('transfers').select('id').execute()).toEqual([]);
  });
});
