import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from './paths.js';

/**
 * Every setting Lantai reads. Environment variables win over `lantai.config.json`,
 * which wins over the defaults; the defaults give the embedded deployment under ./data.
 * README.md lists every one of CONFIG_VARIABLES (config.test.ts checks it), so the two cannot drift.
 */
export interface Config {
  dataDir: string;
  databaseUrl: string;
  storageDir: string;
  host: string;
  port: number;
  publicUrl: string;
  cookieSecure: boolean;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  passwordMinLength: number;
  passwordExpiryDays: number;
  passwordHistory: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  importMaxBytes: number;
  importMaxRows: number;
  searchCountLimit: number;
  logLevel: string;
  webDir: string;
}

interface VariableSpec {
  env: string;
  key: keyof Config;
  kind: 'string' | 'number' | 'boolean';
  describe: { zh: string; en: string };
}

export const CONFIG_VARIABLES: VariableSpec[] = [
  { env: 'LANTAI_DATA_DIR', key: 'dataDir', kind: 'string', describe: { zh: '数据目录（数据库、存储、日志）', en: 'data directory (database, storage, logs)' } },
  { env: 'LANTAI_DATABASE_URL', key: 'databaseUrl', kind: 'string', describe: { zh: '数据库：sqlite:路径 或 postgres://用户@主机:端口/库名', en: 'database: sqlite:PATH or postgres://user@host:port/db' } },
  { env: 'LANTAI_STORAGE_DIR', key: 'storageDir', kind: 'string', describe: { zh: '本地对象存储目录', en: 'local object storage directory' } },
  { env: 'LANTAI_HOST', key: 'host', kind: 'string', describe: { zh: '监听地址', en: 'address to listen on' } },
  { env: 'LANTAI_PORT', key: 'port', kind: 'number', describe: { zh: '监听端口', en: 'port to listen on' } },
  { env: 'LANTAI_PUBLIC_URL', key: 'publicUrl', kind: 'string', describe: { zh: '对外访问地址', en: 'externally visible base URL' } },
  { env: 'LANTAI_COOKIE_SECURE', key: 'cookieSecure', kind: 'boolean', describe: { zh: '会话 Cookie 仅经 HTTPS 发送（部署在 HTTPS 之后时设为 true）', en: 'send the session cookie over HTTPS only (true behind HTTPS)' } },
  { env: 'LANTAI_SESSION_IDLE_MINUTES', key: 'sessionIdleMinutes', kind: 'number', describe: { zh: '会话空闲超时（分钟）', en: 'session idle timeout (minutes)' } },
  { env: 'LANTAI_SESSION_MAX_HOURS', key: 'sessionMaxHours', kind: 'number', describe: { zh: '会话最长有效期（小时）', en: 'absolute session lifetime (hours)' } },
  { env: 'LANTAI_PASSWORD_MIN_LENGTH', key: 'passwordMinLength', kind: 'number', describe: { zh: '口令最短长度', en: 'minimum password length' } },
  { env: 'LANTAI_PASSWORD_EXPIRY_DAYS', key: 'passwordExpiryDays', kind: 'number', describe: { zh: '口令有效期（天，0 为不过期）', en: 'password expiry (days, 0 = never)' } },
  { env: 'LANTAI_PASSWORD_HISTORY', key: 'passwordHistory', kind: 'number', describe: { zh: '不得重复使用的历史口令个数', en: 'number of previous passwords that may not be reused' } },
  { env: 'LANTAI_LOCKOUT_THRESHOLD', key: 'lockoutThreshold', kind: 'number', describe: { zh: '连续登录失败多少次后锁定', en: 'failed logins before the account locks' } },
  { env: 'LANTAI_LOCKOUT_MINUTES', key: 'lockoutMinutes', kind: 'number', describe: { zh: '锁定时长（分钟）', en: 'lockout duration (minutes)' } },
  { env: 'LANTAI_IMPORT_MAX_BYTES', key: 'importMaxBytes', kind: 'number', describe: { zh: '导入文件大小上限（字节）', en: 'largest spreadsheet accepted for import (bytes)' } },
  { env: 'LANTAI_IMPORT_MAX_ROWS', key: 'importMaxRows', kind: 'number', describe: { zh: '单次导入行数上限', en: 'most rows accepted in one import' } },
  { env: 'LANTAI_SEARCH_COUNT_LIMIT', key: 'searchCountLimit', kind: 'number', describe: { zh: '检索命中数精确计数的上限（超过则显示“多于 N 条”，分面与相关度排序也在此范围内计算）', en: 'matches counted exactly per search (beyond it the count reads "more than N"; facets and relevance ranking work within it)' } },
  { env: 'LANTAI_LOG_LEVEL', key: 'logLevel', kind: 'string', describe: { zh: '日志级别（info、warn、error、debug）', en: 'log level (info, warn, error, debug)' } },
  { env: 'LANTAI_WEB_DIR', key: 'webDir', kind: 'string', describe: { zh: '已构建的网页界面目录', en: 'directory of the built web UI' } },
];

export function defaultConfig(dataDir = './data'): Config {
  const dir = resolve(dataDir);
  return {
    dataDir: dir,
    databaseUrl: `sqlite:${resolve(dir, 'lantai.db')}`,
    storageDir: resolve(dir, 'storage'),
    host: '0.0.0.0',
    port: 8080,
    publicUrl: 'http://localhost:8080',
    cookieSecure: false,
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    passwordMinLength: 10,
    passwordExpiryDays: 90,
    passwordHistory: 5,
    lockoutThreshold: 5,
    lockoutMinutes: 15,
    importMaxBytes: 200 * 1024 * 1024,
    importMaxRows: 2_000_000,
    searchCountLimit: 10_000,
    logLevel: 'info',
    webDir: resolve(PROJECT_ROOT, 'web/dist'),
  };
}

function coerce(spec: VariableSpec, raw: unknown): string | number | boolean {
  if (spec.kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`${spec.env}: not a number: ${String(raw)}`);
    return n;
  }
  if (spec.kind === 'boolean') return raw === true || raw === 'true' || raw === '1';
  return String(raw);
}

/** Reads lantai.config.json (from the working directory or LANTAI_CONFIG) and the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = env.LANTAI_CONFIG ?? resolve(cwd, 'lantai.config.json');
  const fromFile: Record<string, unknown> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const dataDir = env.LANTAI_DATA_DIR ?? (fromFile.dataDir as string | undefined) ?? resolve(cwd, 'data');
  const config = defaultConfig(dataDir) as unknown as Record<string, unknown>;
  for (const spec of CONFIG_VARIABLES) {
    const raw = env[spec.env] ?? fromFile[spec.key];
    if (raw !== undefined && raw !== '') config[spec.key] = coerce(spec, raw);
  }
  return config as unknown as Config;
}
