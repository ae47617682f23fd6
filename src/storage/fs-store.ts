/**
 * Object store on a local (or mounted) filesystem: key 'a/b/c' is the file <root>/a/b/c.
 *
 * Writes are crash-safe. A body goes to a fresh file in the staging directory, is fsynced and read
 * back and compared with the SHA-512 computed while writing (and with the caller's digest), and
 * only then renamed over the target; the target's directory is fsynced after the rename, and any
 * directory created on the way is fsynced into its parent. rename(2) within one filesystem is
 * atomic, so after a crash a key holds its old value or its new one, never a torn file. A crash
 * can leave a stray file in the staging directory; `sweepStaging()` removes old ones.
 *
 * Layout decision: the staging directory defaults to `<root>/.staging`, a reserved name that is
 * hidden from listings and refused as a key, so nothing above this class (the OCFL storage root
 * lives at the key prefix 'ocfl', see ocfl/repository.ts) ever sees it. It may instead be any
 * directory outside the root, provided it is on the same filesystem (checked on open), because
 * rename cannot cross filesystems atomically.
 *
 * Deleting a key also removes directories it leaves empty, up to the root: S3 has no empty
 * directories, and OCFL forbids them in a storage root (spec E073, E024).
 */
import { randomUUID } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { type DigestAlgorithm, type DigestResult, isHexDigest, MultiHash } from './digests.js';
import {
  accessDenied,
  digestMismatch,
  invalidKey,
  isStorageError,
  StorageError,
  storageFull,
  storageIo,
  storageNotFound,
  storageUnreachable,
} from './errors.js';
import { digestFile } from './file-digests.js';
import { assertValidKey, type Body, compareKeys, isLocalFile, normalizePrefix, type ObjectStore, type PutOptions, type PutResult } from './object-store.js';

export interface FsObjectStoreOptions {
  /** Directory holding the keys. */
  root: string;
  /** Where writes are staged; default `<root>/.staging`. Must be a direct child of root or outside it, on the same filesystem. */
  stagingDir?: string;
  /**
   * Create `root` when it is missing (default true). Set false when root is a mount point: a
   * missing mount then fails with STORAGE_UNREACHABLE instead of silently filling the local disk.
   */
  create?: boolean;
}

const DEFAULT_STAGING = '.staging';

export class FsObjectStore implements ObjectStore {
  readonly description: string;
  /** The first key segment reserved for staging, when staging lives inside root. */
  private readonly reserved: string | undefined;
  private readonly dirSyncs = new DirectorySyncs();

  private constructor(
    readonly root: string,
    readonly stagingDir: string,
  ) {
    this.description = `fs:${root}`;
    const rel = relative(root, stagingDir);
    this.reserved = rel.startsWith('..') || isAbsolute(rel) ? undefined : rel;
  }

  /** Opens (and by default creates) the store; fails with STORAGE_UNREACHABLE when root cannot be used. */
  static async open(options: FsObjectStoreOptions): Promise<FsObjectStore> {
    const root = resolve(options.root);
    const stagingDir = resolve(options.stagingDir ?? join(root, DEFAULT_STAGING));
    const rel = relative(root, stagingDir);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.includes(sep))) {
      throw new Error(`stagingDir must be a direct child of the store root or outside it: ${stagingDir}`);
    }
    try {
      if (options.create ?? true) await mkdir(root, { recursive: true });
      const rootStat = await stat(root);
      if (!rootStat.isDirectory()) throw storageUnreachable(`fs:${root}`, 'not a directory');
      await mkdir(stagingDir, { recursive: true });
      if ((await stat(stagingDir)).dev !== rootStat.dev) {
        throw new Error(`stagingDir ${stagingDir} is not on the same filesystem as ${root}; atomic rename needs both on one`);
      }
    } catch (err) {
      if (err instanceof StorageError || !isErrno(err)) throw err;
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw storageUnreachable(`fs:${root}`, 'storage directory does not exist', err);
      throw mapFsError(err, `fs:${root}`);
    }
    return new FsObjectStore(root, stagingDir);
  }

  async put(key: string, body: Body, opts: PutOptions = {}): Promise<PutResult> {
    this.checkKey(key);
    const expected = opts.sha512?.toLowerCase();
    if (expected !== undefined && !isHexDigest('sha512', expected)) throw new TypeError(`put(${key}): sha512 is not a SHA-512 hex digest`);
    const target = this.pathOf(key);
    const staged = join(this.stagingDir, `${randomUUID()}.part`);
    try {
      const sent = await this.stage(key, staged, body, expected === undefined);
      // The re-read is usually served from the page cache, so it catches software faults (short or
      // misdirected writes), not media errors; scheduled fixity audits re-read from disk later.
      // It needs no flushed file, so it runs while the fsync waits for the disk.
      const [stored] = await Promise.all([digestFile(staged, ['sha512'] as const), fsyncPath(staged)]);
      if (sent && stored.size !== sent.size) throw digestMismatch(key, String(sent.size), String(stored.size), 'size');
      const want = expected ?? sent!.sha512;
      if (stored.sha512 !== want) throw digestMismatch(key, want, stored.sha512);
      await this.publish(staged, target);
      return { size: stored.size, sha512: stored.sha512 };
    } catch (err) {
      await rm(staged, { force: true }).catch(() => undefined);
      throw err instanceof SourceError ? err.cause : this.mapError(err, key);
    }
  }

  async digest<A extends DigestAlgorithm>(key: string, algorithms: readonly A[]): Promise<DigestResult<A>> {
    this.checkKey(key);
    try {
      return await digestFile(this.pathOf(key), algorithms);
    } catch (err) {
      throw this.mapError(err, key, true);
    }
  }

  /**
   * Writes the body to the staging file (the caller fsyncs it). Returns the size and SHA-512 of what was
   * sent when `hashSource` asks for them (no expected digest was given); the caller compares the
   * staged file's digest with those or with the expected one. A local file is copied in the kernel.
   */
  private async stage(key: string, staged: string, body: Body, hashSource: boolean): Promise<PutResult | undefined> {
    if (isLocalFile(body)) {
      // Opening the source first tells its absence (the caller's fault) from a storage fault.
      await (await open(body.file, 'r').catch((err: unknown) => Promise.reject(new SourceError(err)))).close();
      const [sent] = await Promise.all([
        hashSource ? digestFile(body.file, ['sha512'] as const).catch((err: unknown) => Promise.reject(new SourceError(err))) : undefined,
        copyFile(body.file, staged, constants.COPYFILE_EXCL),
      ]);
      return sent;
    }
    const fh = await open(staged, 'wx', 0o644);
    let source: AsyncIterator<unknown> | undefined;
    try {
      const hash = hashSource ? new MultiHash(['sha512'] as const) : undefined;
      if (Buffer.isBuffer(body)) {
        hash?.update(body);
        await writeAll(fh, body);
      } else {
        source = body()[Symbol.asyncIterator]();
        for (;;) {
          let next: IteratorResult<unknown>;
          try {
            next = await source.next();
          } catch (err) {
            // The caller's source failed (a missing upload file, say): that is not a storage fault.
            throw new SourceError(err);
          }
          if (next.done) {
            source = undefined;
            break;
          }
          if (!(next.value instanceof Uint8Array)) throw new TypeError(`put(${key}): the body stream must yield bytes`);
          hash?.update(next.value);
          await writeAll(fh, next.value);
        }
      }
      return hash?.digest();
    } finally {
      // Stop reading the caller's source (closing its file) when the write fails half-way.
      await source?.return?.().catch(() => undefined);
      await fh.close();
    }
  }

  async get(key: string): Promise<Buffer> {
    this.checkKey(key);
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      throw this.mapError(err, key, true);
    }
  }

  async stream(key: string): Promise<Readable> {
    this.checkKey(key);
    try {
      const fh = await open(this.pathOf(key), 'r');
      if (!(await fh.stat()).isFile()) {
        await fh.close();
        throw storageNotFound(key);
      }
      return fh.createReadStream();
    } catch (err) {
      throw this.mapError(err, key, true);
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    this.checkKey(key);
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { size: s.size } : null;
    } catch (err) {
      if (isErrno(err) && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return null;
      throw this.mapError(err, key);
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const p = normalizePrefix(prefix);
    if (p !== '') this.checkKey(p);
    yield* this.walk(p);
  }

  async listDir(prefix: string): Promise<{ files: string[]; dirs: string[] }> {
    const p = normalizePrefix(prefix);
    if (p !== '') this.checkKey(p);
    const entries = await this.readDir(p);
    const files: string[] = [];
    const dirs: string[] = [];
    for (const e of entries) {
      if (e.isFile()) files.push(e.name);
      else if (e.isDirectory()) dirs.push(e.name);
    }
    return { files: files.sort(compareKeys), dirs: dirs.sort(compareKeys) };
  }

  async delete(key: string): Promise<void> {
    this.checkKey(key);
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (err) {
      if (isErrno(err) && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return;
      throw this.mapError(err, key);
    }
    await this.pruneFrom(dirname(path));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const p = normalizePrefix(prefix);
    if (p === '') throw invalidKey(prefix, 'refusing to delete the whole store');
    this.checkKey(p);
    const path = this.pathOf(p);
    try {
      await rm(path, { recursive: true, force: true });
    } catch (err) {
      throw this.mapError(err, p);
    }
    await this.pruneFrom(dirname(path));
  }

  async close(): Promise<void> {}

  /** Removes staged files older than `olderThanMs` (default one day), left behind by crashed writers; returns how many. */
  async sweepStaging(olderThanMs = 24 * 3600_000): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await readdir(this.stagingDir)) {
      const path = join(this.stagingDir, name);
      const s = await stat(path).catch(() => undefined);
      if (s && s.mtimeMs < cutoff) {
        await rm(path, { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }

  private checkKey(key: string): void {
    assertValidKey(key);
    if (this.reserved !== undefined && key.split('/', 1)[0] === this.reserved) throw invalidKey(key, `"${this.reserved}" is reserved for staging`);
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  /** Renames the staged file into place, creating and fsyncing directories as needed. */
  private async publish(staged: string, target: string): Promise<void> {
    // A concurrent delete may prune a directory this write just created; trying again re-creates it.
    for (let attempt = 0; ; attempt++) {
      await this.ensureDir(dirname(target));
      try {
        await rename(staged, target);
        break;
      } catch (err) {
        if (!(isErrno(err) && err.code === 'ENOENT' && attempt < 3)) throw err;
      }
    }
    await this.dirSyncs.sync(dirname(target));
  }

  /** mkdir -p below root, fsyncing each parent that gained a directory so the new path survives a crash. */
  private async ensureDir(dir: string): Promise<void> {
    if (relative(this.root, dir) === '') return;
    // One call when the directory exists, which is nearly always; it names the first directory it made otherwise.
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    for (let made = dir; ; made = dirname(made)) {
      await this.dirSyncs.sync(dirname(made));
      if (made === first) break;
    }
  }

  /** Removes empty directories from `dir` up to (not including) root. */
  private async pruneFrom(dir: string): Promise<void> {
    let current = dir;
    while (current !== this.root && current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch (err) {
        if (isErrno(err) && err.code === 'ENOENT') {
          current = dirname(current);
          continue;
        }
        if (isErrno(err) && (err.code === 'ENOTEMPTY' || err.code === 'EEXIST')) break;
        throw this.mapError(err, relative(this.root, current));
      }
      await this.dirSyncs.sync(dirname(current)).catch(() => undefined);
      current = dirname(current);
    }
  }

  private async readDir(prefix: string): Promise<Dirent[]> {
    try {
      const entries = await readdir(prefix === '' ? this.root : this.pathOf(prefix), { withFileTypes: true });
      return prefix === '' && this.reserved !== undefined ? entries.filter((e) => e.name !== this.reserved) : entries;
    } catch (err) {
      if (isErrno(err) && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) {
        if (prefix === '') throw storageUnreachable(this.description, 'storage directory does not exist', err);
        return [];
      }
      throw this.mapError(err, prefix);
    }
  }

  /**
   * Depth-first walk in UTF-8 byte order of full keys: a directory sorts as its name plus '/',
   * because every key below it starts with exactly that.
   */
  private async *walk(prefix: string): AsyncIterable<string> {
    const entries = (await this.readDir(prefix))
      .filter((e) => e.isFile() || e.isDirectory())
      .map((e) => ({ name: e.name, dir: e.isDirectory(), sortKey: e.isDirectory() ? e.name + '/' : e.name }))
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const e of entries) {
      const key = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.dir) yield* this.walk(key);
      else yield key;
    }
  }

  private mapError(err: unknown, key: string, notFoundIsMissingKey = false): unknown {
    if (isStorageError(err) || !isErrno(err)) return err;
    if (notFoundIsMissingKey && (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR')) return storageNotFound(key);
    if (err.code === 'ENAMETOOLONG') return invalidKey(key, 'name too long for this filesystem');
    if (err.code === 'ENOTDIR' || err.code === 'EISDIR' || err.code === 'EEXIST') return invalidKey(key, 'conflicts with an existing key or directory');
    return mapFsError(err, `${this.description} (${key})`);
  }
}

function mapFsError(err: NodeJS.ErrnoException, where: string): StorageError {
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return storageFull(where, err);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return accessDenied(where, err.code, err);
    case 'ENOENT':
    case 'EIO':
    case 'ENOTCONN':
    case 'ESTALE':
    case 'ETIMEDOUT':
    case 'EHOSTDOWN':
    case 'ENXIO':
      return storageUnreachable(where, err.code, err);
    default:
      return storageIo(where, err.code ?? err.message, err);
  }
}

class SourceError extends Error {
  constructor(override readonly cause: unknown) {
    super('body stream failed');
  }
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) {
    const { bytesWritten } = await fh.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}

/**
 * fsyncs of directories, grouped. A caller needs an fsync of the directory that starts after its
 * own change to it (a rename into it, a new subdirectory); callers that arrive while one runs
 * share the next one, so the files of a version renamed into one folder at once cost two
 * directory fsyncs, not one each.
 */
class DirectorySyncs {
  private readonly running = new Map<string, { done: Promise<void>; next?: Promise<void> }>();

  sync(dir: string): Promise<void> {
    const current = this.running.get(dir);
    if (!current) return this.start(dir);
    current.next ??= current.done.then(
      () => this.start(dir),
      () => this.start(dir),
    );
    return current.next;
  }

  private start(dir: string): Promise<void> {
    const done: Promise<void> = fsyncPath(dir).finally(() => {
      if (this.running.get(dir)?.done === done) this.running.delete(dir);
    });
    this.running.set(dir, { done });
    return done;
  }
}

/** Flushes a file or directory; Linux flushes a file's pages through any descriptor of it, a read-only one included. */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
