/**
 * Structural checks of one inventory.json (spec §3.5), independent of the files on disk. The
 * parsed result keeps only what the object checks need afterwards: version states, the
 * manifest and fixity values by content path.
 */
import {
  CONTENT_ALGORITHMS,
  digestFormCode,
  isKnownAlgorithm,
  isWellFormedDigest,
  normalizeDigest,
} from './validate-digest.js';
import type { FindingSink } from './validate-findings.js';

const INVENTORY_TYPES: ReadonlyMap<string, string> = new Map([
  ['https://ocfl.io/1.0/spec/#inventory', '1.0'],
  ['https://ocfl.io/1.1/spec/#inventory', '1.1'],
]);

export const inventoryType = (specVersion: string) => `https://ocfl.io/${specVersion}/spec/#inventory`;

const INVENTORY_KEYS = new Set(['id', 'type', 'digestAlgorithm', 'head', 'contentDirectory', 'fixity', 'manifest', 'versions']);
const VERSION_KEYS = new Set(['created', 'message', 'state', 'user']);

export interface VersionBlock {
  number: number;
  created: unknown;
  message: unknown;
  user: unknown;
  /** Logical path to digest, as written. */
  state: Map<string, string>;
}

export interface Inventory {
  id?: string;
  /** `1.0` or `1.1` from `type`; absent when the type is unrecognised. */
  specVersion?: string;
  /** Present only when it is one of the content-addressing algorithms. */
  digestAlgorithm?: string;
  head?: string;
  contentDirectory: string;
  contentDirectorySet: boolean;
  /** In version-number order. */
  versions: Map<string, VersionBlock>;
  /** False when the manifest block is missing or not an object. */
  hasManifest: boolean;
  /** Content path to digest, as written, for the content paths that passed the path rules. */
  manifest: Map<string, string>;
  /** Content path to [algorithm, digest] pairs from the fixity block. */
  fixity: Map<string, Array<[string, string]>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A scheme followed by something; IRIs are let through as Lantai identifiers may hold Chinese. */
const looksLikeUri = (v: string) => /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(v);

/** The number of a well-formed version directory name (`v1`, `v002`), else undefined. */
export function versionNumber(name: string): number | undefined {
  const m = /^v(\d+)$/.exec(name);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

function isRfc3339(v: string): boolean {
  const m = RFC3339.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 60 && offsetOk;
}

interface PathProblems {
  edgeSlash: boolean;
  badElement: boolean;
}

/** Rules shared by logical paths (E052/E053) and content paths (E099/E100). */
function pathProblems(p: string): PathProblems {
  const edgeSlash = p.startsWith('/') || p.endsWith('/');
  const trimmed = p.replace(/^\/+|\/+$/g, '');
  const badElement = trimmed.split('/').some((e) => e === '' || e === '.' || e === '..');
  return { edgeSlash, badElement };
}

/** Paths in `paths` that equal, or are a directory prefix of, another path in the set. */
function conflictingPaths(paths: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const p of paths) {
    for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) {
      const prefix = p.slice(0, i);
      if (paths.has(prefix)) out.push(prefix);
    }
  }
  return [...new Set(out)];
}

export function parseInventoryBytes(
  bytes: Uint8Array,
  where: string,
  sink: FindingSink,
  expectedType?: string,
): Inventory | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    sink.error(
      'E033',
      where,
      `Inventory is not UTF-8 JSON: ${(e as Error).message}`,
      `清单文件不是 UTF-8 编码的 JSON：${(e as Error).message}`,
    );
    return undefined;
  }
  if (!isObject(json)) {
    sink.error('E033', where, 'Inventory must be a JSON object', '清单文件的顶层必须是 JSON 对象');
    return undefined;
  }
  return checkInventory(json, where, sink, expectedType);
}

function checkInventory(json: Record<string, unknown>, where: string, sink: FindingSink, expectedType?: string): Inventory {
  const inv: Inventory = {
    contentDirectory: 'content',
    contentDirectorySet: false,
    versions: new Map(),
    hasManifest: false,
    manifest: new Map(),
    fixity: new Map(),
  };

  for (const key of Object.keys(json)) {
    if (!INVENTORY_KEYS.has(key)) {
      sink.error('E102', where, `Inventory has a key the spec does not define: "${key}"`, `清单文件含有规范未定义的键“${key}”`);
    }
  }

  checkHeader(json, inv, where, sink, expectedType);
  checkVersions(json, inv, where, sink);
  const manifest = checkManifest(json, inv, where, sink);
  if (manifest) crossCheckStates(inv, manifest.digests, where, sink);
  checkFixity(json, inv, manifest?.paths, where, sink);
  return inv;
}

function checkHeader(
  json: Record<string, unknown>,
  inv: Inventory,
  where: string,
  sink: FindingSink,
  expectedType: string | undefined,
): void {
  const missing = ['id', 'type', 'digestAlgorithm', 'head'].filter((k) => !(k in json));
  for (const k of missing) sink.error('E036', where, `Inventory is missing the "${k}" key`, `清单文件缺少“${k}”键`);

  const { id, type, digestAlgorithm, head, contentDirectory } = json;
  if ('id' in json) {
    if (typeof id !== 'string' || id === '') {
      sink.error('E037', where, 'Inventory "id" must be a non-empty string', '清单文件的“id”必须是非空字符串');
    } else {
      inv.id = id;
      if (!looksLikeUri(id)) sink.warn('W005', where, `Inventory id "${id}" should be a URI`, `清单标识“${id}”应为 URI`);
    }
  }

  if ('type' in json) {
    const version = typeof type === 'string' ? INVENTORY_TYPES.get(type) : undefined;
    if (version === undefined) {
      sink.error('E038', where, `Inventory "type" is not an OCFL inventory type: ${JSON.stringify(type)}`, `清单文件的“type”不是 OCFL 清单类型：${JSON.stringify(type)}`);
    } else {
      inv.specVersion = version;
      if (expectedType !== undefined && type !== expectedType) {
        sink.error(
          'E038',
          where,
          `Inventory "type" is ${String(type)} but the object declaration requires ${expectedType}`,
          `清单文件的“type”为 ${String(type)}，与对象声明要求的 ${expectedType} 不符`,
        );
      }
    }
  }

  if ('digestAlgorithm' in json) {
    if (typeof digestAlgorithm !== 'string' || !CONTENT_ALGORITHMS.has(digestAlgorithm)) {
      sink.error(
        'E025',
        where,
        `digestAlgorithm must be sha512 or sha256, got ${JSON.stringify(digestAlgorithm)}`,
        `digestAlgorithm 只能是 sha512 或 sha256，实际为 ${JSON.stringify(digestAlgorithm)}`,
      );
    } else {
      inv.digestAlgorithm = digestAlgorithm;
      if (digestAlgorithm !== 'sha512') {
        sink.warn('W004', where, `digestAlgorithm should be sha512, not ${digestAlgorithm}`, `digestAlgorithm 应使用 sha512，而非 ${digestAlgorithm}`);
      }
    }
  }

  if ('head' in json) {
    if (typeof head === 'string') inv.head = head;
    else sink.error('E040', where, `"head" must be a version directory name, got ${JSON.stringify(head)}`, `“head”必须是版本目录名，实际为 ${JSON.stringify(head)}`);
  }

  if ('contentDirectory' in json) {
    if (typeof contentDirectory !== 'string' || contentDirectory === '') {
      sink.error('E108', where, 'contentDirectory must name a child directory of the version directory', 'contentDirectory 必须是版本目录下的直接子目录名');
    } else if (contentDirectory.includes('/')) {
      sink.error('E017', where, `contentDirectory "${contentDirectory}" must not contain "/"`, `contentDirectory“${contentDirectory}”不得包含“/”`);
    } else if (contentDirectory === '.' || contentDirectory === '..') {
      sink.error('E018', where, `contentDirectory must not be "${contentDirectory}"`, `contentDirectory 不得为“${contentDirectory}”`);
    } else {
      inv.contentDirectory = contentDirectory;
    }
    inv.contentDirectorySet = true;
  }
}

function checkVersions(json: Record<string, unknown>, inv: Inventory, where: string, sink: FindingSink): void {
  if (!('versions' in json)) {
    sink.error('E043', where, 'Inventory has no "versions" block', '清单文件缺少“versions”块');
    return;
  }
  const versions = json.versions;
  if (!isObject(versions)) {
    sink.error('E045', where, '"versions" must be a JSON object', '“versions”必须是 JSON 对象');
    return;
  }

  const named: Array<[string, number]> = [];
  for (const name of Object.keys(versions)) {
    if (!name.startsWith('v')) {
      sink.error('E104', where, `Version "${name}" must be "v" followed by the version number`, `版本名“${name}”必须由“v”加版本号构成`);
      continue;
    }
    const n = versionNumber(name);
    if (n === undefined) {
      sink.error('E105', where, `Version "${name}" must use a positive base-ten integer`, `版本名“${name}”的版本号必须是正十进制整数`);
      continue;
    }
    named.push([name, n]);
  }
  if (Object.keys(versions).length === 0) {
    sink.error('E008', where, 'Inventory has no versions; there must be at least v1', '清单文件没有任何版本，至少须有 v1');
  }
  named.sort((a, b) => a[1] - b[1]);
  checkVersionSequence(named, where, sink);

  const last = named[named.length - 1];
  if (inv.head !== undefined && last && inv.head !== last[0]) {
    sink.error('E040', where, `"head" is ${inv.head} but the latest version is ${last[0]}`, `“head”为 ${inv.head}，但最新版本是 ${last[0]}`);
  }

  for (const [name, number] of named) {
    const block = versions[name];
    if (!isObject(block)) {
      sink.error('E047', where, `Version ${name} must be a JSON object`, `版本 ${name} 必须是 JSON 对象`);
      continue;
    }
    inv.versions.set(name, checkVersionBlock(name, number, block, where, sink));
  }
}

/** E009/E010 for the numbers, then one naming convention for all (E011/E012, W001). */
function checkVersionSequence(named: ReadonlyArray<[string, number]>, where: string, sink: FindingSink): void {
  const first = named[0];
  if (!first) return;
  if (first[1] !== 1) {
    sink.error('E009', where, `Versions must start at v1; the first is ${first[0]}`, `版本序列必须从 v1 开始，现为 ${first[0]}`);
  }
  for (let i = 1; i < named.length; i++) {
    const [prevName, prev] = named[i - 1]!;
    const [name, n] = named[i]!;
    if (n === prev) {
      sink.error('E012', where, `${prevName} and ${name} are the same version under two naming conventions`, `${prevName} 与 ${name} 以两种命名方式表示同一版本`);
    } else if (n !== prev + 1) {
      sink.error('E010', where, `Version sequence jumps from ${prevName} to ${name}`, `版本序列从 ${prevName} 跳到了 ${name}，中间有缺失`);
    }
  }

  const width = first[0].startsWith('v0') ? first[0].length - 1 : 0;
  if (width > 0) sink.warn('W001', where, 'Version directory names should not be zero-padded', '版本目录名不宜补零');
  for (const [name, n] of named) {
    const digits = String(n);
    if (width > 0 && digits.length >= width) {
      sink.error('E011', where, `${name} overflows the ${width}-digit zero-padded naming: padded names must start with "v0"`, `${name} 超出了 ${width} 位补零命名的范围：补零的版本名必须以“v0”开头`);
    } else if (name !== (width > 0 ? `v${digits.padStart(width, '0')}` : `v${digits}`)) {
      sink.error('E012', where, `${name} does not follow the naming convention set by ${first[0]}`, `${name} 未沿用 ${first[0]} 确立的命名方式`);
    }
  }
}

function checkVersionBlock(
  name: string,
  number: number,
  block: Record<string, unknown>,
  where: string,
  sink: FindingSink,
): VersionBlock {
  const version: VersionBlock = { number, created: block.created, message: block.message, user: block.user, state: new Map() };
  for (const key of Object.keys(block)) {
    if (!VERSION_KEYS.has(key)) {
      sink.error('E102', where, `Version ${name} has a key the spec does not define: "${key}"`, `版本 ${name} 含有规范未定义的键“${key}”`);
    }
  }

  if (!('created' in block)) {
    sink.error('E048', where, `Version ${name} has no "created" key`, `版本 ${name} 缺少“created”键`);
  } else if (typeof block.created !== 'string' || !isRfc3339(block.created)) {
    sink.error(
      'E049',
      where,
      `Version ${name} "created" must be an RFC 3339 date-time with seconds and a time zone, got ${JSON.stringify(block.created)}`,
      `版本 ${name} 的“created”必须是精确到秒并带时区的 RFC 3339 时间，实际为 ${JSON.stringify(block.created)}`,
    );
  }

  if (!('message' in block)) {
    sink.warn('W007', where, `Version ${name} should have a "message"`, `版本 ${name} 应有“message”说明`);
  } else if (typeof block.message !== 'string') {
    sink.error('E094', where, `Version ${name} "message" must be a string`, `版本 ${name} 的“message”必须是字符串`);
  }

  checkUser(name, block, where, sink);

  if (!('state' in block)) {
    sink.error('E048', where, `Version ${name} has no "state" key`, `版本 ${name} 缺少“state”键`);
  } else if (!isObject(block.state)) {
    sink.error('E050', where, `Version ${name} "state" must be a JSON object`, `版本 ${name} 的“state”必须是 JSON 对象`);
  } else {
    checkState(name, block.state, version.state, where, sink);
  }
  return version;
}

function checkUser(name: string, block: Record<string, unknown>, where: string, sink: FindingSink): void {
  if (!('user' in block)) {
    sink.warn('W007', where, `Version ${name} should have a "user"`, `版本 ${name} 应有“user”信息`);
    return;
  }
  const user = block.user;
  if (!isObject(user)) {
    sink.error('E054', where, `Version ${name} "user" must be a JSON object`, `版本 ${name} 的“user”必须是 JSON 对象`);
    return;
  }
  if (typeof user.name !== 'string' || user.name === '') {
    sink.error('E054', where, `Version ${name} "user" must have a non-empty string "name"`, `版本 ${name} 的“user”必须有非空字符串“name”`);
  }
  if (!('address' in user)) {
    sink.warn('W008', where, `Version ${name} "user" should have an "address"`, `版本 ${name} 的“user”应有“address”`);
  } else if (typeof user.address !== 'string') {
    sink.error('E054', where, `Version ${name} user "address" must be a string`, `版本 ${name} 的用户“address”必须是字符串`);
  } else if (!looksLikeUri(user.address)) {
    sink.warn(
      'W009',
      where,
      `Version ${name} user address "${user.address}" should be a URI such as mailto:someone@example.org`,
      `版本 ${name} 的用户地址“${user.address}”应为 URI，例如 mailto:someone@example.org`,
    );
  }
}

function checkState(
  name: string,
  state: Record<string, unknown>,
  out: Map<string, string>,
  where: string,
  sink: FindingSink,
): void {
  for (const [digest, paths] of Object.entries(state)) {
    if (!Array.isArray(paths)) {
      sink.error('E050', where, `Version ${name} state value for ${digest} must be an array of logical paths`, `版本 ${name} 中摘要 ${digest} 对应的值必须是逻辑路径数组`);
      continue;
    }
    for (const p of paths as unknown[]) {
      if (typeof p !== 'string') {
        sink.error('E051', where, `Version ${name} has a logical path that is not a string: ${JSON.stringify(p)}`, `版本 ${name} 含有非字符串的逻辑路径：${JSON.stringify(p)}`);
        continue;
      }
      const problems = pathProblems(p);
      if (problems.edgeSlash) {
        sink.error('E053', where, `Version ${name} logical path "${p}" must not begin or end with "/"`, `版本 ${name} 的逻辑路径“${p}”不得以“/”开头或结尾`);
      }
      if (problems.badElement) {
        sink.error('E052', where, `Version ${name} logical path "${p}" has a ".", ".." or empty element`, `版本 ${name} 的逻辑路径“${p}”含有“.”、“..”或空路径段`);
      }
      if (out.has(p)) {
        sink.error('E095', where, `Version ${name} uses logical path "${p}" more than once`, `版本 ${name} 重复使用了逻辑路径“${p}”`);
      }
      out.set(p, digest);
    }
  }
  for (const p of conflictingPaths(new Set(out.keys()))) {
    sink.error('E095', where, `Version ${name} uses "${p}" both as a file and as a directory`, `版本 ${name} 中“${p}”既是文件又是目录`);
  }
}

interface ManifestKeys {
  digests: ReadonlySet<string>;
  /** Every content path listed, including those that broke a path rule. */
  paths: ReadonlySet<string>;
}

/** Undefined when there is no usable manifest. */
function checkManifest(json: Record<string, unknown>, inv: Inventory, where: string, sink: FindingSink): ManifestKeys | undefined {
  if (!('manifest' in json)) {
    sink.error('E041', where, 'Inventory has no "manifest" block', '清单文件缺少“manifest”块');
    return undefined;
  }
  const manifest = json.manifest;
  if (!isObject(manifest)) {
    sink.error('E106', where, '"manifest" must be a JSON object', '“manifest”必须是 JSON 对象');
    return undefined;
  }

  inv.hasManifest = true;
  const algorithm = inv.digestAlgorithm;
  const seen = new Map<string, string>();
  const allPaths = new Set<string>();
  for (const [digest, paths] of Object.entries(manifest)) {
    if (algorithm && !isWellFormedDigest(algorithm, digest)) {
      if (/^[0-9a-fA-F]+$/.test(digest)) {
        sink.error('E039', where, `Manifest digest ${digest} is not a ${algorithm} digest (wrong length)`, `清单 manifest 中的摘要 ${digest} 不是 ${algorithm} 摘要（长度不符）`);
      } else {
        sink.error(digestFormCode(algorithm), where, `Manifest digest ${digest} is not hex-encoded`, `清单 manifest 中的摘要 ${digest} 不是十六进制编码`);
      }
    }
    const normal = normalizeDigest(digest);
    const twin = seen.get(normal);
    if (twin !== undefined) {
      sink.error('E096', where, `Manifest lists digest ${digest} twice, differing only in case (${twin})`, `清单 manifest 中摘要 ${digest} 与 ${twin} 仅大小写不同，重复出现`);
    }
    seen.set(normal, digest);

    if (!Array.isArray(paths)) {
      sink.error('E092', where, `Manifest value for ${digest} must be an array of content paths`, `manifest 中摘要 ${digest} 对应的值必须是内容路径数组`);
      continue;
    }
    for (const p of paths as unknown[]) {
      if (typeof p !== 'string') {
        sink.error('E092', where, `Manifest has a content path that is not a string: ${JSON.stringify(p)}`, `manifest 含有非字符串的内容路径：${JSON.stringify(p)}`);
        continue;
      }
      if (allPaths.has(p)) {
        sink.error('E101', where, `Manifest lists content path "${p}" more than once`, `manifest 重复列出了内容路径“${p}”`);
        continue;
      }
      allPaths.add(p);
      if (checkContentPath(p, inv, where, sink)) inv.manifest.set(p, digest);
    }
  }
  for (const p of conflictingPaths(allPaths)) {
    sink.error('E101', where, `Content path "${p}" is used both as a file and as a directory`, `内容路径“${p}”既是文件又是目录`);
  }
  return { digests: new Set(Object.keys(manifest)), paths: allPaths };
}

/** Path rules of §3.5.2, plus placement in a version's content directory. */
function checkContentPath(p: string, inv: Inventory, where: string, sink: FindingSink): boolean {
  const problems = pathProblems(p);
  let ok = true;
  if (p.includes('\\')) {
    sink.error('E035', where, `Manifest content path "${p}" must use "/" as separator, not "\\"`, `manifest 中的内容路径“${p}”必须以“/”分隔，而非“\\”`);
    ok = false;
  }
  if (problems.edgeSlash) {
    sink.error('E100', where, `Manifest content path "${p}" must not begin or end with "/"`, `manifest 中的内容路径“${p}”不得以“/”开头或结尾`);
    ok = false;
  }
  if (problems.badElement) {
    sink.error('E099', where, `Manifest content path "${p}" has a ".", ".." or empty element`, `manifest 中的内容路径“${p}”含有“.”、“..”或空路径段`);
    ok = false;
  }
  if (!ok) return false;

  const [versionDir, contentDir] = p.split('/');
  if (!inv.versions.has(versionDir!)) {
    const n = versionNumber(versionDir!);
    const actual = [...inv.versions.entries()].find(([, v]) => v.number === n)?.[0];
    if (actual !== undefined) {
      sink.error('E014', where, `Manifest content path "${p}" must use the version directory name ${actual}`, `manifest 中的内容路径“${p}”必须使用实际的版本目录名 ${actual}`);
    } else {
      sink.error('E042', where, `Manifest content path "${p}" is not inside a version directory of this inventory`, `manifest 中的内容路径“${p}”不在本清单的任何版本目录内`);
    }
    return false;
  }
  if (contentDir !== inv.contentDirectory || p.split('/').length < 3) {
    sink.error(
      'E042',
      where,
      `Manifest content path "${p}" is not inside the content directory ${versionDir}/${inv.contentDirectory}`,
      `manifest 中的内容路径“${p}”不在内容目录 ${versionDir}/${inv.contentDirectory} 内`,
    );
    return false;
  }
  return true;
}

function crossCheckStates(inv: Inventory, manifestDigests: ReadonlySet<string>, where: string, sink: FindingSink): void {
  const used = new Set<string>();
  for (const [name, version] of inv.versions) {
    const reported = new Set<string>();
    for (const digest of version.state.values()) {
      used.add(digest);
      if (!manifestDigests.has(digest) && !reported.has(digest)) {
        reported.add(digest);
        sink.error('E050', where, `Version ${name} state digest ${digest} is not a key of the manifest`, `版本 ${name} 状态中的摘要 ${digest} 不在 manifest 中`);
      }
    }
  }
  for (const digest of manifestDigests) {
    if (!used.has(digest)) {
      sink.error('E107', where, `Manifest digest ${digest} is not used by any version state`, `manifest 中的摘要 ${digest} 未被任何版本状态引用`);
    }
  }
}

function checkFixity(
  json: Record<string, unknown>,
  inv: Inventory,
  manifestPaths: ReadonlySet<string> | undefined,
  where: string,
  sink: FindingSink,
): void {
  if (!('fixity' in json)) return;
  const fixity = json.fixity;
  if (!isObject(fixity)) {
    sink.error('E111', where, '"fixity" must be a JSON object', '“fixity”必须是 JSON 对象');
    return;
  }
  for (const [algorithm, block] of Object.entries(fixity)) {
    if (!isKnownAlgorithm(algorithm)) {
      sink.error(
        'E056',
        where,
        `Fixity algorithm "${algorithm}" is neither in the spec nor in a registered extension`,
        `固定性算法“${algorithm}”既不在规范中，也不在已注册的扩展中`,
      );
      continue;
    }
    if (!isObject(block)) {
      sink.error('E057', where, `Fixity block for ${algorithm} must be a JSON object`, `${algorithm} 固定性块必须是 JSON 对象`);
      continue;
    }
    const seen = new Map<string, string>();
    for (const [digest, paths] of Object.entries(block)) {
      const wellFormed = isWellFormedDigest(algorithm, digest);
      if (!wellFormed) {
        sink.error(digestFormCode(algorithm), where, `Fixity ${algorithm} value ${digest} is not a well-formed ${algorithm} digest`, `固定性 ${algorithm} 值 ${digest} 不是格式正确的 ${algorithm} 摘要`);
      }
      const normal = normalizeDigest(digest);
      const twin = seen.get(normal);
      if (twin !== undefined) {
        sink.error('E097', where, `Fixity ${algorithm} lists digest ${digest} twice, differing only in case (${twin})`, `固定性 ${algorithm} 中摘要 ${digest} 与 ${twin} 仅大小写不同，重复出现`);
      }
      seen.set(normal, digest);
      if (!Array.isArray(paths)) {
        sink.error('E057', where, `Fixity ${algorithm} value for ${digest} must be an array of content paths`, `固定性 ${algorithm} 中摘要 ${digest} 对应的值必须是内容路径数组`);
        continue;
      }
      for (const p of paths as unknown[]) {
        if (typeof p !== 'string') {
          sink.error('E057', where, `Fixity ${algorithm} has a content path that is not a string: ${JSON.stringify(p)}`, `固定性 ${algorithm} 含有非字符串的内容路径：${JSON.stringify(p)}`);
          continue;
        }
        if (!checkFixityPath(p, algorithm, manifestPaths, where, sink)) continue;
        if (wellFormed && inv.manifest.has(p)) {
          const list = inv.fixity.get(p) ?? [];
          list.push([algorithm, digest]);
          inv.fixity.set(p, list);
        }
      }
    }
  }
}

/** `manifestPaths` is undefined when there is no manifest to check against, already an error. */
function checkFixityPath(
  p: string,
  algorithm: string,
  manifestPaths: ReadonlySet<string> | undefined,
  where: string,
  sink: FindingSink,
): boolean {
  const problems = pathProblems(p);
  if (problems.edgeSlash) {
    sink.error('E100', where, `Fixity ${algorithm} content path "${p}" must not begin or end with "/"`, `固定性 ${algorithm} 中的内容路径“${p}”不得以“/”开头或结尾`);
  }
  if (problems.badElement) {
    sink.error('E099', where, `Fixity ${algorithm} content path "${p}" has a ".", ".." or empty element`, `固定性 ${algorithm} 中的内容路径“${p}”含有“.”、“..”或空路径段`);
  }
  if (problems.edgeSlash || problems.badElement || !manifestPaths) return false;
  if (!manifestPaths.has(p)) {
    sink.error('E057', where, `Fixity ${algorithm} content path "${p}" is not in the manifest`, `固定性 ${algorithm} 中的内容路径“${p}”不在 manifest 中`);
    return false;
  }
  return true;
}
