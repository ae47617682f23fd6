import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CheckSeverity, checksForStage } from '../domain/four-property-checks.js';
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
  /** Where preserved objects live, the first being the primary; null: one fs location `primary` at storageDir. */
  storageLocations: StorageLocationConfig[] | null;
  uploadMaxBytes: number;
  uploadMaxFiles: number;
  fixityIntervalHours: number;
  fixityBudgetSeconds: number;
  /** Locations the scheduled fixity audit covers; empty: all of them. */
  fixityLocations: string[];
  /** Digests a fixity audit recomputes for each file, of those its inventory records. */
  fixityAlgorithms: FixityAuditAlgorithm[];
  /** The archive's own severity for 移交与接收 checks, by check id; the others keep the catalogue's. */
  transferCheckSeverity: Record<string, CheckSeverity>;
  replicationIntervalMinutes: number;
  /** Whether `lantai serve` runs the job worker and its schedules. */
  jobs: boolean;
  logLevel: string;
  webDir: string;
}

interface VariableSpec {
  env: string;
  key: keyof Config;
  kind: 'string' | 'number' | 'boolean' | 'list' | 'locations' | 'severities';
  /** For a list: the values it may hold; it must then hold at least one. */
  values?: readonly string[];
  describe: { zh: string; en: string };
}

/** The digests every stored file keeps (the OCFL content digest and its fixity block), any of which an audit can recompute. */
export const FIXITY_AUDIT_ALGORITHMS = ['sha512', 'sha256', 'sm3'] as const;
export type FixityAuditAlgorithm = (typeof FIXITY_AUDIT_ALGORITHMS)[number];

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
  { env: 'LANTAI_STORAGE_LOCATIONS', key: 'storageLocations', kind: 'locations', describe: { zh: '长期保存存储位置（JSON 数组，第一个为主位置，其余为副本；fs 或 s3）', en: 'preservation storage locations (JSON array; the first is the primary, the rest are replicas; fs or s3)' } },
  { env: 'LANTAI_UPLOAD_MAX_BYTES', key: 'uploadMaxBytes', kind: 'number', describe: { zh: '上传电子文件的单个文件大小上限（字节）', en: 'largest single electronic file accepted for upload (bytes)' } },
  { env: 'LANTAI_UPLOAD_MAX_FILES', key: 'uploadMaxFiles', kind: 'number', describe: { zh: '单次上传的文件个数上限', en: 'most files accepted in one upload' } },
  { env: 'LANTAI_FIXITY_INTERVAL_HOURS', key: 'fixityIntervalHours', kind: 'number', describe: { zh: '定期固定性检测的间隔（小时）', en: 'interval between scheduled fixity audits (hours)' } },
  { env: 'LANTAI_FIXITY_BUDGET_SECONDS', key: 'fixityBudgetSeconds', kind: 'number', describe: { zh: '每次固定性检测每个位置的时长上限（秒），下次从断点继续', en: 'time budget of each fixity audit per location (seconds); the next run resumes where it stopped' } },
  { env: 'LANTAI_FIXITY_LOCATIONS', key: 'fixityLocations', kind: 'list', describe: { zh: '定期检测的存储位置（逗号分隔，缺省为全部）', en: 'locations the scheduled audit checks (comma-separated; default all)' } },
  { env: 'LANTAI_TRANSFER_CHECKS', key: 'transferCheckSeverity', kind: 'severities', describe: { zh: '移交与接收检测项目的级别（JSON 对象：检测编号 → blocking、warning 或 off）', en: 'severity of 移交与接收 checks (a JSON object: check id → blocking, warning or off)' } },
  { env: 'LANTAI_FIXITY_ALGORITHMS', key: 'fixityAlgorithms', kind: 'list', values: FIXITY_AUDIT_ALGORITHMS, describe: { zh: '固定性检测重算的摘要算法（逗号分隔：sha512、sha256、sm3）', en: 'digests a fixity audit recomputes (comma-separated: sha512, sha256, sm3)' } },
  { env: 'LANTAI_REPLICATION_INTERVAL_MINUTES', key: 'replicationIntervalMinutes', kind: 'number', describe: { zh: '副本补齐任务的间隔（分钟）', en: 'interval of the replica catch-up job (minutes)' } },
  { env: 'LANTAI_JOBS', key: 'jobs', kind: 'boolean', describe: { zh: 'lantai serve 是否运行后台任务（off 关闭）', en: 'whether lantai serve runs background jobs (off to disable)' } },
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
    searchCountLimit: 2_000,
    storageLocations: null,
    uploadMaxBytes: 2 * 1024 * 1024 * 1024,
    uploadMaxFiles: 100,
    fixityIntervalHours: 24,
    fixityBudgetSeconds: 600,
    fixityLocations: [],
    fixityAlgorithms: [...FIXITY_AUDIT_ALGORITHMS],
    transferCheckSeverity: {},
    replicationIntervalMinutes: 5,
    jobs: true,
    logLevel: 'info',
    webDir: resolve(PROJECT_ROOT, 'web/dist'),
  };
}

export type StorageLocationConfig =
  | { name: string; kind: 'fs'; path: string; create?: boolean }
  | {
    name: string; kind: 's3'; bucket: string; prefix?: string; endpoint?: string; region?: string; accessKeyId?: string; secretAccessKey?: string;
    forcePathStyle?: boolean; verifyAfterPut?: boolean; connectTimeoutMs?: number; maxAttempts?: number;
  };

const LOCATION_FIELDS: Record<'fs' | 's3', Record<string, 'string' | 'number' | 'boolean'>> = {
  fs: { name: 'string', kind: 'string', path: 'string', create: 'boolean' },
  s3: {
    name: 'string', kind: 'string', bucket: 'string', prefix: 'string', endpoint: 'string', region: 'string', accessKeyId: 'string', secretAccessKey: 'string',
    forcePathStyle: 'boolean', verifyAfterPut: 'boolean', connectTimeoutMs: 'number', maxAttempts: 'number',
  },
};
const REQUIRED_FIELD = { fs: 'path', s3: 'bucket' } as const;

/** A JSON setting: parsed when it comes as text (an environment variable), as it is when lantai.config.json gave a value. */
function jsonValue(env: string, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`${env}: not valid JSON`);
  }
}

/** Unknown fields are refused, not ignored: a misspelt `secretAccessKey` must not silently fall back to other credentials. */
function parseStorageLocations(env: string, raw: unknown): StorageLocationConfig[] {
  const value = jsonValue(env, raw);
  if (!Array.isArray(value) || value.length === 0) throw new Error(`${env}: expected a non-empty JSON array of locations`);
  const names = new Set<string>();
  return value.map((entry: unknown, i) => {
    const where = `${env}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: expected an object`);
    const loc = entry as Record<string, unknown>;
    if (loc.kind !== 'fs' && loc.kind !== 's3') throw new Error(`${where}: kind must be "fs" or "s3"`);
    if (typeof loc.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(loc.name)) throw new Error(`${where}: name must be 1-64 letters, digits, _ or -`);
    if (names.has(loc.name)) throw new Error(`${where}: the name "${loc.name}" is used twice`);
    names.add(loc.name);
    const fields = LOCATION_FIELDS[loc.kind];
    for (const [key, v] of Object.entries(loc)) {
      if (!(key in fields)) throw new Error(`${where}: unknown field "${key}" for kind ${loc.kind}`);
      if (typeof v !== fields[key]) throw new Error(`${where}: ${key} must be a ${fields[key]}`);
    }
    if (!loc[REQUIRED_FIELD[loc.kind]]) throw new Error(`${where}: ${REQUIRED_FIELD[loc.kind]} is required for kind ${loc.kind}`);
    return loc as StorageLocationConfig;
  });
}

const SEVERITIES: readonly CheckSeverity[] = ['blocking', 'warning', 'off'];

/** A misspelt check id must stop the start, not leave that check at its default unnoticed. */
function parseSeverities(env: string, raw: unknown): Record<string, CheckSeverity> {
  const value = jsonValue(env, raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${env}: expected a JSON object of check id → ${SEVERITIES.join(' | ')}`);
  const ids = new Set(checksForStage('YJ').map((c) => c.code.code));
  for (const [id, severity] of Object.entries(value)) {
    if (!ids.has(id)) throw new Error(`${env}: "${id}" is not a 移交与接收 check id (${[...ids].join(', ')})`);
    if (!SEVERITIES.includes(severity as CheckSeverity)) throw new Error(`${env}: ${id} must be ${SEVERITIES.join(', ')}, got ${JSON.stringify(severity)}`);
  }
  return value as Record<string, CheckSeverity>;
}

function coerce(spec: VariableSpec, raw: unknown): unknown {
  if (spec.kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`${spec.env}: not a number: ${String(raw)}`);
    return n;
  }
  if (spec.kind === 'boolean') return raw === true || raw === 'true' || raw === '1' || raw === 'on' || raw === 'yes';
  if (spec.kind === 'list') {
    const list = (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((s) => s.trim()).filter(Boolean);
    if (spec.values) {
      const unknown = list.filter((v) => !spec.values!.includes(v));
      if (unknown.length || !list.length) throw new Error(`${spec.env}: expected one or more of ${spec.values.join(', ')}, got ${String(raw)}`);
    }
    return list;
  }
  if (spec.kind === 'locations') return parseStorageLocations(spec.env, raw);
  if (spec.kind === 'severities') return parseSeverities(spec.env, raw);
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
