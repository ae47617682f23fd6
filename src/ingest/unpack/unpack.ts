import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import iconv from 'iconv-lite';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../../platform/errors.js';
import {
  badPath,
  corrupt,
  duplicatePath,
  encrypted,
  notFound,
  overlapping,
  ratioExceeded,
  symlink,
  targetExists,
  tooLarge,
  tooManyEntries,
  undecodableName,
  unsupportedCompression,
} from './errors.js';
import type { UnpackLimits } from './limits.js';
import { decodeEntryName, type NameEncoding } from './names.js';
import { findPathCollisions, pathProblem } from './paths.js';

export interface UnpackedEntry {
  /** The name exactly as decoded (no Unicode normalisation), without a directory's trailing slash. */
  path: string;
  type: 'file' | 'directory';
  /** Bytes actually inflated, equal to the size the zip declares (a mismatch is refused). */
  size: number;
  compressedSize: number;
  /** CRC-32 (8 hex digits) computed over the inflated bytes and matched against the zip's; null for directories. */
  crc32: string | null;
  nameEncoding: NameEncoding;
}

export interface UnpackResult {
  /** Absolute path of the unpacked tree. */
  root: string;
  entries: UnpackedEntry[];
  files: number;
  directories: number;
  totalBytes: number;
}

interface PlannedEntry {
  entry: Entry;
  /** As shown to people: the decoded name, with a directory's trailing slash. */
  name: string;
  path: string;
  type: 'file' | 'directory';
  nameEncoding: NameEncoding;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** Local file header without name and extra field: the least a neighbouring entry must be apart. */
const LOCAL_HEADER_BYTES = 30;

/**
 * Unix tools keep the file mode in the high 16 bits of the external attributes. Other hosts leave
 * them zero, so reading them regardless of "version made by" refuses links from any tool.
 */
const isSymlink = (entry: Entry) => ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;

function planEntry(entry: Entry): PlannedEntry {
  const raw = entry.fileNameRaw;
  const decoded = decodeEntryName(raw, entry.generalPurposeBitFlag, entry.extraFields);
  if (!decoded) throw undecodableName(iconv.decode(raw, 'gb18030'), raw);
  const { name, encoding } = decoded;
  const type = name.endsWith('/') ? 'directory' : 'file';
  const path = type === 'directory' ? name.slice(0, -1) : name;
  const problem = pathProblem(path);
  if (problem) throw badPath(name, problem);
  if (isSymlink(entry)) throw symlink(name);
  if (entry.isEncrypted()) throw encrypted(name);
  if (type === 'file' && entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw unsupportedCompression(name, entry.compressionMethod);
  }
  return { entry, name, path, type, nameEncoding: encoding };
}

/** Everything that can be judged from the central directory, before a byte is inflated. */
function checkPlan(planned: PlannedEntry[], limits: UnpackLimits): void {
  const collision = findPathCollisions(planned)[0];
  if (collision) throw duplicatePath(collision);

  const files = planned.filter((p) => p.type === 'file');
  const declaredTotal = files.reduce((sum, p) => sum + p.entry.uncompressedSize, 0);
  if (declaredTotal > limits.maxTotalBytes) throw tooLarge('', declaredTotal, limits.maxTotalBytes, 'declared');
  for (const p of files) {
    const ratio = p.entry.uncompressedSize / Math.max(p.entry.compressedSize, 1);
    if (p.entry.uncompressedSize >= limits.ratioFloorBytes && ratio > limits.maxRatio) {
      throw ratioExceeded(p.name, ratio, limits.maxRatio, true);
    }
  }

  // Entries pointing into each other's data let a small file inflate many times over.
  const byOffset = [...planned].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const next = byOffset[i]!;
    const prevDataEnd = prev.entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + prev.entry.compressedSize;
    if (next.entry.relativeOffsetOfLocalHeader < prevDataEnd) throw overlapping(next.name, prev.name);
  }
}

async function readCentralDirectory(zip: ZipFile, limits: UnpackLimits): Promise<PlannedEntry[]> {
  if (zip.entryCount > limits.maxEntries) throw tooManyEntries(zip.entryCount, limits.maxEntries);
  const planned: PlannedEntry[] = [];
  try {
    for await (const entry of zip.eachEntry()) planned.push(planEntry(entry));
  } catch (e) {
    // yauzl refuses "strong encryption" before it reads the entry's name.
    if (!(e instanceof AppError) && /strong encryption/.test(String((e as Error).message))) {
      throw encrypted(`#${planned.length + 1}`);
    }
    throw e;
  }
  return planned;
}

/** Inflates one entry into `dest`, counting every byte as it arrives; returns the bytes written and their CRC. */
async function inflateEntry(
  zip: ZipFile,
  p: PlannedEntry,
  dest: string,
  totalBefore: number,
  limits: UnpackLimits,
): Promise<{ size: number; crc: number }> {
  const stream = await zip.openReadStreamPromise(p.entry);
  const file = await open(dest, 'wx');
  let size = 0;
  let crc = 0;
  const compressed = Math.max(p.entry.compressedSize, 1);
  try {
    // Throwing out of the loop destroys the stream, so inflating stops at the chunk that crossed a limit.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (totalBefore + size > limits.maxTotalBytes) throw tooLarge(p.name, totalBefore + size, limits.maxTotalBytes, 'inflated');
      if (size >= limits.ratioFloorBytes && size / compressed > limits.maxRatio) {
        throw ratioExceeded(p.name, size / compressed, limits.maxRatio, false);
      }
      crc = crc32(chunk, crc);
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  if (size !== p.entry.uncompressedSize) {
    throw corrupt(
      p.name,
      `实际解压出 ${size} 字节，与声明的 ${p.entry.uncompressedSize} 字节不符`,
      `inflated to ${size} bytes where ${p.entry.uncompressedSize} were declared`,
      { actual: size, declared: p.entry.uncompressedSize },
    );
  }
  if (crc !== p.entry.crc32) {
    throw corrupt(p.name, 'CRC-32 校验值不符，数据在传输或存储中已改变', 'its CRC-32 does not match; the data changed in transit or storage', {
      actual: hex(crc),
      declared: hex(p.entry.crc32),
    });
  }
  return { size, crc };
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/**
 * Errors that are the archive's fault (bad zip structure, broken deflate data) become
 * UNPACK_CORRUPT; file system errors (disk full, permissions) are the server's and pass through.
 */
function asUnpackError(e: unknown, entry: string | null): unknown {
  if (e instanceof AppError) return e;
  const err = e as NodeJS.ErrnoException;
  const fromZlib = typeof err.code === 'string' && err.code.startsWith('Z_');
  // yauzl reports malformed zips with plain Errors; TypeErrors and the like are our bugs.
  const fromYauzl = Object.getPrototypeOf(err) === Error.prototype && err.code === undefined;
  if (!fromZlib && !fromYauzl) return e;
  return corrupt(entry, `无法读取（${err.message}）`, `cannot be read (${err.message})`);
}

async function openZip(zipPath: string): Promise<ZipFile> {
  try {
    // Names stay raw so that we, not yauzl's CP437 default, decide the encoding and check the path.
    // Sizes are enforced here on the bytes actually inflated, which yauzl's own check would pre-empt.
    return await yauzl.openPromise(zipPath, { autoClose: false, decodeStrings: false, validateEntrySizes: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(zipPath);
    throw asUnpackError(e, null);
  }
}

/**
 * Unpacks `zipPath` into `targetDir`, all or nothing: entries are written to a hidden sibling
 * directory that is renamed to `targetDir` only after every entry passed; on any refusal or error
 * the sibling is removed and `targetDir` never appears. Refused: paths that would leave the
 * target, undecodable or unsafe names, symlinks, encrypted entries, names that collide on
 * case-insensitive or normalising filesystems, and archives that exceed `limits` — checked first
 * on the sizes the zip declares, then on the bytes actually inflated, aborting at the first chunk
 * that crosses a limit.
 *
 * No fsync: the unpacked tree is a working copy that can be made again from the received zip, and
 * the preservation store fsyncs what it keeps.
 */
export async function unpackZip(zipPath: string, targetDir: string, limits: UnpackLimits): Promise<UnpackResult> {
  const target = resolve(targetDir);
  if (await stat(target).then(() => true, () => false)) throw targetExists(target);
  const zip = await openZip(zipPath);
  let current: string | null = null;
  const staging = join(dirname(target), `.${basename(target)}.unpacking-${randomUUID()}`);
  let staged = false;
  try {
    const planned = await readCentralDirectory(zip, limits);
    checkPlan(planned, limits);

    await mkdir(dirname(target), { recursive: true });
    await mkdir(staging);
    staged = true;
    const entries: UnpackedEntry[] = [];
    let totalBytes = 0;
    for (const p of planned) {
      current = p.name;
      const dest = join(staging, p.path);
      const base = { path: p.path, type: p.type, compressedSize: p.entry.compressedSize, nameEncoding: p.nameEncoding };
      if (p.type === 'directory') {
        await mkdir(dest, { recursive: true });
        entries.push({ ...base, size: 0, crc32: null });
        continue;
      }
      await mkdir(dirname(dest), { recursive: true });
      const { size, crc } = await inflateEntry(zip, p, dest, totalBytes, limits);
      totalBytes += size;
      entries.push({ ...base, size, crc32: hex(crc) });
    }
    await rename(staging, target);
    staged = false;
    const files = entries.filter((e) => e.type === 'file').length;
    return { root: target, entries, files, directories: entries.length - files, totalBytes };
  } catch (e) {
    throw asUnpackError(e, current);
  } finally {
    zip.close();
    if (staged) await rm(staging, { recursive: true, force: true });
  }
}
