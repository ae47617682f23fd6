import { describe, expect, it } from 'vitest';
import { findGaps, nextItemNumber } from './item-number.js';

describe('nextItemNumber', () => {
  it('is max + 1, or 1 when empty', () => {
    expect(nextItemNumber([])).toBe(1);
    expect(nextItemNumber([3, 1, 2])).toBe(4);
    expect(nextItemNumber([1, 7])).toBe(8);
    expect(nextItemNumber([0, -5, Number.NaN, 2.5])).toBe(1);
  });

  it('handles large inputs without spreading them into arguments', () => {
    expect(nextItemNumber(Array.from({ length: 300_000 }, (_, i) => i + 1))).toBe(300_001);
  });
});

describe('findGaps', () => {
  it('finds missing and duplicate numbers', () => {
    expect(findGaps([1, 2, 3])).toEqual({ missing: [], missingCount: 0, duplicates: [] });
    expect(findGaps([])).toEqual({ missing: [], missingCount: 0, duplicates: [] });
    expect(findGaps([5, 2, 2, 7, 7, 7])).toEqual({ missing: [1, 3, 4, 6], missingCount: 4, duplicates: [2, 7] });
  });

  it('caps the missing list at 1000 but counts them all', () => {
    const gaps = findGaps([1, 1_000_000]);
    expect(gaps.missing).toHaveLength(1000);
    expect(gaps.missing[0]).toBe(2);
    expect(gaps.missing[999]).toBe(1001);
    expect(gaps.missingCount).toBe(999_998);
  });

  it('does not modify its input', () => {
    const input = [3, 1, 2];
    findGaps(input);
    expect(input).toEqual([3, 1, 2]);
  });
});
