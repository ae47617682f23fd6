/**
 * 保管期限 codes. Current holdings use Y / D+years (DA/T 13-2022: D30, D10, and other
 * periods such as D5 or D15); older holdings use 长期 / 短期, which have no current
 * equivalent and are kept as codes of their own. 永久 is simply Y.
 */
import type { Label } from './errors.js';

export type RetentionCode = 'Y' | `D${number}` | '长期' | '短期';

export const CURRENT_RETENTION_CODES = ['Y', 'D30', 'D10'] as const;
export const LEGACY_RETENTION_CODES = ['长期', '短期'] as const;
/** The choices offered in forms, current first; other D+years codes are accepted too. */
export const RETENTION_CODES: readonly RetentionCode[] = [...CURRENT_RETENTION_CODES, ...LEGACY_RETENTION_CODES];

const PERIOD = /^D([1-9]\d{0,2})$/;

export function isRetention(v: unknown): v is RetentionCode {
  return typeof v === 'string' && (v === 'Y' || PERIOD.test(v) || v === '长期' || v === '短期');
}

export function isLegacyRetention(v: string): boolean {
  return v === '长期' || v === '短期';
}

/** Years kept, or null for permanent and for legacy codes whose length was never fixed. */
export function retentionYears(v: RetentionCode): number | null {
  const m = PERIOD.exec(v);
  return m ? Number(m[1]) : null;
}

/** Falls back to the raw value so that bad legacy data still displays. */
export function retentionLabel(v: string): Label {
  if (v === 'Y') return { zh: '永久', en: 'Permanent' };
  if (v === '长期') return { zh: '长期', en: 'Long-term (legacy)' };
  if (v === '短期') return { zh: '短期', en: 'Short-term (legacy)' };
  const m = PERIOD.exec(v);
  if (m) return { zh: `定期${m[1]}年`, en: `${m[1]} years` };
  return { zh: v, en: v };
}

/**
 * Common spellings to a code: 'y', '永久', 'd30', 'D030', '定期30年', '30年', full-width
 * forms. Bare numbers are not accepted: one product stores 永久/长期/短期 as 001/002/003.
 */
export function normalizeRetention(input: unknown): RetentionCode | null {
  if (typeof input !== 'string') return null;
  const s = input.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  if (s === 'Y' || s === '永久') return 'Y';
  if (s === '长期' || s === '短期') return s;
  const m = /^D0*([1-9]\d{0,2})$/.exec(s) ?? /^(?:定期)?0*([1-9]\d{0,2})年$/.exec(s);
  return m ? `D${Number(m[1])}` : null;
}
