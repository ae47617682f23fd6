import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATION_LEVELS,
  canAccess,
  classificationLabel,
  classificationRank,
  formatMarking,
  isStateSecret,
  maxSecrecyYears,
  normalizeClassification,
  normalizeSecrecyPeriod,
  parseMarking,
  validateSecrecyPeriod,
} from './classification.js';
import { DomainError } from './errors.js';

describe('levels', () => {
  it('are ordered 公开 < 内部 < 秘密 < 机密 < 绝密', () => {
    expect(CLASSIFICATION_LEVELS).toEqual(['公开', '内部', '秘密', '机密', '绝密']);
    expect(CLASSIFICATION_LEVELS.map(classificationRank)).toEqual([0, 1, 2, 3, 4]);
    expect(() => classificationRank('普通')).toThrow(DomainError);
  });

  it('have English labels', () => {
    expect(CLASSIFICATION_LEVELS.map((l) => classificationLabel(l).en)).toEqual(['Public', 'Internal', 'Confidential', 'Secret', 'Top secret']);
    expect(classificationLabel('???')).toEqual({ zh: '???', en: '???' });
  });

  it('only 秘密/机密/绝密 are state secrets, with their legal maxima', () => {
    expect(CLASSIFICATION_LEVELS.filter(isStateSecret)).toEqual(['秘密', '机密', '绝密']);
    expect(CLASSIFICATION_LEVELS.map(maxSecrecyYears)).toEqual([null, null, 10, 20, 30]);
  });

  it('maps synonyms from other systems', () => {
    expect(normalizeClassification(' 机密 ')).toBe('机密');
    expect(normalizeClassification('非密')).toBe('公开');
    expect(normalizeClassification('普通')).toBe('公开');
    expect(normalizeClassification('限制')).toBe('内部');
    expect(normalizeClassification('国内')).toBeNull();
    expect(normalizeClassification(3)).toBeNull();
  });
});

describe('canAccess', () => {
  it('grants a clearance its own level and everything below', () => {
    expect(canAccess('机密', '机密')).toBe(true);
    expect(canAccess('机密', '公开')).toBe(true);
    expect(canAccess('机密', '绝密')).toBe(false);
    expect(canAccess('公开', '内部')).toBe(false);
    expect(CLASSIFICATION_LEVELS.filter((l) => canAccess('秘密', l))).toEqual(['公开', '内部', '秘密']);
  });

  it('fails closed on unknown values', () => {
    expect(canAccess('superuser', '公开')).toBe(false);
    expect(canAccess('绝密', '')).toBe(false);
  });
});

describe('markings', () => {
  it('formats 密级★保密期限', () => {
    expect(formatMarking('秘密', 5)).toBe('秘密★5年');
    expect(formatMarking('机密', '10年')).toBe('机密★10年');
    expect(formatMarking('绝密', '长期')).toBe('绝密★长期');
    expect(formatMarking('秘密', '6个月')).toBe('秘密★6个月');
    expect(formatMarking('秘密')).toBe('秘密');
    expect(formatMarking('公开', null)).toBe('公开');
  });

  it('refuses a period on a non-secret level or a bad period', () => {
    expect(() => formatMarking('内部', 5)).toThrow(expect.objectContaining({ code: 'SECRECY_PERIOD_NOT_ALLOWED' }));
    expect(() => formatMarking('秘密', '五年')).toThrow(expect.objectContaining({ code: 'SECRECY_PERIOD_INVALID' }));
  });

  it('parses markings back', () => {
    expect(parseMarking('秘密★5年')).toEqual({ level: '秘密', period: '5年' });
    expect(parseMarking('绝密★长期')).toEqual({ level: '绝密', period: '长期' });
    expect(parseMarking(' 机密＊１０年 ')).toEqual({ level: '机密', period: '10年' });
    expect(parseMarking('机密☆10')).toEqual({ level: '机密', period: '10年' });
    expect(parseMarking('内部')).toEqual({ level: '内部' });
  });

  it.each(['', '秘', '公开★5年', '秘密★', '秘密★五年', '秘密★5年★1年'])('rejects %j', (s) => {
    expect(parseMarking(s)).toBeNull();
  });

  it('normalises periods: years, months under a year, 长期', () => {
    expect(normalizeSecrecyPeriod(5)).toBe('5年');
    expect(normalizeSecrecyPeriod('05 年')).toBe('5年');
    expect(normalizeSecrecyPeriod('6个月')).toBe('6个月');
    expect(normalizeSecrecyPeriod('6月')).toBe('6个月');
    expect(normalizeSecrecyPeriod('12个月')).toBeNull();
    expect(normalizeSecrecyPeriod(0)).toBeNull();
    expect(normalizeSecrecyPeriod(1.5)).toBeNull();
    expect(normalizeSecrecyPeriod('解密条件')).toBeNull();
  });
});

describe('validateSecrecyPeriod', () => {
  it('accepts periods within the legal maximum, and no period', () => {
    expect(validateSecrecyPeriod('秘密', 10)).toBeNull();
    expect(validateSecrecyPeriod('机密', '20年')).toBeNull();
    expect(validateSecrecyPeriod('绝密', 30)).toBeNull();
    expect(validateSecrecyPeriod('绝密', '长期')).toBeNull();
    expect(validateSecrecyPeriod('秘密', '11个月')).toBeNull();
    expect(validateSecrecyPeriod('秘密', null)).toBeNull();
    expect(validateSecrecyPeriod('公开', undefined)).toBeNull();
  });

  it.each([
    ['秘密', 11, 'SECRECY_PERIOD_TOO_LONG'],
    ['机密', '21年', 'SECRECY_PERIOD_TOO_LONG'],
    ['绝密', 31, 'SECRECY_PERIOD_TOO_LONG'],
    ['公开', 5, 'SECRECY_PERIOD_NOT_ALLOWED'],
    ['内部', '长期', 'SECRECY_PERIOD_NOT_ALLOWED'],
    ['秘密', -1, 'SECRECY_PERIOD_INVALID'],
    ['秘密', '五年', 'SECRECY_PERIOD_INVALID'],
  ])('%s with %j → %s', (level, period, code) => {
    const found = validateSecrecyPeriod(level, period);
    expect(found).toMatchObject({ field: 'secrecy_period', code });
    expect(found?.message).toBeTruthy();
    expect(found?.message_en).toBeTruthy();
  });

  it('names the legal maximum', () => {
    expect(validateSecrecyPeriod('机密', 25)?.details).toMatchObject({ max: 20 });
  });

  it('reports an unknown level against the classification field', () => {
    expect(validateSecrecyPeriod('普密', 5)).toMatchObject({ field: 'classification', code: 'CLASSIFICATION_UNKNOWN' });
  });
});
