import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksForStage } from '../../domain/four-property-checks.js';
import type { TransferItem, TransferPackage } from '../packages/model.js';
import { FINDING_ROUTES, findingCheck, runChecks, TRANSFER_CHECK_IDS } from './run.js';
import { ARCHIVAL_WITH_PDF, cleanPackage, fileEntry, itemEntry, makePdf, makePng, noCatalogue, put, result, withEncrypt } from './test-fixtures.js';
import type { CheckEnv } from './types.js';

let root: string;
let pkg: TransferPackage;
const env: CheckEnv = { existingCodes: noCatalogue, scanner: null, archivalFormatIds: ARCHIVAL_WITH_PDF };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lantai-checks-'));
  pkg = await cleanPackage(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const failing = (report: Awaited<ReturnType<typeof runChecks>>) => report.checks.filter((c) => c.result === 'fail').map((c) => c.id);

describe('runChecks on a clean package', () => {
  it('reports every 移交与接收 check, fails none and passes only what it verified', async () => {
    const progress: Array<[number, number]> = [];
    const report = await runChecks(pkg, { ...env, onProgress: (d, t) => progress.push([d, t]) }, {});
    expect(report.checks.map((c) => c.id)).toEqual(TRANSFER_CHECK_IDS);
    expect(failing(report)).toEqual([]);
    expect(report.blocking).toBe(false);
    expect(result(report, 'LT-YJ-1-1-1').result).toBe('pass');
    expect(result(report, 'LT-YJ-1-14').result).toBe('pass');
    expect(result(report, 'LT-YJ-3-4').result).toBe('pass');
    // Needs a person: never passed automatically.
    for (const id of ['LT-YJ-2-5', 'LT-YJ-3-L1', 'LT-YJ-4-7', 'LT-YJ-4-L1']) expect(result(report, id).result).toBe('manual');
    for (const c of checksForStage('YJ').filter((c) => !c.stageAutomated)) expect(result(report, c.code.code).result).not.toBe('pass');
    expect(report.summary).toMatchObject({ total: TRANSFER_CHECK_IDS.length, fail: 0, items: 3, files: 3 });
    expect(progress.at(-1)).toEqual([3, 3]);
  });

  it('never passes the virus check without a scanner', async () => {
    const virus = result(await runChecks(pkg, env), 'LT-YJ-4-2');
    expect(virus.result).toBe('manual');
    expect(virus.note).toEqual({ zh: '未安装病毒扫描程序，需人工检查', en: 'manual review: no scanner installed' });
  });

  it('turns a check off by configuration and lets config change its severity', async () => {
    pkg.declared.itemCount = 9;
    const report = await runChecks(pkg, env, { 'LT-YJ-2-1': 'off' });
    expect(result(report, 'LT-YJ-2-1')).toMatchObject({ result: 'na', severity: 'off', offending: [] });
    expect(report.blocking).toBe(false);
    const warned = await runChecks(pkg, env, { 'LT-YJ-2-1': 'warning' });
    expect(result(warned, 'LT-YJ-2-1').result).toBe('fail');
    expect(warned.blocking).toBe(false);
    expect(warned.summary.warnings).toBe(1);
    await expect(runChecks(pkg, env, { 'YJ-2-1': 'off' })).rejects.toThrow(/unknown 移交与接收 check id\(s\) in the configuration: YJ-2-1/);
  });
});

describe('content checks', () => {
  it('names the item and path of a tampered file', async () => {
    await writeFile(join(root, '电子档案/2023/0002.pdf'), Buffer.concat([await makePdf('item 2'), Buffer.from('\n% appended\n')]));
    const report = await runChecks(pkg, env);
    const digests = result(report, 'LT-YJ-1-1-1');
    expect(digests.result).toBe('fail');
    expect(digests.offending.map((o) => [o.item, o.path, o.reason_en.split(':')[0]])).toEqual([
      ['row 2', '电子档案/2023/0002.pdf', 'SM3 digest mismatch'],
      ['row 2', '电子档案/2023/0002.pdf', 'SHA256 digest mismatch'],
      ['row 2', '电子档案/2023/0002.pdf', 'MD5 digest mismatch'],
    ]);
    expect(result(report, 'LT-YJ-1-14').result).toBe('fail');
    expect(result(report, 'LT-YJ-1-10').offending[0]?.reason_en).toMatch(/metadata records \d+ bytes/);
    expect(report.blocking).toBe(true);
  });

  it('asks for a manual comparison when the sender supplied no digest', async () => {
    for (const f of pkg.items[0]?.files ?? []) f.declaredDigests = [];
    const check = result(await runChecks(pkg, env), 'LT-YJ-1-14');
    expect(check.result).toBe('manual');
    expect(check.offending).toEqual([expect.objectContaining({ item: 'row 1', path: '电子档案/2023/0001.pdf' })]);
  });

  it('reports a missing file and an extra undeclared file', async () => {
    pkg.items[2]?.files.push(fileEntry('电子档案/2023/0003-附件.pdf', Buffer.from('x')));
    pkg.missingFiles.push({ item: 'row 3', path: '电子档案/2023/0003-附件.pdf' });
    await put(root, '电子档案/2023/多余.pdf', await makePdf('extra'));
    pkg.unreferencedFiles.push('电子档案/2023/多余.pdf');
    const report = await runChecks(pkg, env);
    expect(result(report, 'LT-YJ-1-11').offending).toEqual([expect.objectContaining({ item: 'row 3', path: '电子档案/2023/0003-附件.pdf' })]);
    expect(result(report, 'LT-YJ-4-3').offending).toEqual([expect.objectContaining({ path: '电子档案/2023/多余.pdf' })]);
    expect(result(report, 'LT-YJ-1-1-1').result).toBe('pass');
  });

  it('refuses a declared path that leaves the package', async () => {
    pkg.items[0]?.files.push(fileEntry('../outside.pdf', Buffer.from('x')));
    const check = result(await runChecks(pkg, env), 'LT-YJ-1-11');
    expect(check.offending).toEqual([expect.objectContaining({ path: '../outside.pdf', reason_en: 'the path points outside the package' })]);
  });

  it('compares declared counts and bytes with the package', async () => {
    pkg.declared = { itemCount: 4, fileCount: 2, totalBytes: 10 };
    const report = await runChecks(pkg, env);
    expect(result(report, 'LT-YJ-2-1').offending[0]?.reason).toBe('声明 4 件，实际 3 件');
    expect(result(report, 'LT-YJ-2-11').result).toBe('fail');
    expect(result(report, 'LT-YJ-2-2').offending[0]?.reason_en).toMatch(/^10 bytes declared; content files have \d+/);
    // A carrier's declared count may include files in the content folder that no record references.
    await put(root, '电子档案/2023/多余.pdf', await makePdf('extra'));
    pkg.unreferencedFiles.push('电子档案/2023/多余.pdf');
    await put(root, '说明文件.TXT', '载体编号：G001');
    pkg.declared = { fileCount: 4 };
    expect(result(await runChecks(pkg, env), 'LT-YJ-2-11').result).toBe('pass');
    pkg.declared = { fileCount: 5 };
    expect(result(await runChecks(pkg, env), 'LT-YJ-2-11').result).toBe('pass');
    pkg.declared = { fileCount: 6 };
    expect(result(await runChecks(pkg, env), 'LT-YJ-2-11').offending[0]?.reason_en).toBe('6 files declared; 3 content files present, 5 files in all');
    pkg.declared = {};
    const undeclared = await runChecks(pkg, env);
    for (const id of ['LT-YJ-2-1', 'LT-YJ-2-2', 'LT-YJ-2-11']) expect(result(undeclared, id).result).toBe('na');
  });

  it('fails an encrypted PDF', async () => {
    const encrypted = withEncrypt(await makePdf('secret'));
    await put(root, '电子档案/2023/0001.pdf', encrypted);
    pkg.items[0]!.files = [fileEntry('电子档案/2023/0001.pdf', encrypted)];
    const check = result(await runChecks(pkg, env), 'LT-YJ-3-8');
    expect(check.result).toBe('fail');
    expect(check.offending).toEqual([expect.objectContaining({ item: 'row 1', path: '电子档案/2023/0001.pdf' })]);
    expect(check.offending[0]?.reason).toMatch(/^文件已加密/);
  });

  it('fails a compressed archive inside the package', async () => {
    const zip = Buffer.from('504b0506000000000000000000000000000000000000', 'hex');
    await put(root, '电子档案/2023/附件.zip', zip);
    pkg.items[0]?.files.push(fileEntry('电子档案/2023/附件.zip', zip, { declaredFormat: 'ZIP' }));
    const check = result(await runChecks(pkg, env), 'LT-YJ-3-8');
    expect(check.offending.map((o) => o.path)).toEqual(['电子档案/2023/附件.zip']);
  });

  it('catches a .jpg that is really a PDF', async () => {
    const pdf = await makePdf('photo?');
    await put(root, '电子档案/2023/0001.jpg', pdf);
    pkg.items[0]!.files = [fileEntry('电子档案/2023/0001.jpg', pdf, { declaredFormat: 'JPEG' })];
    const check = result(await runChecks(pkg, env), 'LT-YJ-1-10');
    expect(check.result).toBe('fail');
    expect(check.offending.map((o) => o.reason_en)).toEqual([
      'the extension of "0001.jpg" does not fit its actual format PDF',
      'metadata records format "JPEG", the file is PDF',
    ]);
  });

  it('compares the pages of an item\'s PDFs with the declared 页数', async () => {
    const three = await makePdf('three pages', 3);
    await put(root, '电子档案/2023/0002.pdf', three);
    pkg.items[1]!.files = [fileEntry('电子档案/2023/0002.pdf', three)];
    pkg.items[2]!.fields.pages = 2;
    const check = result(await runChecks(pkg, env), 'LT-YJ-1-10');
    expect(check.result).toBe('fail');
    expect(check.offending).toEqual([
      { item: 'row 2', reason: '元数据记录页数 1，PDF 实有 3 页', reason_en: 'metadata records 1 page, the PDF content has 3 pages' },
      { item: 'row 3', reason: '元数据记录页数 2，PDF 实有 1 页', reason_en: 'metadata records 2 pages, the PDF content has 1 page' },
    ]);
  });

  it('counts the pages of every PDF of an item beside its text, and leaves other content uncounted', async () => {
    const text = Buffer.from('正文文本');
    const png = makePng();
    await put(root, '电子档案/2023/0001.txt', text);
    await put(root, '电子档案/2023/0002.png', png);
    const [first, second, third] = pkg.items as [TransferItem, TransferItem, TransferItem];
    first.files.push(fileEntry('电子档案/2023/0001.txt', text, { declaredFormat: 'TXT' }), second.files[0]!);
    first.fields.pages = 2;
    second.files = [fileEntry('电子档案/2023/0002.png', png, { declaredFormat: 'PNG' }), third.files[0]!];
    second.fields.pages = 7;
    delete third.fields.pages;
    pkg.declared = {};
    expect(result(await runChecks(pkg, env), 'LT-YJ-1-10').offending.filter((o) => /pages/.test(o.reason_en))).toEqual([]);
  });

  it('fails a broken PDF and a truncated PNG, passes a whole PNG', async () => {
    const broken = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog\nthis is not a PDF\n%%EOF\n');
    await put(root, '电子档案/2023/0001.pdf', broken);
    pkg.items[0]!.files = [fileEntry('电子档案/2023/0001.pdf', broken)];
    const png = makePng();
    await put(root, '电子档案/2023/page.png', png);
    await put(root, '电子档案/2023/cut.png', png.subarray(0, png.length - 20));
    pkg.items[1]?.files.push(fileEntry('电子档案/2023/page.png', png, { declaredFormat: 'PNG' }));
    pkg.items[2]?.files.push(fileEntry('电子档案/2023/cut.png', png.subarray(0, png.length - 20), { declaredFormat: 'PNG' }));
    const check = result(await runChecks(pkg, env), 'LT-YJ-3-4');
    expect(check.result).toBe('fail');
    expect(check.offending.map((o) => [o.item, o.path])).toEqual([
      ['row 1', '电子档案/2023/0001.pdf'],
      ['row 3', '电子档案/2023/cut.png'],
    ]);
    expect(check.offending[0]?.reason_en).toMatch(/^the PDF does not parse/);
  });

  it('reports empty files and items without content', async () => {
    await put(root, '电子档案/2023/empty.pdf', '');
    pkg.items[0]?.files.push(fileEntry('电子档案/2023/empty.pdf', Buffer.alloc(0)));
    pkg.items[1]!.files = [];
    const check = result(await runChecks(pkg, env), 'LT-YJ-2-7');
    expect(check.offending.map((o) => [o.item, o.path])).toEqual([
      ['row 1', '电子档案/2023/empty.pdf'],
      ['row 2', undefined],
    ]);
  });

  it('finds identical content twice', async () => {
    const copy = await makePdf('item 1');
    await put(root, '电子档案/2023/copy.pdf', copy);
    pkg.items[1]?.files.push(fileEntry('电子档案/2023/copy.pdf', copy));
    const check = result(await runChecks(pkg, env), 'LT-YJ-1-L1');
    expect(check.offending.map((o) => o.path).sort()).toEqual(['电子档案/2023/0001.pdf', '电子档案/2023/copy.pdf']);
  });

  it("checks the files and signatures of an item's earlier states, and takes content a revision kept for no duplicate", async () => {
    const original = await makePdf('item 1 as first sent');
    const kept = await readFile(join(root, '电子档案/2023/0001.pdf'));
    await put(root, 'eep/kept.pdf', kept);
    pkg.items[0]!.signatures = [{ kind: '电子签名', signer: '李四' }];
    pkg.items[0]!.previous = [{ layer: 'original', metadata: {}, files: [fileEntry('eep/original.pdf', original), fileEntry('eep/kept.pdf', kept)], signatures: [{ kind: '电子签名', signer: '张三' }] }];
    pkg.items[1]!.previous = [{ layer: 'original', metadata: {}, files: [] }];
    await put(root, 'eep/original.pdf', Buffer.concat([original, Buffer.from('\n% altered\n')]));
    const report = await runChecks(pkg, env);
    expect(result(report, 'LT-YJ-1-1-1').offending.map((o) => [o.item, o.path])).toEqual(Array(3).fill(['row 1 原封装包', 'eep/original.pdf']));
    expect(result(report, 'LT-YJ-1-L1').result).toBe('pass');
    expect(result(report, 'LT-YJ-1-1-2').offending.map((o) => [o.item, o.reason_en])).toEqual([
      ['row 1 原封装包', '电子签名 (张三) to be validated'],
      ['row 1 修订内容', '电子签名 (李四) to be validated'],
    ]);
    expect(result(report, 'LT-YJ-2-7').offending.map((o) => o.item)).toEqual(['row 2 原封装包']);
    expect(report.summary).toMatchObject({ items: 3, files: 5 });
  });

  it('lists format problems against the archive list', async () => {
    const check = result(await runChecks(pkg, { ...env, archivalFormatIds: undefined }), 'LT-YJ-3-3');
    // The default list holds PDF/A and OFD, not plain PDF.
    expect(check.offending).toHaveLength(3);
    expect(check.severity).toBe('warning');
  });
});

describe('metadata checks', () => {
  it('finds duplicate archival codes in the package and in the catalogue', async () => {
    pkg.items[1]!.fields.archival_code = '0001-WS·2023·Y·BGS-0001';
    const asked: string[][] = [];
    const existingCodes = async (codes: string[]) => {
      asked.push(codes);
      return new Set(codes.filter((c) => c.endsWith('-0003')));
    };
    const report = await runChecks(pkg, { ...env, existingCodes });
    const check = result(report, 'YJ-1-8');
    expect(check.result).toBe('fail');
    expect(check.offending.map((o) => [o.item, o.reason_en])).toEqual([
      ['row 1', 'Archival code "0001-WS·2023·Y·BGS-0001" appears 2 times in the package (row 1, row 2)'],
      ['row 2', 'Archival code "0001-WS·2023·Y·BGS-0001" appears 2 times in the package (row 1, row 2)'],
      ['row 3', 'Archival code "0001-WS·2023·Y·BGS-0003" is already in the catalogue'],
    ]);
    expect(asked).toEqual([['0001-WS·2023·Y·BGS-0001', '0001-WS·2023·Y·BGS-0003']]);
    expect(report.blocking).toBe(true);
  });

  it('finds the same item twice', async () => {
    const again = pkg.items[0]!;
    pkg.items.push({ ...again, fields: { ...again.fields, archival_code: '0001-WS·2023·Y·BGS-0004', item_no: 4 } });
    const check = result(await runChecks(pkg, env), 'YJ-1-8');
    expect(check.offending.map((o) => o.reason_en)).toEqual(['Item row 1 appears 2 times']);
    pkg.items.at(-1)!.key = 'row 4';
    const renamed = result(await runChecks(pkg, env), 'YJ-1-8');
    expect(renamed.offending.map((o) => `${o.item}: ${o.reason_en}`)).toEqual([
      'row 1: Document number "县政办发〔2023〕1号" of 某县人民政府办公室 repeats (row 1, row 4)',
      'row 4: Document number "县政办发〔2023〕1号" of 某县人民政府办公室 repeats (row 1, row 4)',
    ]);
  });

  it('reports gaps and repeats in 件号 per group, and page gaps', async () => {
    const pdf = await makePdf('item 5');
    await put(root, '电子档案/2023/0005.pdf', pdf);
    pkg.items.push(itemEntry(5, [fileEntry('电子档案/2023/0005.pdf', pdf)]));
    // Another group (retention D30) numbers from 1 on its own.
    pkg.items.push(itemEntry(1, [], { archival_code: '0001-WS·2023·D30·BGS-0001', retention: 'D30' }));
    pkg.items.at(-1)!.key = 'row 6';
    const png = makePng();
    for (const page of ['0001.png', '0002.png', '0004.png']) await put(root, `电子档案/2023/scan/${page}`, png);
    pkg.items[0]!.files = ['0001.png', '0002.png', '0004.png'].map((p) => fileEntry(`电子档案/2023/scan/${p}`, png, { declaredFormat: 'PNG' }));
    const check = result(await runChecks(pkg, env), 'LT-YJ-2-6');
    expect(check.offending.map((o) => o.reason_en)).toEqual([
      'Group "0001-WS-2023-Y-BGS" lacks item number 4',
      'Page 3 missing in the item',
    ]);
  });

  it('flags an item number that contradicts the archival code', async () => {
    pkg.items[2]!.fields.item_no = 7;
    const check = result(await runChecks(pkg, env), 'LT-YJ-2-6');
    expect(check.offending[0]).toMatchObject({ item: 'row 3', reason_en: 'Item number 7 differs from 3 in the archival code "0001-WS·2023·Y·BGS-0003"' });
  });

  it('checks mandatory fields, types, lengths, value lists and plausibility', async () => {
    const f = pkg.items[0]!.fields;
    delete f.title;
    f.archival_code = '';
    f.date = '2023年13月';
    f.retention = '永久保存';
    f.responsible = '某'.repeat(201);
    f.year = 3500;
    pkg.items[1]!.fields.date = '29990101';
    const report = await runChecks(pkg, env);
    const en = (id: string) => result(report, id).offending.map((o) => `${o.item}: ${o.reason_en}`);
    expect(en('LT-YJ-2-4')).toEqual(['row 1: Title is required', 'row 1: Archival code is required']);
    expect(en('LT-YJ-1-3')).toEqual([expect.stringMatching(/^row 1: Date is not a valid date/)]);
    expect(en('LT-YJ-1-2')).toEqual(['row 1: Responsible party must be at most 200 characters (has 201)']);
    expect(en('LT-YJ-1-4')).toEqual([expect.stringMatching(/^row 1: Retention period "永久保存" is not valid/)]);
    expect(en('LT-YJ-1-5')).toEqual(['row 1: Year must be between 1000–2999', 'row 2: Date "29990101" is after the day of the check']);
  });

  it('checks archival code format against the templates', async () => {
    pkg.items[0]!.fields.archival_code = '0001－WS·2023·Y·BGS－0001';
    pkg.items[1]!.fields.archival_code = 'WS/2023/0002';
    const check = result(await runChecks(pkg, env), 'LT-YJ-1-7');
    expect(check.offending.map((o) => o.item)).toEqual(['row 1', 'row 2']);
    expect(check.offending[0]?.reason_en).toMatch(/full-width or look-alike/);
  });

  it('finds special characters and undecodable text', async () => {
    pkg.items[0]!.fields.title = '关于\u200B通知';
    pkg.items[1]!.metadata.题名 = '关于\uE000\uD800通知';
    pkg.items[2]!.metadata.附注 = '第一行\n第二行';
    pkg.items[2]!.metadata.责任者 = '某县\uFFFD\uFFFD';
    const report = await runChecks(pkg, env);
    expect(result(report, 'YJ-1-6').offending.map((o) => `${o.item}: ${o.reason_en}`)).toEqual([
      'row 1: Title contains special characters U+200B',
      'row 2: 题名 contains special characters U+E000 U+D800',
    ]);
    expect(result(report, 'LT-YJ-3-1').offending.map((o) => o.item)).toEqual(['row 3']);
  });

  it('requires DA/T 46 elements of an EEP only', async () => {
    expect(result(await runChecks(pkg, env), 'LT-YJ-2-3').result).toBe('na');
    pkg.format = 'eep';
    const check = result(await runChecks(pkg, env), 'LT-YJ-2-3');
    expect(check.result).toBe('fail');
    expect(check.offending.filter((o) => o.item === 'row 1').map((o) => o.reason)).toContain('缺少 DA/T 46 必选元素“室编件号”或“馆编件号”');
    expect(result(await runChecks(pkg, env), 'LT-YJ-2-10').result).toBe('manual');
  });
});

describe('package findings and signatures', () => {
  it('routes reader findings to their checks; warnings alone do not fail', async () => {
    pkg.findings.push(
      { code: 'XML_MALFORMED', message: '目录文件不是合法的 XML', message_en: 'the directory file is not well-formed XML', severity: 'error', path: '文件目录.XML' },
      { code: 'CARRIER_DESCRIPTION_FIELD_MISSING', message: '说明文件缺少载体编号', message_en: 'the description file lacks the carrier number', severity: 'warning' },
    );
    pkg.encodings['说明文件.TXT'] = 'Big5';
    const report = await runChecks(pkg, env);
    expect(result(report, 'LT-YJ-3-1')).toMatchObject({ result: 'fail', offending: [{ path: '文件目录.XML' }] });
    const description = result(report, 'LT-YJ-1-12');
    expect(description.result).toBe('fail');
    expect(description.offending.map((o) => o.reason_en)).toEqual(['Warning: the description file lacks the carrier number', 'encoded in Big5; use GB18030, GB2312 or UTF-8']);
    delete pkg.encodings['说明文件.TXT'];
    expect(result(await runChecks(pkg, env), 'LT-YJ-1-12').result).toBe('pass');
    expect(findingCheck('EEP_STRUCTURE_INVALID')).toBe('LT-YJ-1-13');
  });

  it('routes known reader codes to 移交与接收 checks and drops the ones a check repeats', async () => {
    for (const id of Object.values(FINDING_ROUTES)) if (id !== null) expect(TRANSFER_CHECK_IDS).toContain(id);
    pkg.findings.push(
      { code: 'EEP_CONTENT_MISSING', message: '第 2 件的一个编码没有编码数据', message_en: 'item 2: an encoding holds no encoded data', severity: 'error', item: 'row 2' },
      { code: 'PACKAGE_ITEM_COUNT_MISMATCH', message: '说明文件声明 4 件', message_en: 'declares 4 items', severity: 'error' },
    );
    const report = await runChecks(pkg, env);
    expect(result(report, 'LT-YJ-2-7')).toMatchObject({ result: 'fail', offending: [{ item: 'row 2', reason_en: 'item 2: an encoding holds no encoded data' }] });
    expect(result(report, 'LT-YJ-2-1').result).toBe('pass');
  });

  it('leaves signatures to a person', async () => {
    expect(result(await runChecks(pkg, env), 'LT-YJ-1-1-2').result).toBe('na');
    pkg.items[0]!.signatures = [{ kind: '电子签名', signer: '某县档案馆', algorithm: 'SM2' }];
    const check = result(await runChecks(pkg, env), 'LT-YJ-1-1-2');
    expect(check.result).toBe('manual');
    expect(check.offending).toEqual([{ item: 'row 1', reason: '电子签名（某县档案馆，SM2）待验证', reason_en: '电子签名 (某县档案馆, SM2) to be validated' }]);
  });
});
