import { AppError } from '../platform/errors.js';

/**
 * Every way preservation storage can fail, as a stable code callers can branch on. The HTTP
 * status travels with it (AppError) so the API reports storage trouble without mapping it again.
 */
export type StorageErrorCode =
  | 'STORAGE_NOT_FOUND'
  | 'STORAGE_FULL'
  | 'STORAGE_UNREACHABLE'
  | 'STORAGE_ACCESS_DENIED'
  | 'STORAGE_DIGEST_MISMATCH'
  | 'STORAGE_INVALID_KEY'
  | 'STORAGE_IO'
  | 'OCFL_OBJECT_NOT_FOUND'
  | 'OCFL_VERSION_NOT_FOUND'
  | 'OCFL_FILE_NOT_FOUND'
  | 'OCFL_INVALID_PATH'
  | 'OCFL_INVALID_INPUT'
  | 'OCFL_ROOT_MISMATCH'
  | 'OCFL_OBJECT_CORRUPT'
  | 'OCFL_UNSUPPORTED';

const STATUS: Record<StorageErrorCode, number> = {
  STORAGE_NOT_FOUND: 404,
  STORAGE_FULL: 507,
  STORAGE_UNREACHABLE: 503,
  STORAGE_ACCESS_DENIED: 503,
  STORAGE_DIGEST_MISMATCH: 500,
  STORAGE_INVALID_KEY: 400,
  STORAGE_IO: 500,
  OCFL_OBJECT_NOT_FOUND: 404,
  OCFL_VERSION_NOT_FOUND: 404,
  OCFL_FILE_NOT_FOUND: 404,
  OCFL_INVALID_PATH: 400,
  OCFL_INVALID_INPUT: 400,
  OCFL_ROOT_MISMATCH: 500,
  OCFL_OBJECT_CORRUPT: 500,
  OCFL_UNSUPPORTED: 500,
};

/** A storage failure: stable code, zh-CN message, English message, details that never carry secrets. */
export class StorageError extends AppError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, zh: string, en: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(STATUS[code], code, zh, en, details);
    this.name = 'StorageError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export const isStorageError = (err: unknown, code?: StorageErrorCode): err is StorageError =>
  err instanceof StorageError && (code === undefined || err.code === code);

export const storageNotFound = (key: string) =>
  new StorageError('STORAGE_NOT_FOUND', `存储对象不存在：${key}`, `Storage object not found: ${key}`, { key });

export const invalidKey = (key: string, reason: string) =>
  new StorageError('STORAGE_INVALID_KEY', `存储键无效：${key}（${reason}）`, `Invalid storage key: ${key} (${reason})`, { key, reason });

export const digestMismatch = (key: string, expected: string, actual: string, what: 'sha512' | 'size' = 'sha512') =>
  new StorageError(
    'STORAGE_DIGEST_MISMATCH',
    `写入校验失败：${key} 的${what === 'size' ? '大小' : '摘要'}与预期不符`,
    `Write verification failed: the ${what} of ${key} does not match what was expected`,
    { key, algorithm: what, expected, actual },
  );

export const storageFull = (where: string, cause?: unknown) =>
  new StorageError('STORAGE_FULL', `存储空间已满：${where}`, `Storage is full: ${where}`, { where }, { cause });

export const storageUnreachable = (where: string, reason: string, cause?: unknown) =>
  new StorageError(
    'STORAGE_UNREACHABLE',
    `无法访问存储：${where}（${reason}）`,
    `Storage is unreachable: ${where} (${reason})`,
    { where, reason },
    { cause },
  );

export const accessDenied = (where: string, reason: string, cause?: unknown) =>
  new StorageError(
    'STORAGE_ACCESS_DENIED',
    `存储拒绝访问：${where}（${reason}）`,
    `Storage denied access: ${where} (${reason})`,
    { where, reason },
    { cause },
  );

export const storageIo = (where: string, reason: string, cause?: unknown) =>
  new StorageError('STORAGE_IO', `存储读写错误：${where}（${reason}）`, `Storage I/O error: ${where} (${reason})`, { where, reason }, { cause });
