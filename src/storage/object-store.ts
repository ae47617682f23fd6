/**
 * The object store under preservation storage: a flat namespace of keys holding immutable-by-
 * convention byte strings, implemented on local disk (fs-store.ts) and on any S3-compatible
 * service (s3-store.ts). The OCFL repository (ocfl/) is written against this interface only.
 *
 * Keys are '/'-separated relative paths. Any Unicode is allowed and kept exactly as given:
 * no Unicode normalisation, so a Chinese file name comes back with the same code points (and
 * UTF-8 bytes) it went in with. A key may not be empty, start or end with '/', contain an empty,
 * '.' or '..' segment, contain NUL, or contain unpaired UTF-16 surrogates (they have no UTF-8
 * form, so two different keys would collapse into one). Callers must not make a key the
 * "directory" of another ('a' and 'a/b'): the fs store refuses it (STORAGE_INVALID_KEY) while S3
 * would accept it, and OCFL content paths never do it (spec E101).
 *
 * Listings are sorted by the UTF-8 bytes of the key, which is S3's order, so both stores list
 * identically.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { type DigestAlgorithm, digestBuffer, type DigestResult, digestStream } from './digests.js';
import { invalidKey } from './errors.js';
import { digestFile } from './file-digests.js';

/**
 * What to store: the bytes, a local file, or a factory that returns a fresh stream of them. Stores
 * may call the factory only once, but callers that also hash first (the OCFL writer) call it more
 * than once, so it must yield the same bytes every time. A local file is named as such so that
 * the fs store can copy it in the kernel and hashing can happen off the main thread.
 */
export type Body = Buffer | LocalFile | (() => Readable);

/** A file on this machine whose bytes are the body; it must not change while it is stored. */
export interface LocalFile {
  file: string;
}

export const isLocalFile = (body: Body): body is LocalFile => typeof body === 'object' && !Buffer.isBuffer(body);

/** A fresh stream of a body that is not held in memory. */
export function bodyStream(body: Exclude<Body, Buffer>): Readable {
  return isLocalFile(body) ? createReadStream(body.file) : body();
}

/** Size and digests of any body; a local file is hashed on a worker thread. */
export function digestBody<A extends DigestAlgorithm>(body: Body, algorithms: readonly A[]): Promise<DigestResult<A>> {
  if (Buffer.isBuffer(body)) return Promise.resolve(digestBuffer(body, algorithms));
  if (isLocalFile(body)) return digestFile(body.file, algorithms);
  return digestStream(body(), algorithms);
}

export interface PutOptions {
  /** Expected SHA-512 (hex): a body that hashes differently is refused with STORAGE_DIGEST_MISMATCH. */
  sha512?: string;
}

/** The size and SHA-512 of the bytes that were stored, as verified after the write. */
export interface PutResult {
  size: number;
  sha512: string;
}

export interface ObjectStore {
  /** Where the store points, for logs and health reports: 'fs:/data/storage', 's3://bucket/prefix @ https://host'. Never holds secrets. */
  readonly description: string;

  /**
   * Stores `body` at `key`, replacing any previous value, and verifies what was stored: the SHA-512
   * computed while writing must match `opts.sha512` when given, and the stored bytes must match
   * what was sent (fs always re-reads; S3 re-reads unless `verifyAfterPut: false`, then it checks
   * the size). Readers never see a torn value: the fs store stages, fsyncs and renames; S3 PUTs
   * are atomic per object. When verification fails nothing is published on fs; see s3-store.ts
   * for S3. Throws StorageError (STORAGE_DIGEST_MISMATCH, STORAGE_FULL, STORAGE_UNREACHABLE, …).
   */
  put(key: string, body: Body, opts?: PutOptions): Promise<PutResult>;

  /** The whole value; STORAGE_NOT_FOUND when the key does not exist. */
  get(key: string): Promise<Buffer>;

  /** A stream of the value; STORAGE_NOT_FOUND is thrown here, before any byte is read. */
  stream(key: string): Promise<Readable>;

  /**
   * Size and digests of the stored value, read once; STORAGE_NOT_FOUND when the key does not
   * exist. The fs store hashes on worker threads.
   */
  digest<A extends DigestAlgorithm>(key: string, algorithms: readonly A[]): Promise<DigestResult<A>>;

  /** The size of the value, or null when the key does not exist. */
  stat(key: string): Promise<{ size: number } | null>;

  /**
   * Every key under `prefix` (a directory: 'a' lists 'a/…', never 'ab'; '' lists everything),
   * recursively, as full keys, sorted by UTF-8 bytes.
   */
  list(prefix: string): AsyncIterable<string>;

  /** The immediate children of the directory `prefix`: file and directory names (not full keys), each sorted. */
  listDir(prefix: string): Promise<{ files: string[]; dirs: string[] }>;

  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;

  /** Removes every key under the directory `prefix`. An empty prefix is refused. */
  deletePrefix(prefix: string): Promise<void>;

  /** Releases connections; the store may not be used afterwards. */
  close(): Promise<void>;
}

// With the u flag a surrogate pair is one code point, so only unpaired halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Throws STORAGE_INVALID_KEY unless `key` follows the rules in this module's comment. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw invalidKey(String(key), 'empty');
  if (key.startsWith('/') || key.endsWith('/')) throw invalidKey(key, 'must not start or end with /');
  if (key.includes('\0')) throw invalidKey(key, 'contains NUL');
  if (LONE_SURROGATE.test(key)) throw invalidKey(key, 'contains an unpaired surrogate');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw invalidKey(key, `segment "${segment}" is not allowed`);
  }
}

/** A directory prefix without trailing '/': '' for the top, otherwise a valid key. */
export function normalizePrefix(prefix: string): string {
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (p !== '') assertValidKey(p);
  return p;
}

export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** Orders keys by their UTF-8 bytes (S3's listing order), which differs from JS string order above U+FFFF. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
