import { DomainError, type Issue } from '../domain/errors.js';

/**
 * An error meant for the user: a stable code, a Chinese message, an English message,
 * the HTTP status that carries it, and details a client can act on.
 */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly message_en: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, zh: string, en: string, details?: Record<string, unknown>) =>
  new AppError(400, code, zh, en, details);
export const unauthorized = (code: string, zh: string, en: string) => new AppError(401, code, zh, en);
export const forbidden = (zh = '无权执行此操作', en = 'You are not allowed to do this', code = 'FORBIDDEN') =>
  new AppError(403, code, zh, en);
export const notFound = (what: { zh: string; en: string }) =>
  new AppError(404, 'NOT_FOUND', `${what.zh}不存在或无权访问`, `${what.en} not found or not accessible`);
export const conflict = (code: string, zh: string, en: string, details?: Record<string, unknown>) =>
  new AppError(409, code, zh, en, details);

export function validationFailed(issues: Issue[]): AppError {
  const first = issues[0];
  const zh = first ? `数据校验未通过：${first.message}` : '数据校验未通过';
  const en = first ? `Validation failed: ${first.message_en}` : 'Validation failed';
  return new AppError(422, 'VALIDATION_FAILED', zh, en, { issues });
}

export const staleVersion = (current: number) =>
  conflict(
    'STALE_VERSION',
    '该记录已被他人修改，请刷新后重试',
    'This record was changed by someone else; reload it and try again',
    { currentVersion: current },
  );

export interface ErrorBody {
  error: { code: string; message: string; message_en: string; details?: Record<string, unknown> };
}

/** Turns anything thrown into the API's error body and status; unknown errors never leak internals. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, message_en: err.message_en, details: err.details } } };
  }
  if (err instanceof DomainError) {
    return { status: 422, body: { error: { code: err.code, message: err.message, message_en: err.message_en, details: err.details } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: '服务器内部错误', message_en: 'Internal server error' } } };
}
