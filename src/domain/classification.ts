/**
 * 密级. Only 秘密/机密/绝密 are state-secret levels (保守国家秘密法); 公开 and 内部 are
 * the non-secret markings archive systems add below them (domain.md §5.1).
 */
import { DomainError, type Issue, type Label, issue } from './errors.js';

export const CLASSIFICATION_LEVELS = ['公开', '内部', '秘密', '机密', '绝密'] as const;
export type ClassificationLevel = (typeof CLASSIFICATION_LEVELS)[number];
export const STATE_SECRET_LEVELS: readonly ClassificationLevel[] = ['秘密', '机密', '绝密'];
/** 密级 is 有则必著 (DA/T 18-2022): a record without one is not classified. */
export const DEFAULT_CLASSIFICATION: ClassificationLevel = '公开';

// English as in the official translation of the Law on Guarding State Secrets: 绝密 top secret, 机密 secret, 秘密 confidential.
const LABELS: Record<ClassificationLevel, Label> = {
  公开: { zh: '公开', en: 'Public' },
  内部: { zh: '内部', en: 'Internal' },
  秘密: { zh: '秘密', en: 'Confidential' },
  机密: { zh: '机密', en: 'Secret' },
  绝密: { zh: '绝密', en: 'Top secret' },
};

// 保守国家秘密法: the longest period unless a rule says otherwise.
const MAX_YEARS: Partial<Record<ClassificationLevel, number>> = { 秘密: 10, 机密: 20, 绝密: 30 };

export function isClassificationLevel(v: unknown): v is ClassificationLevel {
  return typeof v === 'string' && (CLASSIFICATION_LEVELS as readonly string[]).includes(v);
}

/** Falls back to the raw value so that bad legacy data still displays. */
export function classificationLabel(level: string): Label {
  return isClassificationLevel(level) ? LABELS[level] : { zh: level, en: level };
}

/** 0 (公开) … 4 (绝密); throws CLASSIFICATION_UNKNOWN for anything else. */
export function classificationRank(level: string): number {
  const rank = (CLASSIFICATION_LEVELS as readonly string[]).indexOf(level);
  if (rank < 0) throw unknownLevel(level);
  return rank;
}

function unknownLevel(level: string): DomainError {
  return new DomainError('CLASSIFICATION_UNKNOWN', `未知的密级“${level}”`, `Unknown classification level "${level}"`, { level });
}

/** Fails closed: an unknown clearance or level never grants access. */
export function canAccess(clearance: string, level: string): boolean {
  if (!isClassificationLevel(clearance) || !isClassificationLevel(level)) return false;
  return classificationRank(clearance) >= classificationRank(level);
}

export function isStateSecret(level: string): boolean {
  return (STATE_SECRET_LEVELS as readonly string[]).includes(level);
}

/** Legal maximum 保密期限 in years; null for non-secret levels. */
export function maxSecrecyYears(level: string): number | null {
  return isClassificationLevel(level) ? (MAX_YEARS[level] ?? null) : null;
}

/** Level names plus the synonyms other systems export (非密/普通 = 公开, 限制 = 内部). */
export function normalizeClassification(input: unknown): ClassificationLevel | null {
  if (typeof input !== 'string') return null;
  const s = input.replace(/\s+/g, '');
  if (isClassificationLevel(s)) return s;
  if (s === '非密' || s === '普通') return '公开';
  if (s === '限制') return '内部';
  return null;
}

/**
 * A 保密期限 in its canonical text: 'N年', 'N个月' (under a year is counted in months,
 * 《国家秘密保密期限的规定》) or '长期'. A bare number means years.
 */
export function normalizeSecrecyPeriod(input: unknown): string | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 1 ? `${input}年` : null;
  if (typeof input !== 'string') return null;
  const s = input.normalize('NFKC').replace(/\s+/g, '');
  if (s === '长期') return s;
  const years = /^0*([1-9]\d{0,2})年?$/.exec(s);
  if (years) return `${Number(years[1])}年`;
  const months = /^0*([1-9]|1[01])个?月$/.exec(s);
  return months ? `${Number(months[1])}个月` : null;
}

/** Length of a canonical period in months; null for 长期. */
function periodMonths(period: string): number | null {
  const m = /^(\d+)(年|个月)$/.exec(period);
  if (!m) return null;
  return m[2] === '年' ? Number(m[1]) * 12 : Number(m[1]);
}

/** 「秘密★5年」; a level without a period is written alone. */
export function formatMarking(level: ClassificationLevel, period?: number | string | null): string {
  if (!isClassificationLevel(level)) throw unknownLevel(level);
  if (period === undefined || period === null || period === '') return level;
  if (!isStateSecret(level)) {
    throw new DomainError('SECRECY_PERIOD_NOT_ALLOWED', `“${level}”不是国家秘密，不能标注保密期限`, `"${level}" is not a state secret and takes no secrecy period`, {
      level,
    });
  }
  const text = normalizeSecrecyPeriod(period);
  if (text === null) {
    throw new DomainError('SECRECY_PERIOD_INVALID', `保密期限“${String(period)}”无效`, `Invalid secrecy period "${String(period)}"`, { period });
  }
  return `${level}★${text}`;
}

/** Reads 「机密★10年」, 「绝密★长期」 or a bare level; null when it is not a marking. */
export function parseMarking(s: string): { level: ClassificationLevel; period?: string } | null {
  const [head = '', rest, extra] = s.normalize('NFKC').trim().split(/[★☆*]/);
  if (extra !== undefined) return null;
  const level = normalizeClassification(head);
  if (level === null) return null;
  if (rest === undefined) return { level };
  const period = normalizeSecrecyPeriod(rest);
  if (period === null || !isStateSecret(level)) return null;
  return { level, period };
}

/**
 * Checks a 保密期限 against its 密级. No period is fine: the law then applies the maximum.
 * 长期 is accepted on every state-secret level, as older markings use it.
 */
export function validateSecrecyPeriod(level: string, period: number | string | null | undefined, field = 'secrecy_period'): Issue | null {
  if (period === undefined || period === null || period === '') return null;
  if (!isClassificationLevel(level)) {
    return issue('classification', 'CLASSIFICATION_UNKNOWN', `未知的密级“${level}”`, `Unknown classification level "${level}"`, { level });
  }
  const max = MAX_YEARS[level];
  if (max === undefined) {
    return issue(field, 'SECRECY_PERIOD_NOT_ALLOWED', `密级“${level}”不是国家秘密，不能填写保密期限`, `Classification "${LABELS[level].en}" is not a state secret and takes no secrecy period`, {
      level,
    });
  }
  const text = normalizeSecrecyPeriod(period);
  if (text === null) {
    return issue(field, 'SECRECY_PERIOD_INVALID', `保密期限“${String(period)}”无效，应写作“N年”“N个月”或“长期”`, `Invalid secrecy period "${String(period)}": use N年, N个月 or 长期`, {
      period,
    });
  }
  const months = periodMonths(text);
  if (months !== null && months > max * 12) {
    return issue(field, 'SECRECY_PERIOD_TOO_LONG', `${level}级的保密期限不能超过${max}年`, `A ${LABELS[level].en} period cannot exceed ${max} years`, {
      level,
      max,
      period: text,
    });
  }
  return null;
}
