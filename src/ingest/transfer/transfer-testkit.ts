/** What the receiving tests share: the same items as packages of each format written to disk, and acting as a named user. */
import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { AppContext } from '../../platform/context.js';
import { type Actor, actorFromUser } from '../../security/actor.js';
import { UsersRepository } from '../../security/users.repository.js';
import { writeBag } from '../bagit/write.js';
import { makePdf, makePng } from '../checks/test-fixtures.js';
import { CATALOGUE_FILE, LANTAI_PROFILE } from '../packages/bagit.js';

export const codeOf = (n: number) => `Z109-WS·2023·Y·办公室-${String(n).padStart(4, '0')}`;

const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');
const textOf = (n: number) => Buffer.from(`关于第${n}号文件的通知\f第二页 兰台接收测试${n}`);
export const SENDER = '峄城区人民政府办公室';

/** The same size, one byte changed in the binary comment after the header, so the PDF still reads. */
function tampered(pdf: Buffer): Buffer {
  const copy = Buffer.from(pdf);
  copy[10] = copy[10]! ^ 1;
  return copy;
}

/** What every package format carries for item `n`: a one-page PDF, its text, and its description. */
export interface FixtureItem {
  n: number;
  stem: string;
  code: string;
  /** DA/T 46 element names → values, as a sender describes the item. */
  metadata: Record<string, string>;
  files: Array<{ name: string; body: Buffer; format: string }>;
}

/**
 * `tamper` changes the first PDF after its digest was taken, as a file damaged or altered in
 * transit. `revise` makes writeEepDir write 修改型 EEPs: the item as described in the 原封装包 (where
 * `tamper` then alters it), and in the 修订内容 retitled, its PDF replaced by a revised one under a
 * new name, its text unchanged.
 */
export interface FixtureOptions {
  tamper?: boolean;
  revise?: boolean;
}

/** What a revision (FixtureOptions.revise) appends to the title, and what it names its PDF. */
export const REVISED_TITLE = '（修订）';
export const revisedPdfName = (stem: string) => `${stem}-修订.pdf`;

async function fixtureItems(count: number): Promise<FixtureItem[]> {
  const pdf = await makePdf('Lantai transfer');
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const stem = String(n).padStart(4, '0');
    return {
      n, stem, code: codeOf(n),
      metadata: {
        档号: codeOf(n), 件号: stem, 题名: `关于第${n}号文件的通知`, 责任者: SENDER, 日期: '20230315', 年度: '2023', 保管期限: '永久', 密级: '公开', 机构或问题: '办公室', 页数: '1',
      },
      files: [{ name: `${stem}.pdf`, body: pdf, format: 'PDF' }, { name: `${stem}.txt`, body: textOf(n), format: 'TXT' }],
    };
  });
}

/** The bytes a package holds for `file` of item `n`: what was described, unless tampered with in transit. */
const sent = (item: FixtureItem, file: FixtureItem['files'][number], opts: FixtureOptions) =>
  opts.tamper && item.n === 1 && file.format === 'PDF' ? tampered(file.body) : file.body;

const elements = (values: Record<string, string>) => Object.entries(values).map(([k, v]) => `<${k}>${v}</${k}>`).join('');

/**
 * Writes a carrier (《电子档案移交与接收办法》 附件2) of `count` items, each a PDF and its text,
 * with SM3 digests in 文件目录.xml, and returns the directory.
 */
export async function writePackageDir(dir: string, count: number, opts: FixtureOptions = {}): Promise<string> {
  await mkdir(join(dir, '电子档案', '2023'), { recursive: true });
  const records: string[] = [];
  let bytes = 0;
  for (const item of await fixtureItems(count)) {
    const files = item.files.map((f) => {
      bytes += f.body.length;
      return `<电子文件><路径>2023</路径><电子档案名称>${f.name}</电子档案名称><计算机文件大小>${f.body.length}</计算机文件大小><格式>${f.format}</格式><校验码 算法="SM3">${sm3(f.body)}</校验码></电子文件>`;
    });
    for (const f of item.files) await writeFile(join(dir, '电子档案', '2023', f.name), sent(item, f, opts));
    records.push(`<文件><顺序号>${item.n}</顺序号>${elements(item.metadata)}${files.join('')}</文件>`);
  }
  await writeFile(join(dir, '文件目录.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<文件目录>\n${records.join('\n')}\n</文件目录>\n`);
  await writeFile(join(dir, '说明文件.txt'), `移交单位：${SENDER}\n接收单位：峄城区档案馆\n归档文件数量：${count}\n原文数量：${count * 2}\n总字节数：${bytes}\n`);
  return dir;
}

/**
 * Writes one DA/T 48 EEP per item (原始型, or 修改型 with `revise`; unsigned) into `dir`: the 档号
 * as its DA/T 46 parts, the files Base64-encoded with their size, format and SM3 digest.
 */
export async function writeEepDir(dir: string, count: number, opts: FixtureOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const revisedPdf = await makePdf('Lantai transfer revised');
  for (const item of await fixtureItems(count)) {
    const m = item.metadata;
    // `body` is what the metadata describes, `sent` what the package holds.
    const entity = (title: string, files: Array<FixtureItem['files'][number] & { sent: Buffer }>) => {
      const documents = files.map((f, i) => `<文档><文档标识符>D${i + 1}</文档标识符><文档主从声明>${i === 0 ? '主文档' : '附属文档'}</文档主从声明><文档数据><编码>` +
        `<电子属性><计算机文件名>${f.name}</计算机文件名><计算机文件大小>${f.body.length}</计算机文件大小><格式信息>${f.format}</格式信息><校验码 算法="SM3">${sm3(f.body)}</校验码></电子属性>` +
        `<编码描述>Base64 (RFC 2045)</编码描述><反编码关键字>${f.name.split('.').pop()}</反编码关键字><编码数据>${f.sent.toString('base64')}</编码数据></编码></文档数据></文档>`);
      return `<文件实体><聚合层次>文件</聚合层次><来源><立档单位名称>${SENDER}</立档单位名称></来源><电子文件号>EF-${item.stem}</电子文件号>` +
        `<档号>${elements({ 全宗号: 'Z109', 年度: m.年度!, 保管期限: m.保管期限!, 机构或问题: m.机构或问题!, 室编件号: item.stem })}</档号>` +
        `<内容描述>${elements({ 题名: title, 责任者: m.责任者!, 日期: m.日期!, 密级: m.密级! })}</内容描述>` +
        `<形式特征><文件组合类型>组合文件</文件组合类型><页数>${m.页数}</页数></形式特征><存储位置><脱机载体编号>CD-1</脱机载体编号></存储位置>` +
        `<文件数据>${documents.join('')}</文件数据></文件实体>`;
    };
    const original = entity(m.题名!, item.files.map((f) => ({ ...f, sent: sent(item, f, opts) })));
    const signed = (type: string, description: string, content: string) =>
      `<被签名对象 eep版本="2009"><封装包类型>${type}</封装包类型><封装包类型描述>${description}</封装包类型描述>` +
      `<封装包创建时间>2023-03-16T09:00:00</封装包创建时间><封装包创建单位>${SENDER}</封装包创建单位>${content}</被签名对象>`;
    const originalPackage = signed('原始型', '本封装包包含电子文件数据及其元数据，原始封装，未经修改', `<封装内容><文件实体块>${original}</文件实体块></封装内容>`);
    const text = item.files.find((f) => f.format === 'TXT')!;
    const revision = entity(`${m.题名}${REVISED_TITLE}`, [{ name: revisedPdfName(item.stem), body: revisedPdf, format: 'PDF', sent: revisedPdf }, { ...text, sent: text.body }]);
    const content = opts.revise
      ? signed('修改型', '本封装包包含电子文件数据及其元数据，系修改封装，在保留原封装包的基础上，添加了修改层',
        `<修改封装内容><修改标识符>M-${item.stem}</修改标识符><原封装包>${originalPackage}</原封装包><修订内容><文件实体块>${revision}</文件实体块></修订内容></修改封装内容>`)
      : originalPackage;
    await writeFile(join(dir, `${item.stem}.xml`), `<?xml version="1.0" encoding="UTF-8"?>
<电子文件封装包 xmlns="http://www.saac.gov.cn/standards/ERM/encapsulation">
<封装包格式描述>本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成</封装包格式描述><版本>2009</版本>
${content}
</电子文件封装包>
`);
  }
  return dir;
}

/**
 * Adds the lantai-transfer/1 catalogue to a bag written by writeBag, as a producer following the
 * profile would: a tag file that the tag manifests cover.
 */
export async function addBagCatalogue(dir: string, catalogue: unknown, algorithms: readonly string[] = ['sha256', 'sm3']): Promise<string> {
  const body = Buffer.from(JSON.stringify(catalogue));
  await writeFile(join(dir, CATALOGUE_FILE), body);
  for (const algorithm of algorithms) await appendFile(join(dir, `tagmanifest-${algorithm}.txt`), `${createHash(algorithm).update(body).digest('hex')}  ${CATALOGUE_FILE}\n`);
  return dir;
}

/** Writes a BagIt bag with the lantai-transfer/1 profile at `dir` (which must not exist). */
export async function writeBagDir(dir: string, count: number, opts: FixtureOptions = {}): Promise<string> {
  const items = await fixtureItems(count);
  const payload = items.flatMap((item) => item.files.map((f) => ({ path: `2023/${f.name}`, body: f.body })));
  await writeBag(dir, payload, [['BagIt-Profile-Identifier', LANTAI_PROFILE], ['Source-Organization', SENDER], ['Lantai-Item-Count', String(count)]]);
  // Tampered after bagging, so the manifests hold the digests of what was sent.
  if (opts.tamper) await writeFile(join(dir, 'data', '2023', items[0]!.files[0]!.name), sent(items[0]!, items[0]!.files[0]!, opts));
  return addBagCatalogue(dir, items.map((item) => ({ metadata: item.metadata, files: item.files.map((f) => `2023/${f.name}`) })));
}

/**
 * Writes a DA/T 31 digitization deliverable: a folder of single-page scans per 档号 under 图像/
 * and the catalogue 目录.xlsx hooking rows to them by 档号. Scans carry no text of their own.
 */
export async function writeDigitizationDir(dir: string, count: number): Promise<string> {
  const items = await fixtureItems(count);
  const png = makePng();
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('目录');
  const header = Object.keys(items[0]!.metadata);
  sheet.addRow(header);
  for (const item of items) {
    sheet.addRow(header.map((k) => item.metadata[k]));
    await mkdir(join(dir, '图像', item.code), { recursive: true });
    await writeFile(join(dir, '图像', item.code, '0001.png'), png);
  }
  await workbook.xlsx.writeFile(join(dir, '目录.xlsx'));
  return dir;
}

/** The named user as the services see them, for driving services directly. */
export async function actorNamed(ctx: AppContext, username: string): Promise<Actor> {
  const users = new UsersRepository(ctx.database.db);
  const user = (await users.byUsername(username))!;
  return actorFromUser(user, await users.fondsOf(user.id), null);
}

/** A multipart/form-data body of text fields and one package file, for `app.inject`. */
export function packageForm(fields: Record<string, string>, file: { name: string; bytes: Buffer }): { payload: Buffer; contentType: string } {
  const boundary = `----lantai${randomUUID()}`;
  const parts = [
    ...Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/zip\r\n\r\n`), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`),
  ];
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
