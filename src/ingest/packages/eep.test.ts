import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeZip } from '../unpack/zip-fixtures.js';
import { readPackage, type Signature } from './model.js';

const MAIN = randomBytes(3 * 1024 * 1024 + 7);
const ATTACHMENT = Buffer.from('JFIF 附件图像');
const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');
const wrapped = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

const ENTITY = (title: string, main: Buffer, attachment: Buffer) => `
        <文件实体>
          <聚合层次>文件</聚合层次>
          <来源><立档单位名称>某某县人民政府</立档单位名称></来源>
          <电子文件号>EF-0001</电子文件号>
          <档号><全宗号>Z109</全宗号><年度>2011</年度><保管期限>永久</保管期限><机构或问题>办公室</机构或问题><室编件号>0001</室编件号></档号>
          <内容描述><题名>${title}</题名><责任者>某某县人民政府</责任者><日期>2011-01-05</日期><密级>公开</密级><文件编号>X府发〔2011〕1号</文件编号></内容描述>
          <形式特征><文件组合类型>组合文件</文件组合类型><页数>3</页数></形式特征>
          <存储位置><脱机载体编号>CD-1</脱机载体编号></存储位置>
          <文件数据>
            <文档><文档标识符>D1</文档标识符><文档主从声明>主文档</文档主从声明><题名>正文</题名>
              <文档数据 文档数据ID="DD1"><编码 编码ID="E1">
                <电子属性><计算机文件名>正文.pdf</计算机文件名><计算机文件大小>${main.length}</计算机文件大小><格式信息>PDF</格式信息><校验码 算法="SM3">${sm3(main)}</校验码></电子属性>
                <编码描述>Base64 (RFC 2045)</编码描述><反编码关键字>pdf</反编码关键字>
                <eep:编码数据 xmlns:eep="http://www.saac.gov.cn/standards/ERM/encapsulation">${wrapped(main)}</eep:编码数据>
              </编码></文档数据>
            </文档>
            <文档><文档标识符>D2</文档标识符><文档主从声明>附属文档</文档主从声明>
              <文档数据><编码>
                <电子属性><计算机文件名>附件一</计算机文件名><计算机文件大小>${attachment.length}</计算机文件大小></电子属性>
                <反编码关键字>jpg</反编码关键字><编码数据><![CDATA[${attachment.toString('base64')}]]></编码数据>
              </编码></文档数据>
            </文档>
          </文件数据>
        </文件实体>`;

const SIGNATURES = (signer: string) => `
  <电子签名块><电子签名><签名标识符>S-${signer}</签名标识符><签名规则>GB/T 38540</签名规则><签名时间>2026-11-20T10:00:01</签名时间>
    <签名人>${signer}</签名人><签名结果>QUJD</签名结果><证书块><证书>QUJD</证书></证书块><签名算法标识>SM2withSM3</签名算法标识></电子签名></电子签名块>`;

const ORIGINAL = `<?xml version="1.0" encoding="UTF-8"?>
<电子文件封装包 xmlns="http://www.saac.gov.cn/standards/ERM/encapsulation">
  <封装包格式描述>本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成</封装包格式描述>
  <版本>2009</版本>
  <被签名对象 eep版本="2009">
    <封装包类型>原始型</封装包类型>
    <封装包类型描述>本封装包包含电子文件数据及其元数据，原始封装，未经修改</封装包类型描述>
    <封装包创建时间>2026-11-20T10:00:00</封装包创建时间>
    <封装包创建单位>某某县人民政府办公室</封装包创建单位>
    <封装内容><文件实体块>${ENTITY('关于印发工作要点的通知', MAIN, ATTACHMENT)}</文件实体块></封装内容>
  </被签名对象>${SIGNATURES('张三')}
</电子文件封装包>`;

const METADATA = {
  聚合层次: '文件', 立档单位名称: '某某县人民政府', 电子文件号: 'EF-0001', 全宗号: 'Z109', 年度: '2011', 保管期限: '永久', 机构或问题: '办公室', 室编件号: '0001',
  题名: '关于印发工作要点的通知', 责任者: '某某县人民政府', 日期: '2011-01-05', 密级: '公开', 文件编号: 'X府发〔2011〕1号', 文件组合类型: '组合文件', 页数: '3', 脱机载体编号: 'CD-1',
};

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-eep-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('EEP packages', () => {
  it('decodes an original EEP with two files and a signature block, streaming across chunk boundaries', async () => {
    const xml = join(work, '关于印发工作要点的通知.xml');
    await writeFile(xml, ORIGINAL);
    const pkg = await readPackage(xml, { workDir: join(work, 'w') });
    expect(pkg.format).toBe('eep');
    expect(pkg.root.startsWith(join(work, 'w', 'eep-'))).toBe(true);
    expect(pkg.declared).toEqual({
      sender: '某某县人民政府办公室',
      description: '本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成',
      raw: {
        封装包格式描述: '本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成', 版本: '2009', 封装包类型: '原始型',
        封装包类型描述: '本封装包包含电子文件数据及其元数据，原始封装，未经修改', 封装包创建时间: '2026-11-20T10:00:00', 封装包创建单位: '某某县人民政府办公室',
      },
    });
    expect(pkg.items).toEqual([
      {
        key: '关于印发工作要点的通知.xml',
        metadata: METADATA,
        fields: { year: 2011, retention: '永久', org: '办公室', item_no: '0001', title: '关于印发工作要点的通知', responsible: '某某县人民政府', date: '2011-01-05', classification: '公开', doc_number: 'X府发〔2011〕1号', pages: 3 },
        files: [
          { path: 'eep-content/1/1/正文.pdf', name: '正文.pdf', size: MAIN.length, declaredSize: MAIN.length, declaredFormat: 'PDF', declaredDigests: [{ algorithm: 'sm3', value: sm3(MAIN) }] },
          { path: 'eep-content/1/2/附件一.jpg', name: '附件一.jpg', size: ATTACHMENT.length, declaredSize: ATTACHMENT.length, declaredDigests: [] },
        ],
        signatures: [{ kind: '电子签名', signer: '张三', algorithm: 'SM2withSM3', id: 'S-张三', time: '2026-11-20T10:00:01' }],
      },
    ]);
    expect((await readFile(join(pkg.root, 'eep-content/1/1/正文.pdf'))).equals(MAIN)).toBe(true);
    expect((await readFile(join(pkg.root, 'eep-content/1/2/附件一.jpg'))).equals(ATTACHMENT)).toBe(true);
    expect(await readdir(join(pkg.root, 'eep-content/1'))).toEqual(['1', '2']);
    expect(pkg.findings).toEqual([]);
    expect(pkg.encodings).toEqual({ '关于印发工作要点的通知.xml': 'UTF-8' });
    expect(pkg.unreferencedFiles).toEqual([]);
    expect(pkg.missingFiles).toEqual([]);
  });

  it('reads a 修改型 EEP in GB18030 as one item: the revision with the outer signatures, the original layer kept with its own', async () => {
    const small = Buffer.from('原版正文');
    const revised = Buffer.from('修订正文');
    const modified = `<?xml version="1.0" encoding="GB18030"?>
<电子文件封装包><封装包格式描述>x</封装包格式描述><版本>2009</版本>
  <被签名对象 eep版本="2009"><封装包类型>修改型</封装包类型><封装包创建单位>档案馆</封装包创建单位>
    <修改封装内容><修改标识符>M1</修改标识符>
      <原封装包><被签名对象 eep版本="2009"><封装包类型>原始型</封装包类型>
        <封装内容><文件实体块>${ENTITY('原题名', small, ATTACHMENT)}</文件实体块></封装内容></被签名对象>${SIGNATURES('张三')}</原封装包>
      <修订内容><文件实体块>${ENTITY('修订题名', revised, ATTACHMENT)}</文件实体块></修订内容>
    </修改封装内容>
  </被签名对象>${SIGNATURES('李四')}
  <锁定签名><被锁定签名标识符>S-李四</被锁定签名标识符><签名人>王五</签名人><签名算法标识>SM2</签名算法标识></锁定签名>
</电子文件封装包>`;
    const dir = join(work, 'eeps');
    await mkdir(dir);
    await writeFile(join(dir, '修改.xml'), iconv.encode(modified, 'gb18030'));
    await writeFile(join(dir, '说明.txt'), '无关文件');
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.encodings).toEqual({ '修改.xml': 'GB18030' });
    expect(pkg.declared.raw).toMatchObject({ 封装包类型: '修改型', 修改标识符: 'M1' });
    const signers = (signatures: Signature[] | undefined) => signatures!.map((s) => `${s.kind}:${s.signer}`);
    expect(pkg.items.map((i) => [i.key, i.fields.title, signers(i.signatures), i.files.map((f) => f.path)])).toEqual([
      ['修改.xml', '修订题名', ['电子签名:李四', '锁定签名:王五'], ['eep-content/1/3/正文.pdf', 'eep-content/1/4/附件一.jpg']],
    ]);
    expect(pkg.items[0]!.previous!.map((s) => [s.layer, s.metadata.题名, signers(s.signatures), s.files.map((f) => f.path)])).toEqual([
      ['original', '原题名', ['电子签名:张三'], ['eep-content/1/1/正文.pdf', 'eep-content/1/2/附件一.jpg']],
    ]);
    expect(pkg.items[0]!.previous![0]!.files[0]).toMatchObject({ size: small.length, declaredDigests: [{ algorithm: 'sm3', value: sm3(small) }] });
    expect((await readFile(join(pkg.root, 'eep-content/1/1/正文.pdf'))).equals(small)).toBe(true);
    expect((await readFile(join(pkg.root, 'eep-content/1/3/正文.pdf'))).equals(revised)).toBe(true);
    expect(pkg.findings).toEqual([]);
    expect(pkg.unreferencedFiles).toEqual(['说明.txt']);
    expect(await readdir(dir)).toEqual(['修改.xml', '说明.txt']);
  });

  it('pairs the entities of the layers by 电子文件号 through nested modifications; unrevised and new entities are items of their own', async () => {
    const entity = (no: string, title: string) => ENTITY(title, Buffer.from(title), ATTACHMENT).replace('EF-0001', no);
    const signed = (type: string, content: string) => `<被签名对象 eep版本="2009"><封装包类型>${type}</封装包类型>${content}</被签名对象>`;
    const modification = (original: string, revision: string) => `<修改封装内容><修改标识符>M</修改标识符>${original}<修订内容><文件实体块>${revision}</文件实体块></修订内容></修改封装内容>`;
    const first = signed('原始型', `<封装内容><文件实体块>${entity('EF-1', '甲')}${entity('EF-2', '乙')}</文件实体块></封装内容>`);
    const second = signed('修改型', modification(`<原封装包>${first}${SIGNATURES('张三')}</原封装包>`, entity('EF-2', '乙一改')));
    const third = signed('修改型', modification(`<原封装包>${second}${SIGNATURES('李四')}</原封装包>`, entity('EF-3', '丙') + entity('EF-2', '乙二改')));
    const xml = join(work, '嵌套.xml');
    await writeFile(xml, `<?xml version="1.0" encoding="UTF-8"?><电子文件封装包><版本>2009</版本>${third}${SIGNATURES('王五')}</电子文件封装包>`);
    const pkg = await readPackage(xml, { workDir: join(work, 'w') });
    expect(pkg.findings).toEqual([]);
    const state = (s: { metadata: Record<string, string>; signatures?: Signature[]; files: Array<{ path: string }> }) =>
      [s.metadata.题名, s.signatures!.map((x) => x.signer).join(), s.files[0]!.path];
    expect(pkg.items.map((i) => [i.key, ...state(i), (i.previous ?? []).map((p) => [p.layer, ...state(p)])])).toEqual([
      ['嵌套.xml 文件实体 1', '丙', '王五', 'eep-content/1/7/正文.pdf', []],
      ['嵌套.xml 文件实体 2', '乙二改', '王五', 'eep-content/1/9/正文.pdf', [['original', '乙', '张三', 'eep-content/1/3/正文.pdf'], ['revision', '乙一改', '李四', 'eep-content/1/5/正文.pdf']]],
      ['嵌套.xml 文件实体 3', '甲', '张三', 'eep-content/1/1/正文.pdf', []],
    ]);
  });

  it('decodes into the unpacked zip and reports size mismatches, unsigned packages and bad Base64', async () => {
    const lying = ORIGINAL.replace(`<计算机文件大小>${ATTACHMENT.length}</计算机文件大小>`, '<计算机文件大小>5</计算机文件大小>').replace(/<电子签名块>[\s\S]*<\/电子签名块>/, '');
    const broken = ORIGINAL.replace(/<编码数据><!\[CDATA\[[^\]]*\]\]>/, '<编码数据>不是base64');
    const zip = await writeZip(join(work, 'eeps.zip'), [
      { name: 'eeps/a.xml', data: Buffer.from(lying) },
      { name: 'eeps/b.xml', data: Buffer.from(broken) },
    ]);
    const pkg = await readPackage(zip, { workDir: join(work, 'w') });
    expect(pkg.root).toMatch(/\/eeps-[0-9a-f]{8}\/eeps$/);
    expect(pkg.items.map((i) => i.key)).toEqual(['a.xml']);
    expect(await readdir(pkg.root)).toEqual(['a.xml', 'b.xml', 'eep-content']);
    expect(await readdir(join(pkg.root, 'eep-content'))).toEqual(['1']);
    expect(pkg.findings.map((f) => [f.code, f.severity, f.path ?? f.item])).toEqual([
      ['EEP_UNSIGNED', 'warning', 'a.xml'],
      ['EEP_CONTENT_INVALID', 'error', 'b.xml'],
      ['FILE_SIZE_MISMATCH', 'error', 'eep-content/1/2/附件一.jpg'],
    ]);
    expect(pkg.findings[1]!.message_en).toBe('"b.xml" cannot be decoded: encoded data #2 is not Base64');
  });

  it('reads every EEP of a directory tree, numbering their content folders in path order', async () => {
    const dir = join(work, 'tree');
    await mkdir(join(dir, '2011/办公室'), { recursive: true });
    const second = ORIGINAL.replace('关于印发工作要点的通知</题名>', '第二件</题名>');
    await writeFile(join(dir, '2011/办公室/0002.xml'), second);
    await writeFile(join(dir, '2011/0001.xml'), ORIGINAL);
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.declared).toEqual({});
    // 2011/ alone at the top is taken as the package folder, as a zip's wrapper folder would be.
    expect(pkg.items.map((i) => [i.key, i.fields.title, i.files[0]!.path])).toEqual([
      ['0001.xml', '关于印发工作要点的通知', 'eep-content/1/1/正文.pdf'],
      ['办公室/0002.xml', '第二件', 'eep-content/2/1/正文.pdf'],
    ]);
  });

  it('refuses an EEP with a DTD and leaves no decoded content behind', async () => {
    const evil = ORIGINAL.replace('<电子文件封装包 ', '<!DOCTYPE x [<!ENTITY a "b">]>\n<电子文件封装包 ');
    const xml = join(work, 'evil.xml');
    await writeFile(xml, evil);
    const pkg = await readPackage(xml, { workDir: join(work, 'w'), format: 'eep' });
    expect(pkg.items).toEqual([]);
    expect(pkg.findings.map((f) => f.code)).toEqual(['XML_DTD_REFUSED']);
    expect(await readdir(pkg.root)).toEqual([]);
  });
});
