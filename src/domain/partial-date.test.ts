import { describe, expect, it } from 'vitest';
import {
  formatPartialDate,
  parsePartialDate,
  partialDateBounds,
  partialDateYear,
  toStoredDate,
} from './partial-date.js';

describe('parsePartialDate', () => {
  it.each([
    ['2023', '2023', 'year'],
    ['202301', '202301', 'month'],
    ['20230115', '20230115', 'day'],
    ['2023-01', '202301', 'month'],
    ['2023-01-15', '20230115', 'day'],
    ['2023-1-5', '20230105', 'day'],
    ['2023/01/15', '20230115', 'day'],
    ['2023/1', '202301', 'month'],
    ['2023.01.15', '20230115', 'day'],
    ['2023年1月15日', '20230115', 'day'],
    ['2023年01月', '202301', 'month'],
    ['2023年', '2023', 'year'],
    ['２０２３年１月１５日', '20230115', 'day'],
    [' 2023-01-15 ', '20230115', 'day'],
    ['20240229', '20240229', 'day'],
    ['20000229', '20000229', 'day'],
    [20230115, '20230115', 'day'],
  ])('%j → %s (%s)', (input, value, precision) => {
    expect(parsePartialDate(input)).toEqual({ value, precision, inferred: false });
  });

  it('reads 考证日期 in square brackets', () => {
    expect(parsePartialDate('[20230115]')).toEqual({ value: '20230115', precision: 'day', inferred: true });
    expect(parsePartialDate('［2023年］')).toEqual({ value: '2023', precision: 'year', inferred: true });
  });

  it.each([
    '', '[]', '23', '20231', '2023011', '202301150', '20230230', '20230229', '19000229', '20231301', '20230001',
    '20230100', '2023-13', '2023-01/15', '2023.1-5', '2023年15日', '2023年1月15', '0999', '3000', '[2023', 'abcd', '2023-01-15T00:00',
  ])('rejects %j', (input) => {
    expect(parsePartialDate(input)).toBeNull();
  });
});

describe('formatting', () => {
  const day = { value: '20230105', precision: 'day', inferred: false } as const;
  const month = { value: '202301', precision: 'month', inferred: false } as const;
  const year = { value: '2023', precision: 'year', inferred: true } as const;

  it('formats in Chinese and ISO', () => {
    expect(formatPartialDate(day, 'zh-CN')).toBe('2023年1月5日');
    expect(formatPartialDate(month)).toBe('2023年1月');
    expect(formatPartialDate(year, 'zh')).toBe('[2023年]');
    expect(formatPartialDate(day, 'en')).toBe('2023-01-05');
    expect(formatPartialDate(month, 'en-GB')).toBe('2023-01');
    expect(formatPartialDate(year, 'en')).toBe('[2023]');
  });

  it('stores the DA/T 18 text and reads it back', () => {
    expect(toStoredDate(day)).toBe('20230105');
    expect(toStoredDate(year)).toBe('[2023]');
    expect(parsePartialDate(toStoredDate(year))).toEqual(year);
  });

  it('gives the year and the days covered', () => {
    expect(partialDateYear(day)).toBe(2023);
    expect(partialDateBounds(day)).toEqual({ from: '20230105', to: '20230105' });
    expect(partialDateBounds({ value: '202402', precision: 'month', inferred: false })).toEqual({ from: '20240201', to: '20240229' });
    expect(partialDateBounds(year)).toEqual({ from: '20230101', to: '20231231' });
  });
});
