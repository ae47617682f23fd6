/**
 * One examination per content file, shared by every check that looks at content: a single
 * streaming read computes every digest the package declares for the file plus SHA-256 (for
 * duplicate detection), then the format module identifies it and the readability probe opens it.
 */
import { lstat, readdir } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { DigestAlgorithm } from '../../storage/digests.js';
import { digestFile } from '../../storage/file-digests.js';
import { type FormatRecord, identifyFile } from '../../storage/format/identify.js';
import { itemStates, type TransferPackage } from '../packages/model.js';
import { probeReadability, type Readability } from './readability.js';

export interface FileFacts {
  /** Relative to the package root, as the metadata gives it. */
  path: string;
  size: number;
  digests: Partial<Record<DigestAlgorithm, string>>;
  record: FormatRecord;
  readability: Readability;
}

export interface FileFailure {
  path: string;
  kind: 'outside' | 'not-a-file' | 'unreadable';
  /** Why the file could not be examined (outside the package, unreadable…). */
  error: { zh: string; en: string };
}

/** The package path inside root, or null when it would escape it (`..`, absolute paths). */
function insideRoot(root: string, path: string): string | null {
  const base = resolve(root);
  const absolute = resolve(base, path);
  return absolute.startsWith(base + sep) ? absolute : null;
}

/** Referenced, present files of every item state: path → the digest algorithms declared for it anywhere in the package. */
export function referencedFiles(pkg: TransferPackage): Map<string, Set<DigestAlgorithm>> {
  const missing = new Set(pkg.missingFiles.map((m) => m.path));
  const out = new Map<string, Set<DigestAlgorithm>>();
  for (const state of pkg.items.flatMap(itemStates)) {
    for (const file of state.files) {
      if (missing.has(file.path)) continue;
      const algorithms = out.get(file.path) ?? new Set<DigestAlgorithm>(['sha256']);
      for (const d of file.declaredDigests) algorithms.add(d.algorithm);
      out.set(file.path, algorithms);
    }
  }
  return out;
}

export async function examineFile(
  root: string,
  path: string,
  algorithms: Iterable<DigestAlgorithm>,
  archivalFormatIds: Iterable<string> | undefined,
): Promise<FileFacts | FileFailure> {
  const absolute = insideRoot(root, path);
  if (absolute === null) {
    return { path, kind: 'outside', error: { zh: '路径指向包外', en: 'the path points outside the package' } };
  }
  try {
    const stat = await lstat(absolute);
    if (!stat.isFile()) return { path, kind: 'not-a-file', error: { zh: '不是普通文件', en: 'not a regular file' } };
    const { size, ...digests } = await digestFile(absolute, [...algorithms]);
    const record = await identifyFile(absolute, basename(path), archivalFormatIds === undefined ? undefined : { archivalFormatIds });
    const readability = size === 0 ? ({ probed: false } as const) : await probeReadability(absolute, record);
    return { path, size, digests, record, readability };
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { path, kind: 'unreadable', error: { zh: `无法读取：${detail}`, en: `cannot be read: ${detail}` } };
  }
}

export interface TreeFile {
  path: string;
  absolute: string;
  size: number;
}

/** Every regular file under root; symbolic links are not followed (the unpacker refuses them). */
export async function walkTree(root: string): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const absolute = join(dir, entry.name);
      if (entry.isDirectory()) await visit(absolute);
      else if (entry.isFile()) {
        out.push({ path: relative(root, absolute).split(sep).join('/'), absolute, size: (await lstat(absolute)).size });
      }
    }
  };
  await visit(resolve(root));
  return out;
}
