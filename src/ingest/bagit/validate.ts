import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
import { AppError } from '../../platform/errors.js';
import { UnpackError } from '../unpack/errors.js';
import { DEFAULT_UNPACK_LIMITS, type UnpackLimits } from '../unpack/limits.js';
import { findPathCollisions, pathProblem } from '../unpack/paths.js';
import { type TreeEntry, walkTree } from '../unpack/scan.js';
import { unpackZip } from '../unpack/unpack.js';
import { BAG_ALGORITHMS, type BagAlgorithm, digestFile, isBagAlgorithm } from './digest.js';
import { type BagValidation, FindingList } from './findings.js';
import { decodeManifestPath, type FetchLine, parseBagInfo, parseFetch, parseManifest, splitLines } from './tag-files.js';

export interface ValidateBagOptions {
  /** Limits for unpacking a zipped bag; DEFAULT_UNPACK_LIMITS when absent. */
  limits?: UnpackLimits;
  /** Where a zipped bag is unpacked for the check, and removed afterwards; the system temp dir when absent. */
  workDir?: string;
}

const DECLARATION = 'bagit.txt';
const MANIFEST = /^manifest-([^/]+)\.txt$/;
const TAG_MANIFEST = /^tagmanifest-([^/]+)\.txt$/;
/** RFC 8493 §2.2.2 asks that these appear at most once. Labels compare case-insensitively. */
const SINGLE_VALUED = new Set(['bagging-date', 'bag-size', 'payload-oxum', 'bag-group-identifier', 'bag-count']);
const HASH_CONCURRENCY = 4;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

interface Manifest {
  file: string;
  algorithm: BagAlgorithm;
  kind: 'payload' | 'tag';
  /** By decoded path. */
  entries: Map<string, { digest: string; lineNo: number }>;
}

interface DigestCheck {
  algorithm: BagAlgorithm;
  expected: string;
  manifest: string;
  kind: 'payload' | 'tag';
}

type Located = { kind: 'file'; path: string; size: number } | { kind: 'directory' } | { kind: 'missing' };

function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

const lineRef = (n: number) => ({ zh: `第 ${n} 行`, en: `line ${n}` });

/** The checks of one bag directory. Each method adds findings; none stops at the first problem. */
class BagCheck {
  readonly found = new FindingList();
  private files = new Map<string, TreeEntry>();
  private dirs = new Set<string>();
  private byNfc = new Map<string, string[]>();
  private warnedNormalization = new Set<string>();
  /** The tag files' encoding, from bagit.txt. */
  private encoding = 'utf-8';

  constructor(private readonly root: string) {}

  async run(): Promise<BagValidation> {
    try {
      this.index(await walkTree(this.root));
    } catch (e) {
      if (!(e instanceof UnpackError)) throw e;
      this.found.refused(e);
      return this.result(0, 0, [], []);
    }
    await this.checkDeclaration();
    const payload = [...this.files.values()].filter((f) => f.path.startsWith('data/'));
    if (!this.dirs.has('data')) {
      this.found.error('BAG_PAYLOAD_DIR_MISSING', 'data', '缺少载荷目录 data/', 'The payload directory data/ is missing');
    }
    const manifests = await this.readManifests();
    const payloadManifests = manifests.filter((m) => m.kind === 'payload');
    const pending = await this.checkFetch(payloadManifests);
    const checks = new Map<string, DigestCheck[]>();
    this.checkPayload(payloadManifests, payload, pending, checks);
    this.checkTagManifests(manifests, checks);
    await this.verifyDigests(checks);
    const info = await this.checkBagInfo(payload, pending);
    this.checkCollisions();
    const algorithms = [...new Set(payloadManifests.map((m) => m.algorithm))].sort();
    return this.result(
      payload.length,
      payload.reduce((sum, f) => sum + f.size, 0),
      algorithms,
      info,
    );
  }

  private result(payloadFiles: number, payloadBytes: number, algorithms: string[], info: Array<[string, string]>): BagValidation {
    const { errors, warnings } = this.found;
    return { valid: errors.length === 0, errors, warnings, payloadFiles, payloadBytes, algorithms, info };
  }

  private index(entries: TreeEntry[]): void {
    for (const e of entries) {
      if (e.type === 'directory') {
        this.dirs.add(e.path);
        continue;
      }
      this.files.set(e.path, e);
      const key = e.path.normalize('NFC');
      this.byNfc.set(key, [...(this.byNfc.get(key) ?? []), e.path]);
    }
  }

  /** A manifest path on disk: exactly, or failing that by NFC (a bag made on macOS keeps NFD names). */
  private locate(path: string): Located {
    const exact = this.files.get(path);
    if (exact) return { kind: 'file', path, size: exact.size };
    if (this.dirs.has(path)) return { kind: 'directory' };
    const similar = this.byNfc.get(path.normalize('NFC')) ?? [];
    if (similar.length !== 1) return { kind: 'missing' };
    const disk = similar[0]!;
    if (!this.warnedNormalization.has(path)) {
      this.warnedNormalization.add(path);
      this.found.warn(
        'BAG_PATH_NORMALIZATION_MISMATCH',
        disk,
        `清单中的路径“${path}”与磁盘上的“${disk}”仅 Unicode 规范化形式不同，已按同一文件处理`,
        `Manifest path "${path}" and file "${disk}" differ only in Unicode normalisation; treated as the same file`,
      );
    }
    return { kind: 'file', path: disk, size: this.files.get(disk)!.size };
  }

  private async readTagFile(rel: string): Promise<string | null> {
    let bytes = await readFile(join(this.root, rel));
    if (bytes.subarray(0, 3).equals(UTF8_BOM)) {
      this.found.warn('BAG_TAG_FILE_BOM', rel, `标签文件“${rel}”以字节顺序标记（BOM）开头，已忽略该标记`, `Tag file "${rel}" starts with a byte order mark; it was ignored`);
      bytes = bytes.subarray(3);
    }
    if (this.encoding !== 'utf-8') return iconv.decode(bytes, this.encoding);
    const text = strictUtf8(bytes);
    if (text === null) {
      this.found.error('BAG_TAG_FILE_ENCODING', rel, `标签文件“${rel}”不是有效的 UTF-8 文本`, `Tag file "${rel}" is not valid UTF-8`);
    }
    return text;
  }

  /** bagit.txt (RFC 8493 §2.1.1): exactly two lines, UTF-8, no BOM. */
  private async checkDeclaration(): Promise<void> {
    const file = DECLARATION;
    if (!this.files.has(file)) {
      this.found.error('BAG_DECLARATION_MISSING', file, '缺少包声明文件 bagit.txt，这不是一个 BagIt 包', 'bagit.txt is missing: this is not a BagIt bag');
      return;
    }
    let bytes = await readFile(join(this.root, file));
    if (bytes.subarray(0, 3).equals(UTF8_BOM)) {
      this.found.error('BAG_DECLARATION_BOM', file, 'bagit.txt 不得以字节顺序标记（BOM）开头', 'bagit.txt must not start with a byte order mark (BOM)');
      bytes = bytes.subarray(3);
    }
    const text = strictUtf8(bytes);
    if (text === null) {
      this.found.error('BAG_DECLARATION_INVALID', file, 'bagit.txt 必须是 UTF-8 文本', 'bagit.txt must be UTF-8 text');
      return;
    }
    const lines = splitLines(text);
    const extra = lines.slice(2);
    if (lines.length < 2 || extra.some((l) => l.trim() !== '')) {
      this.found.error('BAG_DECLARATION_INVALID', file, `bagit.txt 必须恰好两行，实际有 ${lines.length} 行`, `bagit.txt must have exactly two lines; it has ${lines.length}`);
    } else if (extra.length) {
      this.found.warn('BAG_DECLARATION_BLANK_LINES', file, 'bagit.txt 末尾有多余的空行', 'bagit.txt ends with extra blank lines');
    }
    const [versionLine, encodingLine] = lines;
    if (versionLine !== undefined) this.checkVersion(versionLine);
    if (encodingLine !== undefined) this.checkEncoding(encodingLine);
  }

  private checkVersion(versionLine: string): void {
    const file = DECLARATION;
    const version = /^BagIt-Version: (\d+)\.(\d+)$/.exec(versionLine);
    if (!version) {
      this.found.error(
        'BAG_VERSION_INVALID',
        file,
        `bagit.txt 第 1 行应为“BagIt-Version: M.N”，实际为“${versionLine}”`,
        `Line 1 of bagit.txt must be "BagIt-Version: M.N"; it is "${versionLine}"`,
      );
    } else if (version[1] === '0') {
      this.found.warn(
        'BAG_VERSION_LEGACY',
        file,
        `BagIt 版本 ${version[1]}.${version[2]} 早于 1.0，已按 RFC 8493（1.0）的规则校验`,
        `BagIt version ${version[1]}.${version[2]} predates 1.0; checked by the rules of RFC 8493 (1.0)`,
      );
    } else if (`${version[1]}.${version[2]}` !== '1.0') {
      this.found.error('BAG_VERSION_UNSUPPORTED', file, `不支持 BagIt 版本 ${version[1]}.${version[2]}`, `BagIt version ${version[1]}.${version[2]} is not supported`);
    }
  }

  private checkEncoding(encodingLine: string): void {
    const file = DECLARATION;
    const encoding = /^Tag-File-Character-Encoding: (\S+)$/.exec(encodingLine)?.[1];
    if (encoding === undefined) {
      this.found.error(
        'BAG_ENCODING_INVALID',
        file,
        `bagit.txt 第 2 行应为“Tag-File-Character-Encoding: UTF-8”，实际为“${encodingLine}”`,
        `Line 2 of bagit.txt must be "Tag-File-Character-Encoding: UTF-8"; it is "${encodingLine}"`,
      );
      return;
    }
    if (/^utf-?8$/i.test(encoding)) return;
    if (iconv.encodingExists(encoding)) {
      this.encoding = encoding;
      this.found.warn('BAG_ENCODING_NOT_UTF8', file, `标签文件使用 ${encoding} 编码，建议使用 UTF-8`, `Tag files are in ${encoding}; UTF-8 is recommended`);
    } else {
      this.found.error('BAG_ENCODING_UNKNOWN', file, `无法识别标签文件编码“${encoding}”，已按 UTF-8 读取`, `Unknown tag file encoding "${encoding}"; read as UTF-8`);
    }
  }

  private async readManifests(): Promise<Manifest[]> {
    const manifests: Manifest[] = [];
    const names = [...this.files.keys()].filter((p) => MANIFEST.test(p) || TAG_MANIFEST.test(p)).sort();
    if (!names.some((n) => MANIFEST.test(n))) {
      this.found.error('BAG_MANIFEST_MISSING', undefined, '缺少载荷清单 manifest-<算法>.txt', 'No payload manifest manifest-<algorithm>.txt');
    }
    for (const file of names) {
      const kind = MANIFEST.test(file) ? 'payload' : 'tag';
      const algorithm = (MANIFEST.exec(file) ?? TAG_MANIFEST.exec(file))![1]!;
      if (!isBagAlgorithm(algorithm)) {
        this.found.error(
          'BAG_ALGORITHM_UNSUPPORTED',
          file,
          `不支持清单“${file}”的算法“${algorithm}”，其中的校验值无法核对`,
          `Algorithm "${algorithm}" of "${file}" is not supported; its checksums cannot be verified`,
        );
        continue;
      }
      manifests.push({ file, algorithm, kind, entries: await this.readManifest(file, algorithm, kind) });
    }
    const payload = manifests.filter((m) => m.kind === 'payload');
    if (payload.length && payload.every((m) => BAG_ALGORITHMS[m.algorithm].weak)) {
      this.found.warn(
        'BAG_ALGORITHM_WEAK',
        payload[0]!.file,
        `载荷清单只使用 ${payload.map((m) => m.algorithm).join('、')}，已不足以防篡改，建议使用 SHA-256、SHA-512 或 SM3`,
        `The payload manifests use only ${payload.map((m) => m.algorithm).join(', ')}, no longer safe against tampering; use SHA-256, SHA-512 or SM3`,
      );
    }
    return manifests;
  }

  private async readManifest(file: string, algorithm: BagAlgorithm, kind: 'payload' | 'tag'): Promise<Manifest['entries']> {
    const entries: Manifest['entries'] = new Map();
    const text = await this.readTagFile(file);
    if (text === null) return entries;
    const { lines, malformed } = parseManifest(text);
    for (const n of malformed) {
      this.found.error(
        'BAG_MANIFEST_LINE_INVALID',
        file,
        `“${file}”${lineRef(n).zh}不是“校验值 路径”的格式`,
        `${lineRef(n).en} of "${file}" is not "checksum path"`,
      );
    }
    for (const line of lines) {
      const where = lineRef(line.lineNo);
      const { hexLength } = BAG_ALGORITHMS[algorithm];
      if (line.digest.length !== hexLength) {
        this.found.error(
          'BAG_MANIFEST_LINE_INVALID',
          file,
          `“${file}”${where.zh}的校验值长度为 ${line.digest.length}，${algorithm} 应为 ${hexLength} 个十六进制字符`,
          `The checksum on ${where.en} of "${file}" has ${line.digest.length} hex digits; ${algorithm} has ${hexLength}`,
        );
        continue;
      }
      const path = this.manifestPath(file, line.lineNo, line.rawPath);
      if (path === null) continue;
      if (kind === 'payload' && !path.startsWith('data/')) {
        this.found.error(
          'BAG_MANIFEST_PATH_NOT_PAYLOAD',
          path,
          `载荷清单“${file}”${where.zh}列出了 data/ 之外的文件“${path}”`,
          `Payload manifest "${file}" lists "${path}", outside data/, on ${where.en}`,
        );
        continue;
      }
      if (kind === 'tag' && path.startsWith('data/')) {
        this.found.error('BAG_TAGMANIFEST_LISTS_PAYLOAD', path, `标签清单“${file}”不得列出载荷文件“${path}”`, `Tag manifest "${file}" must not list payload file "${path}"`);
        continue;
      }
      if (kind === 'tag' && TAG_MANIFEST.test(path)) {
        this.found.error('BAG_TAGMANIFEST_LISTS_TAGMANIFEST', path, `标签清单“${file}”不得列出标签清单“${path}”`, `Tag manifest "${file}" must not list tag manifest "${path}"`);
        continue;
      }
      if (entries.has(path)) {
        this.found.error(
          'BAG_MANIFEST_DUPLICATE_PATH',
          path,
          `“${file}”重复列出“${path}”（第 ${entries.get(path)!.lineNo} 行和第 ${line.lineNo} 行）`,
          `"${file}" lists "${path}" twice (lines ${entries.get(path)!.lineNo} and ${line.lineNo})`,
        );
        continue;
      }
      entries.set(path, { digest: line.digest, lineNo: line.lineNo });
    }
    return entries;
  }

  /**
   * Decodes and checks one path from a manifest or fetch.txt; null when it cannot be used.
   * Control characters (CR and LF percent-encoded, tabs as they are) are legal in bag paths, so
   * they are masked before the shared rules, which would otherwise stop at them.
   */
  private manifestPath(file: string, lineNo: number, rawPath: string): string | null {
    const where = lineRef(lineNo);
    const path = decodeManifestPath(rawPath);
    if (path === null) {
      this.found.error(
        'BAG_PATH_PERCENT_ENCODING',
        file,
        `“${file}”${where.zh}的路径“${rawPath}”含有无效的百分号编码：只允许 %0A、%0D、%25，其余“%”须写作 %25`,
        `The path "${rawPath}" on ${where.en} of "${file}" is badly percent-encoded: only %0A, %0D and %25 are allowed, and a literal "%" must be written %25`,
      );
      return null;
    }
    const problem = pathProblem(path.replace(/[\u0001-\u001f\u007f]/g, '_'));
    if (problem === 'escape' || problem === 'absolute') {
      this.found.error(
        'BAG_PATH_OUTSIDE_BAG',
        file,
        `“${file}”${where.zh}的路径“${path}”指向包之外（绝对路径或含“..”），已忽略该行`,
        `The path "${path}" on ${where.en} of "${file}" points outside the bag (absolute or with ".."); the line was ignored`,
      );
      return null;
    }
    if (problem === 'nul' || problem === 'empty' || problem === 'empty-segment' || problem === 'dot-segment') {
      this.found.error('BAG_PATH_INVALID', file, `“${file}”${where.zh}的路径“${path}”无效`, `The path "${path}" on ${where.en} of "${file}" is invalid`);
      return null;
    }
    if (problem === 'backslash') {
      this.found.warn(
        'BAG_PATH_BACKSLASH',
        path,
        `“${file}”${where.zh}的路径含反斜杠“\\”；BagIt 只用“/”分隔路径，此处按文件名中的字符处理`,
        `The path on ${where.en} of "${file}" contains a backslash; BagIt separates paths with "/" only, so it is read as part of a name`,
      );
    }
    return path;
  }

  /** fetch.txt (RFC 8493 §2.2.3): files to be fetched make the bag incomplete until present. Nothing is downloaded. */
  private async checkFetch(payloadManifests: Manifest[]): Promise<Map<string, FetchLine>> {
    const pending = new Map<string, FetchLine>();
    const file = 'fetch.txt';
    if (!this.files.has(file)) return pending;
    const text = await this.readTagFile(file);
    if (text === null) return pending;
    const { lines, malformed } = parseFetch(text);
    for (const n of malformed) {
      this.found.error('BAG_FETCH_LINE_INVALID', file, `fetch.txt ${lineRef(n).zh}不是“URL 长度 路径”的格式`, `${lineRef(n).en} of fetch.txt is not "url length path"`);
    }
    for (const line of lines) {
      const path = this.manifestPath(file, line.lineNo, line.rawPath);
      if (path === null) continue;
      if (!path.startsWith('data/')) {
        this.found.error('BAG_FETCH_PATH_NOT_PAYLOAD', path, `fetch.txt 只能列出 data/ 下的载荷文件，不能列出“${path}”`, `fetch.txt may list only payload files under data/, not "${path}"`);
        continue;
      }
      const unlisted = payloadManifests.filter((m) => !m.entries.has(path)).map((m) => m.file);
      if (unlisted.length) {
        this.found.error(
          'BAG_FETCH_NOT_IN_MANIFEST',
          path,
          `fetch.txt 列出的“${path}”未列入载荷清单 ${unlisted.join('、')}`,
          `"${path}" in fetch.txt is not listed in payload manifest ${unlisted.join(', ')}`,
        );
      }
      const here = this.locate(path);
      if (here.kind === 'file') {
        if (line.length !== null && line.length !== here.size) {
          this.found.error(
            'BAG_FETCH_LENGTH_MISMATCH',
            path,
            `“${path}”大小为 ${here.size} 字节，fetch.txt 声明为 ${line.length} 字节`,
            `"${path}" has ${here.size} bytes; fetch.txt declares ${line.length}`,
          );
        }
        continue;
      }
      pending.set(path, line);
      const size = line.length === null ? '' : `（${line.length} 字节）`;
      this.found.error(
        'BAG_FETCH_PENDING',
        path,
        `包不完整：“${path}”应从 ${line.url}${size}获取，但不在包中。兰台不会自动下载，请由移交方补齐后重新移交`,
        `Incomplete bag: "${path}" is to be fetched from ${line.url}${line.length === null ? '' : ` (${line.length} bytes)`} but is not in the bag. Lantai does not download; ask the sender for a complete bag`,
      );
    }
    return pending;
  }

  /** RFC 8493 §3: every payload file in every payload manifest, every listed file present. */
  private checkPayload(manifests: Manifest[], payload: TreeEntry[], pending: Map<string, FetchLine>, checks: Map<string, DigestCheck[]>): void {
    const listedBy = new Map<string, Set<string>>();
    const missing = new Map<string, string[]>();
    for (const m of manifests) {
      for (const [path, entry] of m.entries) {
        const here = this.locate(path);
        if (here.kind === 'directory') {
          this.found.error('BAG_MANIFEST_LISTS_DIRECTORY', path, `“${m.file}”列出的“${path}”是目录，清单只能列出文件`, `"${m.file}" lists "${path}", which is a directory; manifests list files only`);
        } else if (here.kind === 'missing') {
          if (!pending.has(path)) missing.set(path, [...(missing.get(path) ?? []), m.file]);
        } else {
          listedBy.set(here.path, (listedBy.get(here.path) ?? new Set()).add(m.file));
          addCheck(checks, here.path, { algorithm: m.algorithm, expected: entry.digest, manifest: m.file, kind: 'payload' });
        }
      }
    }
    for (const [path, by] of missing) {
      this.found.error('BAG_FILE_MISSING', path, `${by.join('、')} 列出的“${path}”不在包中`, `"${path}", listed in ${by.join(', ')}, is not in the bag`);
    }
    for (const f of payload) {
      const absent = manifests.filter((m) => !listedBy.get(f.path)?.has(m.file)).map((m) => m.file);
      if (absent.length) {
        this.found.error(
          'BAG_PAYLOAD_NOT_IN_MANIFEST',
          f.path,
          `载荷文件“${f.path}”未列入 ${absent.join('、')}`,
          `Payload file "${f.path}" is not listed in ${absent.join(', ')}`,
        );
      }
    }
  }

  /** RFC 8493 §2.2.1: each tag manifest lists every payload manifest and should list the other tag files. */
  private checkTagManifests(manifests: Manifest[], checks: Map<string, DigestCheck[]>): void {
    const payloadManifests = manifests.filter((m) => m.kind === 'payload').map((m) => m.file);
    const otherTagFiles = [...this.files.keys()].filter((p) => !p.startsWith('data/') && !MANIFEST.test(p) && !TAG_MANIFEST.test(p)).sort();
    for (const m of manifests.filter((t) => t.kind === 'tag')) {
      for (const [path, entry] of m.entries) {
        const here = this.locate(path);
        if (here.kind === 'directory') {
          this.found.error('BAG_MANIFEST_LISTS_DIRECTORY', path, `“${m.file}”列出的“${path}”是目录，清单只能列出文件`, `"${m.file}" lists "${path}", which is a directory; manifests list files only`);
        } else if (here.kind === 'missing') {
          this.found.error('BAG_FILE_MISSING', path, `${m.file} 列出的“${path}”不在包中`, `"${path}", listed in ${m.file}, is not in the bag`);
        } else {
          addCheck(checks, here.path, { algorithm: m.algorithm, expected: entry.digest, manifest: m.file, kind: 'tag' });
        }
      }
      const unlisted = payloadManifests.filter((p) => !m.entries.has(p));
      if (unlisted.length) {
        this.found.error(
          'BAG_TAGMANIFEST_INCOMPLETE',
          m.file,
          `标签清单“${m.file}”必须列出每个载荷清单，缺少 ${unlisted.join('、')}`,
          `Tag manifest "${m.file}" must list every payload manifest; it lacks ${unlisted.join(', ')}`,
        );
      }
      const omitted = otherTagFiles.filter((p) => !m.entries.has(p));
      if (omitted.length) {
        this.found.warn(
          'BAG_TAGMANIFEST_OMITS_TAG_FILE',
          m.file,
          `标签清单“${m.file}”未列出标签文件 ${omitted.join('、')}，这些文件未受校验保护`,
          `Tag manifest "${m.file}" does not list tag file ${omitted.join(', ')}, which is therefore unprotected`,
        );
      }
    }
  }

  /** Every file is read once, feeding all the algorithms that list it. */
  private async verifyDigests(checks: Map<string, DigestCheck[]>): Promise<void> {
    const jobs = [...checks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const results: Array<Map<BagAlgorithm, string>> = new Array(jobs.length);
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const i = next++;
        const [path, list] = jobs[i]!;
        results[i] = await digestFile(join(this.root, path), [...new Set(list.map((c) => c.algorithm))]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, jobs.length) }, worker));
    jobs.forEach(([path, list], i) => {
      for (const c of list) {
        const actual = results[i]!.get(c.algorithm)!;
        if (actual === c.expected) continue;
        const [code, zh, en] =
          c.kind === 'payload' ? (['BAG_PAYLOAD_DIGEST_MISMATCH', '载荷文件', 'payload file'] as const) : (['BAG_TAG_DIGEST_MISMATCH', '标签文件', 'tag file'] as const);
        this.found.error(
          code,
          path,
          `${zh}“${path}”的 ${c.algorithm} 校验值与 ${c.manifest} 不符（清单 ${c.expected}，实际 ${actual}），文件已被改动或损坏`,
          `The ${c.algorithm} of ${en} "${path}" does not match ${c.manifest} (listed ${c.expected}, actual ${actual}); the file was changed or damaged`,
        );
      }
    });
  }

  /** bag-info.txt (RFC 8493 §2.2.2) and its Payload-Oxum, `octets.streams` of the whole payload. */
  private async checkBagInfo(payload: TreeEntry[], pending: Map<string, FetchLine>): Promise<Array<[string, string]>> {
    const file = 'bag-info.txt';
    if (!this.files.has(file)) return [];
    const text = await this.readTagFile(file);
    if (text === null) return [];
    const { info, malformed } = parseBagInfo(text);
    for (const n of malformed) {
      this.found.error('BAG_INFO_LINE_INVALID', file, `bag-info.txt ${lineRef(n).zh}不是“标签: 值”的格式，也不是以空白开头的续行`, `${lineRef(n).en} of bag-info.txt is neither "Label: value" nor a continuation line starting with whitespace`);
    }
    const counts = new Map<string, number>();
    for (const [label] of info) counts.set(label.toLowerCase(), (counts.get(label.toLowerCase()) ?? 0) + 1);
    for (const [label, n] of counts) {
      if (n > 1 && SINGLE_VALUED.has(label)) {
        this.found.warn('BAG_INFO_REPEATED', file, `bag-info.txt 中“${label}”出现了 ${n} 次，应只出现一次`, `"${label}" appears ${n} times in bag-info.txt; it should appear once`);
      }
    }

    const fetchLengths = [...pending.values()].map((l) => l.length);
    // With files still to fetch, Payload-Oxum describes the complete payload: add their declared sizes when all are known.
    if (fetchLengths.includes(null)) return info;
    const octets = payload.reduce((sum, f) => sum + f.size, 0) + fetchLengths.reduce<number>((sum, n) => sum + n!, 0);
    const streams = payload.length + fetchLengths.length;
    for (const [label, value] of info) {
      if (label.toLowerCase() !== 'payload-oxum') continue;
      const m = /^(\d+)\.(\d+)$/.exec(value);
      if (!m) {
        this.found.error('BAG_OXUM_INVALID', file, `Payload-Oxum“${value}”不是“字节数.文件数”的格式`, `Payload-Oxum "${value}" is not "octets.streams"`);
      } else if (Number(m[1]) !== octets || Number(m[2]) !== streams) {
        this.found.error(
          'BAG_OXUM_MISMATCH',
          file,
          `Payload-Oxum 声明 ${m[1]} 字节、${m[2]} 个文件，载荷实际为 ${octets} 字节、${streams} 个文件`,
          `Payload-Oxum declares ${m[1]} bytes in ${m[2]} files; the payload has ${octets} bytes in ${streams} files`,
        );
      }
    }
    return info;
  }

  /** Payload names that would overwrite each other when the bag is copied to Windows or macOS. */
  private checkCollisions(): void {
    const payload = [...this.files.values(), ...[...this.dirs].map((path) => ({ path, type: 'directory' as const }))].filter((e) => e.path.startsWith('data/'));
    for (const c of findPathCollisions(payload)) {
      if (c.kind === 'normalization') {
        this.found.warn(
          'BAG_PATH_NORMALIZATION_CONFLICT',
          c.second,
          `“${c.first}”与“${c.second}”仅 Unicode 规范化形式不同（看起来一样），复制到 macOS 等系统时会互相覆盖`,
          `"${c.first}" and "${c.second}" differ only in Unicode normalisation (they look identical) and would overwrite each other on macOS and others`,
        );
      } else {
        this.found.warn(
          'BAG_PATH_CASE_CONFLICT',
          c.second,
          `“${c.first}”与“${c.second}”仅大小写不同，复制到 Windows 或 macOS 时会互相覆盖`,
          `"${c.first}" and "${c.second}" differ only in letter case and would overwrite each other on Windows or macOS`,
        );
      }
    }
  }
}

function addCheck(checks: Map<string, DigestCheck[]>, path: string, check: DigestCheck): void {
  checks.set(path, [...(checks.get(path) ?? []), check]);
}

const bagNotFound = (path: string) =>
  new AppError(404, 'BAG_NOT_FOUND', `找不到 BagIt 包“${path}”（应为目录或 zip 文件）`, `Bag "${path}" not found (expected a directory or a zip file)`, { path });

/** A zipped bag holds one top-level directory, the bag (RFC 8493 §4). */
async function validateZip(zipPath: string, opts: ValidateBagOptions): Promise<BagValidation> {
  const work = await mkdtemp(join(opts.workDir ?? tmpdir(), 'lantai-bag-'));
  try {
    const unpacked = join(work, 'bag');
    const outer = new FindingList();
    try {
      await unpackZip(zipPath, unpacked, opts.limits ?? DEFAULT_UNPACK_LIMITS);
    } catch (e) {
      if (!(e instanceof UnpackError) || e.status !== 422) throw e;
      outer.refused(e);
      return { valid: false, errors: outer.errors, warnings: [], payloadFiles: 0, payloadBytes: 0, algorithms: [], info: [] };
    }
    let top = await readdir(unpacked);
    if (top.includes('__MACOSX')) {
      outer.warn('BAG_ZIP_MACOS_METADATA', '__MACOSX', '已忽略 macOS 压缩时附带的 __MACOSX 目录', 'Ignored the __MACOSX folder that macOS adds when zipping');
      top = top.filter((n) => n !== '__MACOSX');
    }
    const dir = top.length === 1 ? join(unpacked, top[0]!) : null;
    let bagRoot: string;
    if (dir && (await stat(dir)).isDirectory()) {
      bagRoot = dir;
      const expected = basename(zipPath, extname(zipPath));
      if (top[0] !== expected) {
        outer.warn(
          'BAG_ZIP_NAME_MISMATCH',
          top[0],
          `压缩包名“${basename(zipPath)}”与其中的包目录名“${top[0]}”不一致`,
          `The zip "${basename(zipPath)}" is named differently from the bag directory "${top[0]}" inside it`,
        );
      }
    } else if (top.includes('bagit.txt')) {
      bagRoot = unpacked;
      outer.error(
        'BAG_ZIP_LAYOUT',
        undefined,
        '压缩包顶层直接是包的内容：应把整个包目录压缩进去，而不是在包目录内压缩',
        'The zip holds the bag contents at its top level: zip the bag directory itself, not from inside it',
      );
    } else {
      outer.error(
        'BAG_ZIP_LAYOUT',
        undefined,
        `压缩包顶层应恰好有一个包目录，实际有 ${top.length} 项`,
        `The zip must hold exactly one bag directory at its top level; it has ${top.length} entries`,
      );
      return { valid: false, errors: outer.errors, warnings: outer.warnings, payloadFiles: 0, payloadBytes: 0, algorithms: [], info: [] };
    }
    const inner = await new BagCheck(bagRoot).run();
    const errors = [...outer.errors, ...inner.errors];
    return { ...inner, valid: errors.length === 0, errors, warnings: [...outer.warnings, ...inner.warnings] };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Checks a bag against RFC 8493, given as a directory or as a zip holding one bag directory
 * (unpacked safely into a temporary directory that is removed afterwards). Every problem is
 * reported: errors make the bag invalid, warnings do not. Throws AppError BAG_NOT_FOUND (404)
 * when there is nothing at `pathOrZip`; file system errors while reading pass through.
 */
export async function validateBag(pathOrZip: string, opts: ValidateBagOptions = {}): Promise<BagValidation> {
  const path = resolve(pathOrZip);
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) return new BagCheck(path).run();
  if (info?.isFile()) return validateZip(path, opts);
  throw bagNotFound(path);
}
