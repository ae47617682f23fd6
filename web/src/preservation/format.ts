import type { I18n, MessageKey } from '../i18n/index.js';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** A byte count as people read it (1 KB = 1024 B, as Windows and most archive software show sizes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

interface BilingualError {
  code: string;
  message?: string;
  message_en?: string;
}

const isError = (v: unknown): v is BilingualError => typeof v === 'object' && v !== null && typeof (v as BilingualError).code === 'string';

/**
 * An error the server recorded, in the UI language. Someone who may not see the item gets the
 * code only (the message could name a file), so the code stands in.
 */
export function recordedErrorText(e: unknown, isZh: boolean): string {
  if (!isError(e)) return '';
  return (isZh ? e.message : e.message_en ?? e.message) ?? e.code;
}

function valueText(key: string, v: unknown, isZh: boolean): string {
  if (key === 'bytes' && typeof v === 'number') return formatBytes(v);
  if (isError(v)) return recordedErrorText(v, isZh);
  if (Array.isArray(v)) return v.map((x) => valueText(key, x, isZh)).join('、');
  if (typeof v === 'object' && v !== null) {
    // The bad files of a fixity check: {path, problem}.
    const o = v as Record<string, unknown>;
    return typeof o.path === 'string' ? `${o.path}${typeof o.problem === 'string' ? ` (${o.problem})` : ''}` : JSON.stringify(v);
  }
  return String(v);
}

/** The detail keys the preservation services write; any other key is shown as it is. */
const DETAIL_LABELS: Record<string, MessageKey> = {
  objectId: 'pres.detail.objectId', archivalCode: 'pres.detail.archivalCode', version: 'pres.detail.version', head: 'pres.detail.version', mode: 'pres.detail.mode',
  files: 'pres.detail.files', removed: 'pres.detail.removed', bytes: 'pres.detail.bytes', bad: 'pres.detail.bad', path: 'pres.detail.path',
  paths: 'pres.detail.path', from: 'pres.detail.from', to: 'pres.detail.to', copied: 'pres.detail.copied', error: 'pres.detail.error', errors: 'pres.detail.error',
};

/** An event's details as one line, `key: value` each; what the server redacted is simply absent. */
export function detailsText(details: Record<string, unknown> | null, { t, isZh }: Pick<I18n, 't' | 'isZh'>): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([k, v]) => `${DETAIL_LABELS[k] ? t(DETAIL_LABELS[k]) : k}: ${valueText(k, v, isZh)}`)
    .join(isZh ? '；' : '; ');
}
