import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { badRequest, conflict } from '../../platform/errors.js';
import { VERSION } from '../../platform/paths.js';
import { findPathCollisions, PATH_PROBLEM_TEXT, pathProblem } from '../unpack/paths.js';
import { type BagAlgorithm, digestBuffer, isBagAlgorithm } from './digest.js';
import { encodeManifestPath } from './tag-files.js';

/** Bagging-Date is a calendar date where the archive is: China. */
const shanghaiDate = (d: Date) => d.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

function checkInfo(info: Array<[string, string]>): void {
  for (const [label, value] of info) {
    if (label === '' || /[:\r\n]/.test(label) || label.trim() !== label) {
      throw badRequest('BAG_WRITE_INVALID_INFO', `bag-info 标签“${label}”无效：不得为空、含冒号或换行、或以空白开头结尾`, `Invalid bag-info label "${label}": it must not be empty, contain a colon or line break, or start or end with whitespace`);
    }
    if (/[\r\n]/.test(value)) {
      throw badRequest('BAG_WRITE_INVALID_INFO', `bag-info“${label}”的值不得含换行`, `The bag-info value of "${label}" must not contain a line break`);
    }
    if (label.toLowerCase() === 'payload-oxum') {
      throw badRequest('BAG_WRITE_INVALID_INFO', 'Payload-Oxum 由写包程序计算，不能指定', 'Payload-Oxum is computed by the writer and cannot be given');
    }
  }
}

/**
 * Refuses paths that are unsafe or that cannot all exist at once (the same path twice, a file
 * that is also another's directory). Names differing only in case are written: they are distinct
 * on the server, and the validator warns about them where they matter.
 */
function checkPayloadPaths(payload: Array<{ path: string }>): void {
  for (const { path } of payload) {
    // Line breaks are legal in bag paths (percent-encoded in manifests); the other rules hold.
    const problem = pathProblem(path.replace(/[\u0001-\u001f\u007f]/g, '_'));
    if (problem) {
      throw badRequest('BAG_WRITE_INVALID_PATH', `载荷路径“${path}”${PATH_PROBLEM_TEXT[problem].zh}`, `Payload path "${path}" ${PATH_PROBLEM_TEXT[problem].en}`, { path, problem });
    }
  }
  const clash = findPathCollisions(payload.map(({ path }) => ({ path, type: 'file' as const }))).find((c) => c.kind === 'exact' || c.kind === 'file-directory');
  if (clash) {
    throw badRequest('BAG_WRITE_INVALID_PATH', `载荷路径“${clash.second}”重复或与目录同名`, `Payload path "${clash.second}" appears twice or is also a directory`, { path: clash.second });
  }
}

const manifestBody = (entries: Array<[string, Buffer]>, algorithm: BagAlgorithm) =>
  entries.map(([path, body]) => `${digestBuffer(body, algorithm)}  ${encodeManifestPath(path)}\n`).join('');

/**
 * Writes a BagIt 1.0 bag at `dir` (which must not exist): `payload` paths are relative to data/,
 * `info` goes to bag-info.txt in order (Bagging-Date and Bag-Software-Agent are added when absent,
 * Payload-Oxum always), and each algorithm gets a payload manifest and a tag manifest covering
 * every other tag file. All or nothing: the bag is built in a hidden sibling directory and
 * renamed into place when complete.
 */
export async function writeBag(
  dir: string,
  payload: Array<{ path: string; body: Buffer }>,
  info: Array<[string, string]>,
  algorithms: BagAlgorithm[] = ['sha256', 'sm3'],
): Promise<void> {
  const target = resolve(dir);
  const unsupported = algorithms.find((a) => !isBagAlgorithm(a));
  if (unsupported !== undefined || algorithms.length === 0) {
    throw badRequest('BAG_ALGORITHM_UNSUPPORTED', `不支持的校验算法“${unsupported ?? ''}”`, `Unsupported checksum algorithm "${unsupported ?? ''}"`);
  }
  checkInfo(info);
  checkPayloadPaths(payload);
  if (await stat(target).then(() => true, () => false)) {
    throw conflict('BAG_TARGET_EXISTS', `目标目录“${target}”已存在`, `Target directory "${target}" already exists`, { path: target });
  }

  const files = payload
    .map(({ path, body }) => [`data/${path}`, body] as [string, Buffer])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const octets = files.reduce((sum, [, body]) => sum + body.length, 0);
  const has = (label: string) => info.some(([l]) => l.toLowerCase() === label.toLowerCase());
  const bagInfo: Array<[string, string]> = [
    ...info,
    ...(has('Bagging-Date') ? [] : [['Bagging-Date', shanghaiDate(new Date())] as [string, string]]),
    ...(has('Bag-Software-Agent') ? [] : [['Bag-Software-Agent', `Lantai ${VERSION}`] as [string, string]]),
    ['Payload-Oxum', `${octets}.${files.length}`],
  ];
  const tagFiles: Array<[string, Buffer]> = [
    ['bagit.txt', Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n')],
    ['bag-info.txt', Buffer.from(bagInfo.map(([l, v]) => `${l}: ${v}\n`).join(''))],
    ...algorithms.map((a) => [`manifest-${a}.txt`, Buffer.from(manifestBody(files, a))] as [string, Buffer]),
  ];
  const tagManifests = algorithms.map((a) => [`tagmanifest-${a}.txt`, Buffer.from(manifestBody(tagFiles, a))] as [string, Buffer]);

  const staging = join(dirname(target), `.${basename(target)}.writing-${randomUUID()}`);
  await mkdir(dirname(target), { recursive: true });
  try {
    for (const [path, body] of [...files, ...tagFiles, ...tagManifests]) {
      const dest = join(staging, path);
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, body, { flag: 'wx' });
    }
    await mkdir(join(staging, 'data'), { recursive: true });
    await rename(staging, target);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}
