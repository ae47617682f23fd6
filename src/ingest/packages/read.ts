import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { AppError } from '../../platform/errors.js';
import { scanDirectory } from '../unpack/scan.js';
import { DEFAULT_UNPACK_LIMITS } from '../unpack/limits.js';
import { unpackZip } from '../unpack/unpack.js';
import { readBag } from './bagit.js';
import { looksLikeCarrier, readCarrier } from './carrier.js';
import { listFiles, type PackageFileEntry, packageRoot } from './common.js';
import { catalogueCandidates, readDigitization } from './digitization.js';
import { isEep, readEep } from './eep.js';
import type { PackageFormat, ReadPackageOptions, TransferPackage } from './model.js';

const notFound = (path: string) =>
  new AppError(404, 'PACKAGE_NOT_FOUND', `找不到移交包“${path}”（应为目录、zip 文件或 EEP 的 XML 文件）`, `Transfer package "${path}" not found (expected a directory, a zip file or an EEP XML file)`, { path });

const unknownFormat = (path: string) =>
  new AppError(
    422,
    'PACKAGE_FORMAT_UNKNOWN',
    `无法识别移交包“${path}”的格式：应为含说明文件/文件目录.xml 的载体包、含 bagit.txt 的 BagIt 包、DA/T 48 封装包（EEP）或含目录表格的数字化成果`,
    `Cannot tell the format of transfer package "${path}": expected a carrier (说明文件.txt, 文件目录.xml), a BagIt bag (bagit.txt), DA/T 48 EEPs or a digitization deliverable with a catalogue sheet`,
    { path },
  );

async function startsWith(path: string, bytes: number[]): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(bytes.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === bytes.length && bytes.every((b, i) => head[i] === b);
  } finally {
    await fh.close();
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

async function eepFilesOf(root: string, files: PackageFileEntry[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) if (extname(f.path).toLowerCase() === '.xml' && (await isEep(join(root, f.path)))) out.push(f.path);
  return out;
}

async function detectFormat(root: string, files: PackageFileEntry[]): Promise<PackageFormat | null> {
  if (files.some((f) => f.path === 'bagit.txt')) return 'bagit';
  if (looksLikeCarrier(files)) return 'carrier';
  if ((await eepFilesOf(root, files)).length > 0) return 'eep';
  if (catalogueCandidates(files).length > 0) return 'digitization';
  return null;
}

/**
 * Reads a transfer into the internal model. `pathOrZip` is a directory, a zip (unpacked safely
 * into a new directory under `workDir` first) or, for EEP, a single XML file. A single folder at
 * the top of the package is taken as the package itself. The format is detected unless given.
 *
 * EEP content is decoded into `<root>/eep-content/`. When the EEPs came in a zip, root is the
 * unpacked directory; when they came as a file or a directory, which must stay as received,
 * root is a new directory under `workDir` and the EEPs' keys are paths relative to the directory
 * they were read from.
 *
 * Throws the unpacker's refusals (unsafe or oversized zips, links, bad names) and
 * PACKAGE_NOT_FOUND / PACKAGE_FORMAT_UNKNOWN; every other problem is a finding.
 */
export async function readPackage(pathOrZip: string, opts: ReadPackageOptions): Promise<TransferPackage> {
  const input = resolve(pathOrZip);
  const limits = opts.limits ?? DEFAULT_UNPACK_LIMITS;
  const info = await stat(input).catch(() => null);
  if (!info || (!info.isFile() && !info.isDirectory())) throw notFound(input);
  await mkdir(opts.workDir, { recursive: true });

  if (info.isFile() && !(await startsWith(input, ZIP_MAGIC))) {
    if (opts.format !== undefined && opts.format !== 'eep') throw unknownFormat(input);
    if (!(await isEep(input))) throw unknownFormat(input);
    const root = await mkdtemp(join(opts.workDir, 'eep-'));
    return readEep({ source: dirname(input), eepFiles: [basename(input)], otherFiles: [], root });
  }

  let unpacked: string;
  if (info.isFile()) {
    unpacked = join(opts.workDir, `${basename(input, extname(input))}-${randomUUID().slice(0, 8)}`);
    await unpackZip(input, unpacked, limits);
  } else {
    await scanDirectory(input, limits);
    unpacked = input;
  }
  const root = await packageRoot(unpacked);
  const files = await listFiles(root);
  const format = opts.format ?? (await detectFormat(root, files));
  switch (format) {
    case 'carrier':
      return readCarrier(root, files);
    case 'bagit':
      return readBag(root, files);
    case 'digitization':
      return readDigitization(root, files);
    case 'eep': {
      const eepFiles = await eepFilesOf(root, files);
      const eepSet = new Set(eepFiles);
      const otherFiles = files.map((f) => f.path).filter((p) => !eepSet.has(p));
      const target = info.isFile() ? root : await mkdtemp(join(opts.workDir, 'eep-'));
      return readEep({ source: root, eepFiles, otherFiles, root: target });
    }
    case null:
      throw unknownFormat(input);
  }
}
