import { describe, expect, it } from 'vitest';
import {
  RETENTION_CODES,
  isLegacyRetention,
  isRetention,
  normalizeRetention,
  retentionLabel,
  retentionYears,
} from './retention.js';

describe('retention codes', () => {
  it('lists current codes first, then legacy ones', () => {
    expect(RETENTION_CODES).toEqual(['Y', 'D30', 'D10', '长期', '短期']);
  });

  it.each(['Y', 'D30', 'D10', 'D5', 'D15', 'D100', '长期', '短期'])('accepts %s', (v) => {
    expect(isRetention(v)).toBe(true);
  });

  it.each(['', 'y', 'D', 'D0', 'D05', 'D1000', '永久', '定期30年', '30', 'P', 30, null])('rejects %j as a stored code', (v) => {
    expect(isRetention(v)).toBe(false);
  });

  it('tells legacy codes and their years apart', () => {
    expect(isLegacyRetention('长期')).toBe(true);
    expect(isLegacyRetention('D30')).toBe(false);
    expect(retentionYears('D30')).toBe(30);
    expect(retentionYears('Y')).toBeNull();
    expect(retentionYears('短期')).toBeNull();
  });
});

describe('retentionLabel', () => {
  it.each([
    ['Y', '永久', 'Permanent'],
    ['D30', '定期30年', '30 years'],
    ['D10', '定期10年', '10 years'],
    ['D5', '定期5年', '5 years'],
    ['长期', '长期', 'Long-term (legacy)'],
    ['短期', '短期', 'Short-term (legacy)'],
    ['???', '???', '???'],
  ])('%s → %s / %s', (v, zh, en) => {
    expect(retentionLabel(v)).toEqual({ zh, en });
  });
});

describe('normalizeRetention', () => {
  it.each([
    ['Y', 'Y'],
    [' y ', 'Y'],
    ['永久', 'Y'],
    ['Ｙ', 'Y'],
    ['D30', 'D30'],
    ['d30', 'D30'],
    ['D030', 'D30'],
    ['定期30年', 'D30'],
    ['定期 10 年', 'D10'],
    ['30年', 'D30'],
    ['１０年', 'D10'],
    ['D5', 'D5'],
    ['长期', '长期'],
    ['短期', '短期'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeRetention(input)).toBe(expected);
  });

  it.each(['', '30', '001', 'D0', '0年', '定期', '定期30', 'D1000', 'permanent', 30, null, undefined])('does not recognise %j', (input) => {
    expect(normalizeRetention(input)).toBeNull();
  });
});
