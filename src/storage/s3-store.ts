/**
 * Object store on an S3-compatible service (MinIO, Ceph RGW, cloud object storage; s3rver in
 * tests). Key 'a/b' is the object `<prefix>/a/b` in the bucket.
 *
 * Integrity: the SDK's default CRC checksums are switched off (`WHEN_REQUIRED`, stack-notes F9:
 * s3rver silently stores streamed uploads corrupted under the default mode, and older S3-compatible
 * servers reject the headers). Instead every put hashes the body with SHA-512 as it streams; a body
 * that does not match the caller's digest fails before the upload completes, so nothing is
 * published and the old value stays. After the upload the object is read back and hashed
 * (`verifyAfterPut`, default on) or, when that is switched off, its size is checked; if the stored
 * object is wrong it is deleted (so the key never holds bytes that failed verification; the old
 * value is already gone, as S3 has no rename) and STORAGE_DIGEST_MISMATCH is thrown. Small buffers
 * also carry Content-MD5, so servers that check it reject a corrupted request before storing it.
 *
 * Availability: connection attempts time out after `connectTimeoutMs`, an idle socket after
 * `idleTimeoutMs`, and each call is tried at most `maxAttempts` times, so an unreachable endpoint
 * fails with STORAGE_UNREACHABLE within seconds instead of hanging a request or a job.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type DigestAlgorithm, digestBuffer, DigestingStream, type DigestResult, digestStream, isHexDigest } from './digests.js';
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
import {
  assertValidKey,
  type Body,
  bodyStream,
  compareKeys,
  joinKey,
  normalizePrefix,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from './object-store.js';

export interface S3ObjectStoreConfig {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing '/'; default none. */
  prefix?: string;
  /** e.g. 'http://minio.local:9000'; omit for AWS. */
  endpoint?: string;
  /** Default 'us-east-1', which most S3-compatible servers accept. */
  region?: string;
  /** Omit both to use the SDK's default credential chain (environment, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`); most self-hosted servers need true. */
  forcePathStyle?: boolean;
  /** Read every object back after writing it and compare SHA-512 (default true); false checks the size only. */
  verifyAfterPut?: boolean;
  /** Default 3000 ms. */
  connectTimeoutMs?: number;
  /** A socket silent for this long fails the call; default 60000 ms. */
  idleTimeoutMs?: number;
  /** Tries per call, including the first; default 3. */
  maxAttempts?: number;
  /** Bodies larger than this (and all streams) go through multipart upload; default 16 MiB. */
  multipartThresholdBytes?: number;
  /** Default 8 MiB; S3 requires at least 5 MiB. */
  partSizeBytes?: number;
}

const MiB = 1024 * 1024;
/** Individual deletes, this many at a time: DeleteObjects needs checksum headers not every S3-compatible server accepts. */
const DELETE_CONCURRENCY = 8;

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly verifyAfterPut: boolean;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(config: S3ObjectStoreConfig) {
    this.bucket = config.bucket;
    this.prefix = normalizePrefix(config.prefix ?? '');
    this.verifyAfterPut = config.verifyAfterPut ?? true;
    this.multipartThreshold = config.multipartThresholdBytes ?? 16 * MiB;
    this.partSize = Math.max(config.partSizeBytes ?? 8 * MiB, 5 * MiB);
    // The origin only: an endpoint URL may carry user:password, which must not reach logs.
    const where = config.endpoint ? ` @ ${new URL(config.endpoint).origin}` : '';
    this.description = `s3://${this.bucket}/${this.prefix}${where}`;
    const clientConfig: S3ClientConfig = {
      region: config.region ?? 'us-east-1',
      forcePathStyle: config.forcePathStyle ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: config.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: config.connectTimeoutMs ?? 3000, socketTimeout: config.idleTimeoutMs ?? 60_000 },
    };
    if (config.endpoint) clientConfig.endpoint = config.endpoint;
    if (config.accessKeyId && config.secretAccessKey) {
      clientConfig.credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
    }
    this.client = new S3Client(clientConfig);
  }

  async put(key: string, body: Body, opts: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const expected = opts.sha512?.toLowerCase();
    if (expected !== undefined && !isHexDigest('sha512', expected)) throw new TypeError(`put(${key}): sha512 is not a SHA-512 hex digest`);
    const objectKey = this.objectKey(key);
    let sent: PutResult;
    let source: Readable | undefined;
    let sourceError: unknown;
    try {
      if (Buffer.isBuffer(body)) {
        sent = digestBuffer(body, ['sha512'] as const);
        if (expected !== undefined && sent.sha512 !== expected) throw digestMismatch(key, expected, sent.sha512);
        if (body.byteLength <= this.multipartThreshold) {
          await this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: objectKey,
              Body: body,
              ContentLength: body.byteLength,
              ContentMD5: createHash('md5').update(body).digest('base64'),
            }),
          );
        } else {
          await this.upload(objectKey, Readable.from([body]));
        }
      } else {
        const hashing = new DigestingStream(['sha512'] as const, (d) =>
          expected !== undefined && d.sha512 !== expected ? digestMismatch(key, expected, d.sha512) : undefined,
        );
        source = bodyStream(body);
        // A failing source must fail the upload, which pipe() alone would not do.
        source.on('error', (err) => {
          sourceError = err;
          hashing.destroy(err);
        });
        await this.upload(objectKey, source.pipe(hashing));
        sent = hashing.result();
      }
    } catch (err) {
      // Stop reading the caller's source (closing its file) when the upload fails half-way.
      source?.destroy();
      // The caller's source failed (a missing upload file, say): that is not a storage fault.
      throw sourceError ?? this.mapError(err, key);
    }
    await this.verifyStored(key, sent);
    return sent;
  }

  async get(key: string): Promise<Buffer> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!res.Body) throw storageIo(this.description, `empty response for ${key}`);
      const bytes = await res.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      throw this.mapError(err, key, true);
    }
  }

  async stream(key: string): Promise<Readable> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!(res.Body instanceof Readable)) throw storageIo(this.description, `no stream in the response for ${key}`);
      return res.Body;
    } catch (err) {
      throw this.mapError(err, key, true);
    }
  }

  async digest<A extends DigestAlgorithm>(key: string, algorithms: readonly A[]): Promise<DigestResult<A>> {
    const source = await this.stream(key);
    try {
      return await digestStream(source, algorithms);
    } catch (err) {
      throw this.mapError(err, key, true);
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { size: res.ContentLength ?? 0 };
    } catch (err) {
      const mapped = this.mapError(err, key, true);
      if (isStorageError(mapped, 'STORAGE_NOT_FOUND')) return null;
      throw mapped;
    }
  }

  /** Collects the whole listing before yielding: not every S3-compatible server returns keys in S3's byte order (s3rver does not). */
  async *list(prefix: string): AsyncIterable<string> {
    const p = normalizePrefix(prefix);
    const keys: string[] = [];
    await this.paginate(p, undefined, (page) => {
      for (const o of page.Contents ?? []) if (o.Key) keys.push(this.fromObjectKey(o.Key));
    });
    yield* keys.sort(compareKeys);
  }

  async listDir(prefix: string): Promise<{ files: string[]; dirs: string[] }> {
    const p = normalizePrefix(prefix);
    const base = this.listPrefix(p);
    const files: string[] = [];
    const dirs: string[] = [];
    await this.paginate(p, '/', (page) => {
      for (const o of page.Contents ?? []) if (o.Key) files.push(o.Key.slice(base.length));
      for (const cp of page.CommonPrefixes ?? []) if (cp.Prefix) dirs.push(cp.Prefix.slice(base.length, -1));
    });
    return { files: files.sort(compareKeys), dirs: dirs.sort(compareKeys) };
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      const mapped = this.mapError(err, key, true);
      if (!isStorageError(mapped, 'STORAGE_NOT_FOUND')) throw mapped;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    const p = normalizePrefix(prefix);
    if (p === '') throw invalidKey(prefix, 'refusing to delete the whole store');
    const keys: string[] = [];
    for await (const key of this.list(p)) keys.push(key);
    for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
      await Promise.all(keys.slice(i, i + DELETE_CONCURRENCY).map((k) => this.delete(k)));
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return joinKey(this.prefix, key);
  }

  private fromObjectKey(objectKey: string): string {
    return this.prefix === '' ? objectKey : objectKey.slice(this.prefix.length + 1);
  }

  /** The S3 prefix that lists the directory `p`. */
  private listPrefix(p: string): string {
    const full = joinKey(this.prefix, p);
    return full === '' ? '' : full + '/';
  }

  private async paginate(
    p: string,
    delimiter: string | undefined,
    onPage: (page: { Contents?: { Key?: string }[]; CommonPrefixes?: { Prefix?: string }[] }) => void,
  ): Promise<void> {
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.listPrefix(p), Delimiter: delimiter, ContinuationToken: token }),
        );
        onPage(page);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.mapError(err, p);
    }
  }

  private async upload(objectKey: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: objectKey, Body: body },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  private async verifyStored(key: string, sent: PutResult): Promise<void> {
    let mismatch: StorageError | undefined;
    try {
      if (this.verifyAfterPut) {
        const stored = await digestStream(await this.stream(key), ['sha512'] as const);
        if (stored.size !== sent.size) mismatch = digestMismatch(key, String(sent.size), String(stored.size), 'size');
        else if (stored.sha512 !== sent.sha512) mismatch = digestMismatch(key, sent.sha512, stored.sha512);
      } else {
        const stored = await this.stat(key);
        if (stored?.size !== sent.size) mismatch = digestMismatch(key, String(sent.size), String(stored?.size ?? 'missing'), 'size');
      }
    } catch (err) {
      throw this.mapError(err, key);
    }
    if (mismatch) {
      await this.delete(key).catch(() => undefined);
      throw mismatch;
    }
  }

  private mapError(err: unknown, key: string, notFoundIsMissingKey = false): unknown {
    if (isStorageError(err) || !(err instanceof Error)) return err;
    const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
    const status = e.$metadata?.httpStatusCode;
    const name = e.name;
    const where = `${this.description} (${key})`;
    if (name === 'NoSuchBucket') return storageUnreachable(where, 'bucket does not exist', err);
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
      return notFoundIsMissingKey ? storageNotFound(key) : storageIo(where, name, err);
    }
    if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403 || status === 401) {
      return accessDenied(where, name, err);
    }
    if (status === 507 || /StorageFull|QuotaExceeded|InsufficientStorage/i.test(name)) return storageFull(where, err);
    const networkCodes = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'];
    if ((e.code && networkCodes.includes(e.code)) || name === 'TimeoutError' || status === 503 || status === 502 || status === 504) {
      return storageUnreachable(where, e.code ?? name, err);
    }
    return storageIo(where, name || err.message, err);
  }
}
