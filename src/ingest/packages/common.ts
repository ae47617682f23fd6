import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { walkTree } from '../unpack/scan.js';
import type { Findings } from './findings.js';
import { attr, children, isLeaf, text, type XmlNode } from './xml.js';
import { type DeclaredDigest, itemStates, type TransferItem } from './model.js';

export interface PackageFileEntry {
  path: string;
  size: number;
}

/** Every file under `root`, '/'-separated and in code-unit order; links and special files are refused by walkTree. */
export async function listFiles(root: string): Promise<PackageFileEntry[]> {
  return (await walkTree(root)).filter((e) => e.type === 'file').map(({ path, size }) => ({ path, size }));
}

const IGNORED_TOP = new Set(['__MACOSX']);
/** Folders that are part of a layout, never a wrapper around it, even when nothing sits beside them. */
const LAYOUT_DIRS = new Set(['电子档案', 'data']);

/**
 * Zips of a transfer usually hold one folder named after it; the package is that folder. Descends
 * while the directory holds exactly one entry that is a directory (macOS' __MACOSX aside).
 */
export async function packageRoot(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    const entries = (await readdir(current)).filter((n) => !IGNORED_TOP.has(n));
    if (entries.length !== 1 || LAYOUT_DIRS.has(entries[0]!)) return current;
    const only = join(current, entries[0]!);
    if (!(await stat(only)).isDirectory()) return current;
    current = only;
  }
}

const ALGORITHMS: Record<string, DeclaredDigest['algorithm']> = {
  SM3: 'sm3',
  SHA256: 'sha256',
  SHA512: 'sha512',
  SHA1: 'sha1',
  MD5: 'md5',
};

const HEX_LENGTH: Record<DeclaredDigest['algorithm'], number> = { sm3: 64, sha256: 64, sha512: 128, sha1: 40, md5: 32 };

/** 'SM3', 'sha-256', 'SHA256算法', 'MD5 摘要' … → the algorithm; null for anything else. */
function digestAlgorithm(name: string): DeclaredDigest['algorithm'] | null {
  const key = name.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '');
  for (const [k, v] of Object.entries(ALGORITHMS)) if (key === k || key.startsWith(k)) return v;
  return null;
}

/** A declared digest, or null when the value is not hex of the algorithm's length (the caller reports it). */
function declaredDigest(algorithm: DeclaredDigest['algorithm'], value: string): DeclaredDigest | null {
  const v = value.trim().toLowerCase();
  return v.length === HEX_LENGTH[algorithm] && /^[0-9a-f]+$/.test(v) ? { algorithm, value: v } : null;
}

/** The algorithm a hex digest of this length must be when nothing names it: only unambiguous lengths. */
function algorithmByLength(value: string): DeclaredDigest['algorithm'] | null {
  const v = value.trim();
  if (!/^[0-9a-fA-F]+$/.test(v)) return null;
  return v.length === 32 ? 'md5' : v.length === 40 ? 'sha1' : v.length === 128 ? 'sha512' : null;
}

/** Reports files whose actual size differs from the size their metadata declares. */
export function checkDeclaredSizes(items: TransferItem[], found: Findings): void {
  for (const state of items.flatMap(itemStates)) {
    for (const f of state.files) {
      if (f.declaredSize === undefined || f.declaredSize === f.size) continue;
      found.error(
        'FILE_SIZE_MISMATCH',
        `“${f.path}”实际大小 ${f.size} 字节，与元数据声明的 ${f.declaredSize} 字节不符`,
        `"${f.path}" is ${f.size} bytes where its metadata declares ${f.declaredSize}`,
        { item: state.key, path: f.path, details: { actual: f.size, declared: f.declaredSize } },
      );
    }
  }
}

/** A whole number of bytes from '1024', '1,024 字节', '1024B'; null for other units, which are not exact. */
export function parseBytes(value: string): number | null {
  const m = /^([\d,，]+)\s*(B|BYTES?|字节)?$/i.exec(value.normalize('NFKC').trim());
  return m ? Number(m[1]!.replace(/[,，]/g, '')) : null;
}

/** The first whole number in '120件', '共 120 件'. */
export function parseCount(value: string): number | null {
  const m = /\d+/.exec(value.normalize('NFKC').replace(/[,，]/g, ''));
  return m ? Number(m[0]) : null;
}

/** Page files in reading order: 2.jpg before 10.jpg. */
export const naturalOrder = new Intl.Collator('zh-Hans-CN', { numeric: true }).compare;

/** A small text file (说明文件.txt) as UTF-8 when it is valid UTF-8, else GB18030; null when neither. */
export function decodeText(bytes: Buffer): { text: string; encoding: 'UTF-8' | 'GB18030' } | null {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  for (const [decoder, encoding] of [['utf-8', 'UTF-8'], ['gb18030', 'GB18030']] as const) {
    try {
      return { text: new TextDecoder(decoder, { fatal: true }).decode(body), encoding };
    } catch {
      // not this encoding
    }
  }
  return null;
}

/** Where a finding points, in both languages, and the item it belongs to. */
export interface Where {
  item: string;
  zh: string;
  en: string;
}

export const leafValues = (node: XmlNode, names: readonly string[]) =>
  names.flatMap((n) => children(node, n).filter(isLeaf).map((c) => text(c).trim())).filter((v) => v !== '');
export const leafValue = (node: XmlNode, names: readonly string[]) => leafValues(node, names)[0];

const DIGEST = ['校验码', '校验值', '数字摘要', '摘要值'];
const DIGEST_ALGORITHM = ['校验算法', '摘要算法', '校验码算法'];

/**
 * Checksums a metadata element declares for its file: 〈校验码 算法="SM3"〉, or 〈校验码〉 beside
 * 〈校验算法〉; without either, only a length that fits one algorithm (MD5, SHA-1, SHA-512) names it.
 */
export function digestsOf(node: XmlNode, where: Where, found: Findings): DeclaredDigest[] {
  const out: DeclaredDigest[] = [];
  const siblingAlgorithm = leafValue(node, DIGEST_ALGORITHM);
  for (const name of DIGEST) {
    for (const el of children(node, name)) {
      const value = text(el).trim();
      if (value === '') continue;
      const named = attr(el, '算法') ?? attr(el, '校验算法') ?? attr(el, 'algorithm') ?? siblingAlgorithm;
      const algorithm = named !== undefined ? digestAlgorithm(named) : algorithmByLength(value);
      const digest = algorithm ? declaredDigest(algorithm, value) : null;
      if (digest) out.push(digest);
      else {
        found.warn(
          'DECLARED_DIGEST_UNREADABLE',
          `${where.zh}的校验码“${value}”${named ? `（算法“${named}”）` : ''}无法识别：算法应为 SM3、SHA256、SHA512、SHA1 或 MD5，值应为相应长度的十六进制`,
          `${where.en}: the checksum "${value}"${named ? ` (algorithm "${named}")` : ''} cannot be read: the algorithm must be SM3, SHA256, SHA512, SHA1 or MD5 and the value hex of its length`,
          { item: where.item, details: { value, algorithm: named } },
        );
      }
    }
  }
  return out;
}

