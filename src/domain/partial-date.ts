/**
 * Dates in records are often known only to the year or month, and a 考证日期 (a date the
 * archivist worked out) is written in square brackets (DA/T 18-2022). Values are kept as
 * digits (YYYY, YYYYMM, YYYYMMDD), the form DA/T 22 目录 use, so they sort as text.
 */
export type DatePrecision = 'year' | 'month' | 'day';

export interface PartialDate {
  value: string;
  precision: DatePrecision;
  /** A 考证日期, inferred by the archivist rather than read from the document. */
  inferred: boolean;
}

const MIN_YEAR = 1000;
const MAX_YEAR = 2999;

const FORMS: readonly RegExp[] = [
  /^(\d{4})(\d{2})?(\d{2})?$/,
  /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/,
  /^(\d{4})\/(\d{1,2})(?:\/(\d{1,2}))?$/,
  /^(\d{4})\.(\d{1,2})(?:\.(\d{1,2}))?$/,
  /^(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?$/,
];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Accepts YYYY, YYYYMM, YYYYMMDD, YYYY-MM(-DD), YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, each optionally in [ ]. */
export function parsePartialDate(input: string | number): PartialDate | null {
  let s = String(input).normalize('NFKC').replace(/\s+/g, '');
  const inferred = s.startsWith('[') && s.endsWith(']');
  if (inferred) s = s.slice(1, -1);
  for (const form of FORMS) {
    const m = form.exec(s);
    if (!m) continue;
    const year = Number(m[1]);
    if (year < MIN_YEAR || year > MAX_YEAR) return null;
    if (m[2] === undefined) return { value: String(year), precision: 'year', inferred };
    const month = Number(m[2]);
    if (month < 1 || month > 12) return null;
    const mm = String(month).padStart(2, '0');
    if (m[3] === undefined) return { value: `${year}${mm}`, precision: 'month', inferred };
    const day = Number(m[3]);
    if (day < 1 || day > daysInMonth(year, month)) return null;
    return { value: `${year}${mm}${String(day).padStart(2, '0')}`, precision: 'day', inferred };
  }
  return null;
}

/** 'zh…' gives 2023年1月15日; anything else gives ISO 8601 (2023-01-15, 2023-01, 2023). */
export function formatPartialDate(d: PartialDate, locale = 'zh-CN'): string {
  const y = d.value.slice(0, 4);
  const m = d.value.slice(4, 6);
  const day = d.value.slice(6, 8);
  let text: string;
  if (locale.startsWith('zh')) {
    text = `${y}年` + (m ? `${Number(m)}月` : '') + (day ? `${Number(day)}日` : '');
  } else {
    text = [y, m, day].filter(Boolean).join('-');
  }
  return d.inferred ? `[${text}]` : text;
}

/** The DA/T 18 text stored in a record: digits, bracketed when inferred; parsePartialDate reads it back. */
export function toStoredDate(d: PartialDate): string {
  return d.inferred ? `[${d.value}]` : d.value;
}

export function partialDateYear(d: PartialDate): number {
  return Number(d.value.slice(0, 4));
}

/** First and last day covered, as YYYYMMDD, for range searches over partial dates. */
export function partialDateBounds(d: PartialDate): { from: string; to: string } {
  const year = partialDateYear(d);
  if (d.precision === 'day') return { from: d.value, to: d.value };
  if (d.precision === 'month') {
    const month = Number(d.value.slice(4, 6));
    return { from: `${d.value}01`, to: `${d.value}${daysInMonth(year, month)}` };
  }
  return { from: `${year}0101`, to: `${year}1231` };
}
