/** What the receiving tests share: carrier packages written to disk, and acting as a named user. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from '../../platform/context.js';
import { type Actor, actorFromUser } from '../../security/actor.js';
import { UsersRepository } from '../../security/users.repository.js';
import { makePdf } from '../checks/test-fixtures.js';

export const codeOf = (n: number) => `Z109-WS·2023·Y·办公室-${String(n).padStart(4, '0')}`;

const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');
const textOf = (n: number) => Buffer.from(`关于第${n}号文件的通知\f第二页 兰台接收测试${n}`);

/** The same size, one byte changed in the binary comment after the header, so the PDF still reads. */
function tampered(pdf: Buffer): Buffer {
  const copy = Buffer.from(pdf);
  copy[10] = copy[10]! ^ 1;
  return copy;
}

/**
 * Writes a carrier (《电子档案移交与接收办法》 附件2) of `count` items, each a PDF and its text,
 * with SM3 digests in 文件目录.xml, and returns the directory. `tamper` changes the first PDF
 * after its digest was written, as a file damaged or altered in transit.
 */
export async function writePackageDir(dir: string, count: number, opts: { tamper?: boolean } = {}): Promise<string> {
  await mkdir(join(dir, '电子档案', '2023'), { recursive: true });
  const pdf = await makePdf('Lantai transfer');
  const records: string[] = [];
  let bytes = 0;
  for (let n = 1; n <= count; n += 1) {
    const stem = String(n).padStart(4, '0');
    const text = textOf(n);
    await writeFile(join(dir, '电子档案', '2023', `${stem}.pdf`), opts.tamper && n === 1 ? tampered(pdf) : pdf);
    await writeFile(join(dir, '电子档案', '2023', `${stem}.txt`), text);
    bytes += pdf.length + text.length;
    const file = (name: string, body: Buffer, format: string) =>
      `<电子文件><路径>2023</路径><电子档案名称>${name}</电子档案名称><计算机文件大小>${body.length}</计算机文件大小><格式>${format}</格式><校验码 算法="SM3">${sm3(body)}</校验码></电子文件>`;
    records.push(`<文件><顺序号>${n}</顺序号><档号>${codeOf(n)}</档号><件号>${stem}</件号><题名>关于第${n}号文件的通知</题名><责任者>峄城区人民政府办公室</责任者>` +
      `<日期>20230315</日期><年度>2023</年度><保管期限>永久</保管期限><密级>公开</密级><机构或问题>办公室</机构或问题>` +
      `${file(`${stem}.pdf`, pdf, 'PDF')}${file(`${stem}.txt`, text, 'TXT')}</文件>`);
  }
  await writeFile(join(dir, '文件目录.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<文件目录>\n${records.join('\n')}\n</文件目录>\n`);
  await writeFile(join(dir, '说明文件.txt'), `移交单位：峄城区人民政府办公室\n接收单位：峄城区档案馆\n归档文件数量：${count}\n原文数量：${count * 2}\n总字节数：${bytes}\n`);
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
