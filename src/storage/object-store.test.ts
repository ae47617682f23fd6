import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../platform/paths.js';
import { startS3Server, type TestS3Server } from '../test-support/s3-server.js';
import { digestBuffer, digestStream } from './digests.js';
import { collect, expectCode, failure } from '../test-support/storage.js';
import { FsObjectStore } from './fs-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-store.js';

const MiB = 1024 * 1024;
const CHINESE_KEY = '电子档案/关于2023年工作的通知.pdf';
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');

/** A body factory streaming `data` in 1 MiB chunks, as an upload from disk would arrive. */
function chunked(data: Buffer): () => Readable {
  return () =>
    Readable.from(
      (function* () {
        for (let i = 0; i < data.length; i += MiB) yield data.subarray(i, i + MiB);
      })(),
    );
}

interface StoreHarness {
  store: ObjectStore;
  dispose(): Promise<void>;
}

/** The behaviour every ObjectStore must have; run below against the fs and the S3 implementation. */
function objectStoreContract(name: string, open: () => Promise<StoreHarness>) {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: StoreHarness;
    let store: ObjectStore;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('stores and returns bytes, reporting size and SHA-512', async () => {
      const body = Buffer.from('兰台 preservation\n');
      expect(await store.put('a/b.txt', body)).toEqual({ size: body.length, sha512: sha512(body) });
      expect(await store.get('a/b.txt')).toEqual(body);
      expect(await store.stat('a/b.txt')).toEqual({ size: body.length });
      expect(Buffer.concat(await (await store.stream('a/b.txt')).toArray())).toEqual(body);
      expect(store.description).not.toMatch(/S3RVER/);
    });

    it('keeps Chinese names, spaces, # and other URL-special characters exactly, without Unicode normalisation', async () => {
      const nfc = '档案/caf\u00e9.txt';
      const nfd = '档案/cafe\u0301.txt';
      const keys = [CHINESE_KEY, '案卷 01/附件 #1.tif', '100% 完成/a+b=c?&d.txt', '𠀀扩展B区/文件.txt', nfc, nfd];
      for (const [i, k] of keys.entries()) await store.put(k, Buffer.from(`content ${i}`));
      for (const [i, k] of keys.entries()) expect((await store.get(k)).toString()).toBe(`content ${i}`);
      const listed = await collect(store.list(''));
      expect(listed).toHaveLength(keys.length);
      expect(new Set(listed)).toEqual(new Set(keys));
      expect(listed).toContain(nfd);
      expect(listed).toContain(nfc);
    });

    it('overwrites a key with the new value', async () => {
      await store.put(CHINESE_KEY, Buffer.from('first version'));
      await store.put(CHINESE_KEY, chunked(Buffer.from('second, streamed')));
      expect((await store.get(CHINESE_KEY)).toString()).toBe('second, streamed');
    });

    it('reports missing keys as STORAGE_NOT_FOUND, null from stat, and deletes them quietly', async () => {
      await expectCode(store.get('missing/file.pdf'), 'STORAGE_NOT_FOUND');
      await expectCode(store.stream('missing/file.pdf'), 'STORAGE_NOT_FOUND');
      expect(await store.stat('missing/file.pdf')).toBeNull();
      await store.delete('missing/file.pdf');
      const err = await failure(store.get('missing/file.pdf'));
      expect(err.status).toBe(404);
      expect(err.message).toContain('不存在');
      expect(err.message_en).toContain('not found');
    });

    it('streams a 24 MiB body in (and a 17 MiB buffer), verifies them against the given SHA-512, and reads them back intact', async () => {
      const data = randomBytes(24 * MiB);
      const result = await store.put('scans/大图.tif', chunked(data), { sha512: sha512(data) });
      expect(result).toEqual({ size: data.length, sha512: sha512(data) });
      expect(await store.stat('scans/大图.tif')).toEqual({ size: data.length });
      const back = await digestStream(await store.stream('scans/大图.tif'), ['sha512'] as const);
      expect(back).toEqual({ size: data.length, sha512: sha512(data) });
      const asBuffer = data.subarray(0, 17 * MiB);
      expect(await store.put('scans/buffer.tif', asBuffer, { sha512: sha512(asBuffer) })).toEqual({ size: asBuffer.length, sha512: sha512(asBuffer) });
      expect((await store.get('scans/buffer.tif')).equals(asBuffer)).toBe(true);
    });

    it('refuses a body whose SHA-512 differs from the expected one and keeps the old value', async () => {
      await store.put('doc.pdf', Buffer.from('old'));
      const wrong = sha512(Buffer.from('something else'));
      const e1 = await expectCode(store.put('doc.pdf', Buffer.from('new'), { sha512: wrong }), 'STORAGE_DIGEST_MISMATCH');
      expect(e1.details).toMatchObject({ key: 'doc.pdf', expected: wrong });
      await expectCode(store.put('doc.pdf', chunked(randomBytes(6 * MiB)), { sha512: wrong }), 'STORAGE_DIGEST_MISMATCH');
      expect((await store.get('doc.pdf')).toString()).toBe('old');
      await expectCode(store.put('fresh.pdf', chunked(Buffer.from('x')), { sha512: wrong }), 'STORAGE_DIGEST_MISMATCH');
      expect(await store.stat('fresh.pdf')).toBeNull();
    });

    it('lets a failing source stream fail the put with its own error and publishes nothing', async () => {
      const broken = () =>
        Readable.from(
          (async function* () {
            yield Buffer.from('partial');
            throw new Error('source went away');
          })(),
        );
      await expect(store.put('broken.bin', broken)).rejects.toThrow('source went away');
      expect(await store.stat('broken.bin')).toBeNull();
    });

    it('stores a local file with or without an expected SHA-512, refuses a wrong one, and fails with the source\'s own error when it is missing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lantai-local-body-'));
      try {
        const data = randomBytes(3 * MiB + 5);
        const path = join(dir, '扫描件.tif');
        writeFileSync(path, data);
        expect(await store.put('a/扫描件.tif', { file: path }, { sha512: sha512(data) })).toEqual({ size: data.length, sha512: sha512(data) });
        expect(await store.put('b/扫描件.tif', { file: path })).toEqual({ size: data.length, sha512: sha512(data) });
        expect((await store.get('b/扫描件.tif')).equals(data)).toBe(true);
        expect(await store.digest('a/扫描件.tif', ['sha512', 'sm3'] as const)).toEqual(digestBuffer(data, ['sha512', 'sm3'] as const));
        await expectCode(store.put('a/扫描件.tif', { file: path }, { sha512: sha512(Buffer.from('other')) }), 'STORAGE_DIGEST_MISMATCH');
        expect((await store.get('a/扫描件.tif')).equals(data)).toBe(true);
        await expect(store.put('c.tif', { file: join(dir, '没有.tif') })).rejects.toMatchObject({ code: 'ENOENT' });
        expect(await store.stat('c.tif')).toBeNull();
        await expectCode(store.digest('c.tif', ['sha512'] as const), 'STORAGE_NOT_FOUND');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('lists recursively in UTF-8 byte order, treating the prefix as a directory', async () => {
      const keys = ['ab.txt', 'a/z.txt', 'a/b/c.txt', 'a-b/x.txt', 'a/\u{20000}.txt', 'a/\uffe0.txt', 'b.txt', 'deep/only/here.txt'];
      for (const k of keys) await store.put(k, Buffer.from(k));
      const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(await collect(store.list(''))).toEqual(byBytes);
      expect(await collect(store.list('a'))).toEqual(byBytes.filter((k) => k.startsWith('a/')));
      expect(await collect(store.list('a/'))).toEqual(byBytes.filter((k) => k.startsWith('a/')));
      expect(await collect(store.list('nothing-here'))).toEqual([]);
      expect(await store.listDir('')).toEqual({ files: ['ab.txt', 'b.txt'], dirs: ['a', 'a-b', 'deep'] });
      expect(await store.listDir('deep')).toEqual({ files: [], dirs: ['only'] });
      expect(await store.listDir('a')).toEqual({ files: ['z.txt', '\uffe0.txt', '\u{20000}.txt'], dirs: ['b'] });
      expect(await store.listDir('nothing-here')).toEqual({ files: [], dirs: [] });
    });

    it('deletes keys and prefixes without leaving empty directories behind', async () => {
      for (const k of ['v1/content/一/甲.txt', 'v1/content/一/乙.txt', 'v1/inventory.json', 'v2/content/x.txt', 'keep.txt']) {
        await store.put(k, Buffer.from(k));
      }
      await store.delete('v2/content/x.txt');
      expect(await store.listDir('')).toEqual({ files: ['keep.txt'], dirs: ['v1'] });
      await store.deletePrefix('v1/content');
      expect(await store.listDir('v1')).toEqual({ files: ['inventory.json'], dirs: [] });
      await store.deletePrefix('v1');
      expect(await collect(store.list(''))).toEqual(['keep.txt']);
      await expectCode(store.deletePrefix(''), 'STORAGE_INVALID_KEY');
    });

    it('rejects keys that are not clean relative paths', async () => {
      for (const bad of ['', '/abs', 'dir/', 'a//b', '../up', 'a/./b', 'a/../b', 'nul\0byte', 'lone\ud800half']) {
        await expectCode(store.put(bad, Buffer.from('x')), 'STORAGE_INVALID_KEY');
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

const tempDirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lantai-store-'));
  tempDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

objectStoreContract('fs', async () => {
  const store = await FsObjectStore.open({ root: tempDir() });
  return { store, dispose: () => store.close() };
});

objectStoreContract('s3 (s3rver)', async () => {
  const store = new S3ObjectStore(s3.storeConfig(`contract-${randomUUID()}`));
  return { store, dispose: () => store.close() };
});

// ---------------------------------------------------------------------------------------------

const TSX = ['--import', 'tsx', '--input-type=module', '-e'];
const src = (rel: string) => JSON.stringify(resolve(PROJECT_ROOT, 'src', rel));

/** Child code: the body generator blocks (never returns) after `chunks` MiB so the parent can SIGKILL mid-write. */
const blockingBody = (chunks: number) => `
  const { Readable } = await import('node:stream');
  const { writeSync } = await import('node:fs');
  const body = () => Readable.from((function* () {
    for (let i = 0; ; i++) {
      if (i === ${chunks}) {
        writeSync(1, 'READY\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      }
      yield Buffer.alloc(${MiB}, 0x42);
    }
  })());
`;

/** Runs `code` in a child node process, SIGKILLs it when it prints READY, and resolves with how it ended. */
function killWhenReady(code: string, env: Record<string, string>): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...TSX, code], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('READY')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolvePromise({ signal, stderr });
    });
  });
}

describe('FsObjectStore', () => {
  it('keeps its staging directory out of keys and listings', async () => {
    const root = tempDir();
    const store = await FsObjectStore.open({ root });
    await store.put('ocfl/0=ocfl_1.1', Buffer.from('ocfl_1.1\n'));
    expect(statSync(join(root, '.staging')).isDirectory()).toBe(true);
    expect(await collect(store.list(''))).toEqual(['ocfl/0=ocfl_1.1']);
    expect(await store.listDir('')).toEqual({ files: [], dirs: ['ocfl'] });
    await expectCode(store.put('.staging/x', Buffer.from('x')), 'STORAGE_INVALID_KEY');
    await expectCode(store.listDir('.staging'), 'STORAGE_INVALID_KEY');
    await expectCode(collect(store.list('.staging')), 'STORAGE_INVALID_KEY');
    expect(readdirSync(join(root, '.staging'))).toEqual([]);
  });

  it('accepts a staging directory outside the root on the same filesystem', async () => {
    const base = tempDir();
    const store = await FsObjectStore.open({ root: join(base, 'objects'), stagingDir: join(base, 'staging') });
    await store.put('.staging/allowed-here', Buffer.from('x'));
    expect(await collect(store.list(''))).toEqual(['.staging/allowed-here']);
  });

  it('fails with STORAGE_UNREACHABLE when a storage directory that must exist (a mount) is missing', async () => {
    const err = await expectCode(FsObjectStore.open({ root: join(tempDir(), 'not-mounted'), create: false }), 'STORAGE_UNREACHABLE');
    expect(err.status).toBe(503);
  });

  it('leaves the old value when the writing process is killed mid-write, and sweeps the stray staging file', async () => {
    const root = tempDir();
    const store = await FsObjectStore.open({ root });
    await store.put(CHINESE_KEY, Buffer.from('old content'));
    const code = `
      const { FsObjectStore } = await import(${src('storage/fs-store.js')});
      ${blockingBody(12)}
      const store = await FsObjectStore.open({ root: process.env.ROOT });
      await store.put(process.env.KEY, body);
      await store.put('never/new.bin', body);
    `;
    const { signal, stderr } = await killWhenReady(code, { ROOT: root, KEY: CHINESE_KEY });
    expect(signal, stderr).toBe('SIGKILL');
    expect((await store.get(CHINESE_KEY)).toString()).toBe('old content');
    expect(await collect(store.list(''))).toEqual([CHINESE_KEY]);
    const staged = readdirSync(join(root, '.staging'));
    expect(staged).toHaveLength(1);
    // The kill landed mid-write: the staged file holds some, not all, of the body.
    expect(statSync(join(root, '.staging', staged[0]!)).size).toBeGreaterThan(0);
    expect(await store.sweepStaging(60_000)).toBe(0);
    expect(await store.sweepStaging(0)).toBe(1);
    expect(readdirSync(join(root, '.staging'))).toEqual([]);
  });

  it('leaves no key at all when a first write of that key is killed', async () => {
    const root = tempDir();
    const code = `
      const { FsObjectStore } = await import(${src('storage/fs-store.js')});
      ${blockingBody(5)}
      const store = await FsObjectStore.open({ root: process.env.ROOT });
      await store.put('new/file.bin', body);
    `;
    const { signal, stderr } = await killWhenReady(code, { ROOT: root });
    expect(signal, stderr).toBe('SIGKILL');
    const store = await FsObjectStore.open({ root });
    expect(await store.stat('new/file.bin')).toBeNull();
    expect(await collect(store.list(''))).toEqual([]);
  });

  // A real full filesystem: a 1 MiB tmpfs mounted in a private user+mount namespace, which needs
  // no root but does need unprivileged user namespaces (some container sandboxes forbid them).
  const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
  it.skipIf(!canUnshare)('reports a full disk as STORAGE_FULL and keeps the old value (real ENOSPC on a 1 MiB tmpfs)', async () => {
    const mountPoint = tempDir();
    const code = `
      const { readdirSync } = await import('node:fs');
      const { Readable } = await import('node:stream');
      const { FsObjectStore } = await import(${src('storage/fs-store.js')});
      const store = await FsObjectStore.open({ root: process.env.ROOT });
      await store.put('doc.pdf', Buffer.from('old'));
      const result = {};
      for (const [name, body] of [
        ['buffer', Buffer.alloc(2 * ${MiB}, 1)],
        ['stream', () => Readable.from([Buffer.alloc(${MiB}, 1), Buffer.alloc(${MiB}, 2)])],
      ]) {
        try { await store.put('doc.pdf', body); result[name] = 'stored'; }
        catch (e) { result[name] = { code: e.code, status: e.status, message: e.message, en: e.message_en }; }
      }
      result.after = (await store.get('doc.pdf')).toString();
      result.staging = readdirSync(process.env.ROOT + '/.staging');
      console.log(JSON.stringify(result));
    `;
    const run = spawnSync(
      'unshare',
      ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$ROOT" && exec "$NODE" "$@"', 'sh', ...TSX, code],
      { cwd: PROJECT_ROOT, env: { ...process.env, ROOT: mountPoint, NODE: process.execPath }, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    for (const kind of ['buffer', 'stream']) {
      expect(result[kind]).toMatchObject({ code: 'STORAGE_FULL', status: 507 });
      expect(result[kind].message).toContain('存储空间已满');
      expect(result[kind].en).toContain('Storage is full');
    }
    expect(result.after).toBe('old');
    expect(result.staging).toEqual([]);
  });
});

describe('S3ObjectStore', () => {
  /** A port nothing listens on: bound, then released. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  }

  it('fails fast with STORAGE_UNREACHABLE when nothing listens at the endpoint', async () => {
    const port = await closedPort();
    const store = new S3ObjectStore({ ...s3.storeConfig('x'), endpoint: `http://127.0.0.1:${port}` });
    const started = Date.now();
    const err = await expectCode(store.put('a.txt', Buffer.from('x')), 'STORAGE_UNREACHABLE');
    await expectCode(store.get('a.txt'), 'STORAGE_UNREACHABLE');
    await expectCode(collect(store.list('')), 'STORAGE_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err.status).toBe(503);
    expect(err.message).toContain('无法访问存储');
    await store.close();
  });

  it('gives up on a server that accepts connections but never answers, instead of hanging', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    const store = new S3ObjectStore({ ...s3.storeConfig('x'), endpoint: `http://127.0.0.1:${port}`, idleTimeoutMs: 500, maxAttempts: 2 });
    const started = Date.now();
    await expectCode(store.get('a.txt'), 'STORAGE_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(10_000);
    await store.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('maps a missing bucket to STORAGE_UNREACHABLE and bad credentials to STORAGE_ACCESS_DENIED', async () => {
    const noBucket = new S3ObjectStore({ ...s3.storeConfig('x'), bucket: 'no-such-bucket' });
    const e1 = await expectCode(noBucket.put('a.txt', Buffer.from('x')), 'STORAGE_UNREACHABLE');
    expect(e1.message_en).toContain('bucket does not exist');
    // s3rver checks the access key id, not the signature, so an unknown id is what it can refuse.
    const badKey = new S3ObjectStore({ ...s3.storeConfig('x'), accessKeyId: 'UNKNOWN', secretAccessKey: 'wrong-secret' });
    const e2 = await expectCode(badKey.get('a.txt'), 'STORAGE_ACCESS_DENIED');
    expect(JSON.stringify(e2.details)).not.toContain('wrong-secret');
    expect(badKey.description).not.toContain('wrong-secret');
    await noBucket.close();
    await badKey.close();
  });

  it('checks only the size after a put when read-back verification is switched off', async () => {
    const store = new S3ObjectStore(s3.storeConfig(`noverify-${randomUUID()}`, { verifyAfterPut: false }));
    const data = randomBytes(3 * MiB);
    expect(await store.put('a.bin', chunked(data))).toEqual({ size: data.length, sha512: sha512(data) });
    expect(sha512(await store.get('a.bin'))).toBe(sha512(data));
    await store.close();
  });

  it('never puts credentials from the endpoint URL into its description', () => {
    const store = new S3ObjectStore({ bucket: 'b', prefix: 'p', endpoint: 'https://user:secret@minio.example:9000' });
    expect(store.description).toBe('s3://b/p @ https://minio.example:9000');
  });
});
