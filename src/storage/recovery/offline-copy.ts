/**
 * Offline copies (在线两套、离线一套): the OCFL objects of chosen fonds exported from the primary
 * storage location into `<dir>/ocfl/`, a complete OCFL storage root of its own, with manifests a standard
 * tool verifies years later without Lantai (`sha256sum -c`) and a README saying how.
 *
 * Nothing from the source is trusted blindly: every inventory must match its sidecar, every content
 * file must hash to its manifest digest as it is copied, and the finished root is validated in full
 * before it gets its final name. An object that fails is left out whole and reported.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppContext } from '../../platform/context.js';
import { AppError, conflict } from '../../platform/errors.js';
import { VERSION } from '../../platform/paths.js';
import { MultiHash } from '../digests.js';
import { INVENTORY, INVENTORY_SIDECAR, parseInventory, parseSidecar, type OcflInventory } from '../ocfl/inventory.js';
import {
  LAYOUT_CONFIG,
  LAYOUT_CONFIG_FILE,
  LAYOUT_FILE,
  LAYOUT_JSON,
  OBJECT_NAMASTE,
  OBJECT_NAMASTE_TEXT,
  objectPath,
  ROOT_NAMASTE,
  ROOT_NAMASTE_TEXT,
  SM3_EXTENSION_FILE,
  SM3_EXTENSION_TEXT,
} from '../ocfl/layout.js';
import { joinKey } from '../object-store.js';
import { LANTAI_METADATA_PATHS, type OcflRepository } from '../ocfl/repository.js';
import { validateStorageRoot } from '../ocfl/validate.js';
import { primaryLocation } from '../preservation/locations.js';
import { ITEM_OBJECT_ID } from './rebuild.js';

export const OFFLINE_ROOT = 'ocfl';
export const MANIFEST_SHA256 = 'manifest-sha256.txt';
export const MANIFEST_SM3 = 'manifest-sm3.txt';
export const OFFLINE_README = 'README.txt';
/** Where the root is assembled; renamed to OFFLINE_ROOT only once it validates, so a crash never leaves a copy that looks complete. */
const PARTIAL_ROOT = `${OFFLINE_ROOT}.partial`;

export interface OfflineCopyProblem {
  objectId: string;
  message: string;
  message_en: string;
}

export interface OfflineCopyReport {
  target: string;
  fonds: Record<string, number>;
  objects: number;
  files: number;
  bytes: number;
  problems: OfflineCopyProblem[];
}

export interface OfflineCopyOptions {
  /** Fonds codes (全宗号) whose item objects are copied. */
  fonds: string[];
  /** An empty or missing directory. */
  target: string;
  onProgress?: (p: { done: number; total: number }) => void;
}

class CopyFailure extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

interface Written {
  /** Relative to the target directory, '/'-separated. */
  path: string;
  sha256: string;
  sm3: string;
  size: number;
}

/** Writes a file that did not exist, fsynced, hashing what is written; fails when `sha512` is given and differs. */
async function writeFileVerified(abs: string, body: Buffer | Readable, sha512?: string, shown = abs): Promise<{ sha256: string; sm3: string; size: number }> {
  await mkdir(dirname(abs), { recursive: true });
  const hash = new MultiHash(['sha512', 'sha256', 'sm3'] as const);
  const fh = await open(abs, 'wx', 0o444);
  try {
    for await (const chunk of Buffer.isBuffer(body) ? [body] : body) {
      hash.update(chunk as Uint8Array);
      await fh.write(chunk as Uint8Array);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  const d = hash.digest();
  if (sha512 !== undefined && d.sha512 !== sha512.toLowerCase()) {
    throw new CopyFailure(`源文件 ${shown} 的 SHA-512 与清单不符`, `digest mismatch: the source bytes of ${shown} do not match the inventory's SHA-512`);
  }
  return { sha256: d.sha256, sm3: d.sm3, size: d.size };
}

async function fsyncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `sha256sum` line format; a name with a backslash or newline is escaped as GNU coreutils expects, flagged by a leading backslash. */
export function manifestLine(hex: string, path: string): string {
  if (!/[\\\n]/.test(path)) return `${hex}  ${path}\n`;
  return `\\${hex}  ${path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
}

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function assertEmptyTarget(target: string): Promise<void> {
  const s = await stat(target).catch(() => null);
  if (!s) return;
  if (!s.isDirectory() || (await readdir(target)).length > 0) {
    throw conflict('OFFLINE_COPY_TARGET_NOT_EMPTY', `目标目录“${target}”不是空目录；离线副本只写入空目录或新目录`, `The target "${target}" is not an empty directory; an offline copy only goes into an empty or new directory`, { target });
  }
}

/**
 * Object id → fonds code of the item objects of `fonds` as the preservation records know them, or
 * null when nothing is recorded (a catalogue restored without them, say) and storage must be walked.
 */
async function recordedObjects(ctx: AppContext, fonds: string[]): Promise<Map<string, string> | null> {
  const db = ctx.database.db;
  if (!(await db.selectFrom('preservation_objects').select('item_id').limit(1).executeTakeFirst())) return null;
  const rows = await db.selectFrom('preservation_objects as p').innerJoin('items as i', 'i.id', 'p.item_id').innerJoin('fonds as f', 'f.id', 'i.fonds_id')
    .select(['p.object_id', 'f.code']).where('f.code', 'in', fonds).execute();
  return new Map(rows.map((r) => [r.object_id, r.code]));
}

/** Object id → fonds code of the item objects whose metadata names one of `fonds`, by walking the storage root. */
async function walkedObjects(source: OcflRepository, fonds: Set<string>, problems: OfflineCopyProblem[]): Promise<Map<string, string>> {
  const selected = new Map<string, string>();
  for await (const id of source.listObjects()) {
    if (!ITEM_OBJECT_ID.test(id)) continue;
    let code: unknown;
    try {
      code = (JSON.parse((await source.readFile(id, LANTAI_METADATA_PATHS.json)).toString('utf8')) as { fonds?: { code?: unknown } }).fonds?.code;
    } catch (e) {
      const why = e instanceof AppError ? { zh: e.message, en: e.message_en } : { zh: (e as Error).message, en: (e as Error).message };
      problems.push({ objectId: id, message: `无法读取元数据，不能判断其所属全宗：${why.zh}`, message_en: `cannot read its metadata to tell its fonds: ${why.en}` });
      continue;
    }
    if (typeof code === 'string' && fonds.has(code)) selected.set(id, code);
  }
  return selected;
}

/** Copies one object's committed files into `root`, each verified; returns what was written. */
async function copyObject(source: OcflRepository, id: string, root: string): Promise<Written[]> {
  const srcRoot = source.objectRoot(id);
  const rel = objectPath(id);
  const get = (name: string) => source.store.get(joinKey(srcRoot, name));
  const written: Written[] = [];
  const put = async (name: string, body: Buffer | Readable, digest?: string) => {
    const d = await writeFileVerified(join(root, rel, name), body, digest, name);
    written.push({ path: `${OFFLINE_ROOT}/${rel}/${name}`, ...d });
  };
  const inventoryPair = async (dir: string): Promise<[Buffer, Buffer]> => {
    const bytes = await get(joinKey(dir, INVENTORY));
    const sidecar = await get(joinKey(dir, INVENTORY_SIDECAR));
    if (parseSidecar(sidecar) !== sha512(bytes)) {
      throw new CopyFailure(`${dir || '根'} 的 inventory.json 与其摘要文件不符`, `${dir || 'root'} inventory.json does not match its sidecar`);
    }
    return [bytes, sidecar];
  };

  const [rootInventory, rootSidecar] = await inventoryPair('');
  const inventory: OcflInventory = parseInventory(rootInventory, srcRoot);
  if (inventory.id !== id) throw new CopyFailure(`对象根中的标识为 ${inventory.id}`, `the object root holds id ${inventory.id}`);
  if ((await get(OBJECT_NAMASTE)).toString('utf8') !== OBJECT_NAMASTE_TEXT) throw new CopyFailure(`${OBJECT_NAMASTE} 内容有误`, `${OBJECT_NAMASTE} has unexpected content`);
  await put(OBJECT_NAMASTE, Buffer.from(OBJECT_NAMASTE_TEXT));
  for (const v of Object.keys(inventory.versions)) {
    const [bytes, sidecar] = await inventoryPair(v);
    await put(`${v}/${INVENTORY}`, bytes);
    await put(`${v}/${INVENTORY_SIDECAR}`, sidecar);
  }
  for (const [digest, paths] of Object.entries(inventory.manifest)) {
    for (const p of paths) await put(p, await source.store.stream(joinKey(srcRoot, p)), digest);
  }
  await put(INVENTORY, rootInventory);
  await put(INVENTORY_SIDECAR, rootSidecar);
  return written;
}

/** Removes an object that failed half-way, and the layout directories it leaves empty (OCFL forbids them, E073). */
async function removeObject(root: string, id: string): Promise<void> {
  let dir = join(root, objectPath(id));
  await rm(dir, { recursive: true, force: true });
  for (dir = dirname(dir); dir !== root; dir = dirname(dir)) {
    if ((await readdir(dir).catch(() => ['?'])).length > 0) return;
    await rmdir(dir);
  }
}

function readme(report: OfflineCopyReport, at: string): string {
  const missing = report.problems.length === 0 ? '' : [
    '',
    '本副本不完整：以下对象未能复制。/ This copy is incomplete: these objects could not be copied.',
    ...report.problems.map((p) => `  ${p.objectId}: ${p.message} / ${p.message_en}`),
    '',
  ].join('\n');
  const fonds = Object.entries(report.fonds).map(([code, n]) => `${code}（${n}）`).join('、');
  const fondsEn = Object.entries(report.fonds).map(([code, n]) => `${code} (${n})`).join(', ');
  return `兰台离线保存副本 / Lantai offline preservation copy
================================================

本目录是兰台数字档案馆系统制作的离线保存副本（“在线两套、离线一套”中的离线一套）。
全宗（对象数）：${fonds}；共 ${report.objects} 个保存对象、${report.files} 个文件、${report.bytes} 字节；
制作时间 ${at}（UTC），兰台 ${VERSION}。

${OFFLINE_ROOT}/ 是一个 OCFL 1.1 存储根：每个对象是一件档案的全部电子文件及其著录元数据
（${LANTAI_METADATA_PATHS.json}），可用 \`lantai rebuild --from-storage ${OFFLINE_ROOT}\` 据此重建目录数据库。
${MANIFEST_SHA256} 与 ${MANIFEST_SM3} 列出 ${OFFLINE_ROOT}/ 下每个文件的 SHA-256 与 SM3 摘要。

在本目录中运行以下两条命令校验本副本：
  sha256sum -c ${MANIFEST_SHA256}
  lantai ocfl validate ${OFFLINE_ROOT}
前者只需任何 Linux 系统自带的工具；后者按 OCFL 1.1 规范校验全部对象。

This directory is an offline preservation copy made by the Lantai digital archive system
(the offline one of "two sets online, one set offline").
Fonds (objects): ${fondsEn}; ${report.objects} objects, ${report.files} files, ${report.bytes} bytes;
made at ${at} (UTC) by Lantai ${VERSION}.

${OFFLINE_ROOT}/ is an OCFL 1.1 storage root: each object holds one record's files and its descriptive
metadata (${LANTAI_METADATA_PATHS.json}), from which \`lantai rebuild --from-storage ${OFFLINE_ROOT}\` rebuilds
the catalogue database. ${MANIFEST_SHA256} and ${MANIFEST_SM3} list the SHA-256 and SM3 digest of every file
under ${OFFLINE_ROOT}/.

Verify this copy by running these two commands in this directory:
  sha256sum -c ${MANIFEST_SHA256}
  lantai ocfl validate ${OFFLINE_ROOT}
The first needs only the tools of any Linux system; the second checks every object against OCFL 1.1.
${missing}`;
}

/** A manifest written line by line as files are copied, so an export of any size holds none of it in memory. */
class ManifestWriter {
  private constructor(
    private readonly fh: Awaited<ReturnType<typeof open>>,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<ManifestWriter> {
    return new ManifestWriter(await open(`${path}.partial`, 'wx', 0o444), path);
  }

  async add(lines: string): Promise<void> {
    await this.fh.write(lines);
  }

  async finish(): Promise<void> {
    await this.fh.sync();
    await this.fh.close();
    await rename(`${this.path}.partial`, this.path);
  }

  /** Closes the file and leaves it under its partial name. */
  async abandon(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/**
 * Exports the item objects of `opts.fonds` from the primary storage location into `opts.target`.
 * Objects that fail verification are left out and listed in `problems` (and in the README); the
 * copy of the rest is complete and valid.
 */
export async function createOfflineCopy(ctx: AppContext, opts: OfflineCopyOptions): Promise<OfflineCopyReport> {
  const target = resolve(opts.target);
  await assertEmptyTarget(target);
  const source = await primaryLocation(ctx).repository();
  const problems: OfflineCopyProblem[] = [];
  const selected = (await recordedObjects(ctx, opts.fonds)) ?? (await walkedObjects(source, new Set(opts.fonds), problems));
  if (selected.size === 0) {
    throw new AppError(404, 'OFFLINE_COPY_NOTHING_SELECTED', `存储中没有全宗 ${opts.fonds.join('、')} 的保存对象`, `The storage holds no objects of fonds ${opts.fonds.join(', ')}`, { fonds: opts.fonds, problems });
  }
  for (const code of opts.fonds) {
    if (![...selected.values()].includes(code)) problems.push({ objectId: '-', message: `存储中没有全宗 ${code} 的保存对象`, message_en: `the storage holds no objects of fonds ${code}` });
  }

  const report: OfflineCopyReport = { target, fonds: Object.fromEntries(opts.fonds.map((f) => [f, 0])), objects: 0, files: 0, bytes: 0, problems };
  const partial = join(target, PARTIAL_ROOT);
  await mkdir(partial, { recursive: true });
  const sha256 = await ManifestWriter.open(join(target, MANIFEST_SHA256));
  const sm3 = await ManifestWriter.open(join(target, MANIFEST_SM3));
  const record = async (files: Written[]) => {
    await sha256.add(files.map((f) => manifestLine(f.sha256, f.path)).join(''));
    await sm3.add(files.map((f) => manifestLine(f.sm3, f.path)).join(''));
    report.files += files.length;
    report.bytes += files.reduce((n, f) => n + f.size, 0);
    // Directories too must reach the disk, or a power cut can lose files whose data was synced.
    const dirs = new Set<string>();
    for (const f of files) for (let d = dirname(join(partial, f.path.slice(OFFLINE_ROOT.length + 1))); d !== partial; d = dirname(d)) dirs.add(d);
    for (const d of dirs) await fsyncDir(d);
  };

  try {
    const fixed: Array<[string, string]> = [
      [LAYOUT_CONFIG_FILE, JSON.stringify(LAYOUT_CONFIG, null, 2) + '\n'],
      [LAYOUT_FILE, JSON.stringify(LAYOUT_JSON, null, 2) + '\n'],
      [SM3_EXTENSION_FILE, SM3_EXTENSION_TEXT],
      [ROOT_NAMASTE, ROOT_NAMASTE_TEXT],
    ];
    const rootFiles: Written[] = [];
    for (const [name, text] of fixed) rootFiles.push({ path: `${OFFLINE_ROOT}/${name}`, ...(await writeFileVerified(join(partial, name), Buffer.from(text))) });
    await record(rootFiles);

    let done = 0;
    for (const id of [...selected.keys()].sort(byBytes)) {
      try {
        await record(await copyObject(source, id, partial));
        report.objects++;
        report.fonds[selected.get(id)!]! += 1;
      } catch (e) {
        await removeObject(partial, id);
        const why = e instanceof CopyFailure ? { zh: e.zh, en: e.en } : e instanceof AppError ? { zh: e.message, en: e.message_en } : { zh: (e as Error).message, en: (e as Error).message };
        problems.push({ objectId: id, message: `未复制：${why.zh}`, message_en: `not copied: ${why.en}` });
      }
      opts.onProgress?.({ done: ++done, total: selected.size });
    }
    await fsyncDir(partial);

    const check = await validateStorageRoot(partial);
    if (!check.valid) {
      const findings = check.errors.slice(0, 20).map((f) => `${f.code} ${f.path}: ${f.message}`);
      throw new AppError(500, 'OFFLINE_COPY_INVALID', `离线副本校验未通过，保留在 ${partial} 供检查`, `The offline copy did not validate; it is left in ${partial} for inspection`, { findings });
    }
  } catch (e) {
    await sha256.abandon();
    await sm3.abandon();
    throw e;
  }
  await rename(partial, join(target, OFFLINE_ROOT));
  await sha256.finish();
  await sm3.finish();
  await writeFileVerified(join(target, OFFLINE_README), Buffer.from(readme(report, new Date().toISOString())));
  await fsyncDir(target);
  return report;
}
