/**
 * A real S3-compatible server for tests: s3rver (DESIGN §7), in this process, on a free port of
 * 127.0.0.1, storing into a fresh temporary directory that `close()` removes. Tests talk to it
 * through the real AWS SDK, so signing, paths, listing and multipart all go over HTTP.
 *
 * Two s3rver 3.7.1 bugs are corrected below, each where real S3, MinIO and Ceph behave otherwise;
 * without the corrections tests would fail on s3rver's behaviour, not on Lantai's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3ObjectStoreConfig } from '../storage/s3-store.js';

interface ListOptions {
  delimiter?: string;
  prefix?: string;
  startAfter?: string;
  maxKeys?: number;
}
interface ListResult {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}

/** The part of s3rver's API used here (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  store: {
    listObjects(bucket: string, options: ListOptions): Promise<ListResult>;
    putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
    getResourcePath(bucket: string, key: string, resource: string): string;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  };
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface TestS3Server {
  /** e.g. http://127.0.0.1:40123 */
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps its files. */
  directory: string;
  /** Store configuration for this server with the F9 settings built in; `prefix` isolates one test's keys. */
  storeConfig(prefix?: string, overrides?: Partial<S3ObjectStoreConfig>): S3ObjectStoreConfig;
  close(): Promise<void>;
}

/** s3rver accepts this fixed key pair. */
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';

export async function startS3Server(bucket = 'lantai-test'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'lantai-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  fixDelimiterListing(server);
  fixPutAcknowledgement(server);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    storeConfig: (prefix = '', overrides = {}) => ({
      bucket,
      prefix,
      endpoint,
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      forcePathStyle: true,
      ...overrides,
    }),
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver 3.7.1 omits a common prefix from a delimited listing unless an object sits directly
 * in it (with only `a/b/c.txt` stored, listing `''` with delimiter '/' returns no `a/`), which
 * real S3, MinIO and Ceph never do. This replaces its delimited listing with one derived from
 * its full listing, so tests see S3's semantics. The whole result is returned in one page:
 * test directories stay far below S3's 1000-entry page size.
 */
function fixDelimiterListing(server: S3rverInstance): void {
  const store = server.store;
  const listAll = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    if (!options.delimiter) return listAll(bucket, options);
    const { delimiter, prefix = '' } = options;
    const all = await listAll(bucket, { ...options, delimiter: undefined, maxKeys: Infinity });
    const objects: { key: string }[] = [];
    const commonPrefixes = new Set<string>();
    for (const o of all.objects) {
      const i = o.key.indexOf(delimiter, prefix.length);
      if (i === -1) objects.push(o);
      else commonPrefixes.add(o.key.slice(0, i + delimiter.length));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
  };
}

/**
 * s3rver 3.7.1 answers a PUT before its file is written (it resolves on `end()` of a buffer, or
 * when its hashing transform finishes, not when the file stream does) and writes over the old file
 * in place, so a GET right after a successful PUT can read a truncated object; under load
 * Lantai's read-back verification caught exactly that. This PUT writes a temporary file, waits
 * for it to be complete, and renames it into place before answering, as S3 guarantees.
 */
function fixPutAcknowledgement(server: S3rverInstance): void {
  const store = server.store;
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    // s3rver lists only files ending in "._S3rver_object", so the temporary name stays invisible.
    const temporary = `${objectPath}.${randomUUID()}.tmp`;
    const md5 = createHash('md5');
    let size = 0;
    const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(content, counter, createWriteStream(temporary));
    await rename(temporary, objectPath);
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}
