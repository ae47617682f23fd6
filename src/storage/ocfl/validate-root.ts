/**
 * Validation of an OCFL storage root (spec §4): declaration, ocfl_layout.json, the root
 * extensions directory, and a depth-first walk of the storage hierarchy that validates each
 * object as it is reached. Only the directories on the current path are held in memory, so a
 * root with any number of objects is walked in bounded space (apart from the id index for E037).
 */
import type { Dirent } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canCompute, digestBytes, isKnownAlgorithm } from './validate-digest.js';
import { FindingSink, type ValidateOptions, type ValidationResult } from './validate-findings.js';
import { REGISTERED_EXTENSIONS, SUPPORTED_SPEC_VERSIONS, checkObject, isSpecial, listDir, readHead } from './validate-object.js';

export const LAYOUT_0004 = '0004-hashed-n-tuple-storage-layout';
const LAYOUT_FILE = 'ocfl_layout.json';

export async function validateStorageRoot(dir: string, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const sink = new FindingSink();
  const check = new RootCheck(dir, sink, opts);
  await check.run();
  return sink.result('storage-root', check.objectsChecked);
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps an object id to its root path under the storage root. */
export type LayoutMapper = (id: string) => string;

/** Extension 0004: hash the id, cut the hex digest into tuples, end with the (rest of the) digest. */
export function hashedNTupleMapper(config: unknown): LayoutMapper | string {
  if (!isObject(config)) return 'config.json must be a JSON object';
  const extensionName = config.extensionName ?? LAYOUT_0004;
  const digestAlgorithm = config.digestAlgorithm ?? 'sha256';
  const tupleSize = config.tupleSize ?? 3;
  const numberOfTuples = config.numberOfTuples ?? 3;
  const shortObjectRoot = config.shortObjectRoot ?? false;
  const inRange = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 32;

  if (extensionName !== LAYOUT_0004) return `extensionName must be ${LAYOUT_0004}`;
  if (typeof digestAlgorithm !== 'string' || !isKnownAlgorithm(digestAlgorithm) || digestAlgorithm === 'size' || !canCompute(digestAlgorithm)) {
    return `digestAlgorithm ${JSON.stringify(digestAlgorithm)} is not a usable fixity algorithm`;
  }
  if (!inRange(tupleSize) || !inRange(numberOfTuples)) return 'tupleSize and numberOfTuples must be integers from 0 to 32';
  if ((tupleSize === 0) !== (numberOfTuples === 0)) return 'tupleSize and numberOfTuples must both be 0 or both be non-zero';
  if (typeof shortObjectRoot !== 'boolean') return 'shortObjectRoot must be a boolean';
  const hexLength = digestBytes(digestAlgorithm, new Uint8Array()).length;
  const used = tupleSize * numberOfTuples;
  if (used > hexLength) return `tupleSize × numberOfTuples exceeds the ${hexLength} digits of ${digestAlgorithm}`;
  if (used === hexLength && shortObjectRoot) return 'shortObjectRoot must be false when the tuples use the whole digest';

  return (id) => {
    const digest = digestBytes(digestAlgorithm, Buffer.from(id, 'utf8'));
    const tuples: string[] = [];
    for (let i = 0; i < numberOfTuples; i++) tuples.push(digest.slice(i * tupleSize, (i + 1) * tupleSize));
    return [...tuples, shortObjectRoot ? digest.slice(used) : digest].join('/');
  };
}

class RootCheck {
  objectsChecked = 0;
  private specVersion?: string;
  private mapper?: LayoutMapper;
  private readonly ids = new Map<string, string>();
  private readonly depths = new Set<number>();

  constructor(
    private readonly dir: string,
    private readonly sink: FindingSink,
    private readonly opts: ValidateOptions,
  ) {}

  async run(): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await listDir(this.dir);
    } catch (e) {
      this.sink.error('E069', '.', `Cannot read the storage root: ${errorText(e)}`, `无法读取存储根目录：${errorText(e)}`);
      return;
    }
    if (entries.some((e) => e.name.startsWith('0=ocfl_object_'))) {
      this.sink.error('E069', '.', 'This is an OCFL object, not a storage root', '这是 OCFL 对象，而非存储根');
      return;
    }
    await this.checkDeclaration(entries);
    await this.checkLayout(entries);
    await this.checkExtensions(entries);

    for (const e of entries) {
      if (e.isSymbolicLink()) {
        this.sink.error('E090', e.name, 'Symbolic links must not be used in a storage root', '存储根中不得使用符号链接');
      } else if (isSpecial(e)) {
        this.sink.error('E089', e.name, 'Special files (devices, pipes, sockets) must be wrapped in a regular file', '设备、管道、套接字等特殊文件必须封装为普通文件');
      } else if (e.isDirectory() && e.name !== 'extensions') {
        // Loose files at the top are allowed (the spec's own example is ocfl_1.1.md) and E087
        // says a validator must ignore those it does not understand; directories are not.
        if (!(await this.walk(join(this.dir, e.name), e.name))) {
          this.sink.error('E088', e.name, 'Directory holds no OCFL object and is not the extensions directory', '该目录中没有 OCFL 对象，也不是 extensions 目录');
        }
      }
    }
    this.checkHierarchyShape();
  }

  private async checkDeclaration(entries: Dirent[]): Promise<void> {
    const declarations = entries.filter((e) => e.name.startsWith('0='));
    if (declarations.length === 0) {
      const wrongT = entries.find((e) => /^\d+=ocfl_/.test(e.name));
      const unpatterned = entries.find((e) => /^ocfl_\d+\.\d+$/.test(e.name));
      if (wrongT) {
        this.sink.error('E078', wrongT.name, 'The declaration file name must start with "0="', '声明文件名必须以“0=”开头');
      } else if (unpatterned) {
        this.sink.error('E077', unpatterned.name, 'The declaration file name must have the form 0=ocfl_1.1', '声明文件名必须形如 0=ocfl_1.1');
      }
      this.sink.error('E069', '.', 'The storage root has no conformance declaration file (0=ocfl_1.1)', '存储根缺少符合性声明文件（0=ocfl_1.1）');
      return;
    }
    if (declarations.length > 1) {
      const names = declarations.map((e) => e.name).join(', ');
      this.sink.error('E076', '.', `The storage root has more than one declaration file: ${names}`, `存储根有多个声明文件：${names}`);
    }
    // With several, the newest well-formed one is taken, as the objects most likely follow it.
    const declaration = declarations.filter((e) => /^0=ocfl_\d+\.\d+$/.test(e.name)).pop() ?? declarations[0]!;
    const dvalue = declaration.name.slice(2);
    const version = /^ocfl_(\d+\.\d+)$/.exec(dvalue)?.[1];
    if (version === undefined || !SUPPORTED_SPEC_VERSIONS.has(version)) {
      this.sink.error('E079', declaration.name, `The declaration must be 0=ocfl_1.0 or 0=ocfl_1.1, not ${declaration.name}`, `声明文件名必须为 0=ocfl_1.0 或 0=ocfl_1.1，而非 ${declaration.name}`);
      return;
    }
    this.specVersion = version;
    const text = declaration.isFile() ? (await readHead(join(this.dir, declaration.name), dvalue.length + 2)).toString('utf8') : '';
    if (text !== `${dvalue}\n`) {
      this.sink.error('E080', declaration.name, `The declaration file must contain "${dvalue}" and a newline`, `声明文件的内容必须是“${dvalue}”加换行符`);
    }
  }

  private async checkLayout(entries: Dirent[]): Promise<void> {
    if (!entries.some((e) => e.name === LAYOUT_FILE && e.isFile())) return;
    let layout: unknown;
    try {
      layout = JSON.parse(await readFile(join(this.dir, LAYOUT_FILE), 'utf8'));
    } catch (e) {
      this.sink.error('E070', LAYOUT_FILE, `ocfl_layout.json is not JSON: ${errorText(e)}`, `ocfl_layout.json 不是 JSON：${errorText(e)}`);
      return;
    }
    if (!isObject(layout) || typeof layout.extension !== 'string' || typeof layout.description !== 'string') {
      this.sink.error('E070', LAYOUT_FILE, 'ocfl_layout.json must have string "extension" and "description" keys', 'ocfl_layout.json 必须有字符串类型的“extension”和“description”键');
      return;
    }
    if (!REGISTERED_EXTENSIONS.has(layout.extension)) {
      this.sink.error('E071', LAYOUT_FILE, `Layout extension "${layout.extension}" is not a registered extension name`, `布局扩展“${layout.extension}”不是已注册的扩展名`);
      return;
    }
    if (layout.extension !== LAYOUT_0004) return;

    const configPath = `extensions/${LAYOUT_0004}/config.json`;
    let config: unknown = {};
    try {
      config = JSON.parse(await readFile(join(this.dir, configPath), 'utf8'));
    } catch (e) {
      // The extension defines defaults for every parameter, so an absent config means them.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.sink.error('E083', configPath, `Layout configuration is unreadable, so ids cannot be mapped to paths: ${errorText(e)}`, `布局配置无法读取，无法由标识确定对象路径：${errorText(e)}`);
        return;
      }
    }
    const mapper = hashedNTupleMapper(config);
    if (typeof mapper === 'string') {
      this.sink.error('E083', configPath, `Layout configuration is invalid, so ids cannot be mapped to paths: ${mapper}`, `布局配置无效，无法由标识确定对象路径：${mapper}`);
      return;
    }
    this.mapper = mapper;
  }

  private async checkExtensions(entries: Dirent[]): Promise<void> {
    if (!entries.some((e) => e.name === 'extensions' && e.isDirectory())) return;
    for (const e of await listDir(join(this.dir, 'extensions'))) {
      const path = `extensions/${e.name}`;
      if (!e.isDirectory()) {
        this.sink.error('E112', path, 'The extensions directory may only contain extension directories', 'extensions 目录中只能有扩展子目录');
      } else if (!REGISTERED_EXTENSIONS.has(e.name)) {
        this.sink.warn('W016', path, `Extension directory "${e.name}" is not a registered extension name`, `扩展目录“${e.name}”不是已注册的扩展名`);
      }
    }
  }

  /** Returns whether an object was found at or below `abs`. */
  private async walk(abs: string, rel: string): Promise<boolean> {
    let entries: Dirent[];
    try {
      entries = await listDir(abs);
    } catch (e) {
      this.sink.error('E088', rel, `Cannot read directory: ${errorText(e)}`, `无法读取目录：${errorText(e)}`);
      return false;
    }
    if (entries.length === 0) {
      this.sink.error('E073', rel, 'Empty directories must not appear under a storage root', '存储根下不得有空目录');
      return false;
    }
    const declarations = entries.filter((e) => e.name.startsWith('0='));
    if (declarations.some((e) => e.name.startsWith('0=ocfl_object_'))) {
      await this.checkObjectAt(abs, rel);
      return true;
    }
    if (declarations.some((e) => e.name.startsWith('0=ocfl_'))) {
      this.sink.error('E074', rel, 'A storage root is nested inside this storage root; each must be independent', '该存储根内嵌套了另一个存储根，各存储根必须相互独立');
      return false;
    }

    let containsObject = false;
    for (const e of entries) {
      if (e.isDirectory() && (await this.walk(join(abs, e.name), `${rel}/${e.name}`))) containsObject = true;
    }
    for (const e of entries) {
      if (e.isDirectory()) continue;
      const path = `${rel}/${e.name}`;
      if (e.isSymbolicLink()) {
        this.sink.error('E090', path, 'Symbolic links must not be used in a storage hierarchy', '存储层级中不得使用符号链接');
      } else if (containsObject) {
        this.sink.error('E084', path, 'Files must not be stored in intermediate directories of the storage hierarchy', '存储层级的中间目录中不得存放文件');
      } else {
        this.sink.error('E072', path, 'File is in the storage hierarchy but not part of any OCFL object', '该文件位于存储层级中，但不属于任何 OCFL 对象');
      }
    }
    return containsObject;
  }

  private async checkObjectAt(abs: string, rel: string): Promise<void> {
    this.opts.onObject?.(rel);
    this.objectsChecked++;
    this.depths.add(rel.split('/').length);
    const outcome = await checkObject(abs, this.sink.scoped(rel), this.opts.checkDigests ?? true);

    if (outcome.specVersion && this.specVersion && Number(outcome.specVersion) > Number(this.specVersion)) {
      this.sink.error('E081', rel, `Object declares OCFL ${outcome.specVersion}, newer than the storage root's ${this.specVersion}`, `对象声明为 OCFL ${outcome.specVersion}，新于存储根的 ${this.specVersion}`);
    }
    if (outcome.id === undefined) return;
    const other = this.ids.get(outcome.id);
    if (other !== undefined) {
      this.sink.error('E037', rel, `Object id "${outcome.id}" is also used by ${other}`, `对象标识“${outcome.id}”已被 ${other} 使用`);
    } else {
      this.ids.set(outcome.id, rel);
    }
    if (this.mapper) {
      const expected = this.mapper(outcome.id);
      if (expected !== rel) {
        this.sink.error('E083', rel, `Layout ${LAYOUT_0004} puts object "${outcome.id}" at ${expected}`, `按布局 ${LAYOUT_0004}，对象“${outcome.id}”应位于 ${expected}`);
      }
    }
  }

  /** W014/W015 judged from object depths, the only trace a layout pattern leaves on disk. */
  private checkHierarchyShape(): void {
    const deep = [...this.depths].filter((d) => d > 1).sort((a, b) => a - b);
    if (this.depths.has(1) && deep.length > 0) {
      this.sink.warn('W015', '.', 'Objects are stored both directly under the root and in a directory hierarchy', '对象既有直接存放在根目录下的，也有存放在目录层级中的');
    }
    if (deep.length > 1) {
      this.sink.warn('W014', '.', `Objects sit at different depths (${deep.join(', ')}), suggesting more than one layout`, `对象位于不同深度（${deep.join('、')}），似乎混用了多种布局`);
    }
  }
}
