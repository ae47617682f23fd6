/** 档案门类代码 (DA/T 13-2022); a 馆(室) may add local codes alongside them. */
export interface Category {
  code: string;
  zh: string;
  en: string;
}

export const STANDARD_CATEGORIES: readonly Category[] = [
  { code: 'WS', zh: '文书', en: 'Administrative records' },
  { code: 'KJ', zh: '科技', en: 'Science and technology' },
  { code: 'RS', zh: '人事', en: 'Personnel' },
  { code: 'KU', zh: '会计', en: 'Accounting' },
  { code: 'ZY', zh: '专业', en: 'Specialised' },
  { code: 'ZP', zh: '照片', en: 'Photographs' },
  { code: 'LY', zh: '录音', en: 'Audio recordings' },
  { code: 'LX', zh: '录像', en: 'Video recordings' },
  { code: 'SJ', zh: '业务数据', en: 'Business data' },
  { code: 'YJ', zh: '公务电子邮件', en: 'Official e-mail' },
  { code: 'WY', zh: '网页信息', en: 'Web pages' },
  { code: 'MT', zh: '社交媒体', en: 'Social media' },
  { code: 'SW', zh: '实物档案', en: 'Physical objects' },
];

export function standardCategory(code: string): Category | undefined {
  return STANDARD_CATEGORIES.find((c) => c.code === code);
}

/** Standard codes are two letters; local ones are 2–4 uppercase letters or digits, starting with a letter. */
export function isValidCategoryCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9]{1,3}$/.test(code);
}
