/**
 * BagIt bags (RFC 8493) following Lantai's transfer profile, `lantai-transfer/1`:
 *
 * - bag-info.txt says `BagIt-Profile-Identifier: lantai-transfer/1`; besides the RFC's labels
 *   (Source-Organization → sender, External-Description → description, Payload-Oxum → file count
 *   and bytes) it may give `Lantai-Item-Count` and `Lantai-Receiver`;
 * - the tag file `lantai-catalogue.json`, at the bag's top level beside bag-info.txt (so the tag
 *   manifests cover it), is a UTF-8 JSON array with one object per item:
 *   ```json
 *   [{ "key": "optional label",
 *      "metadata": { "题名": "…", "档号": "…" },
 *      "fields": { "title": "…", "pages": 3 },
 *      "files": ["2011/办公室/0001.pdf", { "path": "2011/0002.ofd", "name": "通知.ofd", "format": "OFD" }] }]
 *   ```
 *   `metadata` holds DA/T 46 element names and is mapped to core fields like every other format;
 *   `fields` (Lantai core field names) overrides that mapping. File paths are relative to data/.
 *
 * Declared digests come from every payload manifest. The bag's own validity (manifests, Oxum,
 * completeness) is validateBag's: its errors and warnings become findings here.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { validateBag } from '../bagit/validate.js';
import { decodeManifestPath, parseBagInfo, parseManifest } from '../bagit/tag-files.js';
import { pathProblem } from '../unpack/paths.js';
import { checkDeclaredSizes, type PackageFileEntry } from './common.js';
import { toCoreFields } from './fields.js';
import { Findings } from './findings.js';
import type { DeclaredDigest, TransferFile, TransferItem, TransferPackage } from './model.js';

export const LANTAI_PROFILE = 'lantai-transfer/1';
export const CATALOGUE_FILE = 'lantai-catalogue.json';
const MANIFEST = /^manifest-(sm3|sha256|sha512|sha1|md5)\.txt$/;

const utf8 = (bytes: Buffer) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

async function declaredDigests(root: string): Promise<Map<string, DeclaredDigest[]>> {
  const out = new Map<string, DeclaredDigest[]>();
  for (const name of (await readdir(root)).sort()) {
    const m = MANIFEST.exec(name);
    if (!m) continue;
    const algorithm = m[1] as DeclaredDigest['algorithm'];
    // Malformed lines and encodings are validateBag's findings; here they are simply skipped.
    const { lines } = parseManifest((await readFile(join(root, name))).toString('utf8'));
    for (const line of lines) {
      const path = decodeManifestPath(line.rawPath);
      if (path !== null) out.set(path, [...(out.get(path) ?? []), { algorithm, value: line.digest }]);
    }
  }
  return out;
}

function declaredOf(info: Array<[string, string]>): TransferPackage['declared'] {
  const raw: Record<string, string> = {};
  for (const [label, value] of info) raw[label] = raw[label] === undefined ? value : `${raw[label]}\n${value}`;
  const get = (label: string) => info.find(([l]) => l.toLowerCase() === label.toLowerCase())?.[1];
  const declared: TransferPackage['declared'] = { raw };
  const oxum = /^(\d+)\.(\d+)$/.exec(get('Payload-Oxum') ?? '');
  if (oxum) {
    declared.totalBytes = Number(oxum[1]);
    declared.fileCount = Number(oxum[2]);
  }
  const itemCount = get('Lantai-Item-Count');
  if (itemCount !== undefined && /^\d+$/.test(itemCount)) declared.itemCount = Number(itemCount);
  const labels = { sender: 'Source-Organization', receiver: 'Lantai-Receiver', description: 'External-Description' } as const;
  for (const [key, label] of Object.entries(labels) as Array<[keyof typeof labels, string]>) {
    const v = get(label);
    if (v !== undefined) declared[key] = v;
  }
  return declared;
}

interface CatalogueFile {
  path: string;
  name?: string;
  format?: string;
}

const isStringRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function catalogueFiles(v: unknown): CatalogueFile[] | null {
  if (!Array.isArray(v)) return null;
  const out: CatalogueFile[] = [];
  for (const f of v) {
    if (typeof f === 'string') out.push({ path: f });
    else if (isStringRecord(f) && typeof f.path === 'string') {
      const file: CatalogueFile = { path: f.path };
      if (typeof f.name === 'string') file.name = f.name;
      if (typeof f.format === 'string') file.format = f.format;
      out.push(file);
    } else return null;
  }
  return out;
}

const asStrings = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)]));

export async function readBag(root: string, files: PackageFileEntry[]): Promise<TransferPackage> {
  const found = new Findings();
  const encodings: Record<string, string> = {};
  const validation = await validateBag(root);
  for (const f of validation.errors) found.error(f.code, f.message_zh, f.message, f.path !== undefined ? { path: f.path } : {});
  for (const f of validation.warnings) found.warn(f.code, f.message_zh, f.message, f.path !== undefined ? { path: f.path } : {});

  const infoFile = files.find((f) => f.path === 'bag-info.txt');
  const info = infoFile ? parseBagInfo((await readFile(join(root, infoFile.path))).toString('utf8')).info : validation.info;
  const declared = declaredOf(info);
  const profile = declared.raw?.['BagIt-Profile-Identifier'];
  if (profile !== LANTAI_PROFILE) {
    found.warn('BAG_PROFILE_UNKNOWN', `bag-info.txt 未声明 BagIt-Profile-Identifier: ${LANTAI_PROFILE}${profile ? `（声明的是“${profile}”）` : ''}，按兰台移交规范读取`, `bag-info.txt does not declare BagIt-Profile-Identifier: ${LANTAI_PROFILE}${profile ? ` (it declares "${profile}")` : ''}; read with Lantai's transfer profile`, { path: 'bag-info.txt' });
  }

  const sizes = new Map(files.map((f) => [f.path, f.size]));
  const digests = await declaredDigests(root);
  const items: TransferItem[] = [];
  const missingFiles: TransferPackage['missingFiles'] = [];
  const referenced = new Set<string>();
  const entries = await readCatalogue(root, sizes.has(CATALOGUE_FILE), found, encodings);
  for (const [i, entry] of entries.entries()) {
    const key = typeof entry.key === 'string' && entry.key !== '' ? entry.key : `item ${i + 1}`;
    const metadata = isStringRecord(entry.metadata) ? asStrings(entry.metadata) : {};
    const given = isStringRecord(entry.fields) ? Object.fromEntries(Object.entries(entry.fields).filter(([, v]) => typeof v === 'string' || typeof v === 'number')) as Record<string, string | number> : {};
    const listed = catalogueFiles(entry.files ?? []);
    if (listed === null) {
      found.error('BAG_CATALOGUE_INVALID', `${CATALOGUE_FILE} 第 ${i + 1} 项的 files 应为路径字符串或 {path, name, format} 对象的数组`, `Item ${i + 1} of ${CATALOGUE_FILE}: files must be an array of path strings or {path, name, format} objects`, { item: key, path: CATALOGUE_FILE });
    }
    const item: TransferItem = { key, metadata, fields: { ...toCoreFields(metadata), ...given }, files: [] };
    for (const f of listed ?? []) {
      if (pathProblem(f.path)) {
        found.error('BAG_CATALOGUE_PATH_INVALID', `${CATALOGUE_FILE} 中“${key}”的文件路径“${f.path}”不安全，已忽略`, `${CATALOGUE_FILE}: the file path "${f.path}" of "${key}" is unsafe and was ignored`, { item: key, path: CATALOGUE_FILE, details: { file: f.path } });
        continue;
      }
      const path = `data/${f.path}`;
      const size = sizes.get(path);
      if (size === undefined) {
        missingFiles.push({ item: key, path });
        continue;
      }
      referenced.add(path);
      const file: TransferFile = { path, name: f.name ?? path.slice(path.lastIndexOf('/') + 1), size, declaredDigests: digests.get(path) ?? [] };
      if (f.format !== undefined) file.declaredFormat = f.format;
      item.files.push(file);
    }
    items.push(item);
  }
  if (declared.itemCount !== undefined && declared.itemCount !== items.length) {
    found.error('PACKAGE_ITEM_COUNT_MISMATCH', `bag-info.txt 声明 ${declared.itemCount} 件，${CATALOGUE_FILE} 中实有 ${items.length} 件`, `bag-info.txt declares ${declared.itemCount} items; ${CATALOGUE_FILE} holds ${items.length}`, { details: { declared: declared.itemCount, actual: items.length } });
  }
  checkDeclaredSizes(items, found);
  const unreferencedFiles = files.map((f) => f.path).filter((p) => p.startsWith('data/') && !referenced.has(p));
  return { format: 'bagit', root, declared, items, unreferencedFiles, missingFiles, findings: found.list, encodings };
}

async function readCatalogue(root: string, present: boolean, found: Findings, encodings: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  if (!present) {
    found.error('BAG_CATALOGUE_MISSING', `缺少目录文件 ${CATALOGUE_FILE}，无法知道包中有哪些档案`, `The catalogue ${CATALOGUE_FILE} is missing, so the bag's records are unknown`, { path: CATALOGUE_FILE });
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8(await readFile(join(root, CATALOGUE_FILE))));
    encodings[CATALOGUE_FILE] = 'UTF-8';
  } catch (e) {
    found.error('BAG_CATALOGUE_INVALID', `${CATALOGUE_FILE} 不是有效的 UTF-8 JSON：${(e as Error).message}`, `${CATALOGUE_FILE} is not valid UTF-8 JSON: ${(e as Error).message}`, { path: CATALOGUE_FILE });
    return [];
  }
  if (!Array.isArray(parsed) || !parsed.every(isStringRecord)) {
    found.error('BAG_CATALOGUE_INVALID', `${CATALOGUE_FILE} 应为对象数组，每个对象是一件档案`, `${CATALOGUE_FILE} must be an array of objects, one per record`, { path: CATALOGUE_FILE });
    return [];
  }
  return parsed;
}
