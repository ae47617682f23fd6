import { lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TextDecoder } from 'node:util';
import { badPath, duplicatePath, notFound, notUtf8Name, specialFile, symlink, tooLarge, tooManyEntries } from './errors.js';
import type { UnpackLimits } from './limits.js';
import { findPathCollisions, pathProblem } from './paths.js';

export interface TreeEntry {
  /** Relative to the walked root, `/`-separated, exactly as the file system spells it. */
  path: string;
  type: 'file' | 'directory';
  size: number;
}

export interface ScanResult {
  root: string;
  entries: TreeEntry[];
  files: number;
  directories: number;
  totalBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Every file and directory under `root`, depth first in code-unit order, never following a link.
 * Refuses (UnpackError) symlinks, devices, pipes and sockets — a link could make a later step read
 * or hash something outside the transfer — and names that are not UTF-8. Other name rules are the
 * caller's: a BagIt payload may legally hold a line break in a name, a transfer may not.
 * Stops counting once `maxEntries` is passed, so a vast directory is refused without walking it all.
 */
export async function walkTree(root: string, maxEntries = Number.POSITIVE_INFINITY): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const visit = async (relDir: string): Promise<void> => {
    // Raw bytes: Node would quietly turn a GBK name into U+FFFD, and the file could not be opened again.
    const names = (await readdir(join(root, relDir), { encoding: 'buffer' })).map((raw) => {
      let name: string;
      try {
        name = utf8.decode(raw);
      } catch {
        throw notUtf8Name(relDir, raw);
      }
      return name;
    });
    names.sort();
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const info = await lstat(join(root, rel));
      if (info.isSymbolicLink()) throw symlink(rel);
      if (!info.isFile() && !info.isDirectory()) throw specialFile(rel);
      if (entries.length >= maxEntries) throw tooManyEntries(entries.length + 1, maxEntries);
      entries.push({ path: rel, type: info.isFile() ? 'file' : 'directory', size: info.isFile() ? info.size : 0 });
      if (info.isDirectory()) await visit(rel);
    }
  };
  await visit('');
  return entries;
}

/**
 * The directory counterpart of `unpackZip`, for transfers that arrive already unpacked (a shared
 * folder, a disc): the same path, link, collision and size rules, applied in place. Nothing is
 * copied or changed.
 */
export async function scanDirectory(dir: string, limits: UnpackLimits): Promise<ScanResult> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw notFound(root);
  const entries = await walkTree(root, limits.maxEntries);
  for (const e of entries) {
    const problem = pathProblem(e.path);
    if (problem) throw badPath(e.path, problem);
  }
  const collision = findPathCollisions(entries)[0];
  if (collision) throw duplicatePath(collision);
  const totalBytes = entries.reduce((sum, e) => sum + e.size, 0);
  if (totalBytes > limits.maxTotalBytes) throw tooLarge('', totalBytes, limits.maxTotalBytes, 'on-disk');
  const files = entries.filter((e) => e.type === 'file').length;
  return { root, entries, files, directories: entries.length - files, totalBytes };
}
