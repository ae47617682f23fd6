/**
 * A carrier laid out by 《电子档案移交与接收办法》 附件2: 说明文件.txt, 文件目录.xml or 案卷目录.xml,
 * the content under 电子档案/ and supporting documents under 其他/.
 *
 * A record of the directory XML is any child element of the root (〈文件〉, 〈案卷〉); a 〈文件〉
 * or 〈卷内文件〉 inside a record is read as a record of its own. A record names its electronic
 * files, relative to 电子档案/, in one of two ways:
 * - flat: one or more 〈电子档案名称〉 (or 电子文件名称, 计算机文件名, 文件名), optionally with a
 *   〈路径〉 holding the folder or the full path; 计算机文件大小, 格式, 校验码 (+ 校验算法, or an
 *   `算法` attribute) describe the file when the record names exactly one;
 * - grouped: one 〈电子文件〉 (or 〈电子档案〉, 〈原文〉) per file, holding those same elements.
 * A 路径 naming a folder stands for every file in it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathProblem } from '../unpack/paths.js';
import {
  checkDeclaredSizes,
  decodeText,
  digestsOf,
  leafValue,
  leafValues,
  naturalOrder,
  type PackageFileEntry,
  parseBytes,
  parseCount,
  type Where,
} from './common.js';
import { toCoreFields } from './fields.js';
import { Findings } from './findings.js';
import type { DeclaredDigest, TransferFile, TransferItem, TransferPackage } from './model.js';
import { children, decodeXml, elementNames, isLeaf, parseXml, text, type XmlNode } from './xml.js';

const CONTENT_DIR = '电子档案';
const OTHER_DIR = '其他';
const DESCRIPTION = '说明文件.txt';
const DIRECTORIES = ['文件目录.xml', '案卷目录.xml'];

const NAME = ['电子档案名称', '电子文件名称', '计算机文件名', '文件名'];
const PATH = ['路径', '电子档案路径', '存储路径', '文件路径'];
const SIZE = ['计算机文件大小', '文件大小', '大小'];
const FORMAT = ['格式', '格式信息', '文件格式', '格式名称'];
const FILE_GROUP = ['电子文件', '电子档案', '原文'];
const SUB_RECORD = ['文件', '卷内文件'];

/** Top-level files of the layout, found whatever their letter case (说明文件.TXT is common). */
function carrierFiles(files: PackageFileEntry[]): { description?: string; directories: string[] } {
  const top = files.filter((f) => !f.path.includes('/')).map((f) => f.path);
  const description = top.find((p) => p.toLowerCase() === DESCRIPTION.toLowerCase());
  const directories = top.filter((p) => DIRECTORIES.some((d) => d.toLowerCase() === p.toLowerCase()));
  return description === undefined ? { directories } : { description, directories };
}

export function looksLikeCarrier(files: PackageFileEntry[]): boolean {
  const { description, directories } = carrierFiles(files);
  return description !== undefined || directories.length > 0 || files.some((f) => f.path.startsWith(`${CONTENT_DIR}/`));
}

const DECLARED_KEYS = {
  itemCount: ['归档文件数量', '档案数量', '文件数量', '条目数量', '件数', '案卷数量'],
  fileCount: ['原文数量', '电子文件数量', '电子档案数量', '文件个数'],
  totalBytes: ['总字节数', '文件容量', '数据量', '字节数'],
  sender: ['移交单位', '移交单位名称', '立档单位', '立档单位名称'],
  receiver: ['接收单位', '接收单位名称'],
  description: ['摘要信息', '内容说明', '说明'],
} as const;

/** 说明文件.txt: `名称：值` lines (full-width or ASCII colon). */
function readDescription(bytes: Buffer, file: string, found: Findings, encodings: Record<string, string>): TransferPackage['declared'] {
  const decoded = decodeText(bytes);
  if (!decoded) {
    found.error('CARRIER_DESCRIPTION_ENCODING', `“${file}”既不是 UTF-8 也不是 GB18030 编码，无法读取`, `"${file}" is neither UTF-8 nor GB18030 and cannot be read`, { path: file });
    return {};
  }
  encodings[file] = decoded.encoding;
  const raw: Record<string, string> = {};
  for (const line of decoded.text.split(/\r\n|\r|\n/)) {
    const m = /^\s*([^:：]+?)\s*[:：]\s*(.*?)\s*$/.exec(line);
    if (m && m[2] !== '') raw[m[1]!] = m[2]!;
  }
  const pick = (keys: readonly string[]) => keys.map((k) => raw[k]).find((v) => v !== undefined);
  const declared: TransferPackage['declared'] = { raw };
  const itemCount = pick(DECLARED_KEYS.itemCount);
  const fileCount = pick(DECLARED_KEYS.fileCount);
  const totalBytes = pick(DECLARED_KEYS.totalBytes);
  if (itemCount !== undefined && parseCount(itemCount) !== null) declared.itemCount = parseCount(itemCount)!;
  if (fileCount !== undefined && parseCount(fileCount) !== null) declared.fileCount = parseCount(fileCount)!;
  if (totalBytes !== undefined && parseBytes(totalBytes) !== null) declared.totalBytes = parseBytes(totalBytes)!;
  for (const key of ['sender', 'receiver', 'description'] as const) {
    const v = pick(DECLARED_KEYS[key]);
    if (v !== undefined) declared[key] = v;
  }
  return declared;
}

interface FileRef {
  path: string;
  declaredSize?: number;
  declaredFormat?: string;
  declaredDigests: DeclaredDigest[];
}

/** `路径` and `名称` → a path under 电子档案/ (backslashes and a leading 电子档案/ tolerated), or null when unsafe. */
function contentPath(dir: string | undefined, name: string | undefined): string | null {
  let p = (dir ?? '').replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
  if (p === CONTENT_DIR) p = '';
  else if (p.startsWith(`${CONTENT_DIR}/`)) p = p.slice(CONTENT_DIR.length + 1);
  if (name !== undefined && !(p === name || p.endsWith(`/${name}`))) p = p === '' ? name : `${p}/${name}`;
  return p === '' || pathProblem(p) ? null : `${CONTENT_DIR}/${p}`;
}

function describe(node: XmlNode, path: string, single: boolean, where: Where, found: Findings): FileRef {
  const ref: FileRef = { path, declaredDigests: single ? digestsOf(node, where, found) : [] };
  if (!single) return ref;
  const size = leafValue(node, SIZE);
  if (size !== undefined && parseBytes(size) !== null) ref.declaredSize = parseBytes(size)!;
  const format = leafValue(node, FORMAT);
  if (format !== undefined) ref.declaredFormat = format;
  return ref;
}

function fileRefs(record: XmlNode, where: Where, found: Findings): FileRef[] {
  const refs: FileRef[] = [];
  const add = (node: XmlNode, names: string[], dir: string | undefined) => {
    const targets = names.length ? names : dir !== undefined ? [undefined] : [];
    for (const name of targets) {
      const path = contentPath(dir, name);
      if (path === null) {
        const shown = [dir, name].filter(Boolean).join(' / ');
        found.error('CARRIER_FILE_PATH_INVALID', `${where.zh}的电子档案路径“${shown}”不安全或为空，已忽略`, `${where.en}: the file path "${shown}" is unsafe or empty and was ignored`, { item: where.item, details: { path: dir, name } });
        continue;
      }
      refs.push(describe(node, path, targets.length === 1, where, found));
    }
  };
  add(record, leafValues(record, NAME), leafValue(record, PATH));
  for (const group of FILE_GROUP.flatMap((n) => children(record, n).filter((c) => !isLeaf(c)))) {
    add(group, leafValues(group, NAME), leafValue(group, PATH));
  }
  return refs;
}

function metadataOf(record: XmlNode): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const name of elementNames(record)) {
    const values = children(record, name).filter(isLeaf).map((c) => text(c).trim()).filter((v) => v !== '');
    if (values.length) metadata[name] = values.join('；');
  }
  return metadata;
}

interface DirectoryRecord {
  /** '3', or '3.2' for the second 〈文件〉 inside record 3. */
  key: string;
  node: XmlNode;
}

function records(nodes: XmlNode[], prefix: string): DirectoryRecord[] {
  return nodes.flatMap((node, i) => {
    const key = `${prefix}${i + 1}`;
    const subs = SUB_RECORD.flatMap((s) => children(node, s).filter((c) => !isLeaf(c)));
    return [{ key, node }, ...records(subs, `${key}.`)];
  });
}

export async function readCarrier(root: string, files: PackageFileEntry[]): Promise<TransferPackage> {
  const found = new Findings();
  const encodings: Record<string, string> = {};
  const { description, directories } = carrierFiles(files);
  const declared = description !== undefined ? readDescription(await readFile(join(root, description)), description, found, encodings) : {};
  if (description === undefined) found.warn('CARRIER_DESCRIPTION_MISSING', `缺少说明文件（${DESCRIPTION}）`, `The description file (${DESCRIPTION}) is missing`);
  if (directories.length === 0) found.error('CARRIER_DIRECTORY_MISSING', '缺少目录文件（文件目录.xml 或 案卷目录.xml）', 'The directory file (文件目录.xml or 案卷目录.xml) is missing');

  const sizes = new Map(files.map((f) => [f.path, f.size]));
  // A reference may name a folder (an item's page scans): its files, found by folder rather than
  // by a pass over the whole package per reference, which grew with the square of its size.
  let folders: Map<string, string[]> | undefined;
  const filesUnder = (folder: string) => {
    folders ??= filesByFolder(files);
    return folders.get(folder) ?? [];
  };
  const items: TransferItem[] = [];
  const missingFiles: TransferPackage['missingFiles'] = [];
  const referenced = new Set<string>();
  for (const dirFile of directories) {
    const xmlText = decodeXml(await readFile(join(root, dirFile)), dirFile, found, encodings);
    const doc = xmlText === null ? null : parseXml(xmlText, dirFile, found);
    const top = doc ? Object.values(doc).flat()[0] : undefined;
    if (top === undefined) continue;
    const recordNodes = elementNames(top).flatMap((name) => children(top, name)).filter((c) => !isLeaf(c));
    for (const { key: n, node } of records(recordNodes, '')) {
      const key = directories.length > 1 ? `${dirFile} record ${n}` : `record ${n}`;
      const where = { item: key, zh: `${dirFile} 第 ${n} 条`, en: `${dirFile} record ${n}` };
      const metadata = metadataOf(node);
      const item: TransferItem = { key, metadata, fields: toCoreFields(metadata), files: [] };
      for (const ref of fileRefs(node, where, found)) {
        const paths = sizes.has(ref.path) ? [ref.path] : filesUnder(ref.path);
        if (paths.length === 0) missingFiles.push({ item: key, path: ref.path });
        for (const path of paths) {
          referenced.add(path);
          const file: TransferFile = { path, name: path.slice(path.lastIndexOf('/') + 1), size: sizes.get(path)!, declaredDigests: paths.length === 1 ? ref.declaredDigests : [] };
          if (paths.length === 1 && ref.declaredSize !== undefined) file.declaredSize = ref.declaredSize;
          if (paths.length === 1 && ref.declaredFormat !== undefined) file.declaredFormat = ref.declaredFormat;
          item.files.push(file);
        }
      }
      items.push(item);
    }
  }

  const layout = new Set<string>([...directories, ...(description !== undefined ? [description] : [])]);
  const content = files.filter((f) => f.path.startsWith(`${CONTENT_DIR}/`));
  const unreferencedFiles = files.map((f) => f.path).filter((p) => !referenced.has(p) && !layout.has(p) && !p.startsWith(`${OTHER_DIR}/`));
  checkDeclaredSizes(items, found);
  checkDeclaredCounts(declared, items.length, content, found);
  return { format: 'carrier', root, declared, items, unreferencedFiles, missingFiles, findings: found.list, encodings };
}

/** Every folder of the package with the files anywhere below it, in natural order. */
function filesByFolder(files: PackageFileEntry[]): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  for (const { path } of files) {
    for (let cut = path.indexOf('/'); cut > 0; cut = path.indexOf('/', cut + 1)) {
      const folder = path.slice(0, cut);
      const list = folders.get(folder);
      if (list) list.push(path);
      else folders.set(folder, [path]);
    }
  }
  for (const list of folders.values()) list.sort(naturalOrder);
  return folders;
}

function checkDeclaredCounts(declared: TransferPackage['declared'], itemCount: number, content: PackageFileEntry[], found: Findings): void {
  if (declared.itemCount !== undefined && declared.itemCount !== itemCount) {
    found.error('PACKAGE_ITEM_COUNT_MISMATCH', `说明文件声明 ${declared.itemCount} 件（卷），目录中实有 ${itemCount} 条`, `The description file declares ${declared.itemCount} records; the directory holds ${itemCount}`, { details: { declared: declared.itemCount, actual: itemCount } });
  }
  if (declared.fileCount !== undefined && declared.fileCount !== content.length) {
    found.error('PACKAGE_FILE_COUNT_MISMATCH', `说明文件声明 ${declared.fileCount} 个电子文件，${CONTENT_DIR}/ 中实有 ${content.length} 个`, `The description file declares ${declared.fileCount} files; ${CONTENT_DIR}/ holds ${content.length}`, { details: { declared: declared.fileCount, actual: content.length } });
  }
  const bytes = content.reduce((sum, f) => sum + f.size, 0);
  if (declared.totalBytes !== undefined && declared.totalBytes !== bytes) {
    // The rules do not say whether 文件容量 counts the whole carrier or only 电子档案/.
    found.warn('PACKAGE_BYTES_MISMATCH', `说明文件声明 ${declared.totalBytes} 字节，${CONTENT_DIR}/ 中的文件共 ${bytes} 字节`, `The description file declares ${declared.totalBytes} bytes; the files in ${CONTENT_DIR}/ total ${bytes}`, { details: { declared: declared.totalBytes, actual: bytes } });
  }
}
