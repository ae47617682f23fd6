/**
 * DA/T 48-2009 EEPs (〈电子文件封装包〉). The Base64 in every 〈编码数据〉 is decoded to a file
 * under `<root>/eep-content/` while the XML streams past, and replaced in the text by a short
 * reference; only that slimmed text is parsed. So however large the EEP, memory holds one chunk
 * of it and the metadata, never a file's bytes.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
import { pathProblem } from '../unpack/paths.js';
import { checkDeclaredSizes, digestsOf, leafValue, parseBytes, type Where } from './common.js';
import { toCoreFields } from './fields.js';
import { Findings } from './findings.js';
import { type EarlierState, type ItemLayer, layerKey, type Signature, type TransferFile, type TransferItem, type TransferPackage } from './model.js';
import { attr, child, children, elementNames, isLeaf, parseXml, refusesDtd, text, xmlEncoding, type XmlNode } from './xml.js';

const EEP_CONTENT_DIR = 'eep-content';
const ROOT_ELEMENT = '电子文件封装包';
const PLACEHOLDER = 'lantai-eep-content:';
const BASE64 = /^[A-Za-z0-9+/=]*$/;
const OPEN_TAG = /<((?:[A-Za-z_][\w.-]*:)?)编码数据(\s[^<>]*)?>/;

/** True when the file's first bytes open an 〈电子文件封装包〉. */
export async function isEep(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const enc = xmlEncoding(head.subarray(0, bytesRead));
    return enc !== null && iconv.decode(head.subarray(0, bytesRead), enc.decoder).includes(`${ROOT_ELEMENT}`);
  } finally {
    await fh.close();
  }
}

/** A decoder that streams: TextDecoder where Node has the encoding, iconv-lite otherwise. */
function streamDecoder(encoding: string): { write(chunk: Buffer): string; end(): string } {
  try {
    const td = new TextDecoder(encoding, { fatal: true });
    return { write: (chunk) => td.decode(chunk, { stream: true }), end: () => td.decode() };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const d = iconv.getDecoder(encoding);
    return { write: (chunk) => d.write(chunk), end: () => d.end() ?? '' };
  }
}

/** A DTD seen in the prolog: refused before any content is written. */
class DtdRefused extends Error {}

class ContentError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/**
 * Streams `xmlPath`, writing each 〈编码数据〉's decoded bytes to `<outDir>/<n>.part` (n from 1 in
 * document order) and returning the rest of the text, in which each such element holds
 * `lantai-eep-content:<n>` instead. Null (with a finding) when the EEP cannot be read.
 */
async function extractContent(xmlPath: string, file: string, outDir: string, found: Findings, encodings: Record<string, string>): Promise<{ slim: string; count: number } | null> {
  const head = Buffer.alloc(512);
  const fh = await open(xmlPath, 'r');
  const { bytesRead } = await fh.read(head, 0, head.length, 0).finally(() => fh.close());
  const enc = xmlEncoding(head.subarray(0, bytesRead));
  if (!enc) {
    found.error('XML_ENCODING_UNSUPPORTED', `“${file}”声明的字符编码无法识别，应为 UTF-8、GB18030 或 GB2312`, `"${file}" declares a character encoding that is not supported; use UTF-8, GB18030 or GB2312`, { path: file });
    return null;
  }
  encodings[file] = enc.label;

  const decoder = streamDecoder(enc.decoder);
  const slim: string[] = [];
  let buf = '';
  let count = 0;
  // Assigned inside the closures below; the cast keeps TypeScript from narrowing it to null.
  let inside = null as { close: string; fh: Awaited<ReturnType<typeof open>>; pending: string } | null;

  // Text is emitted only up to a complete tag, so a `<!DOCTYPE` is never cut in two.
  const emit = (piece: string) => {
    if (refusesDtd(piece, file, found)) throw new DtdRefused();
    slim.push(piece);
  };

  const feed = async (raw: string) => {
    const cleaned = raw.replace(/<!\[CDATA\[|\]\]>|\s+/g, '');
    if (!BASE64.test(cleaned)) throw new ContentError(`第 ${count} 个编码数据不是 Base64`, `encoded data #${count} is not Base64`);
    const pending = inside!.pending + cleaned;
    const whole = pending.length - (pending.length % 4);
    if (whole > 0) await inside!.fh.write(Buffer.from(pending.slice(0, whole), 'base64'));
    inside!.pending = pending.slice(whole);
  };

  const drain = async (final: boolean) => {
    for (;;) {
      if (!inside) {
        const m = OPEN_TAG.exec(buf);
        if (!m) {
          // Keep an unfinished tag for the next chunk.
          const lt = buf.lastIndexOf('<');
          const keep = !final && lt >= 0 && buf.indexOf('>', lt) < 0 ? lt : buf.length;
          emit(buf.slice(0, keep));
          buf = buf.slice(keep);
          return;
        }
        const end = m.index + m[0].length;
        emit(buf.slice(0, end));
        buf = buf.slice(end);
        if (m[0].endsWith('/>')) continue;
        count++;
        slim.push(`${PLACEHOLDER}${count}`);
        await mkdir(outDir, { recursive: true });
        inside = { close: `</${m[1]}编码数据>`, fh: await open(join(outDir, `${count}.part`), 'w'), pending: '' };
        continue;
      }
      const at = buf.indexOf(inside.close);
      if (at < 0) {
        // The closing tag, or a CDATA marker, may be cut by the chunk boundary.
        const keep = final ? buf.length : Math.max(0, buf.length - Math.max(inside.close.length, 12));
        await feed(buf.slice(0, keep));
        buf = buf.slice(keep);
        if (final) throw new ContentError(`第 ${count} 个编码数据没有结束标记`, `encoded data #${count} has no end tag`);
        return;
      }
      await feed(buf.slice(0, at));
      if (inside.pending !== '') throw new ContentError(`第 ${count} 个编码数据的 Base64 长度不是 4 的倍数`, `the Base64 of encoded data #${count} is not a multiple of 4 long`);
      await inside.fh.close();
      slim.push(inside.close);
      buf = buf.slice(at + inside.close.length);
      inside = null;
    }
  };

  try {
    for await (const chunk of createReadStream(xmlPath, { highWaterMark: 1 << 20 })) {
      buf += decoder.write(chunk as Buffer);
      await drain(false);
    }
    buf += decoder.end();
    await drain(true);
  } catch (e) {
    await inside?.fh.close();
    await rm(outDir, { recursive: true, force: true });
    if (e instanceof DtdRefused) return null;
    if (e instanceof ContentError) {
      found.error('EEP_CONTENT_INVALID', `“${file}”无法解码：${e.zh}`, `"${file}" cannot be decoded: ${e.en}`, { path: file });
      return null;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      found.error('XML_ENCODING_INVALID', `“${file}”含有不符合所声明编码 ${enc.label} 的字节，无法读取`, `"${file}" holds bytes that are not valid ${enc.label}, its declared encoding, and cannot be read`, { path: file, details: { declared: enc.label } });
      return null;
    }
    throw e;
  }
  return { slim: slim.join(''), count };
}

function signaturesOf(holder: XmlNode | undefined): Signature[] {
  const read = (kind: string, node: XmlNode): Signature => {
    const sig: Signature = { kind };
    const fields: Array<[keyof Signature, string]> = [['signer', '签名人'], ['algorithm', '签名算法标识'], ['id', '签名标识符'], ['time', '签名时间']];
    for (const [key, name] of fields) {
      const v = text(child(node, name)).trim();
      if (v !== '') sig[key] = v;
    }
    return sig;
  };
  return [
    ...children(child(holder, '电子签名块'), '电子签名').map((n) => read('电子签名', n)),
    ...children(holder, '锁定签名').map((n) => read('锁定签名', n)),
  ];
}

/** Leaf elements of a 文件实体 outside its 文件数据, name → value; a name met twice keeps both values. */
function flatten(node: XmlNode, out: Record<string, string> = {}): Record<string, string> {
  for (const name of elementNames(node)) {
    if (name === '文件数据' || name === '文件实体关系') continue;
    for (const c of children(node, name)) {
      if (!isLeaf(c)) flatten(c, out);
      else if (text(c).trim() !== '') out[name] = out[name] === undefined ? text(c).trim() : `${out[name]}；${text(c).trim()}`;
    }
  }
  return out;
}

interface Layer {
  node: XmlNode;
  signatures: Signature[];
}

/** A 文件实体 as the package has it now, with the layers it was in before, oldest first. */
interface Entity extends Layer {
  earlier: Array<Layer & { layer: ItemLayer }>;
}

const entitiesOf = (block: XmlNode | undefined) => children(child(block, '文件实体块'), '文件实体');
const fileNumber = (entity: XmlNode) => leafValue(entity, ['电子文件号']);

/**
 * The 文件实体 of a 被签名对象 with the signatures covering them. A 修改型 package holds the
 * original package (its own 被签名对象 and signatures, possibly itself modified) and a revision.
 */
function entities(signed: XmlNode | undefined, signatures: Signature[]): Entity[] {
  const plain = child(signed, '封装内容');
  if (plain !== undefined) return entitiesOf(plain).map((node) => ({ node, signatures, earlier: [] }));
  const modified = child(signed, '修改封装内容');
  if (modified === undefined) return [];
  const original = child(modified, '原封装包');
  return revise(entities(child(original, '被签名对象'), signaturesOf(original)), entitiesOf(child(modified, '修订内容')), signatures);
}

/**
 * Each 文件实体 of a 修订内容 revises the one of the 原封装包 with the same 电子文件号 (DA/T 46
 * M7, the electronic file's identity), or the only one when each layer holds one; it is one
 * item, its earlier layers kept. DA/T 48's 修改封装内容 has no element that withdraws an entity
 * (domain.md §4.3), so an original entity no revision names is still current, and a revision
 * entity that names none is new: each is an item of its own.
 */
function revise(before: Entity[], revised: XmlNode[], signatures: Signature[]): Entity[] {
  const unrevised = [...before];
  const single = before.length === 1 && revised.length === 1;
  const paired = revised.map((node): Entity => {
    const number = fileNumber(node);
    const at = single ? 0 : unrevised.findIndex((e) => number !== undefined && fileNumber(e.node) === number);
    const prior = at < 0 ? undefined : unrevised.splice(at, 1)[0]!;
    if (!prior) return { node, signatures, earlier: [] };
    const layer: ItemLayer = prior.earlier.length === 0 ? 'original' : 'revision';
    return { node, signatures, earlier: [...prior.earlier, { node: prior.node, signatures: prior.signatures, layer }] };
  });
  return [...paired, ...unrevised];
}

/** A name safe to keep as one path segment, else `<n>.<反编码关键字>`. */
function contentName(declared: string, extension: string, n: number): string {
  const base = declared.replace(/\\/g, '/').split('/').pop() ?? '';
  const ext = extension.replace(/^\./, '');
  const name = base !== '' && pathProblem(base) === null ? base : `${n}.${ext || 'bin'}`;
  return ext !== '' && !name.toLowerCase().endsWith(`.${ext.toLowerCase()}`) ? `${name}.${ext}` : name;
}

async function entityFiles(entity: XmlNode, partDir: string, relDir: string, root: string, where: Where, found: Findings, used: Set<number>): Promise<TransferFile[]> {
  const files: TransferFile[] = [];
  const documents = children(child(entity, '文件数据'), '文档');
  for (const doc of documents) {
    for (const data of children(doc, '文档数据')) {
      for (const encoding of children(data, '编码')) {
        const ref = text(child(encoding, '编码数据')).trim();
        if (!ref.startsWith(PLACEHOLDER)) {
          found.error('EEP_CONTENT_MISSING', `${where.zh}的一个编码没有编码数据`, `${where.en}: an encoding holds no encoded data`, { item: where.item });
          continue;
        }
        const n = Number(ref.slice(PLACEHOLDER.length));
        used.add(n);
        const props = child(encoding, '电子属性');
        const name = contentName(leafValue(props ?? '', ['计算机文件名']) ?? '', leafValue(encoding, ['反编码关键字']) ?? '', n);
        const path = `${relDir}/${n}/${name}`;
        await mkdir(join(root, relDir, String(n)), { recursive: true });
        await rename(join(partDir, `${n}.part`), join(root, path));
        const file: TransferFile = { path, name, size: (await stat(join(root, path))).size, declaredDigests: props ? digestsOf(props, where, found) : [] };
        const size = leafValue(props ?? '', ['计算机文件大小']);
        if (size !== undefined && parseBytes(size) !== null) file.declaredSize = parseBytes(size)!;
        const format = leafValue(props ?? '', ['格式信息', '格式']);
        if (format !== undefined) file.declaredFormat = format;
        files.push(file);
      }
    }
  }
  return files;
}

export interface EepSource {
  /** The directory the EEP files are read from; their paths are relative to it. */
  source: string;
  eepFiles: string[];
  /** Other files beside them, reported as unreferenced. */
  otherFiles: string[];
  /** Where `eep-content/` is written. */
  root: string;
}

/**
 * Reads each EEP into items, one per 文件实体; of a 修改型 EEP, a revised entity is one item that
 * keeps its earlier layers as `previous` (see revise). The decoded files are
 * `eep-content/<k>/<n>/<name>` under `root`: k numbers the EEPs in the order given, n the 编码 in
 * document order, and name is the 计算机文件名 (with the 反编码关键字 as its extension when it
 * lacks one).
 */
export async function readEep({ source, eepFiles, otherFiles, root }: EepSource): Promise<TransferPackage> {
  const found = new Findings();
  const encodings: Record<string, string> = {};
  const items: TransferItem[] = [];
  let declared: TransferPackage['declared'] = {};
  for (const [i, file] of eepFiles.entries()) {
    const relDir = `${EEP_CONTENT_DIR}/${i + 1}`;
    const partDir = join(root, relDir);
    const extracted = await extractContent(join(source, file), file, partDir, found, encodings);
    const doc = extracted ? parseXml(extracted.slim, file, found) : null;
    const pkg = doc ? child(doc as XmlNode, ROOT_ELEMENT) : undefined;
    if (!pkg) {
      if (doc) found.error('EEP_ROOT_MISSING', `“${file}”的根元素不是〈${ROOT_ELEMENT}〉`, `The root element of "${file}" is not <${ROOT_ELEMENT}>`, { path: file });
      await rm(partDir, { recursive: true, force: true });
      continue;
    }
    const signed = child(pkg, '被签名对象');
    checkVersion(pkg, signed, file, found);
    if (eepFiles.length === 1) declared = declaredOf(pkg, signed);
    const signatures = signaturesOf(pkg);
    if (signatures.length === 0) found.warn('EEP_UNSIGNED', `“${file}”没有电子签名块`, `"${file}" has no signature block`, { path: file });
    const ents = entities(signed, signatures);
    if (ents.length === 0) found.error('EEP_NO_ENTITY', `“${file}”中没有文件实体`, `"${file}" holds no 文件实体 (record entity)`, { path: file });
    const used = new Set<number>();
    for (const [j, entity] of ents.entries()) {
      const key = ents.length === 1 ? file : `${file} 文件实体 ${j + 1}`;
      const read = async (node: XmlNode, at: string) => {
        const files = await entityFiles(node, partDir, relDir, root, { item: key, zh: at, en: at }, found, used);
        return { metadata: flatten(node), files };
      };
      const previous: EarlierState[] = [];
      for (const e of entity.earlier) previous.push({ layer: e.layer, ...(await read(e.node, layerKey(key, e.layer))), signatures: e.signatures });
      const { metadata, files } = await read(entity.node, previous.length ? layerKey(key, 'revision') : key);
      const item: TransferItem = { key, metadata, fields: toCoreFields(metadata), files, signatures: entity.signatures };
      if (previous.length) item.previous = previous;
      items.push(item);
    }
    for (let n = 1; n <= (extracted?.count ?? 0); n++) {
      if (used.has(n)) continue;
      await rm(join(partDir, `${n}.part`), { force: true });
      found.warn('EEP_CONTENT_OUTSIDE_ENTITY', `“${file}”的第 ${n} 个编码数据不在任何文件实体的文件数据中，已忽略`, `Encoded data #${n} of "${file}" is not inside any 文件实体's 文件数据 and was ignored`, { path: file, details: { index: n } });
    }
  }
  checkDeclaredSizes(items, found);
  return { format: 'eep', root, declared, items, unreferencedFiles: otherFiles, missingFiles: [], findings: found.list, encodings };
}

function declaredOf(pkg: XmlNode, signed: XmlNode | undefined): TransferPackage['declared'] {
  const raw: Record<string, string> = {};
  for (const name of ['封装包格式描述', '版本']) if (text(child(pkg, name)).trim()) raw[name] = text(child(pkg, name)).trim();
  for (const name of ['封装包类型', '封装包类型描述', '封装包创建时间', '封装包创建单位']) if (text(child(signed, name)).trim()) raw[name] = text(child(signed, name)).trim();
  const modId = text(child(child(signed, '修改封装内容'), '修改标识符')).trim();
  if (modId) raw['修改标识符'] = modId;
  const declared: TransferPackage['declared'] = { raw };
  if (raw['封装包创建单位']) declared.sender = raw['封装包创建单位'];
  if (raw['封装包格式描述']) declared.description = raw['封装包格式描述'];
  return declared;
}

function checkVersion(pkg: XmlNode, signed: XmlNode | undefined, file: string, found: Findings): void {
  const version = text(child(pkg, '版本')).trim();
  const signedVersion = attr(signed, 'eep版本');
  if (version === '2009' && (signedVersion === undefined || signedVersion === '2009')) return;
  found.warn(
    'EEP_VERSION',
    `“${file}”的版本为“${version}”、被签名对象的 eep版本为“${signedVersion ?? ''}”，DA/T 48-2009 规定两者均为 2009`,
    `"${file}" has 版本 "${version}" and 被签名对象 eep版本 "${signedVersion ?? ''}"; DA/T 48-2009 fixes both at 2009`,
    { path: file, details: { version, signedVersion } },
  );
}
