import iconv from 'iconv-lite';
import { AppError } from '../../platform/errors.js';
import { PATH_PROBLEM_TEXT, type PathCollision, type PathProblem } from './paths.js';

export type UnpackErrorCode =
  | 'UNPACK_NOT_FOUND'
  | 'UNPACK_TARGET_EXISTS'
  | 'UNPACK_PATH_ESCAPE'
  | 'UNPACK_ABSOLUTE_PATH'
  | 'UNPACK_INVALID_NAME'
  | 'UNPACK_SYMLINK'
  | 'UNPACK_SPECIAL_FILE'
  | 'UNPACK_TOO_LARGE'
  | 'UNPACK_RATIO'
  | 'UNPACK_TOO_MANY_FILES'
  | 'UNPACK_ENCRYPTED'
  | 'UNPACK_UNSUPPORTED_COMPRESSION'
  | 'UNPACK_OVERLAPPING_ENTRIES'
  | 'UNPACK_CORRUPT'
  | 'UNPACK_DUPLICATE_PATH';

/** A transfer refused by the unpacker. 422: the package is at fault, not the request or the server. */
export class UnpackError extends AppError {
  constructor(
    public override readonly code: UnpackErrorCode,
    zh: string,
    en: string,
    details: Record<string, unknown>,
    status = 422,
  ) {
    super(status, code, zh, en, details);
    this.name = 'UnpackError';
  }
}

const MiB = 1024 * 1024;
/** Sizes for people: exact bytes stay in `details`. */
export const formatBytes = (n: number) =>
  n >= 1024 * MiB ? `${(n / 1024 / MiB).toFixed(1)} GiB` : n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} B`;

export const notFound = (path: string) =>
  new UnpackError('UNPACK_NOT_FOUND', `找不到压缩包或目录“${path}”`, `Archive or directory "${path}" not found`, { path }, 404);

export const targetExists = (path: string) =>
  new UnpackError(
    'UNPACK_TARGET_EXISTS',
    `解压目标目录“${path}”已存在，为避免覆盖已拒绝解压`,
    `Target directory "${path}" already exists; refusing to unpack over it`,
    { path },
    409,
  );

export function badPath(entry: string, problem: PathProblem): UnpackError {
  const text = PATH_PROBLEM_TEXT[problem];
  const code = problem === 'escape' ? 'UNPACK_PATH_ESCAPE' : problem === 'absolute' ? 'UNPACK_ABSOLUTE_PATH' : 'UNPACK_INVALID_NAME';
  return new UnpackError(code, `条目“${entry}”${text.zh}，已拒绝`, `Entry "${entry}" ${text.en}; refused`, { entry, problem });
}

export const undecodableName = (entry: string, raw: Buffer) =>
  new UnpackError(
    'UNPACK_INVALID_NAME',
    `条目名称“${entry}”既不是 UTF-8 也不是 GB18030 编码，无法确定文件名，已拒绝`,
    `Entry name "${entry}" is neither UTF-8 nor GB18030; its file name cannot be determined; refused`,
    { entry, rawName: raw.toString('hex') },
  );

export function notUtf8Name(parent: string, raw: Buffer): UnpackError {
  const entry = parent ? `${parent}/${iconv.decode(raw, 'gb18030')}` : iconv.decode(raw, 'gb18030');
  return new UnpackError(
    'UNPACK_INVALID_NAME',
    `“${entry}”的文件名不是 UTF-8 编码（此处按 GB18030 显示），请先把文件名转换为 UTF-8`,
    `The name of "${entry}" is not UTF-8 (shown here as GB18030); convert the file names to UTF-8 first`,
    { entry, rawName: raw.toString('hex') },
  );
}

export const symlink = (entry: string) =>
  new UnpackError(
    'UNPACK_SYMLINK',
    `条目“${entry}”是符号链接，可能指向接收目录之外，已拒绝`,
    `Entry "${entry}" is a symbolic link, which could point outside the transfer; refused`,
    { entry },
  );

export const specialFile = (entry: string) =>
  new UnpackError(
    'UNPACK_SPECIAL_FILE',
    `“${entry}”不是普通文件或目录（设备、管道或套接字），已拒绝`,
    `"${entry}" is not a regular file or directory (a device, pipe or socket); refused`,
    { entry },
  );

export const encrypted = (entry: string) =>
  new UnpackError(
    'UNPACK_ENCRYPTED',
    `条目“${entry}”已加密，无法校验内容，请移交未加密的压缩包`,
    `Entry "${entry}" is encrypted and cannot be checked; transfer an unencrypted archive`,
    { entry },
  );

export const unsupportedCompression = (entry: string, method: number) =>
  new UnpackError(
    'UNPACK_UNSUPPORTED_COMPRESSION',
    `条目“${entry}”使用了不支持的压缩方法（${method}），只支持存储（0）和 Deflate（8）`,
    `Entry "${entry}" uses unsupported compression method ${method}; only stored (0) and deflate (8) are supported`,
    { entry, method },
  );

export const tooManyEntries = (count: number, limit: number) =>
  new UnpackError(
    'UNPACK_TOO_MANY_FILES',
    `条目数超过上限 ${limit}（已数到 ${count} 个），已拒绝`,
    `More than the limit of ${limit} entries (counted ${count}); refused`,
    { count, limit },
  );

/** Where the size was measured: the zip's own claim, bytes actually inflated, or files on disk. */
export type SizeSource = 'declared' | 'inflated' | 'on-disk';

export function tooLarge(entry: string, total: number, limit: number, source: SizeSource): UnpackError {
  const text: Record<SizeSource, { zh: string; en: string }> = {
    declared: {
      zh: `压缩包声明的解压后总大小 ${formatBytes(total)} 超过上限 ${formatBytes(limit)}，已拒绝`,
      en: `The archive declares ${formatBytes(total)} uncompressed, more than the limit of ${formatBytes(limit)}; refused`,
    },
    inflated: {
      zh: `解压到条目“${entry}”时实际数据已超过总大小上限 ${formatBytes(limit)}，已中止并拒绝（疑似压缩炸弹）`,
      en: `While inflating entry "${entry}" the actual data passed the total limit of ${formatBytes(limit)}; aborted and refused (suspected zip bomb)`,
    },
    'on-disk': {
      zh: `目录中的文件总大小 ${formatBytes(total)} 超过上限 ${formatBytes(limit)}，已拒绝`,
      en: `The files in the directory total ${formatBytes(total)}, more than the limit of ${formatBytes(limit)}; refused`,
    },
  };
  return new UnpackError('UNPACK_TOO_LARGE', text[source].zh, text[source].en, { entry, total, limit, source });
}

export const ratioExceeded = (entry: string, ratio: number, limit: number, declared: boolean) =>
  new UnpackError(
    'UNPACK_RATIO',
    `条目“${entry}”的压缩比${declared ? '（声明值）' : '（实际解压）'}达到 ${Math.floor(ratio)}:1，超过上限 ${limit}:1，已拒绝（疑似压缩炸弹）`,
    `Entry "${entry}" ${declared ? 'declares' : 'actually inflates at'} a compression ratio of ${Math.floor(ratio)}:1, above the limit of ${limit}:1; refused (suspected zip bomb)`,
    { entry, ratio, limit, declared },
  );

export const overlapping = (entry: string, other: string) =>
  new UnpackError(
    'UNPACK_OVERLAPPING_ENTRIES',
    `条目“${entry}”与“${other}”共用同一段压缩数据，这是压缩炸弹的构造方式，已拒绝`,
    `Entries "${other}" and "${entry}" share compressed data, a zip bomb construction; refused`,
    { entry, other },
  );

export const corrupt = (entry: string | null, reasonZh: string, reasonEn: string, details: Record<string, unknown> = {}) =>
  new UnpackError(
    'UNPACK_CORRUPT',
    entry === null ? `压缩包已损坏：${reasonZh}` : `条目“${entry}”已损坏：${reasonZh}`,
    entry === null ? `The archive is damaged: ${reasonEn}` : `Entry "${entry}" is damaged: ${reasonEn}`,
    { entry, ...details },
  );

const COLLISION_TEXT: Record<PathCollision['kind'], { zh: string; en: string }> = {
  exact: { zh: '重复出现', en: 'appears twice' },
  'file-directory': { zh: '既是文件又是目录', en: 'is used both as a file and as a directory' },
  case: { zh: '仅大小写不同，在 Windows 和 macOS 上会互相覆盖', en: 'differ only in letter case and would overwrite each other on Windows and macOS' },
  normalization: {
    zh: '仅 Unicode 规范化形式不同（看起来一样），在 macOS 等系统上会互相覆盖',
    en: 'differ only in Unicode normalisation (they look identical) and would overwrite each other on macOS and others',
  },
};

export function duplicatePath(c: PathCollision): UnpackError {
  const text = COLLISION_TEXT[c.kind];
  const single = c.kind === 'exact' || c.kind === 'file-directory';
  const zh = single ? `路径“${c.second}”${text.zh}，已拒绝` : `路径“${c.first}”与“${c.second}”${text.zh}，已拒绝`;
  const en = single ? `Path "${c.second}" ${text.en}; refused` : `Paths "${c.first}" and "${c.second}" ${text.en}; refused`;
  return new UnpackError('UNPACK_DUPLICATE_PATH', zh, en, { entry: c.second, other: c.first, kind: c.kind });
}
