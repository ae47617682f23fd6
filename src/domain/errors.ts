/** One problem with one input; validators collect these instead of stopping at the first. */
export interface Issue {
  field?: string;
  code: string;
  /** zh-CN, shown to archivists. */
  message: string;
  message_en: string;
  details?: Record<string, unknown>;
}

/** A broken domain rule. `message` is zh-CN; callers map it to a user-facing error. */
export class DomainError extends Error {
  constructor(
    public code: string,
    message: string,
    public message_en: string,
    public details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function issue(
  field: string | undefined,
  code: string,
  message: string,
  message_en: string,
  details?: Record<string, unknown>,
): Issue {
  const out: Issue = { code, message, message_en };
  if (field !== undefined) out.field = field;
  if (details !== undefined) out.details = details;
  return out;
}

/** Bilingual display label used across the domain tables. */
export interface Label {
  zh: string;
  en: string;
}
