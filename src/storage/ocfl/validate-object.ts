/**
 * Validation of one OCFL object directory (spec §3): declaration, root inventory and sidecar,
 * version directories and their inventories, content files against manifest and fixity, and
 * the object's extensions directory.
 */
import type { Dirent } from 'node:fs';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { canCompute, digestBytes, digestFile, isKnownAlgorithm, normalizeDigest } from './validate-digest.js';
import { FindingSink, type ValidateOptions, type ValidationResult } from './validate-findings.js';
import { inventoryType, parseInventoryBytes, versionNumber, type Inventory, type VersionBlock } from './validate-inventory.js';

/** Adopted names from https://ocfl.github.io/extensions/ (W013, W016). */
export const REGISTERED_EXTENSIONS: ReadonlySet<string> = new Set([
  '0001-digest-algorithms',
  '0002-flat-direct-storage-layout',
  '0003-hash-and-id-n-tuple-storage-layout',
  '0004-hashed-n-tuple-storage-layout',
  '0005-mutable-head',
  '0006-flat-omit-prefix-storage-layout',
  '0007-n-tuple-omit-prefix-storage-layout',
  '0008-schema-registry',
  '0009-digest-algorithms',
  '0010-differential-n-tuple-omit-prefix-storage-layout',
  '0011-direct-clean-path-layout',
]);

export const SUPPORTED_SPEC_VERSIONS: ReadonlySet<string> = new Set(['1.0', '1.1']);

const INVENTORY = 'inventory.json';
const SIDECAR_PREFIX = `${INVENTORY}.`;

export interface ObjectOutcome {
  id?: string;
  /** From the conformance declaration, when it is well formed. */
  specVersion?: string;
}

export async function validateObject(dir: string, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const sink = new FindingSink();
  opts.onObject?.('.');
  await checkObject(dir, sink, opts.checkDigests ?? true);
  return sink.result('object', 1);
}

export async function listDir(dir: string): Promise<Dirent[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const isSpecial = (e: Dirent) => !e.isFile() && !e.isDirectory() && !e.isSymbolicLink();

/** Reads at most `limit` bytes: declaration and sidecar files are tiny unless something is wrong. */
export async function readHead(path: string, limit = 4096): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Findings go through a per-object sink first: every prior inventory repeats the version blocks
 * of the ones before it, so the same warning would otherwise appear once per inventory file.
 */
export async function checkObject(dir: string, parent: FindingSink, checkDigests: boolean): Promise<ObjectOutcome> {
  const sink = new FindingSink();
  const outcome = await new ObjectCheck(dir, sink, checkDigests).run();
  for (const f of sink.errors) parent.error(f.code, f.path, f.message, f.message_zh);
  const seen = new Set<string>();
  for (const f of sink.warnings) {
    const key = `${f.code}\u0000${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    parent.warn(f.code, f.path, f.message, f.message_zh);
  }
  return outcome;
}

interface Expectation {
  algorithm: string;
  digest: string;
  fixity: boolean;
  /** The inventory file that states it. */
  source: string;
}

interface ExpectedFile {
  /** The first inventory whose manifest lists the path. */
  listedBy: string;
  checks: Expectation[];
}

class ObjectCheck {
  private root?: Inventory;
  private rootBytes?: Buffer;
  /** The highest version in the root inventory, whose own inventory must equal the root one. */
  private latest?: string;
  /** Content path to the digests stated for it; entries are removed as files are found. */
  private readonly expected = new Map<string, ExpectedFile>();
  /** Version directories the root manifest places content in. */
  private readonly versionsWithContent = new Set<string>();
  /** Version directories whose absence is already reported, so their files are not listed one by one. */
  private readonly absent = new Set<string>();
  private readonly specVersions: Array<[number, string, string]> = [];

  constructor(
    private readonly dir: string,
    private readonly sink: FindingSink,
    private readonly checkDigests: boolean,
  ) {}

  async run(): Promise<ObjectOutcome> {
    let entries: Dirent[];
    try {
      entries = await listDir(this.dir);
    } catch (e) {
      this.sink.error('E003', '.', `Cannot read the object directory: ${errorText(e)}`, `无法读取对象目录：${errorText(e)}`);
      return {};
    }
    const specVersion = await this.checkDeclaration(entries);
    const versionDirs = await this.checkRootEntries(entries);
    await this.checkExtensions(entries);

    const inventoryEntry = entries.find((e) => e.name === INVENTORY);
    if (!inventoryEntry?.isFile()) {
      this.sink.error('E063', INVENTORY, 'The object root has no inventory.json', '对象根目录缺少 inventory.json');
      return { specVersion };
    }
    await this.checkHardLink(INVENTORY);
    this.rootBytes = await readFile(join(this.dir, INVENTORY));
    this.root = parseInventoryBytes(this.rootBytes, INVENTORY, this.sink, specVersion ? inventoryType(specVersion) : undefined);
    await this.checkSidecar('.', entries, this.rootBytes, this.root?.digestAlgorithm);
    if (!this.root) return { specVersion };

    this.expectFrom(this.root, INVENTORY);
    for (const path of this.root.manifest.keys()) this.versionsWithContent.add(path.slice(0, path.indexOf('/')));
    const [latest, latestBlock] = [...this.root.versions.entries()].pop() ?? [];
    this.latest = latest;
    if (this.root.specVersion && latestBlock) this.specVersions.push([latestBlock.number, INVENTORY, this.root.specVersion]);
    for (const name of this.root.versions.keys()) {
      if (!versionDirs.has(name)) {
        this.absent.add(name);
        this.sink.error('E046', name, `Version ${name} is in the inventory but its directory is missing`, `清单中有版本 ${name}，但缺少其版本目录`);
      }
    }
    for (const name of versionDirs) {
      if (!this.root.versions.has(name)) {
        this.sink.error('E046', name, `Directory ${name} looks like a version but the inventory has no such version`, `目录 ${name} 形似版本目录，但清单中没有该版本`);
      }
    }
    // Every inventory's claims must be collected before any content is walked and ticked off.
    const withContent: string[] = [];
    for (const name of this.root.versions.keys()) {
      if (versionDirs.has(name) && (await this.checkVersionDir(name))) withContent.push(name);
    }
    for (const name of withContent) await this.checkContent(name);
    this.checkSpecVersionOrder();
    this.reportMissing();
    return { id: this.root.id, specVersion };
  }

  private async checkDeclaration(entries: Dirent[]): Promise<string | undefined> {
    const declarations = entries.filter((e) => e.name.startsWith('0='));
    if (declarations.length === 0) {
      const wrongT = entries.find((e) => /^\d+=ocfl_object_/.test(e.name));
      const unpatterned = entries.find((e) => e.name.includes('ocfl_object_'));
      if (wrongT) {
        this.sink.error('E005', wrongT.name, 'The declaration file name must start with "0="', '声明文件名必须以“0=”开头');
      } else if (unpatterned) {
        this.sink.error('E004', unpatterned.name, 'The declaration file name must have the form 0=ocfl_object_1.1', '声明文件名必须形如 0=ocfl_object_1.1');
      }
      this.sink.error('E003', '.', 'The object has no conformance declaration file (0=ocfl_object_1.1)', '对象缺少符合性声明文件（0=ocfl_object_1.1）');
      return undefined;
    }
    if (declarations.length > 1) {
      const names = declarations.map((e) => e.name).join(', ');
      this.sink.error('E003', '.', `The object has more than one declaration file: ${names}`, `对象有多个声明文件：${names}`);
    }
    // With several, the newest well-formed one is taken, as the inventory type most likely follows it.
    const declaration = declarations.filter((e) => /^0=ocfl_object_\d+\.\d+$/.test(e.name)).pop() ?? declarations[0]!;
    const dvalue = declaration.name.slice(2);
    const version = /^ocfl_object_(\d+\.\d+)$/.exec(dvalue)?.[1];
    if (version === undefined) {
      this.sink.error('E006', declaration.name, `The declaration must be 0=ocfl_object_ plus the OCFL version, not ${declaration.name}`, `声明文件名必须为 0=ocfl_object_ 加 OCFL 版本号，而非 ${declaration.name}`);
      return undefined;
    }
    if (!SUPPORTED_SPEC_VERSIONS.has(version)) {
      this.sink.error('E006', declaration.name, `OCFL version ${version} is not one this validator knows (1.0, 1.1)`, `本校验器不支持 OCFL ${version} 版本（仅支持 1.0、1.1）`);
      return undefined;
    }
    if (!declaration.isFile()) {
      this.sink.error('E003', declaration.name, 'The declaration must be a file', '声明必须是文件');
      return version;
    }
    const text = (await readHead(join(this.dir, declaration.name), dvalue.length + 2)).toString('utf8');
    if (text !== `${dvalue}\n`) {
      this.sink.error('E007', declaration.name, `The declaration file must contain "${dvalue}" and a newline`, `声明文件的内容必须是“${dvalue}”加换行符`);
    }
    return version;
  }

  /** E001 and friends for the object root; returns the names of version directories present. */
  private async checkRootEntries(entries: Dirent[]): Promise<Set<string>> {
    const versionDirs = new Set<string>();
    for (const e of entries) {
      // Misnamed declarations are already reported as E004/E005.
      if (e.name.startsWith('0=') || e.name === INVENTORY || /^(\d+=)?ocfl_object_\d/.test(e.name)) continue;
      if (e.isSymbolicLink()) {
        this.sink.error('E090', e.name, 'Symbolic links must not be used in an OCFL object', 'OCFL 对象中不得使用符号链接');
      } else if (isSpecial(e)) {
        this.sink.error('E089', e.name, 'Special files (devices, pipes, sockets) must be wrapped in a regular file', '设备、管道、套接字等特殊文件必须封装为普通文件');
      } else if (e.isFile() && isSidecarName(e.name)) {
        continue;
      } else if (e.isDirectory() && versionNumber(e.name) !== undefined) {
        versionDirs.add(e.name);
      } else if (e.isDirectory() && (e.name === 'logs' || e.name === 'extensions')) {
        continue;
      } else {
        const what = e.isDirectory() ? 'directory' : 'file';
        this.sink.error('E001', e.name, `Unexpected ${what} in the object root`, `对象根目录中有不应存在的${e.isDirectory() ? '目录' : '文件'}`);
        const nested = e.isDirectory() ? await findObjectDeclaration(join(this.dir, e.name), e.name) : undefined;
        if (nested) {
          this.sink.error('E082', nested, 'An OCFL object is nested inside another object', 'OCFL 对象嵌套在另一个对象之内');
        }
      }
    }
    return versionDirs;
  }

  private async checkExtensions(entries: Dirent[]): Promise<void> {
    if (!entries.some((e) => e.name === 'extensions' && e.isDirectory())) return;
    for (const e of await listDir(join(this.dir, 'extensions'))) {
      const path = `extensions/${e.name}`;
      if (!e.isDirectory()) {
        this.sink.error('E067', path, 'The extensions directory may only contain extension directories', 'extensions 目录中只能有扩展子目录');
      } else if (!REGISTERED_EXTENSIONS.has(e.name)) {
        this.sink.warn('W013', path, `Extension directory "${e.name}" is not a registered extension name`, `扩展目录“${e.name}”不是已注册的扩展名`);
      }
    }
  }

  /** `dirRel` is `.` or a version directory name. */
  private async checkSidecar(dirRel: string, entries: Dirent[], inventoryBytes: Buffer, algorithm: string | undefined): Promise<void> {
    const inventoryPath = dirRel === '.' ? INVENTORY : `${dirRel}/${INVENTORY}`;
    const sidecars = entries.filter((e) => e.isFile() && isSidecarName(e.name));
    if (algorithm === undefined) {
      if (sidecars.length === 0) {
        this.sink.error('E058', inventoryPath, 'The inventory has no digest sidecar file', '清单文件缺少摘要旁注文件');
      }
      return;
    }
    const expected = `${SIDECAR_PREFIX}${algorithm}`;
    for (const e of sidecars) {
      if (e.name !== expected) {
        const path = dirRel === '.' ? e.name : `${dirRel}/${e.name}`;
        this.sink.error('E059', path, `Sidecar algorithm does not match the inventory digestAlgorithm ${algorithm}`, `旁注文件的算法与清单的 digestAlgorithm（${algorithm}）不符`);
      }
    }
    const sidecarPath = dirRel === '.' ? expected : `${dirRel}/${expected}`;
    if (!sidecars.some((e) => e.name === expected)) {
      this.sink.error('E058', sidecarPath, `The inventory has no sidecar ${expected}`, `清单文件缺少摘要旁注文件 ${expected}`);
      return;
    }
    const text = (await readHead(join(this.dir, sidecarPath))).toString('utf8');
    const m = /^([0-9a-fA-F]+)[ \t]+inventory\.json[ \t]*(\r?\n)?$/.exec(text);
    if (!m) {
      this.sink.error('E061', sidecarPath, 'The sidecar must read "DIGEST inventory.json"', '旁注文件的格式必须为“摘要 inventory.json”');
      return;
    }
    const actual = digestBytes(algorithm, inventoryBytes);
    if (normalizeDigest(m[1]!) !== actual) {
      this.sink.error('E060', sidecarPath, `The sidecar digest ${m[1]} does not match the inventory's ${algorithm} digest ${actual}`, `旁注文件记录的摘要 ${m[1]} 与清单文件实际的 ${algorithm} 摘要 ${actual} 不符`);
    }
  }

  /** Every inventory's claims are checked against the files, not just the root inventory's. */
  private expectFrom(inv: Inventory, source: string): void {
    const add = (path: string, check: Expectation | undefined) => {
      let file = this.expected.get(path);
      if (!file) {
        file = { listedBy: source, checks: [] };
        this.expected.set(path, file);
      }
      if (check && !file.checks.some((x) => x.algorithm === check.algorithm && x.digest === check.digest)) file.checks.push(check);
    };
    const algorithm = inv.digestAlgorithm;
    for (const [path, digest] of inv.manifest) {
      add(path, algorithm ? { algorithm, digest: normalizeDigest(digest), fixity: false, source } : undefined);
    }
    for (const [path, pairs] of inv.fixity) {
      for (const [fixityAlgorithm, digest] of pairs) {
        add(path, { algorithm: fixityAlgorithm, digest: normalizeDigest(digest), fixity: true, source });
      }
    }
  }

  /** Returns whether the version directory has its content directory. */
  private async checkVersionDir(name: string): Promise<boolean> {
    const root = this.root!;
    const entries = await listDir(join(this.dir, name));
    let contentDir: Dirent | undefined;
    for (const e of entries) {
      const path = `${name}/${e.name}`;
      if (e.isSymbolicLink()) {
        this.sink.error('E090', path, 'Symbolic links must not be used in an OCFL object', 'OCFL 对象中不得使用符号链接');
      } else if (isSpecial(e)) {
        this.sink.error('E089', path, 'Special files (devices, pipes, sockets) must be wrapped in a regular file', '设备、管道、套接字等特殊文件必须封装为普通文件');
      } else if (e.isFile() && (e.name === INVENTORY || isSidecarName(e.name))) {
        continue;
      } else if (e.isDirectory() && e.name === root.contentDirectory) {
        contentDir = e;
      } else if (e.isDirectory()) {
        this.sink.warn('W002', path, `Version directory has an extra directory "${e.name}", which is ignored`, `版本目录中有多余的目录“${e.name}”，已忽略`);
      } else {
        this.sink.error('E015', path, 'Version directories may only hold inventory.json, its sidecar and the content directory', '版本目录中只能有 inventory.json、其旁注文件和内容目录');
      }
    }

    await this.checkVersionInventory(name, entries);

    if (!contentDir && this.versionsWithContent.has(name)) {
      this.absent.add(name);
      const path = `${name}/${root.contentDirectory}`;
      this.sink.error('E016', path, `Version ${name} adds content but has no content directory`, `版本 ${name} 有新增内容，却没有内容目录`);
    }
    return contentDir !== undefined;
  }

  private async checkContent(name: string): Promise<void> {
    const contentRel = `${name}/${this.root!.contentDirectory}`;
    const count = await this.walkContent(join(this.dir, contentRel), contentRel);
    if (count === 0) {
      this.sink.warn('W003', contentRel, 'The content directory is empty and should not exist', '内容目录为空，不应存在');
    }
  }

  private async checkVersionInventory(name: string, entries: Dirent[]): Promise<void> {
    const root = this.root!;
    const path = `${name}/${INVENTORY}`;
    if (!entries.some((e) => e.name === INVENTORY && e.isFile())) {
      this.sink.warn('W010', path, `Version ${name} should have its own inventory.json`, `版本 ${name} 应有自己的 inventory.json`);
      return;
    }
    await this.checkHardLink(path);
    const bytes = await readFile(join(this.dir, path));
    // E064 compares with the highest version, which is what head must be (a wrong head is E040).
    if (name === this.latest) {
      if (!bytes.equals(this.rootBytes!)) {
        this.sink.error('E064', path, `The inventory of the head version ${name} differs from the root inventory`, `最新版本 ${name} 的清单文件与根清单文件不一致`);
      } else {
        await this.checkSidecar(name, entries, bytes, root.digestAlgorithm);
        return;
      }
    }
    const inv = parseInventoryBytes(bytes, path, this.sink);
    await this.checkSidecar(name, entries, bytes, inv?.digestAlgorithm);
    if (!inv) return;
    if (inv.specVersion) this.specVersions.push([versionNumber(name)!, path, inv.specVersion]);
    this.compareWithRoot(name, path, inv);
    this.expectFrom(inv, path);
  }

  private compareWithRoot(name: string, path: string, inv: Inventory): void {
    const root = this.root!;
    if (inv.id !== undefined && root.id !== undefined && inv.id !== root.id) {
      this.sink.error('E110', path, `Object id changed from "${inv.id}" to "${root.id}"`, `对象标识由“${inv.id}”变成了“${root.id}”`);
    }
    if (inv.head !== undefined && inv.head !== name) {
      this.sink.error('E040', path, `The inventory in ${name} has head ${inv.head}`, `${name} 中清单文件的 head 为 ${inv.head}`);
    }
    if (inv.contentDirectory !== root.contentDirectory) {
      if (root.contentDirectorySet && !inv.contentDirectorySet && versionNumber(name) === 1) {
        this.sink.error('E019', path, `contentDirectory "${root.contentDirectory}" must already be set in the first version`, `contentDirectory“${root.contentDirectory}”必须在第一个版本中就已设定`);
      } else {
        this.sink.error('E020', path, `contentDirectory changed from "${inv.contentDirectory}" to "${root.contentDirectory}"`, `contentDirectory 由“${inv.contentDirectory}”变成了“${root.contentDirectory}”`);
      }
    }
    for (const [vname, block] of inv.versions) {
      const current = root.versions.get(vname);
      if (!current) {
        this.sink.error('E066', path, `Version ${vname} is not in the root inventory`, `版本 ${vname} 不在根清单中`);
        continue;
      }
      const differing = this.stateDifferences(inv, block, current);
      if (differing.length > 0) {
        const sample = differing.slice(0, 3).join(', ');
        this.sink.error('E066', path, `Version ${vname} state differs from the root inventory at: ${sample}`, `版本 ${vname} 的状态与根清单不一致：${sample}`);
      }
      for (const key of ['created', 'message', 'user'] as const) {
        if (canonicalJson(block[key]) !== canonicalJson(current[key])) {
          this.sink.warn('W011', path, `Version ${vname} "${key}" differs from the root inventory`, `版本 ${vname} 的“${key}”与根清单不一致`);
        }
      }
    }
  }

  /** Logical paths whose content differs; across digest algorithms content paths are compared. */
  private stateDifferences(inv: Inventory, prior: VersionBlock, current: VersionBlock): string[] {
    const root = this.root!;
    const sameAlgorithm = inv.digestAlgorithm === root.digestAlgorithm;
    const out: string[] = [];
    for (const [logical, digest] of prior.state) {
      const now = current.state.get(logical);
      if (now === undefined) {
        out.push(logical);
      } else if (sameAlgorithm) {
        if (normalizeDigest(digest) !== normalizeDigest(now)) out.push(logical);
      } else {
        const before = contentPathsOf(inv, digest);
        if (!contentPathsOf(root, now).some((p) => before.includes(p))) out.push(logical);
      }
    }
    for (const logical of current.state.keys()) if (!prior.state.has(logical)) out.push(logical);
    return out;
  }

  /** Returns the number of entries under `abs`. */
  private async walkContent(abs: string, rel: string): Promise<number> {
    const entries = await listDir(abs);
    for (const e of entries) {
      const path = `${rel}/${e.name}`;
      if (e.isSymbolicLink()) {
        this.sink.error('E090', path, 'Symbolic links must not be used in an OCFL object', 'OCFL 对象中不得使用符号链接');
      } else if (e.isDirectory()) {
        if ((await this.walkContent(join(abs, e.name), path)) === 0) {
          this.sink.error('E024', path, 'Empty directories are not allowed in a content directory', '内容目录中不得有空目录');
        }
      } else if (e.isFile()) {
        await this.checkContentFile(join(abs, e.name), path);
      } else {
        this.sink.error('E089', path, 'Special files (devices, pipes, sockets) must be wrapped in a regular file', '设备、管道、套接字等特殊文件必须封装为普通文件');
      }
    }
    return entries.length;
  }

  /** Hard links are how one would share a file between versions or objects, which E090 forbids. */
  private async checkHardLink(path: string): Promise<void> {
    if ((await stat(join(this.dir, path))).nlink > 1) {
      this.sink.error('E090', path, 'Hard links must not be used in an OCFL object', 'OCFL 对象中不得使用硬链接');
    }
  }

  private async checkContentFile(abs: string, path: string): Promise<void> {
    await this.checkHardLink(path);
    // Without a usable manifest every file would be E023, which says nothing E041/E106 did not.
    if (this.root!.hasManifest && !this.root!.manifest.has(path)) {
      this.sink.error('E023', path, 'File is in a content directory but not in the manifest', '内容目录中的文件未列入 manifest');
    }
    const expected = this.expected.get(path);
    if (!expected) return;
    this.expected.delete(path);
    if (!this.checkDigests) return;
    const algorithms = new Set(expected.checks.map((e) => e.algorithm).filter(canCompute));
    if (algorithms.size === 0) return;
    let actual: Map<string, string>;
    try {
      actual = (await digestFile(abs, algorithms)).digests;
    } catch (e) {
      this.sink.error('E092', path, `Cannot read the file: ${errorText(e)}`, `无法读取文件：${errorText(e)}`);
      return;
    }
    for (const e of expected.checks) {
      const got = actual.get(e.algorithm);
      if (got === undefined || got === e.digest) continue;
      if (e.fixity) {
        this.sink.error('E093', path, `${e.algorithm} is ${got} but fixity in ${e.source} says ${e.digest}`, `${e.algorithm} 摘要为 ${got}，而 ${e.source} 固定性记录为 ${e.digest}`);
      } else {
        this.sink.error('E092', path, `${e.algorithm} is ${got} but the manifest in ${e.source} says ${e.digest}`, `${e.algorithm} 摘要为 ${got}，而 ${e.source} 的 manifest 记录为 ${e.digest}`);
      }
    }
  }

  private reportMissing(): void {
    for (const [path, { listedBy, checks }] of this.expected) {
      if (this.absent.has(path.slice(0, path.indexOf('/')))) continue;
      this.sink.error('E092', path, `The manifest in ${listedBy} lists this content path but there is no such file`, `${listedBy} 的 manifest 列出了该内容路径，但文件不存在`);
      const fixity = checks.find((c) => c.fixity);
      if (fixity) {
        this.sink.error('E093', path, `Fixity in ${fixity.source} gives digests for this content path but there is no such file`, `${fixity.source} 的固定性块给出了该内容路径的摘要，但文件不存在`);
      }
    }
  }

  /** E103: no version's inventory may declare an older OCFL version than the one before it. */
  private checkSpecVersionOrder(): void {
    const ordered = [...this.specVersions].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ordered.length; i++) {
      const [, prevPath, prev] = ordered[i - 1]!;
      const [, path, version] = ordered[i]!;
      if (Number(version) < Number(prev)) {
        this.sink.error('E103', path, `Declares OCFL ${version}, older than OCFL ${prev} of ${prevPath}`, `声明为 OCFL ${version}，早于 ${prevPath} 的 OCFL ${prev}`);
      }
    }
  }
}

/** The first object declaration below `abs`, as a path relative to the object root. */
async function findObjectDeclaration(abs: string, rel: string): Promise<string | undefined> {
  const entries = await listDir(abs);
  if (entries.some((e) => e.isFile() && e.name.startsWith('0=ocfl_object_'))) return rel;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const found = await findObjectDeclaration(join(abs, e.name), `${rel}/${e.name}`);
    if (found) return found;
  }
  return undefined;
}

function isSidecarName(name: string): boolean {
  return name.startsWith(SIDECAR_PREFIX) && isKnownAlgorithm(name.slice(SIDECAR_PREFIX.length));
}

const pathsByDigest = new WeakMap<Inventory, Map<string, string[]>>();

function contentPathsOf(inv: Inventory, digest: string): string[] {
  let index = pathsByDigest.get(inv);
  if (!index) {
    index = new Map();
    for (const [path, d] of inv.manifest) {
      const normal = normalizeDigest(d);
      const paths = index.get(normal);
      if (paths) paths.push(path);
      else index.set(normal, [path]);
    }
    pathsByDigest.set(inv, index);
  }
  return index.get(normalizeDigest(digest)) ?? [];
}

/** JSON with sorted keys, so W011 ignores key order, which the spec says has no significance. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
