/**
 * Lantai's OCFL 1.1 repository writer and reader over an ObjectStore (DESIGN §4).
 *
 * Storage root: the key prefix `root` (default 'ocfl') of the store, so the fs store's staging
 * directory and anything else the store holds stay outside it. It holds `0=ocfl_1.1`,
 * `ocfl_layout.json`, `extensions/0004-hashed-n-tuple-storage-layout/config.json` and the
 * local-extension document for `sm3` (see layout.ts); objects sit at the 0004 hashed paths.
 *
 * Objects: one per archival item (or any id the caller chooses; it SHOULD be a URI, spec W005, e.g.
 * `lantai:item:<fonds>:<archival code>` or `urn:uuid:<uuid>`). Content is addressed by SHA-512;
 * each version's fixity block adds SHA-256 and SM3 for the content it adds. Identical content is
 * stored once per object: a file unchanged since an earlier version (or duplicated within one)
 * only gains a state entry pointing at the existing content path. Logical paths keep the caller's
 * names exactly; the content path is `vN/content/<logical path>` unless that name cannot be
 * stored (inventory.ts `contentPathFor`). Descriptive metadata is stored like any other file;
 * the catalogue writes it at LANTAI_METADATA_PATHS so the catalogue can be rebuilt from storage.
 *
 * Crash safety: a version is written as the object namaste (first version only), then the new
 * content files, then `vN/inventory.json` and its sidecar, then the root `inventory.json` and,
 * last, the root `inventory.json.sha512`. The root sidecar is the commit record: the committed
 * head is the version whose inventory it matches. Every store write is itself atomic (see
 * object-store.ts), so a crash leaves at worst an uncommitted `vN` directory or a root inventory
 * ahead of its sidecar; `recover()` (run automatically before every write) rolls such a version
 * forward when its inventory and every new content file verify, and removes it otherwise.
 *
 * Concurrency: writes and recovery of one object are serialised by an in-process lock keyed by
 * store and object root. Several processes writing the same object need an external lock (a
 * database row lock, say); without one their versions can collide.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { inParallel } from '../../platform/concurrency.js';
import { type DigestResult } from '../digests.js';
import { isStorageError, StorageError } from '../errors.js';
import { type Body, compareKeys, digestBody, joinKey, normalizePrefix, type ObjectStore } from '../object-store.js';
import {
  assertLogicalPath,
  assertNonConflicting,
  CONTENT_DIRECTORY,
  contentPathFor,
  corrupt,
  type FixityAlgorithm,
  INVENTORY,
  INVENTORY_SIDECAR,
  INVENTORY_TYPE,
  invalidPath,
  type OcflInventory,
  type OcflUser,
  type OcflVersion,
  parseInventory,
  parseSidecar,
  serializeInventory,
  sidecarText,
  versionName,
  versionNumber,
} from './inventory.js';
import {
  LAYOUT_CONFIG,
  LAYOUT_CONFIG_FILE,
  LAYOUT_EXTENSION,
  LAYOUT_FILE,
  LAYOUT_JSON,
  OBJECT_NAMASTE,
  OBJECT_NAMASTE_TEXT,
  objectPath,
  ROOT_NAMASTE,
  ROOT_NAMASTE_TEXT,
  SM3_EXTENSION_FILE,
  SM3_EXTENSION_TEXT,
} from './layout.js';

/** Where the catalogue stores an item's descriptive metadata inside its object. */
export const LANTAI_METADATA_PATHS = { json: 'lantai/metadata.json', xml: 'lantai/metadata.xml' } as const;

export interface OcflFile {
  /** The file's name in the object, '/'-separated, kept exactly (e.g. '电子文件/关于2023年工作的通知.pdf'). */
  logicalPath: string;
  /** A stream factory is called twice (hash, then store) and must return the same bytes each time. */
  body: Body;
}

export interface OcflVersionInfo {
  /** Why this version was made (spec W007). */
  message: string;
  user: OcflUser;
  /** Default: now. A string must be an RFC 3339 date-time with a time zone. */
  created?: Date | string;
}

export type OcflProgress =
  | { phase: 'hash'; logicalPath: string; filesDone: number; filesTotal: number }
  | { phase: 'store'; logicalPath: string; contentPath: string; bytesDone: number; bytesTotal: number }
  | { phase: 'inventory'; version: string }
  | { phase: 'commit'; version: string };

export interface OcflCommitOptions {
  /**
   * 'replace' (default): the new version holds exactly `files`.
   * 'merge': the new version holds the head version's files, minus `remove`, plus `files`
   * (a file with an existing logical path replaces it).
   */
  mode?: 'replace' | 'merge';
  /** Logical paths to drop; 'merge' only. */
  remove?: string[];
  /** Called synchronously as the write proceeds; for job progress bars. */
  onProgress?: (progress: OcflProgress) => void;
}

export interface OcflCommitResult {
  id: string;
  /** Store key prefix of the object root. */
  objectRoot: string;
  /** The head version after the call, e.g. 'v3'. */
  version: string;
  /** False when the requested state equals the head version's: no version is made, so retries are idempotent. */
  created: boolean;
  /** Content paths written by this version; files not listed were deduplicated against existing content. */
  stored: string[];
  inventory: OcflInventory;
}

export interface OcflFileEntry {
  logicalPath: string;
  sha512: string;
  /** Relative to the object root, e.g. 'v1/content/a.pdf'. */
  contentPath: string;
}

export interface OcflRecoveryReport {
  /** Store key prefix of the object root. */
  objectRoot: string;
  /** The object's id when an inventory names it. */
  id?: string;
  /**
   * 'none': nothing to do. 'rolled-forward': a complete, verified version left uncommitted was
   * committed. 'removed-partial': incomplete versions were removed. 'removed-object': an object
   * whose first version never committed was removed entirely. 'repaired-root': the root inventory
   * was restored to match its sidecar. 'foreign': a directory in the layout holds files that are
   * not an OCFL object; it is left alone for a person to look at.
   */
  action: 'none' | 'rolled-forward' | 'removed-partial' | 'removed-object' | 'repaired-root' | 'foreign';
  /** Committed head after recovery. */
  head?: string;
  rolledForward: string[];
  removed: string[];
}

export interface OcflRepositoryOptions {
  /** Store key prefix of the storage root; default 'ocfl'. Must not be where the store stages writes. */
  root?: string;
  /** Fixity algorithms recorded for new content; default ['sha256', 'sm3']. */
  fixity?: FixityAlgorithm[];
}

export interface OcflRepository {
  readonly store: ObjectStore;
  /** Store key prefix of the storage root. */
  readonly root: string;
  /** Creates the storage root, or checks that an existing one uses this layout. Idempotent; writers call it themselves. */
  init(): Promise<void>;
  /** Store key prefix of the object's root directory (whether or not it exists). */
  objectRoot(id: string): string;
  /** Writes a new version (see OcflCommitOptions for the state it gets). */
  createOrUpdateObject(id: string, files: OcflFile[], version: OcflVersionInfo, opts?: OcflCommitOptions): Promise<OcflCommitResult>;
  objectExists(id: string): Promise<boolean>;
  /** The committed root inventory, checked against its sidecar; OCFL_OBJECT_NOT_FOUND when absent. */
  readInventory(id: string): Promise<OcflInventory>;
  /** The files of a version (default head), sorted by logical path. `version` is 'v2' or 2. */
  listFiles(id: string, version?: string | number): Promise<OcflFileEntry[]>;
  /** A file's bytes, verified against its SHA-512 (another stored copy is tried if one is bad). */
  readFile(id: string, logicalPath: string, version?: string | number): Promise<Buffer>;
  /** A file as a stream, unverified: hash it (digests.ts) when integrity matters. */
  streamFile(id: string, logicalPath: string, version?: string | number): Promise<Readable>;
  /** Ids of all committed objects, in layout order. */
  listObjects(): AsyncIterable<string>;
  /** Repairs what a crash left in one object (see OcflRecoveryReport). */
  recover(id: string): Promise<OcflRecoveryReport>;
  /** Recovers every object root under the storage root; reports only those that needed something. */
  recoverAll(): Promise<OcflRecoveryReport[]>;
}

export function createOcflRepository(store: ObjectStore, options: OcflRepositoryOptions = {}): OcflRepository {
  return new Repository(store, normalizePrefix(options.root ?? 'ocfl'), options.fixity ?? ['sha256', 'sm3']);
}

// ---------------------------------------------------------------------------------------------

/** Content files stored at once by one version write. */
const PARALLEL_PUTS = 8;

const tails = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier holder of `key` has finished. */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const tail = previous.then(() => new Promise<void>((r) => (release = r)));
  tails.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

const sha512Hex = (b: Buffer) => createHash('sha512').update(b).digest('hex');

interface Committed {
  inventory: OcflInventory;
  bytes: Buffer;
  sidecar: Buffer;
}

interface Inspection {
  absent: boolean;
  committed?: Committed;
  /** Number of the committed head, 0 when nothing is committed. */
  head: number;
  /** Version directories above the committed head, ascending. */
  uncommitted: string[];
  /** The root inventory is not the one the root sidecar commits to. */
  rootStale: boolean;
  hasNamaste: boolean;
}

type Digests = DigestResult<'sha512' | FixityAlgorithm>;

class Repository implements OcflRepository {
  private initialised?: Promise<void>;

  constructor(
    readonly store: ObjectStore,
    readonly root: string,
    private readonly fixity: FixityAlgorithm[],
  ) {}

  objectRoot(id: string): string {
    if (typeof id !== 'string' || id === '') throw inputError('object id must be a non-empty string');
    return joinKey(this.root, objectPath(id));
  }

  init(): Promise<void> {
    this.initialised ??= this.initRoot().catch((err) => {
      this.initialised = undefined;
      throw err;
    });
    return this.initialised;
  }

  private async initRoot(): Promise<void> {
    const key = (name: string) => joinKey(this.root, name);
    const namaste = await this.getOptional(key(ROOT_NAMASTE));
    if (namaste) {
      if (namaste.toString('utf8') !== ROOT_NAMASTE_TEXT) throw rootMismatch(this.root, `${ROOT_NAMASTE} has unexpected content`);
      const layout = await this.getOptional(key(LAYOUT_FILE));
      const config = await this.getOptional(key(LAYOUT_CONFIG_FILE));
      const parsed = (b: Buffer | undefined) => {
        try {
          return b ? (JSON.parse(b.toString('utf8')) as Record<string, unknown>) : undefined;
        } catch {
          return undefined;
        }
      };
      if (parsed(layout)?.extension !== LAYOUT_EXTENSION) throw rootMismatch(this.root, `the storage root does not use ${LAYOUT_EXTENSION}`);
      const c = parsed(config) ?? {};
      const same = (Object.keys(LAYOUT_CONFIG) as (keyof typeof LAYOUT_CONFIG)[]).every((k) => c[k] === LAYOUT_CONFIG[k]);
      if (!same) throw rootMismatch(this.root, `${LAYOUT_CONFIG_FILE} has parameters this writer does not use`);
      if (!(await this.store.stat(key(SM3_EXTENSION_FILE)))) await this.store.put(key(SM3_EXTENSION_FILE), Buffer.from(SM3_EXTENSION_TEXT));
      return;
    }
    const existing = await this.store.listDir(this.root);
    // Only files an interrupted init of ours writes before the declaration may already be there.
    const ours = existing.files.every((f) => f === LAYOUT_FILE || f === SM3_EXTENSION_FILE) && existing.dirs.every((d) => d === 'extensions');
    if (!ours) throw rootMismatch(this.root, 'the location is not empty and is not an OCFL storage root');
    await this.store.put(key(LAYOUT_CONFIG_FILE), Buffer.from(JSON.stringify(LAYOUT_CONFIG, null, 2) + '\n'));
    await this.store.put(key(LAYOUT_FILE), Buffer.from(JSON.stringify(LAYOUT_JSON, null, 2) + '\n'));
    await this.store.put(key(SM3_EXTENSION_FILE), Buffer.from(SM3_EXTENSION_TEXT));
    // The declaration goes last: a root with it is complete.
    await this.store.put(key(ROOT_NAMASTE), Buffer.from(ROOT_NAMASTE_TEXT));
  }

  async createOrUpdateObject(
    id: string,
    files: OcflFile[],
    version: OcflVersionInfo,
    opts: OcflCommitOptions = {},
  ): Promise<OcflCommitResult> {
    const objectRoot = this.objectRoot(id);
    const mode = opts.mode ?? 'replace';
    const remove = opts.remove ?? [];
    if (mode !== 'merge' && remove.length > 0) throw inputError('remove is only allowed with mode "merge"');
    const seen = new Set<string>();
    for (const f of files) {
      assertLogicalPath(f.logicalPath);
      if (seen.has(f.logicalPath)) throw inputError(`logical path given twice: ${f.logicalPath}`);
      seen.add(f.logicalPath);
      if (!Buffer.isBuffer(f.body) && typeof f.body !== 'function' && typeof f.body?.file !== 'string') throw inputError(`body of ${f.logicalPath} must be a Buffer, a local file or a stream factory`);
    }
    const info = versionInfo(version);
    await this.init();
    const progress = opts.onProgress ?? (() => undefined);

    return withLock(this.lockKey(objectRoot), async () => {
      let inspection = await this.inspect(objectRoot);
      if (!inspection.absent && (!inspection.committed || inspection.uncommitted.length > 0 || inspection.rootStale || !inspection.hasNamaste)) {
        await this.recoverRoot(objectRoot, id);
        inspection = await this.inspect(objectRoot);
      }
      const prev = inspection.committed?.inventory;
      if (prev && prev.id !== id) throw corrupt(objectRoot, `the object root holds id ${prev.id}`);

      // The new logical state: logical path → digests.
      const digests = new Map<string, Digests>();
      const algorithms: ('sha512' | FixityAlgorithm)[] = ['sha512', ...this.fixity];
      // Side by side, as the content puts below: local files hash on the digest workers.
      let hashed = 0;
      await inParallel(files, PARALLEL_PUTS, async (f) => {
        progress({ phase: 'hash', logicalPath: f.logicalPath, filesDone: hashed, filesTotal: files.length });
        digests.set(f.logicalPath, (await digestBody(f.body, algorithms)) as Digests);
        hashed += 1;
      });
      const state = new Map<string, string>();
      if (mode === 'merge' && prev) {
        for (const [digest, paths] of Object.entries(prev.versions[prev.head]!.state)) for (const p of paths) state.set(p, digest);
      }
      for (const p of remove) {
        if (!state.delete(p)) throw fileNotFound(id, p, prev?.head ?? 'v0');
      }
      for (const f of files) state.set(f.logicalPath, digests.get(f.logicalPath)!.sha512);
      assertNonConflicting(state.keys());

      if (prev && sameState(state, prev.versions[prev.head]!.state)) {
        return { id, objectRoot, version: prev.head, created: false, stored: [], inventory: prev };
      }

      const firstName = prev ? (Object.keys(prev.versions).find((v) => versionNumber(v) === 1) ?? 'v1') : 'v1';
      const vName = prev ? versionName(versionNumber(prev.head)! + 1, firstName) : 'v1';
      const contentDir = prev?.contentDirectory ?? CONTENT_DIRECTORY;

      // Content not yet in the object, each digest stored once under its first logical path.
      const manifest: Record<string, string[]> = Object.fromEntries(Object.entries(prev?.manifest ?? {}).map(([d, ps]) => [d, [...ps]]));
      const fresh = new Map<string, { logicalPath: string; contentPath: string; body: Body; digests: Digests }>();
      for (const f of [...files].sort((a, b) => compareKeys(a.logicalPath, b.logicalPath))) {
        const d = digests.get(f.logicalPath)!;
        if (manifest[d.sha512] || fresh.has(d.sha512)) continue;
        fresh.set(d.sha512, { logicalPath: f.logicalPath, contentPath: `${vName}/${contentDir}/${contentPathFor(f.logicalPath)}`, body: f.body, digests: d });
      }
      const insideContent = [...fresh.values()].map((f) => f.contentPath.slice(vName.length + contentDir.length + 2));
      if (new Set(insideContent).size !== insideContent.length) throw invalidPath(insideContent.join(', '), 'two files map to one content path');
      assertNonConflicting(insideContent);

      const fixity: Record<string, Record<string, string[]>> = Object.fromEntries(
        Object.entries(prev?.fixity ?? {}).map(([alg, block]) => [alg, Object.fromEntries(Object.entries(block).map(([d, ps]) => [d, [...ps]]))]),
      );
      for (const f of fresh.values()) {
        manifest[f.digests.sha512] = [f.contentPath];
        for (const alg of this.fixity) ((fixity[alg] ??= {})[f.digests[alg]] ??= []).push(f.contentPath);
      }
      const newVersion: OcflVersion = { created: info.created, message: info.message, user: info.user, state: toStateBlock(state) };
      const inventory: OcflInventory = {
        id,
        type: INVENTORY_TYPE,
        digestAlgorithm: 'sha512',
        head: vName,
        ...(prev?.contentDirectory !== undefined ? { contentDirectory: prev.contentDirectory } : {}),
        manifest,
        versions: { ...(prev?.versions ?? {}), [vName]: newVersion },
        ...(Object.keys(fixity).length > 0 ? { fixity } : {}),
      };
      const bytes = serializeInventory(inventory);
      const sidecar = sidecarText(bytes);
      const key = (rel: string) => joinKey(objectRoot, rel);

      try {
        if (!prev) await this.store.put(key(OBJECT_NAMASTE), Buffer.from(OBJECT_NAMASTE_TEXT));
        const bytesTotal = [...fresh.values()].reduce((n, f) => n + f.digests.size, 0);
        let bytesDone = 0;
        // Content files go in side by side: each waits for its own fsync, and the filesystem commits
        // concurrent fsyncs together, so a version of many small scans costs a few commits, not one each.
        await inParallel([...fresh.values()].sort((a, b) => compareKeys(a.contentPath, b.contentPath)), PARALLEL_PUTS, async (f) => {
          const report = () =>
            progress({ phase: 'store', logicalPath: f.logicalPath, contentPath: f.contentPath, bytesDone, bytesTotal });
          report();
          const streamed = typeof f.body === 'function';
          const body: Body = typeof f.body === 'function' ? counting(f.body, (n) => ((bytesDone += n), report())) : f.body;
          await this.store.put(key(f.contentPath), body, { sha512: f.digests.sha512 });
          if (!streamed) bytesDone += f.digests.size;
          // With files written side by side, the last report must come after the last byte of any of them.
          report();
        });
        progress({ phase: 'inventory', version: vName });
        await Promise.all([this.store.put(key(`${vName}/${INVENTORY}`), bytes), this.store.put(key(`${vName}/${INVENTORY_SIDECAR}`), sidecar)]);
      } catch (err) {
        await (prev ? this.removeVersion(objectRoot, vName) : this.store.deletePrefix(objectRoot)).catch(() => undefined);
        throw err;
      }
      try {
        progress({ phase: 'commit', version: vName });
        await this.store.put(key(INVENTORY), bytes);
        await this.store.put(key(INVENTORY_SIDECAR), sidecar);
      } catch (err) {
        // Whichever way the commit fell, leave the object consistent; the caller may retry, which is idempotent.
        await this.recoverRoot(objectRoot, id).catch(() => undefined);
        throw err;
      }
      return { id, objectRoot, version: vName, created: true, stored: [...fresh.values()].map((f) => f.contentPath).sort(compareKeys), inventory };
    });
  }

  async objectExists(id: string): Promise<boolean> {
    return (await this.store.stat(joinKey(this.objectRoot(id), INVENTORY_SIDECAR))) !== null;
  }

  async readInventory(id: string): Promise<OcflInventory> {
    const objectRoot = this.objectRoot(id);
    const read = async () => {
      const sidecar = await this.getOptional(joinKey(objectRoot, INVENTORY_SIDECAR));
      const bytes = await this.getOptional(joinKey(objectRoot, INVENTORY));
      if (!sidecar || !bytes) {
        throw new StorageError('OCFL_OBJECT_NOT_FOUND', `保存对象不存在：${id}`, `Preservation object not found: ${id}`, { id });
      }
      if (parseSidecar(sidecar) !== sha512Hex(bytes)) return undefined;
      const inventory = parseInventory(bytes, objectRoot);
      if (inventory.id !== id) throw corrupt(objectRoot, `the object root holds id ${inventory.id}`);
      return inventory;
    };
    const first = await read();
    if (first) return first;
    // In this process a commit may be between its two root writes; once it is done the pair matches.
    const key = this.lockKey(objectRoot);
    if (tails.has(key)) {
      const second = await withLock(key, read);
      if (second) return second;
    }
    throw corrupt(objectRoot, 'the root inventory does not match its sidecar; a write may be in progress or was interrupted (run recover)');
  }

  async listFiles(id: string, version?: string | number): Promise<OcflFileEntry[]> {
    const inv = await this.readInventory(id);
    const v = inv.versions[resolveVersion(inv, version)]!;
    const out: OcflFileEntry[] = [];
    for (const [sha512, paths] of Object.entries(v.state)) {
      const contentPath = inv.manifest[sha512]?.[0];
      if (!contentPath) throw corrupt(this.objectRoot(id), `digest ${sha512} is not in the manifest`);
      for (const logicalPath of paths) out.push({ logicalPath, sha512, contentPath });
    }
    return out.sort((a, b) => compareKeys(a.logicalPath, b.logicalPath));
  }

  async readFile(id: string, logicalPath: string, version?: string | number): Promise<Buffer> {
    const { inv, digest, name } = await this.locate(id, logicalPath, version);
    const objectRoot = this.objectRoot(id);
    const problems: string[] = [];
    for (const contentPath of inv.manifest[digest] ?? []) {
      const bytes = await this.getOptional(joinKey(objectRoot, contentPath));
      if (!bytes) problems.push(`${contentPath}: missing`);
      else if (sha512Hex(bytes) !== digest.toLowerCase()) problems.push(`${contentPath}: digest mismatch`);
      else return bytes;
    }
    throw new StorageError(
      'STORAGE_DIGEST_MISMATCH',
      `文件的保存副本缺失或已损坏：${logicalPath}（${name}）`,
      `The stored copy of ${logicalPath} (${name}) is missing or corrupt`,
      { id, logicalPath, version: name, sha512: digest, problems },
    );
  }

  async streamFile(id: string, logicalPath: string, version?: string | number): Promise<Readable> {
    const { inv, digest } = await this.locate(id, logicalPath, version);
    return this.store.stream(joinKey(this.objectRoot(id), inv.manifest[digest]![0]!));
  }

  async *listObjects(): AsyncIterable<string> {
    for await (const entry of this.walk(this.root, true)) {
      if (entry.kind !== 'object') continue;
      const bytes = await this.getOptional(joinKey(entry.path, INVENTORY));
      if (!bytes) continue;
      yield parseInventory(bytes, entry.path).id;
    }
  }

  recover(id: string): Promise<OcflRecoveryReport> {
    const objectRoot = this.objectRoot(id);
    return withLock(this.lockKey(objectRoot), () => this.recoverRoot(objectRoot, id));
  }

  async recoverAll(): Promise<OcflRecoveryReport[]> {
    await this.init();
    const reports: OcflRecoveryReport[] = [];
    for await (const entry of this.walk(this.root, true)) {
      if (entry.kind === 'object') {
        const report = await withLock(this.lockKey(entry.path), () => this.recoverRoot(entry.path));
        if (report.action !== 'none') reports.push(report);
      } else if (entry.kind === 'empty') {
        // An interrupted first write can leave empty layout directories; OCFL forbids them (E073).
        await this.store.deletePrefix(entry.path);
      } else {
        reports.push({ objectRoot: entry.path, action: 'foreign', rolledForward: [], removed: [] });
      }
    }
    return reports;
  }

  // -------------------------------------------------------------------------------------------

  private lockKey(objectRoot: string): string {
    return `${this.store.description}\0${objectRoot}`;
  }

  private async getOptional(key: string): Promise<Buffer | undefined> {
    try {
      return await this.store.get(key);
    } catch (err) {
      if (isStorageError(err, 'STORAGE_NOT_FOUND')) return undefined;
      throw err;
    }
  }

  private async locate(id: string, logicalPath: string, version?: string | number) {
    const inv = await this.readInventory(id);
    const name = resolveVersion(inv, version);
    for (const [digest, paths] of Object.entries(inv.versions[name]!.state)) {
      if (paths.includes(logicalPath)) return { inv, digest, name };
    }
    throw fileNotFound(id, logicalPath, name);
  }

  /** Object roots (directories holding an object namaste), empty directories, and foreign directories under `dir`. */
  private async *walk(dir: string, top: boolean): AsyncIterable<{ kind: 'object' | 'empty' | 'foreign'; path: string }> {
    const { files, dirs } = await this.store.listDir(dir);
    if (!top) {
      if (files.includes(OBJECT_NAMASTE)) {
        yield { kind: 'object', path: dir };
        return;
      }
      if (files.length > 0) {
        yield { kind: 'foreign', path: dir };
        return;
      }
      if (dirs.length === 0) {
        yield { kind: 'empty', path: dir };
        return;
      }
    }
    for (const d of dirs) {
      if (top && d === 'extensions') continue;
      yield* this.walk(joinKey(dir, d), false);
    }
  }

  private async inspect(objectRoot: string): Promise<Inspection> {
    const { files, dirs } = await this.store.listDir(objectRoot);
    const versionDirs = dirs.filter((d) => versionNumber(d) !== undefined).sort((a, b) => versionNumber(a)! - versionNumber(b)!);
    const hasNamaste = files.includes(OBJECT_NAMASTE);
    if (files.length === 0 && dirs.length === 0) return { absent: true, head: 0, uncommitted: [], rootStale: false, hasNamaste };
    const sidecar = files.includes(INVENTORY_SIDECAR) ? await this.getOptional(joinKey(objectRoot, INVENTORY_SIDECAR)) : undefined;
    let committed: Committed | undefined;
    let rootStale = false;
    if (sidecar) {
      const digest = parseSidecar(sidecar);
      if (!digest) throw corrupt(objectRoot, 'the root inventory sidecar is malformed');
      const rootBytes = await this.getOptional(joinKey(objectRoot, INVENTORY));
      if (rootBytes && sha512Hex(rootBytes) === digest) {
        committed = { bytes: rootBytes, sidecar, inventory: parseInventory(rootBytes, objectRoot) };
      } else {
        // The root inventory was overwritten but its sidecar not yet: the sidecar still names the committed version.
        for (const v of [...versionDirs].reverse()) {
          const bytes = await this.getOptional(joinKey(objectRoot, v, INVENTORY));
          if (bytes && sha512Hex(bytes) === digest) {
            committed = { bytes, sidecar, inventory: parseInventory(bytes, objectRoot) };
            rootStale = true;
            break;
          }
        }
        if (!committed) throw corrupt(objectRoot, 'no inventory matches the root sidecar');
      }
    }
    const head = committed ? versionNumber(committed.inventory.head)! : 0;
    return { absent: false, committed, head, uncommitted: versionDirs.filter((v) => versionNumber(v)! > head), rootStale, hasNamaste };
  }

  /** The recovery itself; the caller holds the object's lock. */
  private async recoverRoot(objectRoot: string, expectedId?: string): Promise<OcflRecoveryReport> {
    const inspection = await this.inspect(objectRoot);
    let committed = inspection.committed;
    const report: OcflRecoveryReport = { objectRoot, id: committed?.inventory.id, action: 'none', head: committed?.inventory.head, rolledForward: [], removed: [] };
    if (inspection.absent) return report;
    if (expectedId !== undefined && committed && committed.inventory.id !== expectedId) {
      throw corrupt(objectRoot, `the object root holds id ${committed.inventory.id}`);
    }
    let head = inspection.head;
    for (const v of inspection.uncommitted) {
      const candidate = versionNumber(v) === head + 1 ? await this.verifyCandidate(objectRoot, v, committed?.inventory, expectedId) : undefined;
      if (candidate) {
        await this.store.put(joinKey(objectRoot, INVENTORY), candidate.bytes);
        await this.store.put(joinKey(objectRoot, INVENTORY_SIDECAR), candidate.sidecar);
        committed = candidate;
        head += 1;
        report.rolledForward.push(v);
      } else {
        await this.removeVersion(objectRoot, v);
        report.removed.push(v);
      }
    }
    if (!committed) {
      await this.store.deletePrefix(objectRoot);
      return { ...report, action: 'removed-object' };
    }
    let repaired = false;
    if (inspection.rootStale && report.rolledForward.length === 0) {
      await this.store.put(joinKey(objectRoot, INVENTORY), committed.bytes);
      repaired = true;
    }
    if (!inspection.hasNamaste) {
      await this.store.put(joinKey(objectRoot, OBJECT_NAMASTE), Buffer.from(OBJECT_NAMASTE_TEXT));
      repaired = true;
    }
    report.id = committed.inventory.id;
    report.head = committed.inventory.head;
    report.action = report.rolledForward.length > 0 ? 'rolled-forward' : report.removed.length > 0 ? 'removed-partial' : repaired ? 'repaired-root' : 'none';
    return report;
  }

  /**
   * The uncommitted version `v` if it is complete: its inventory matches its sidecar, continues
   * the committed history unchanged, and its content directory holds exactly the files its
   * manifest adds, each with the right SHA-512.
   */
  private async verifyCandidate(objectRoot: string, v: string, prev: OcflInventory | undefined, expectedId?: string): Promise<Committed | undefined> {
    const bytes = await this.getOptional(joinKey(objectRoot, v, INVENTORY));
    const sidecar = await this.getOptional(joinKey(objectRoot, v, INVENTORY_SIDECAR));
    if (!bytes || !sidecar || parseSidecar(sidecar) !== sha512Hex(bytes)) return undefined;
    let inventory: OcflInventory;
    try {
      inventory = parseInventory(bytes, objectRoot);
    } catch {
      return undefined;
    }
    if (inventory.head !== v || (expectedId !== undefined && inventory.id !== expectedId)) return undefined;
    if (prev) {
      if (inventory.id !== prev.id) return undefined;
      for (const [name, old] of Object.entries(prev.versions)) {
        const now = inventory.versions[name];
        if (!now || !sameState(stateMap(old.state), now.state)) return undefined;
      }
      for (const [digest, paths] of Object.entries(prev.manifest)) {
        if (!paths.every((p) => inventory.manifest[digest]?.includes(p))) return undefined;
      }
    }
    const expected = new Map<string, string>();
    for (const [digest, paths] of Object.entries(inventory.manifest)) {
      for (const p of paths) if (p.startsWith(`${v}/`)) expected.set(p, digest.toLowerCase());
    }
    const prefix = joinKey(objectRoot, v, inventory.contentDirectory ?? CONTENT_DIRECTORY);
    const present: string[] = [];
    for await (const key of this.store.list(prefix)) present.push(key.slice(objectRoot.length + 1));
    if (present.length !== expected.size || !present.every((p) => expected.has(p))) return undefined;
    for (const [p, digest] of expected) {
      const got = await this.store.digest(joinKey(objectRoot, p), ['sha512'] as const);
      if (got.sha512 !== digest) return undefined;
    }
    return { inventory, bytes, sidecar };
  }

  /** Deletes a version directory, its inventory first, so a half-deleted directory can never look complete. */
  private async removeVersion(objectRoot: string, v: string): Promise<void> {
    await this.store.delete(joinKey(objectRoot, v, INVENTORY_SIDECAR));
    await this.store.delete(joinKey(objectRoot, v, INVENTORY));
    await this.store.deletePrefix(joinKey(objectRoot, v));
  }
}

// ---------------------------------------------------------------------------------------------

function inputError(reason: string): StorageError {
  return new StorageError('OCFL_INVALID_INPUT', `保存请求无效：${reason}`, `Invalid preservation request: ${reason}`, { reason });
}

function rootMismatch(root: string, reason: string): StorageError {
  return new StorageError('OCFL_ROOT_MISMATCH', `OCFL 存储根不可用：${root}（${reason}）`, `OCFL storage root unusable: ${root} (${reason})`, { root, reason });
}

function fileNotFound(id: string, logicalPath: string, version: string): StorageError {
  return new StorageError(
    'OCFL_FILE_NOT_FOUND',
    `保存对象 ${id} 的 ${version} 中没有文件：${logicalPath}`,
    `No file ${logicalPath} in version ${version} of ${id}`,
    { id, logicalPath, version },
  );
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function versionInfo(v: OcflVersionInfo): { created: string; message: string; user: OcflUser } {
  if (typeof v?.message !== 'string') throw inputError('version message must be a string');
  if (typeof v.user?.name !== 'string' || v.user.name === '') throw inputError('version user needs a name');
  if (v.user.address !== undefined && typeof v.user.address !== 'string') throw inputError('version user address must be a string');
  let created: string;
  if (v.created === undefined) created = new Date().toISOString();
  else if (v.created instanceof Date) {
    if (Number.isNaN(v.created.getTime())) throw inputError('created is an invalid date');
    created = v.created.toISOString();
  } else {
    if (!RFC3339.test(v.created) || Number.isNaN(Date.parse(v.created))) throw inputError(`created is not an RFC 3339 date-time: ${v.created}`);
    created = v.created;
  }
  const user: OcflUser = v.user.address === undefined ? { name: v.user.name } : { name: v.user.name, address: v.user.address };
  return { created, message: v.message, user };
}

function resolveVersion(inv: OcflInventory, version: string | number | undefined): string {
  if (version === undefined) return inv.head;
  const n = typeof version === 'number' ? version : versionNumber(version);
  const name = Object.keys(inv.versions).find((k) => versionNumber(k) === n);
  if (name === undefined) {
    throw new StorageError('OCFL_VERSION_NOT_FOUND', `保存对象 ${inv.id} 没有版本 ${version}`, `Object ${inv.id} has no version ${version}`, {
      id: inv.id,
      version,
    });
  }
  return name;
}

/** The body factory with a byte counter on each stream it makes. */
function counting(body: () => Readable, onBytes: (n: number) => void): () => Readable {
  return () =>
    Readable.from(
      (async function* () {
        for await (const chunk of body()) {
          onBytes((chunk as Uint8Array).byteLength);
          yield chunk;
        }
      })(),
    );
}

function stateMap(block: Record<string, string[]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [digest, paths] of Object.entries(block)) for (const p of paths) m.set(p, digest.toLowerCase());
  return m;
}

function sameState(state: Map<string, string>, block: Record<string, string[]>): boolean {
  const other = stateMap(block);
  if (other.size !== state.size) return false;
  for (const [p, d] of state) if (other.get(p) !== d.toLowerCase()) return false;
  return true;
}

function toStateBlock(state: Map<string, string>): Record<string, string[]> {
  const block: Record<string, string[]> = {};
  for (const [p, d] of state) (block[d] ??= []).push(p);
  return block;
}
