/** 开放标识, 必著 at 文件级 and 案卷级 under DA/T 18-2022. */
import type { Label } from './errors.js';

export const OPEN_STATUSES = ['开放', '控制', '延期开放', '未审核'] as const;
export type OpenStatus = (typeof OPEN_STATUSES)[number];

/** New records start unreviewed: nothing is open until a 开放审核 says so. */
export const DEFAULT_OPEN_STATUS: OpenStatus = '未审核';

const LABELS: Record<OpenStatus, Label> = {
  开放: { zh: '开放', en: 'Open' },
  控制: { zh: '控制', en: 'Controlled' },
  延期开放: { zh: '延期开放', en: 'Deferred' },
  未审核: { zh: '未审核', en: 'Not reviewed' },
};

export function isOpenStatus(v: unknown): v is OpenStatus {
  return typeof v === 'string' && (OPEN_STATUSES as readonly string[]).includes(v);
}

/** Falls back to the raw value so that bad legacy data still displays. */
export function openStatusLabel(v: string): Label {
  return isOpenStatus(v) ? LABELS[v] : { zh: v, en: v };
}
