/**
 * OCFL 1.1 inventories (spec §3.5): the types, the path rules, and the serialisation the writer
 * uses. Parsing here checks only what the writer and readers rely on; full validation is the
 * validator's job (validate*.ts, written separately).
 */
import { createHash } from 'node:crypto';
import { StorageError } from '../errors.js';
import { compareKeys } from '../object-store.js';

export const INVENTORY_TYPE = 'https://ocfl.io/1.1/spec/#inventory';
export const INVENTORY = 'inventory.json';
export const INVENTORY_SIDECAR = 'inventory.json.sha512';
export const CONTENT_DIRECTORY = 'content';

/** Algorithms Lantai may add to fixity blocks; `sm3` is documented as a local extension in the storage root. */
export type FixityAlgorithm = 'sha256' | 'sm3' | 'md5' | 'sha1';

export interface OcflUser {
  name: string;
  /** SHOULD be a URI (spec W009): `mailto:…`, or e.g. `urn:lantai:user:<id>`. */
  address?: string;
}

export interface OcflVersion {
  /** RFC 3339 date-time. */
  created: string;
  message?: string;
  user?: OcflUser;
  /** sha512 digest → logical paths that have that content in this version. */
  state: Record<string, string[]>;
}

export interface OcflInventory {
  id: string;
  type: string;
  digestAlgorithm: 'sha512';
  head: string;
  contentDirectory?: string;
  /** sha512 digest → content paths (relative to the object root). */
  manifest: Record<string, string[]>;
  /** Keyed by version directory name, v1 … head. */
  versions: Record<string, OcflVersion>;
  /** algorithm → digest → content paths. */
  fixity?: Record<string, Record<string, string[]>>;
}

export const corrupt = (where: string, reason: string, details: Record<string, unknown> = {}) =>
  new StorageError(
    'OCFL_OBJECT_CORRUPT',
    `保存对象损坏或处于未完成状态：${where}（${reason}）`,
    `Preservation object is corrupt or incomplete: ${where} (${reason})`,
    { where, reason, ...details },
  );

export const invalidPath = (path: string, reason: string) =>
  new StorageError('OCFL_INVALID_PATH', `文件路径无效：${path}（${reason}）`, `Invalid file path: ${path} (${reason})`, { path, reason });

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Spec E051–E053 for logical paths, plus what cannot be stored faithfully: NUL and unpaired
 * surrogates (no UTF-8 form). Everything else, Chinese and all, is kept exactly as given.
 */
export function assertLogicalPath(path: string): void {
  if (typeof path !== 'string' || path === '') throw invalidPath(String(path), 'empty');
  if (path.startsWith('/') || path.endsWith('/')) throw invalidPath(path, 'must not start or end with /');
  if (path.includes('\0')) throw invalidPath(path, 'contains NUL');
  if (LONE_SURROGATE.test(path)) throw invalidPath(path, 'contains an unpaired surrogate');
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw invalidPath(path, `segment "${seg}" is not allowed`);
  }
}

/** Spec E095: within one version no path may be a directory of another. */
export function assertNonConflicting(paths: Iterable<string>): void {
  const files = new Set(paths);
  for (const p of files) {
    for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) {
      const dir = p.slice(0, i);
      if (files.has(dir)) throw invalidPath(p, `"${dir}" is both a file and a directory`);
    }
  }
}

/** Longest logical path stored under its own name: an S3 key is at most 1024 bytes, and the store prefix, layout and version directory take the rest. */
const MAX_NAMED_PATH_BYTES = 800;
/** Longest file name on the common filesystems (ext4, XFS). */
const MAX_SEGMENT_BYTES = 255;
/**
 * Names Windows (NTFS, SMB shares of a record room's NAS) cannot hold: control characters,
 * `<>:"/\|?*`, a trailing dot or space, and device names. A backslash would also read as a path
 * separator to validators and Windows tools (spec E035).
 */
const UNPORTABLE = /[\u0000-\u001f\u007f<>:"\\|?*]|[. ]$|^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * Where a logical path's bytes go inside `vN/content/`. Normally the logical path itself, so a
 * person browsing the storage root sees the original (Chinese) names. A path that Linux, Windows
 * or S3 cannot hold as a name (a segment over 255 UTF-8 bytes or unportable as above, or a path
 * over 800 bytes) is mapped to the SHA-256 of the logical path plus its extension; the inventory
 * keeps the mapping, so nothing is lost.
 */
export function contentPathFor(logicalPath: string): string {
  const tooLong = Buffer.byteLength(logicalPath) > MAX_NAMED_PATH_BYTES;
  if (!tooLong && !logicalPath.split('/').some((seg) => Buffer.byteLength(seg) > MAX_SEGMENT_BYTES || UNPORTABLE.test(seg))) {
    return logicalPath;
  }
  const ext = /\.[A-Za-z0-9]{1,10}$/.exec(logicalPath.slice(logicalPath.lastIndexOf('/') + 1))?.[0] ?? '';
  return createHash('sha256').update(logicalPath, 'utf8').digest('hex') + ext;
}

export function versionNumber(name: string): number | undefined {
  const m = /^v(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The name of version `n` following the object's convention: unpadded, or zero-padded to the width of v1's name (spec §3.3). */
export function versionName(n: number, firstVersionName = 'v1'): string {
  const width = firstVersionName.length - 1;
  if (width === 1 || !firstVersionName.startsWith('v0')) return `v${n}`;
  const digits = String(n);
  if (digits.length >= width) {
    throw new StorageError('OCFL_UNSUPPORTED', `版本号已超出该对象的补零位数：v${n}`, `Version ${n} does not fit this object's zero-padded version names`);
  }
  return 'v' + digits.padStart(width, '0');
}

/** Deterministic JSON: sorted digests and paths, keys in the spec's example order, two-space indent. */
export function serializeInventory(inv: OcflInventory): Buffer {
  const sortMap = (m: Record<string, string[]>) =>
    Object.fromEntries(
      Object.keys(m)
        .sort()
        .map((d) => [d, [...m[d]!].sort(compareKeys)]),
    );
  const ordered: Record<string, unknown> = {
    id: inv.id,
    type: inv.type,
    digestAlgorithm: inv.digestAlgorithm,
    head: inv.head,
  };
  if (inv.contentDirectory !== undefined) ordered.contentDirectory = inv.contentDirectory;
  ordered.manifest = sortMap(inv.manifest);
  ordered.versions = Object.fromEntries(
    Object.entries(inv.versions)
      .sort(([a], [b]) => (versionNumber(a) ?? 0) - (versionNumber(b) ?? 0))
      .map(([name, v]) => {
        const version: Record<string, unknown> = { created: v.created };
        if (v.message !== undefined) version.message = v.message;
        if (v.user !== undefined) version.user = v.user.address === undefined ? { name: v.user.name } : { name: v.user.name, address: v.user.address };
        version.state = sortMap(v.state);
        return [name, version];
      }),
  );
  if (inv.fixity !== undefined) {
    ordered.fixity = Object.fromEntries(
      Object.keys(inv.fixity)
        .sort()
        .map((alg) => [alg, sortMap(inv.fixity![alg]!)]),
    );
  }
  return Buffer.from(JSON.stringify(ordered, null, 2) + '\n', 'utf8');
}

/** `DIGEST inventory.json\n`, spec §3.6. */
export function sidecarText(inventoryBytes: Buffer): Buffer {
  return Buffer.from(`${createHash('sha512').update(inventoryBytes).digest('hex')} ${INVENTORY}\n`, 'utf8');
}

/** The digest a sidecar states, lowercased, or undefined when it is not in the spec's form. */
export function parseSidecar(text: Buffer): string | undefined {
  const m = /^([0-9a-fA-F]{128})[ \t]+inventory\.json\s*$/.exec(text.toString('utf8'));
  return m?.[1]?.toLowerCase();
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPathMap = (v: unknown): v is Record<string, string[]> =>
  isRecord(v) && Object.values(v).every((paths) => Array.isArray(paths) && paths.every((p) => typeof p === 'string'));

/** Parses an inventory and checks the structure this code depends on; OCFL_OBJECT_CORRUPT otherwise. */
export function parseInventory(bytes: Buffer, where: string): OcflInventory {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(where, 'inventory is not JSON');
  }
  if (!isRecord(json)) throw corrupt(where, 'inventory is not a JSON object');
  const { id, type, digestAlgorithm, head, manifest, versions, fixity, contentDirectory } = json;
  if (typeof id !== 'string' || id === '') throw corrupt(where, 'inventory has no id');
  if (typeof type !== 'string') throw corrupt(where, 'inventory has no type');
  if (digestAlgorithm !== 'sha512') {
    throw new StorageError(
      'OCFL_UNSUPPORTED',
      `不支持的内容摘要算法：${String(digestAlgorithm)}（仅支持 sha512）`,
      `Unsupported content digest algorithm: ${String(digestAlgorithm)} (only sha512 is supported)`,
      { where },
    );
  }
  if (typeof head !== 'string' || versionNumber(head) === undefined) throw corrupt(where, 'inventory head is not a version name');
  if (!isPathMap(manifest)) throw corrupt(where, 'inventory manifest is malformed');
  if (!isRecord(versions) || !isRecord(versions[head])) throw corrupt(where, 'inventory has no entry for its head version');
  for (const [name, v] of Object.entries(versions)) {
    if (!isRecord(v) || !isPathMap(v.state) || typeof v.created !== 'string') throw corrupt(where, `version ${name} is malformed`);
  }
  if (fixity !== undefined && !(isRecord(fixity) && Object.values(fixity).every(isPathMap))) throw corrupt(where, 'fixity block is malformed');
  if (contentDirectory !== undefined && (typeof contentDirectory !== 'string' || contentDirectory.includes('/'))) {
    throw corrupt(where, 'contentDirectory is malformed');
  }
  return json as unknown as OcflInventory;
}
