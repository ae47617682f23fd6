import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../platform/paths.js';
import { startS3Server, type TestS3Server } from '../../test-support/s3-server.js';
import { collect, expectCode } from '../../test-support/storage.js';
import { FsObjectStore } from '../fs-store.js';
import type { ObjectStore } from '../object-store.js';
import { S3ObjectStore } from '../s3-store.js';
import { type OcflInventory, parseInventory } from './inventory.js';
import { objectPath } from './layout.js';
import { createOcflRepository, LANTAI_METADATA_PATHS, type OcflFile, type OcflProgress, type OcflRepository } from './repository.js';

const MiB = 1024 * 1024;
const hash = (alg: string, b: Buffer | string) => createHash(alg).update(b).digest('hex');
const USER = { name: '张三', address: 'mailto:zhangsan@archive.example.cn' };
const ID = 'lantai:item:J019:J019-WS·2023-D30-0001';
const PDF = '电子文件/关于2023年工作的通知.pdf';

const file = (logicalPath: string, text: string): OcflFile => ({ logicalPath, body: Buffer.from(text) });

/** Deterministic large content: chunk i is filled with byte (seed + i). Parent and crash child build the same bytes. */
function bigContent(mib: number, seed: number): Buffer {
  return Buffer.concat(Array.from({ length: mib }, (_, i) => Buffer.alloc(MiB, (seed + i) % 256)));
}

/** The logical state of a version, read back through the repository: logical path → text. */
async function contents(repo: OcflRepository, id: string, version?: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await repo.listFiles(id, version)) out[f.logicalPath] = (await repo.readFile(id, f.logicalPath, version)).toString('latin1');
  return out;
}
const asLatin1 = (files: OcflFile[]) => Object.fromEntries(files.map((f) => [f.logicalPath, (f.body as Buffer).toString('latin1')]));

/**
 * Structural check of one object as stored, by reading it back (the OCFL validator is written
 * separately): namaste, sidecars, root inventory equal to the head's, every version inventory
 * agreeing with the root on its versions, every manifest and fixity digest matching the bytes,
 * and no file under the object root that the inventory does not account for.
 */
async function checkObject(store: ObjectStore, repo: OcflRepository, id: string): Promise<OcflInventory> {
  const root = repo.objectRoot(id);
  expect(root).toBe(`${repo.root}/${objectPath(id)}`);
  const inv = await repo.readInventory(id);
  const rootBytes = await store.get(`${root}/inventory.json`);
  expect((await store.get(`${root}/inventory.json.sha512`)).toString()).toBe(`${hash('sha512', rootBytes)} inventory.json\n`);
  expect((await store.get(`${root}/0=ocfl_object_1.1`)).toString()).toBe('ocfl_object_1.1\n');
  expect(inv).toMatchObject({ id, type: 'https://ocfl.io/1.1/spec/#inventory', digestAlgorithm: 'sha512' });
  const expected = new Set(['0=ocfl_object_1.1', 'inventory.json', 'inventory.json.sha512']);
  const names = Object.keys(inv.versions);
  expect(names).toEqual(names.map((_, i) => `v${i + 1}`));
  expect(inv.head).toBe(names.at(-1));
  for (const v of names) {
    expected.add(`${v}/inventory.json`).add(`${v}/inventory.json.sha512`);
    const bytes = await store.get(`${root}/${v}/inventory.json`);
    expect((await store.get(`${root}/${v}/inventory.json.sha512`)).toString()).toBe(`${hash('sha512', bytes)} inventory.json\n`);
    const vInv = parseInventory(bytes, v);
    expect(vInv.head).toBe(v);
    for (const [name, version] of Object.entries(vInv.versions)) expect(version).toEqual(inv.versions[name]);
    if (v === inv.head) expect(bytes.equals(rootBytes)).toBe(true);
    expect(inv.versions[v]).toMatchObject({ user: expect.objectContaining({ name: expect.any(String) }), message: expect.any(String) });
    expect(Date.parse(inv.versions[v]!.created)).not.toBeNaN();
    for (const digest of Object.keys(inv.versions[v]!.state)) expect(inv.manifest[digest]).toBeDefined();
  }
  const bytesOf = new Map<string, Buffer>();
  for (const [digest, paths] of Object.entries(inv.manifest)) {
    for (const p of paths) {
      expect(p).toMatch(/^v\d+\/content\//);
      expected.add(p);
      const b = await store.get(`${root}/${p}`);
      bytesOf.set(p, b);
      expect(hash('sha512', b)).toBe(digest);
    }
  }
  expect(Object.keys(inv.fixity ?? {}).sort()).toEqual(['sha256', 'sm3']);
  for (const [alg, block] of Object.entries(inv.fixity ?? {})) {
    const covered = new Set<string>();
    for (const [digest, paths] of Object.entries(block)) {
      for (const p of paths) {
        expect(hash(alg, bytesOf.get(p)!)).toBe(digest);
        covered.add(p);
      }
    }
    expect(covered).toEqual(new Set(bytesOf.keys()));
  }
  const stored = (await collect(store.list(root))).map((k) => k.slice(root.length + 1));
  expect(new Set(stored)).toEqual(expected);
  return inv;
}

interface RepoHarness {
  store: ObjectStore;
  /** Environment for a crash child to open the same store. */
  childEnv: Record<string, string>;
  dispose(): Promise<void>;
}

const TSX = ['--import', 'tsx', '--input-type=module', '-e'];
const src = (rel: string) => JSON.stringify(resolve(PROJECT_ROOT, 'src', rel));

/**
 * A child that writes one version and blocks (so the parent can SIGKILL it) when its progress
 * reaches CRASH_AT: {"phase":"store","afterBytes":n}, {"phase":"inventory"} or {"phase":"commit"}.
 */
const CRASH_CHILD = `
  const { writeSync } = await import('node:fs');
  const { Readable } = await import('node:stream');
  const { FsObjectStore } = await import(${src('storage/fs-store.js')});
  const { S3ObjectStore } = await import(${src('storage/s3-store.js')});
  const { createOcflRepository } = await import(${src('storage/ocfl/repository.js')});
  const env = process.env;
  const store = env.STORE_KIND === 'fs' ? await FsObjectStore.open({ root: env.ROOT }) : new S3ObjectStore(JSON.parse(env.S3_CONFIG));
  const repo = createOcflRepository(store);
  const spec = JSON.parse(env.FILES);
  const files = spec.map((f) => f.text !== undefined
    ? { logicalPath: f.logicalPath, body: Buffer.from(f.text) }
    : { logicalPath: f.logicalPath, body: () => Readable.from((function* () {
        for (let i = 0; i < f.mib; i++) yield Buffer.alloc(${MiB}, (f.seed + i) % 256);
      })()) });
  const at = JSON.parse(env.CRASH_AT);
  await repo.createOrUpdateObject(env.ID, files, { message: 'crash test', user: { name: 'crash' } }, {
    onProgress(p) {
      if (p.phase === at.phase && (p.phase !== 'store' || p.bytesDone >= at.afterBytes)) {
        writeSync(1, 'READY\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      }
    },
  });
  writeSync(1, 'FINISHED\\n');
`;

type CrashFile = { logicalPath: string; text: string } | { logicalPath: string; mib: number; seed: number };

function crashWhile(h: RepoHarness, files: CrashFile[], at: Record<string, unknown>): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const env = { ...process.env, ...h.childEnv, ID, FILES: JSON.stringify(files), CRASH_AT: JSON.stringify(at) };
    const child = spawn(process.execPath, [...TSX, CRASH_CHILD], { cwd: PROJECT_ROOT, env });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('READY')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolvePromise({ signal, output });
    });
  });
}

const crashFileContents = (files: CrashFile[]): Record<string, string> =>
  Object.fromEntries(files.map((f) => [f.logicalPath, 'text' in f ? Buffer.from(f.text).toString('latin1') : bigContent(f.mib, f.seed).toString('latin1')]));

function ocflContract(name: string, open: () => Promise<RepoHarness>) {
  describe(`OCFL repository on ${name}`, () => {
    let h: RepoHarness;
    let store: ObjectStore;
    let repo: OcflRepository;
    beforeEach(async () => {
      h = await open();
      store = h.store;
      repo = createOcflRepository(store);
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('creates the storage root with the 0004 layout and documents sm3, idempotently', async () => {
      await repo.init();
      await repo.init();
      expect((await store.get('ocfl/0=ocfl_1.1')).toString()).toBe('ocfl_1.1\n');
      expect(JSON.parse((await store.get('ocfl/ocfl_layout.json')).toString())).toMatchObject({
        extension: '0004-hashed-n-tuple-storage-layout',
        description: expect.any(String),
      });
      expect(JSON.parse((await store.get('ocfl/extensions/0004-hashed-n-tuple-storage-layout/config.json')).toString())).toEqual({
        extensionName: '0004-hashed-n-tuple-storage-layout',
        digestAlgorithm: 'sha256',
        tupleSize: 3,
        numberOfTuples: 3,
        shortObjectRoot: false,
      });
      expect((await store.get('ocfl/lantai-sm3-digest-algorithm.md')).toString()).toContain('GB/T 32905');
      expect(await store.listDir('ocfl')).toEqual({
        files: ['0=ocfl_1.1', 'lantai-sm3-digest-algorithm.md', 'ocfl_layout.json'],
        dirs: ['extensions'],
      });
    });

    it('refuses to take over a location that is not an OCFL root, or one with another layout', async () => {
      await store.put('other/notes.txt', Buffer.from('x'));
      await expectCode(createOcflRepository(store, { root: 'other' }).init(), 'OCFL_ROOT_MISMATCH');
      // What an init interrupted before its declaration leaves is finished, not refused.
      await store.put('resumed/ocfl_layout.json', Buffer.from('{}'));
      await createOcflRepository(store, { root: 'resumed' }).init();
      expect((await store.get('resumed/0=ocfl_1.1')).toString()).toBe('ocfl_1.1\n');
      await repo.init();
      await store.put('ocfl/extensions/0004-hashed-n-tuple-storage-layout/config.json', Buffer.from('{"extensionName":"0004-hashed-n-tuple-storage-layout","tupleSize":2}'));
      await expectCode(createOcflRepository(store).init(), 'OCFL_ROOT_MISMATCH');
    });

    it('writes a first version with Chinese names and metadata files, addressable and readable as given', async () => {
      const files = [
        file(PDF, '%PDF-1.7 通知正文'),
        file('电子文件/附件 #1 (扫描).tif', 'TIFF bytes'),
        file(LANTAI_METADATA_PATHS.json, JSON.stringify({ 题名: '关于2023年工作的通知', 档号: 'J019-WS·2023-D30-0001' })),
        file(LANTAI_METADATA_PATHS.xml, '<item><title>关于2023年工作的通知</title></item>'),
      ];
      const created = '2024-03-01T08:30:00+08:00';
      const result = await repo.createOrUpdateObject(ID, files, { message: '接收进馆', user: USER, created });
      expect(result).toMatchObject({ id: ID, version: 'v1', created: true, objectRoot: repo.objectRoot(ID) });
      expect(result.stored).toEqual(
        ['电子文件/关于2023年工作的通知.pdf', '电子文件/附件 #1 (扫描).tif', 'lantai/metadata.json', 'lantai/metadata.xml']
          .map((p) => `v1/content/${p}`)
          .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
      const inv = await checkObject(store, repo, ID);
      expect(inv.head).toBe('v1');
      expect(inv.versions.v1).toEqual({
        created,
        message: '接收进馆',
        user: USER,
        state: Object.fromEntries(files.map((f) => [hash('sha512', f.body as Buffer), [f.logicalPath]])),
      });
      expect(inv.manifest[hash('sha512', files[0]!.body as Buffer)]).toEqual([`v1/content/${PDF}`]);
      expect(inv.fixity!.sm3![hash('sm3', files[0]!.body as Buffer)]).toEqual([`v1/content/${PDF}`]);
      expect(await contents(repo, ID)).toEqual(asLatin1(files));
      expect(await repo.objectExists(ID)).toBe(true);
      expect(await repo.objectExists('lantai:item:none')).toBe(false);
    });

    it('versions replacements, removals and additions, deduplicating unchanged and reinstated content', async () => {
      const v1 = [file('a.pdf', 'A1'), file('b.pdf', 'B'), file('c.pdf', 'C')];
      await repo.createOrUpdateObject(ID, v1, { message: 'v1', user: USER });
      const v2 = [file('a.pdf', 'A2'), file('b.pdf', 'B'), file('d.pdf', 'D'), file('copy-of-d.pdf', 'D')];
      const r2 = await repo.createOrUpdateObject(ID, v2, { message: 'v2', user: USER });
      // Two paths with one content: stored once, under the first logical path in byte order.
      expect(r2.stored).toEqual(['v2/content/a.pdf', 'v2/content/copy-of-d.pdf']);
      const v3 = [file('a.pdf', 'A2'), file('c-restored.pdf', 'C')];
      const r3 = await repo.createOrUpdateObject(ID, v3, { message: 'v3', user: USER });
      expect(r3.stored).toEqual([]);
      const inv = await checkObject(store, repo, ID);
      expect(inv.head).toBe('v3');
      expect(inv.manifest[hash('sha512', 'C')]).toEqual(['v1/content/c.pdf']);
      expect(inv.manifest[hash('sha512', 'D')]).toEqual(['v2/content/copy-of-d.pdf']);
      expect(inv.versions.v2!.state[hash('sha512', 'D')]!.sort()).toEqual(['copy-of-d.pdf', 'd.pdf']);
      expect(await contents(repo, ID, 1)).toEqual(asLatin1(v1));
      expect(await contents(repo, ID, 2)).toEqual(asLatin1(v2));
      expect(await contents(repo, ID)).toEqual(asLatin1(v3));
      expect((await repo.readFile(ID, 'a.pdf', 'v1')).toString()).toBe('A1');
    });

    it('merges changes into the head version when asked, and makes no version when nothing changes', async () => {
      await repo.createOrUpdateObject(ID, [file('a.pdf', 'A'), file('b.pdf', 'B')], { message: 'v1', user: USER });
      const r2 = await repo.createOrUpdateObject(ID, [file('c.pdf', 'C'), file('a.pdf', 'A*')], { message: 'v2', user: USER }, { mode: 'merge', remove: ['b.pdf'] });
      expect(r2.version).toBe('v2');
      expect(await contents(repo, ID)).toEqual({ 'a.pdf': 'A*', 'c.pdf': 'C' });
      await expectCode(repo.createOrUpdateObject(ID, [], { message: 'x', user: USER }, { mode: 'merge', remove: ['zzz.pdf'] }), 'OCFL_FILE_NOT_FOUND');
      const again = await repo.createOrUpdateObject(ID, [file('a.pdf', 'A*'), file('c.pdf', 'C')], { message: 'retry', user: USER });
      expect(again).toMatchObject({ version: 'v2', created: false, stored: [] });
      await expectCode(repo.createOrUpdateObject(ID, [file('a.pdf', 'A')], { message: 'x', user: USER }, { remove: ['c.pdf'] }), 'OCFL_INVALID_INPUT');
      await checkObject(store, repo, ID);
    });

    it('refuses unsafe or conflicting logical paths and malformed version information', async () => {
      const v = { message: 'm', user: USER };
      for (const bad of ['../escape.pdf', 'a//b.pdf', '/abs.pdf', 'dir/', './a.pdf', 'x/../y.pdf', 'nul\0.pdf']) {
        await expectCode(repo.createOrUpdateObject(ID, [file(bad, 'x')], v), 'OCFL_INVALID_PATH');
      }
      await expectCode(repo.createOrUpdateObject(ID, [file('a', 'x'), file('a/b.pdf', 'y')], v), 'OCFL_INVALID_PATH');
      await expectCode(repo.createOrUpdateObject(ID, [file('a.pdf', 'x'), file('a.pdf', 'y')], v), 'OCFL_INVALID_INPUT');
      await expectCode(repo.createOrUpdateObject(ID, [file('a.pdf', 'x')], { ...v, created: '2024-03-01' }), 'OCFL_INVALID_INPUT');
      await expectCode(repo.createOrUpdateObject(ID, [file('a.pdf', 'x')], { message: 'm', user: { name: '' } }), 'OCFL_INVALID_INPUT');
      await expectCode(repo.createOrUpdateObject('', [file('a.pdf', 'x')], v), 'OCFL_INVALID_INPUT');
      expect(await repo.objectExists(ID)).toBe(false);
    });

    it('maps only names Linux, Windows or S3 cannot hold to hashed content paths, keeping the logical path', async () => {
      const longName = `电子文件/${'很'.repeat(90)}.pdf`;
      const unportable = ['电子文件/tab\there.txt', '附件/说明\\备注.txt', '会议纪要: 2023.doc', 'aux.pdf', '结尾有点.'];
      const plain = ['普通 文件 #1 (扫描) 100%.pdf', 'console.txt'];
      const names = [longName, ...unportable, ...plain];
      await repo.createOrUpdateObject(ID, names.map((n) => file(n, `bytes of ${n}`)), { message: 'm', user: USER });
      const inv = await checkObject(store, repo, ID);
      const contentPath = (n: string) => inv.manifest[hash('sha512', `bytes of ${n}`)];
      expect(contentPath(longName)).toEqual([`v1/content/${hash('sha256', longName)}.pdf`]);
      expect(contentPath('附件/说明\\备注.txt')).toEqual([`v1/content/${hash('sha256', '附件/说明\\备注.txt')}.txt`]);
      for (const n of unportable) expect(contentPath(n)![0]).toMatch(/^v1\/content\/[0-9a-f]{64}(\.[a-z]+)?$/);
      for (const n of plain) expect(contentPath(n)).toEqual([`v1/content/${n}`]);
      for (const n of names) expect((await repo.readFile(ID, n)).toString()).toBe(`bytes of ${n}`);
      expect((await repo.listFiles(ID)).map((f) => f.logicalPath)).toEqual(names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    });

    it('streams a large file in, reporting progress, and reads it back verified', async () => {
      const big = bigContent(21, 7);
      const events: OcflProgress[] = [];
      const body = () => Readable.from((function* () { for (let i = 0; i < big.length; i += MiB) yield big.subarray(i, i + MiB); })());
      await repo.createOrUpdateObject(ID, [{ logicalPath: '扫描件/大图.tif', body }, file('small.txt', 's')], { message: 'm', user: USER }, { onProgress: (p) => events.push(p) });
      const phases = [...new Set(events.map((e) => e.phase))];
      expect(phases).toEqual(['hash', 'store', 'inventory', 'commit']);
      const store_ = events.filter((e): e is Extract<OcflProgress, { phase: 'store' }> => e.phase === 'store');
      expect(store_.every((e, i) => i === 0 || e.bytesDone >= store_[i - 1]!.bytesDone)).toBe(true);
      expect(store_.at(-1)!.bytesTotal).toBe(big.length + 1);
      expect(store_.at(-1)!.bytesDone).toBe(big.length + 1);
      expect((await repo.readFile(ID, '扫描件/大图.tif')).equals(big)).toBe(true);
      const streamed = Buffer.concat(await (await repo.streamFile(ID, '扫描件/大图.tif')).toArray());
      expect(streamed.equals(big)).toBe(true);
      await checkObject(store, repo, ID);
    });

    it('reports missing objects, versions and files, and detects a corrupted stored copy', async () => {
      await expectCode(repo.readInventory('lantai:item:none'), 'OCFL_OBJECT_NOT_FOUND');
      await repo.createOrUpdateObject(ID, [file(PDF, 'good')], { message: 'm', user: USER });
      await expectCode(repo.readFile(ID, 'nope.pdf'), 'OCFL_FILE_NOT_FOUND');
      await expectCode(repo.readFile(ID, PDF, 9), 'OCFL_VERSION_NOT_FOUND');
      await store.put(`${repo.objectRoot(ID)}/v1/content/${PDF}`, Buffer.from('bad!'));
      const err = await expectCode(repo.readFile(ID, PDF), 'STORAGE_DIGEST_MISMATCH');
      expect(err.message).toContain('损坏');
    });

    it('records only the fixity algorithms asked for, under any storage root prefix', async () => {
      const strict = createOcflRepository(store, { root: 'preservation/ocfl', fixity: ['sha256'] });
      await strict.createOrUpdateObject(ID, [file('a.txt', 'a')], { message: 'm', user: USER });
      const inv = await strict.readInventory(ID);
      expect(inv.fixity).toEqual({ sha256: { [hash('sha256', 'a')]: ['v1/content/a.txt'] } });
      expect(strict.objectRoot(ID)).toBe(`preservation/ocfl/${objectPath(ID)}`);
      expect((await store.get('preservation/ocfl/0=ocfl_1.1')).toString()).toBe('ocfl_1.1\n');
    });

    it('discards a version whose stream factory yields different bytes the second time, keeping the head', async () => {
      await repo.createOrUpdateObject(ID, [file('a.txt', 'stable')], { message: 'v1', user: USER });
      let calls = 0;
      const fickle = () => Readable.from([Buffer.from(`call ${++calls}`)]);
      await expectCode(repo.createOrUpdateObject(ID, [{ logicalPath: 'b.txt', body: fickle }], { message: 'v2', user: USER }), 'STORAGE_DIGEST_MISMATCH');
      expect(calls).toBe(2);
      const inv = await checkObject(store, repo, ID);
      expect(inv.head).toBe('v1');
      expect(await store.listDir(repo.objectRoot(ID))).toMatchObject({ dirs: ['v1'] });
    });

    it('lists the ids of committed objects', async () => {
      const ids = ['lantai:item:J019:0001', 'lantai:item:J019:0002', `urn:uuid:${randomUUID()}`];
      for (const id of ids) await repo.createOrUpdateObject(id, [file('a.txt', id)], { message: 'm', user: USER });
      expect(new Set(await collect(repo.listObjects()))).toEqual(new Set(ids));
    });

    it('serialises concurrent updates of one object, across repository instances too', async () => {
      await repo.createOrUpdateObject(ID, [file('base.txt', 'base')], { message: 'v1', user: USER });
      const other = createOcflRepository(store);
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          (i % 2 ? other : repo).createOrUpdateObject(ID, [file(`added-${i}.txt`, `content ${i}`)], { message: `add ${i}`, user: USER }, { mode: 'merge' }),
        ),
      );
      expect(results.map((r) => r.version).sort()).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
      const inv = await checkObject(store, repo, ID);
      for (let v = 2; v <= 6; v++) {
        const before = Object.keys(await contents(repo, ID, v - 1));
        const after = Object.keys(await contents(repo, ID, v));
        expect(after.length).toBe(before.length + 1);
        expect(after).toEqual(expect.arrayContaining(before));
      }
      expect(Object.keys(await contents(repo, ID)).sort()).toEqual(['added-0.txt', 'added-1.txt', 'added-2.txt', 'added-3.txt', 'added-4.txt', 'base.txt']);
      expect(inv.head).toBe('v6');
    });

    it('rolls a commit interrupted between the root inventory and its sidecar forward, or back when the version is bad', async () => {
      await repo.createOrUpdateObject(ID, [file('a.txt', 'one')], { message: 'v1', user: USER });
      await repo.createOrUpdateObject(ID, [file('a.txt', 'two')], { message: 'v2', user: USER });
      const root = repo.objectRoot(ID);
      // The state a crash between the last two writes of v2's commit leaves: new root inventory, old sidecar.
      await store.put(`${root}/inventory.json.sha512`, await store.get(`${root}/v1/inventory.json.sha512`));
      await expectCode(repo.readInventory(ID), 'OCFL_OBJECT_CORRUPT');
      expect(await repo.recover(ID)).toMatchObject({ action: 'rolled-forward', head: 'v2', rolledForward: ['v2'], removed: [] });
      expect(await contents(repo, ID)).toEqual({ 'a.txt': 'two' });
      await checkObject(store, repo, ID);

      await store.put(`${root}/inventory.json.sha512`, await store.get(`${root}/v1/inventory.json.sha512`));
      await store.put(`${root}/v2/content/a.txt`, Buffer.from('tw0'));
      expect(await repo.recover(ID)).toMatchObject({ action: 'removed-partial', head: 'v1', removed: ['v2'] });
      expect(await contents(repo, ID)).toEqual({ 'a.txt': 'one' });
      expect((await store.get(`${root}/inventory.json`)).equals(await store.get(`${root}/v1/inventory.json`))).toBe(true);
      await checkObject(store, repo, ID);
      expect(await repo.recover(ID)).toMatchObject({ action: 'none', head: 'v1' });
    });

    describe('when the writing process is killed', () => {
      const V1: CrashFile[] = [
        { logicalPath: PDF, text: '第一版正文' },
        { logicalPath: LANTAI_METADATA_PATHS.json, text: '{"version":1}' },
      ];
      const V2: CrashFile[] = [
        { logicalPath: PDF, text: '第二版正文' },
        { logicalPath: LANTAI_METADATA_PATHS.json, text: '{"version":2}' },
        { logicalPath: '扫描件/0001.tif', mib: 12, seed: 3 },
      ];

      async function writeV1(): Promise<void> {
        const files = V1.map((f) => file(f.logicalPath, (f as { text: string }).text));
        await repo.createOrUpdateObject(ID, files, { message: 'v1', user: USER });
      }

      async function crash(files: CrashFile[], at: Record<string, unknown>): Promise<void> {
        const { signal, output } = await crashWhile(h, files, at);
        expect(signal, output).toBe('SIGKILL');
        expect(output).not.toContain('FINISHED');
      }

      it('in the middle of a large content file: recovery leaves exactly v1', async () => {
        await writeV1();
        await crash(V2, { phase: 'store', afterBytes: 6 * MiB });
        const report = await repo.recover(ID);
        // Content files are written side by side: whether any reached v2/ before the kill depends on timing.
        expect(report.head).toBe('v1');
        expect(['none', 'removed-partial']).toContain(report.action);
        const inv = await checkObject(store, repo, ID);
        expect(inv.head).toBe('v1');
        expect(await contents(repo, ID)).toEqual(crashFileContents(V1));
      });

      it('after the content but before the version inventory: recovery leaves exactly v1', async () => {
        await writeV1();
        await crash(V2, { phase: 'inventory' });
        expect((await collect(store.list(`${repo.objectRoot(ID)}/v2`))).length).toBeGreaterThan(0);
        expect(await repo.recover(ID)).toMatchObject({ action: 'removed-partial', head: 'v1', removed: ['v2'] });
        await checkObject(store, repo, ID);
        expect(await contents(repo, ID)).toEqual(crashFileContents(V1));
      });

      it('after the version inventory but before the commit: recovery rolls forward to exactly v2', async () => {
        await writeV1();
        await crash(V2, { phase: 'commit' });
        expect((await repo.readInventory(ID)).head).toBe('v1');
        expect(await repo.recover(ID)).toMatchObject({ action: 'rolled-forward', head: 'v2', rolledForward: ['v2'] });
        const inv = await checkObject(store, repo, ID);
        expect(inv.head).toBe('v2');
        expect(await contents(repo, ID)).toEqual(crashFileContents(V2));
        expect(await contents(repo, ID, 1)).toEqual(crashFileContents(V1));
      });

      it('during the first version: the next write recovers by itself, and recoverAll finds nothing left', async () => {
        await crash(V2, { phase: 'store', afterBytes: 3 * MiB });
        expect(await repo.objectExists(ID)).toBe(false);
        const reports = await repo.recoverAll();
        expect(reports).toEqual([expect.objectContaining({ objectRoot: repo.objectRoot(ID), action: 'removed-object' })]);
        expect(await store.listDir('ocfl')).toMatchObject({ dirs: ['extensions'] });

        await crash(V1, { phase: 'commit' });
        const retry = await repo.createOrUpdateObject(ID, V1.map((f) => file(f.logicalPath, (f as { text: string }).text)), { message: 'retry', user: USER });
        // The interrupted v1 was complete, so recovery committed it and the retry had nothing to add.
        expect(retry).toMatchObject({ version: 'v1', created: false });
        await checkObject(store, repo, ID);
        expect(await repo.recoverAll()).toEqual([]);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------

const dirs: string[] = [];
let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

ocflContract('the fs store', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lantai-ocfl-'));
  dirs.push(root);
  const store = await FsObjectStore.open({ root });
  return { store, childEnv: { STORE_KIND: 'fs', ROOT: root }, dispose: () => store.close() };
});

ocflContract('the S3 store (s3rver)', async () => {
  const config = s3.storeConfig(`ocfl-${randomUUID()}`);
  const store = new S3ObjectStore(config);
  return { store, childEnv: { STORE_KIND: 's3', S3_CONFIG: JSON.stringify(config) }, dispose: () => store.close() };
});

describe('OCFL layout', () => {
  it('maps ids as extension 0004 specifies', () => {
    expect(objectPath('object-01')).toBe('3c0/ff4/240/3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4');
    expect(objectPath('..hor/rib:le-$id')).toBe('487/326/d8c/487326d8c2a3c0b885e23da1469b4d6671fd4e76978924b4443e9e3c316cda6d');
  });

  it('keeps the fs staging directory outside the OCFL storage root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lantai-ocfl-'));
    dirs.push(root);
    const store = await FsObjectStore.open({ root });
    const repo = createOcflRepository(store);
    await repo.createOrUpdateObject(ID, [file('a.txt', 'a')], { message: 'm', user: USER });
    expect(await store.listDir('')).toEqual({ files: [], dirs: ['ocfl'] });
    expect((await collect(store.list('ocfl'))).some((k) => k.includes('staging'))).toBe(false);
  });
});
