import { describe, expect, it } from 'vitest';
import { STANDARD_CATEGORIES, isValidCategoryCode, standardCategory } from './categories.js';

describe('standard categories', () => {
  it('has the 13 DA/T 13-2022 codes, each unique and valid', () => {
    const codes = STANDARD_CATEGORIES.map((c) => c.code);
    expect(codes).toEqual(['WS', 'KJ', 'RS', 'KU', 'ZY', 'ZP', 'LY', 'LX', 'SJ', 'YJ', 'WY', 'MT', 'SW']);
    expect(new Set(codes).size).toBe(13);
    expect(codes.every(isValidCategoryCode)).toBe(true);
    expect(STANDARD_CATEGORIES.every((c) => c.zh && c.en)).toBe(true);
  });

  it('has no YW code: 业务数据 is SJ and 专业 is ZY', () => {
    expect(standardCategory('YW')).toBeUndefined();
    expect(standardCategory('SJ')?.zh).toBe('业务数据');
    expect(standardCategory('ZY')?.zh).toBe('专业');
  });
});

describe('isValidCategoryCode', () => {
  it.each(['WS', 'KJ', 'JJ', 'A1', 'XKZC', 'B12'])('accepts %s', (code) => {
    expect(isValidCategoryCode(code)).toBe(true);
  });

  it.each(['', 'W', 'ws', '1A', 'ABCDE', 'W-S', 'W S', '文书', null, 12])('rejects %j', (code) => {
    expect(isValidCategoryCode(code)).toBe(false);
  });
});
