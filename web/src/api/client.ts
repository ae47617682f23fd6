/**
 * The one way the UI talks to the server: same-origin fetch with the session cookie, the
 * session's CSRF token on every unsafe method, and the server's bilingual error body kept whole.
 */
export interface ApiIssue {
  field?: string;
  code: string;
  message: string;
  message_en: string;
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly messageEn: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The per-field problems of a 422 VALIDATION_FAILED. */
  get issues(): ApiIssue[] {
    const issues = this.details.issues;
    return Array.isArray(issues) ? (issues as ApiIssue[]) : [];
  }
}

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null | undefined) => {
  csrfToken = token ?? null;
};

interface SessionHandlers {
  /** The session is gone (401): show the login page. */
  unauthorized(): void;
  /** The server refuses everything until the one-time password is changed. */
  passwordChangeRequired(): void;
}
let handlers: SessionHandlers = { unauthorized: () => undefined, passwordChangeRequired: () => undefined };
export const setSessionHandlers = (h: SessionHandlers) => {
  handlers = h;
};

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `?a=1&b=x` from the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; message_en?: string; details?: Record<string, unknown> } } | null;
  const e = body?.error;
  if (e?.code) return new ApiError(res.status, e.code, e.message ?? e.code, e.message_en ?? e.message ?? e.code, e.details ?? {});
  return new ApiError(res.status, `HTTP_${res.status}`, `服务器返回错误 ${res.status}`, `The server answered ${res.status}`);
}

export interface RequestOptions {
  /** Do not route a 401 to the login page (the login call itself, the first /auth/me). */
  quiet?: boolean;
}

export async function request<T>(method: string, url: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', '无法连接服务器，请检查网络', 'Cannot reach the server; check the network');
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (!options.quiet && err.status === 401) handlers.unauthorized();
    if (err.status === 403 && err.code === 'PASSWORD_CHANGE_REQUIRED') handlers.passwordChangeRequired();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(url: string, options?: RequestOptions) => request<T>('GET', url, undefined, options),
  post: <T>(url: string, body?: unknown, options?: RequestOptions) => request<T>('POST', url, body ?? {}, options),
  put: <T>(url: string, body: unknown) => request<T>('PUT', url, body),
  patch: <T>(url: string, body: unknown) => request<T>('PATCH', url, body),
  delete: <T>(url: string, body?: unknown) => request<T>('DELETE', url, body),
};
