import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { walkTree } from '../unpack/scan.js';
import { writeZip } from '../unpack/zip-fixtures.js';
import { readPackage } from './model.js';

const CODE1 = 'Z109-WS·2011·Y·办公室-0001';
const PDF1 = Buffer.from('%PDF-1.7 第一件');
const OFD2 = Buffer.from('OFD 正文 第二件');
const ATTACHMENT2 = Buffer.from('%PDF-1.7 附件');
const EXTRA = Buffer.from('%PDF-1.7 多余');
const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

const CONTENT_BYTES = PDF1.length + OFD2.length + ATTACHMENT2.length + EXTRA.length;

const DIRECTORY = `<?xml version="1.0" encoding="GB18030"?>
<文件目录>
  <文件>
    <顺序号>1</顺序号><档号>${CODE1}</档号><件号>0001</件号><文号>X府发〔2011〕1号</文号>
    <责任者>某某县人民政府</责任者><题名>关于印发&lt;2011年工作要点&gt;的通知</题名><日期>20110105</日期>
    <年度>2011</年度><保管期限>永久</保管期限><密级>公开</密级><页数>３</页数><机构或问题>办公室</机构或问题>
    <路径>2011/办公室</路径><电子档案名称>${CODE1}.pdf</电子档案名称>
    <计算机文件大小>${PDF1.length}</计算机文件大小><格式>PDF</格式><校验码 算法="SM3">${sm3(PDF1).toUpperCase()}</校验码>
  </文件>
  <文件>
    <顺序号>2</顺序号><档号>Z109-WS·2011·D10·办公室-0002</档号><题名>会议纪要</题名><责任者>办公室</责任者><日期>20110301</日期>
    <电子文件><路径>电子档案\\2011\\办公室\\0002</路径><电子档案名称>正文.ofd</电子档案名称><计算机文件大小>999</计算机文件大小><校验码>${md5(OFD2)}</校验码></电子文件>
    <电子文件><电子档案名称>2011/办公室/0002/附件.pdf</电子档案名称></电子文件>
  </文件>
  <文件>
    <顺序号>3</顺序号><档号>Z109-WS·2011·D10·办公室-0003</档号><题名>缺原文的文件</题名><电子档案名称>2011/缺失.pdf</电子档案名称>
    <电子档案名称>../../etc/passwd</电子档案名称>
  </文件>
</文件目录>`;

const DESCRIPTION = `载体编号：CD-2026-001
移交单位：某某县档案室
接收单位：某某县档案馆
归档文件数量：3 件
原文数量：4
总字节数：${CONTENT_BYTES}
摘要信息：2011年文书档案
`;

const TREE: Record<string, Buffer> = {
  '说明文件.TXT': iconv.encode(DESCRIPTION, 'gb18030'),
  '文件目录.xml': iconv.encode(DIRECTORY, 'gb18030'),
  [`电子档案/2011/办公室/${CODE1}.pdf`]: PDF1,
  '电子档案/2011/办公室/0002/正文.ofd': OFD2,
  '电子档案/2011/办公室/0002/附件.pdf': ATTACHMENT2,
  '电子档案/2011/多余.pdf': EXTRA,
  '其他/电子档案移交与接收登记表.pdf': Buffer.from('%PDF 登记表'),
};

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-carrier-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeTree(dir: string, tree: Record<string, Buffer>): Promise<string> {
  for (const [path, body] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  return dir;
}

function expectCarrierModel(pkg: Awaited<ReturnType<typeof readPackage>>, root: string) {
  expect(pkg.format).toBe('carrier');
  expect(pkg.root).toBe(root);
  expect(pkg.declared).toEqual({
    itemCount: 3,
    fileCount: 4,
    totalBytes: CONTENT_BYTES,
    sender: '某某县档案室',
    receiver: '某某县档案馆',
    description: '2011年文书档案',
    raw: { 载体编号: 'CD-2026-001', 移交单位: '某某县档案室', 接收单位: '某某县档案馆', 归档文件数量: '3 件', 原文数量: '4', 总字节数: String(CONTENT_BYTES), 摘要信息: '2011年文书档案' },
  });
  expect(pkg.encodings).toEqual({ '说明文件.TXT': 'GB18030', '文件目录.xml': 'GB18030' });
  expect(pkg.items).toHaveLength(3);
  const [first, second, third] = pkg.items;
  expect(first).toEqual({
    key: 'record 1',
    metadata: {
      顺序号: '1', 档号: CODE1, 件号: '0001', 文号: 'X府发〔2011〕1号', 责任者: '某某县人民政府', 题名: '关于印发<2011年工作要点>的通知', 日期: '20110105',
      年度: '2011', 保管期限: '永久', 密级: '公开', 页数: '３', 机构或问题: '办公室', 路径: '2011/办公室', 电子档案名称: `${CODE1}.pdf`,
      计算机文件大小: String(PDF1.length), 格式: 'PDF', 校验码: sm3(PDF1).toUpperCase(),
    },
    fields: {
      archival_code: CODE1, item_no: '0001', doc_number: 'X府发〔2011〕1号', responsible: '某某县人民政府', title: '关于印发<2011年工作要点>的通知',
      date: '20110105', year: 2011, retention: '永久', classification: '公开', pages: 3, org: '办公室',
    },
    files: [{ path: `电子档案/2011/办公室/${CODE1}.pdf`, name: `${CODE1}.pdf`, size: PDF1.length, declaredSize: PDF1.length, declaredFormat: 'PDF', declaredDigests: [{ algorithm: 'sm3', value: sm3(PDF1) }] }],
  });
  expect(second!.key).toBe('record 2');
  expect(second!.files).toEqual([
    { path: '电子档案/2011/办公室/0002/正文.ofd', name: '正文.ofd', size: OFD2.length, declaredSize: 999, declaredDigests: [{ algorithm: 'md5', value: md5(OFD2) }] },
    { path: '电子档案/2011/办公室/0002/附件.pdf', name: '附件.pdf', size: ATTACHMENT2.length, declaredDigests: [] },
  ]);
  expect(third!.files).toEqual([]);
  expect(pkg.missingFiles).toEqual([{ item: 'record 3', path: '电子档案/2011/缺失.pdf' }]);
  expect(pkg.unreferencedFiles).toEqual(['电子档案/2011/多余.pdf']);
  expect(pkg.findings.map((f) => [f.code, f.item])).toEqual([
    ['CARRIER_FILE_PATH_INVALID', 'record 3'],
    ['FILE_SIZE_MISMATCH', 'record 2'],
  ]);
  expect(pkg.findings[1]).toMatchObject({ path: '电子档案/2011/办公室/0002/正文.ofd', details: { actual: OFD2.length, declared: 999 } });
}

describe('carrier packages', () => {
  it('reads a directory: GB18030 directory and description, Chinese names, digests, missing and unreferenced files', async () => {
    const dir = await writeTree(join(work, '移交载体'), TREE);
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expectCarrierModel(pkg, dir);
  });

  it('reads a zip made by yazl, descending into its single top folder', async () => {
    const zip = new yazl.ZipFile();
    for (const [path, body] of Object.entries(TREE)) zip.addBuffer(body, `CD-2026-001/${path}`);
    zip.end();
    const zipPath = join(work, 'carrier.zip');
    await pipeline(zip.outputStream, createWriteStream(zipPath));
    const pkg = await readPackage(zipPath, { workDir: join(work, 'w') });
    expect(pkg.root).toMatch(new RegExp(`^${join(work, 'w', 'carrier-')}[0-9a-f]{8}/CD-2026-001$`));
    expectCarrierModel(pkg, pkg.root);
  });

  it('reads a zip whose names are GBK without the UTF-8 flag, as Chinese Windows tools write them', async () => {
    const zipPath = await writeZip(
      join(work, 'gbk.zip'),
      Object.entries(TREE).map(([path, data]) => ({ name: iconv.encode(path, 'gbk'), data, utf8Flag: false })),
    );
    const pkg = await readPackage(zipPath, { workDir: join(work, 'w') });
    expectCarrierModel(pkg, pkg.root);
    expect((await walkTree(pkg.root)).map((e) => e.path)).toContain('电子档案/2011/办公室/0002/正文.ofd');
  });

  it('refuses a directory file with a DTD and reports count mismatches', async () => {
    const evil = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE 文件目录 [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<文件目录><文件><题名>&x;</题名></文件></文件目录>`;
    const dir = await writeTree(join(work, 'evil'), { ...TREE, '文件目录.xml': Buffer.from(evil) });
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.items).toEqual([]);
    expect(pkg.findings.map((f) => f.code)).toEqual(['XML_DTD_REFUSED', 'PACKAGE_ITEM_COUNT_MISMATCH']);
    expect(pkg.findings[0]).toMatchObject({ path: '文件目录.xml', severity: 'error' });
    expect(pkg.unreferencedFiles).toHaveLength(4);
  });

  it('takes a 路径 naming a folder as all the files in it, in natural order, and reads a 案卷目录', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><案卷目录><案卷><档号>A-1</档号><题名>案卷一</题名><路径>2011/卷1</路径>
      <卷内文件><题名>卷内一</题名><电子档案名称>2011/卷1/10.jpg</电子档案名称></卷内文件></案卷></案卷目录>`;
    const dir = await writeTree(join(work, 'vol'), {
      '案卷目录.xml': Buffer.from(xml),
      '电子档案/2011/卷1/2.jpg': Buffer.from('2'),
      '电子档案/2011/卷1/10.jpg': Buffer.from('10'),
    });
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.items.map((i) => [i.key, i.fields.title, i.files.map((f) => f.path)])).toEqual([
      ['record 1', '案卷一', ['电子档案/2011/卷1/2.jpg', '电子档案/2011/卷1/10.jpg']],
      ['record 1.1', '卷内一', ['电子档案/2011/卷1/10.jpg']],
    ]);
    expect(pkg.findings.map((f) => f.code)).toEqual(['CARRIER_DESCRIPTION_MISSING']);
    expect(pkg.encodings).toEqual({ '案卷目录.xml': 'UTF-8' });
    expect(await readFile(join(dir, '案卷目录.xml'), 'utf8')).toBe(xml);
  });
});
