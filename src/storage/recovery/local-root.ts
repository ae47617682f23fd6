/**
 * An OCFL storage root on a local disk, read with plain file calls: the last line of defence
 * must work from a copy on read-only media (a disc, a write-protected drive) where an object
 * store, which stages its writes inside its root, cannot even open.
 */
import type { Dirent } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../platform/errors.js';
import type { DigestAlgorithm, DigestResult } from '../digests.js';
import { StorageError, storageIo, storageNotFound } from '../errors.js';
import { digestFile } from '../file-digests.js';
import { OBJECT_NAMASTE, ROOT_NAMASTE } from '../ocfl/layout.js';
import { assertValidKey, compareKeys, joinKey, normalizePrefix, type ObjectStore, type PutResult } from '../object-store.js';

/** The store key prefix the repository writer puts its storage root under (ocfl/repository.ts). */
const DEFAULT_ROOT_PREFIX = 'ocfl';

const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() ?? false;

/**
 * The OCFL storage root at `path`: either the root itself (it holds `0=ocfl_1.1`) or the
 * directory of an fs object store that holds it under `ocfl/`, as Lantai's data directory does.
 */
export async function resolveLocalStorageRoot(path: string): Promise<string> {
  const abs = resolve(path);
  if (await isFile(join(abs, ROOT_NAMASTE))) return abs;
  if (await isFile(join(abs, DEFAULT_ROOT_PREFIX, ROOT_NAMASTE))) return join(abs, DEFAULT_ROOT_PREFIX);
  throw new AppError(
    400,
    'OCFL_ROOT_NOT_FOUND',
    `“${abs}”不是 OCFL 存储根（其中及其 ${DEFAULT_ROOT_PREFIX}/ 子目录中都没有 ${ROOT_NAMASTE}）`,
    `"${abs}" is not an OCFL storage root (neither it nor its ${DEFAULT_ROOT_PREFIX}/ subdirectory holds ${ROOT_NAMASTE})`,
    { path: abs },
  );
}

const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Object roots under the storage root, relative to it with '/' separators, in a stable order.
 * Only the current path is held in memory, so a root of any size is walked in bounded space.
 */
export async function* localObjectRoots(root: string, rel = ''): AsyncGenerator<string> {
  const entries = (await readdir(rel ? join(root, rel) : root, { withFileTypes: true })).sort(byName);
  if (rel && entries.some((e) => e.name === OBJECT_NAMASTE && e.isFile())) {
    yield rel;
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory() || (!rel && e.name === 'extensions')) continue;
    yield* localObjectRoots(root, rel ? `${rel}/${e.name}` : e.name);
  }
}

const missing = (err: unknown, key: string) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' ? storageNotFound(key) : storageIo(key, code ?? String(err), err);
};

/**
 * The object-store reads over a local directory, for the OCFL reader code that works on stores
 * (format identification, version records). Unlike the fs store it opens no staging area, so it
 * works on read-only media; every write is refused.
 */
export class ReadOnlyDirStore implements ObjectStore {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `fs:${root} (read-only)`;
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  private refuse(): never {
    throw new StorageError('STORAGE_ACCESS_DENIED', `只读存储，不能写入：${this.root}`, `Read-only storage, writes are refused: ${this.root}`, { root: this.root });
  }

  put(): Promise<PutResult> {
    this.refuse();
  }

  delete(): Promise<void> {
    this.refuse();
  }

  deletePrefix(): Promise<void> {
    this.refuse();
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key)).catch((e: unknown) => {
      throw missing(e, key);
    });
  }

  async stream(key: string): Promise<Readable> {
    const fh = await open(this.pathOf(key), 'r').catch((e: unknown) => {
      throw missing(e, key);
    });
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      throw storageNotFound(key);
    }
    return fh.createReadStream();
  }

  async digest<A extends DigestAlgorithm>(key: string, algorithms: readonly A[]): Promise<DigestResult<A>> {
    return digestFile(this.pathOf(key), algorithms).catch((e: unknown) => {
      throw missing(e, key);
    });
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const s = await stat(this.pathOf(key)).catch(() => null);
    return s?.isFile() ? { size: s.size } : null;
  }

  async listDir(prefix: string): Promise<{ files: string[]; dirs: string[] }> {
    const p = normalizePrefix(prefix);
    const entries = await readdir(p ? this.pathOf(p) : this.root, { withFileTypes: true }).catch(() => []);
    return {
      files: entries.filter((e) => e.isFile()).map((e) => e.name).sort(compareKeys),
      dirs: entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(compareKeys),
    };
  }

  async *list(prefix: string): AsyncIterable<string> {
    const p = normalizePrefix(prefix);
    const { files, dirs } = await this.listDir(p);
    // Full keys in byte order, as the interface promises: a directory's keys continue its name with '/'.
    const names = [...files.map((n) => ({ n, dir: false })), ...dirs.map((n) => ({ n, dir: true }))]
      .sort((a, b) => compareKeys(a.dir ? `${a.n}/` : a.n, b.dir ? `${b.n}/` : b.n));
    for (const { n, dir } of names) {
      if (dir) yield* this.list(joinKey(p, n));
      else yield joinKey(p, n);
    }
  }

  async close(): Promise<void> {}
}
