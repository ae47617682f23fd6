/** 件号 sequences within the lowest class: the next free number and the holes left behind. */

const MISSING_LIMIT = 1000;

/** Only positive integers are 件号; anything else in the input is ignored. */
const isItemNumber = (n: number) => Number.isSafeInteger(n) && n >= 1;

/** max + 1, never a gap: filling a gap would put a new item among older ones, out of arrangement order. */
export function nextItemNumber(existing: number[]): number {
  let max = 0;
  for (const n of existing) if (isItemNumber(n) && n > max) max = n;
  return max + 1;
}

export interface ItemNumberGaps {
  /** Missing numbers from 1 to the largest, ascending, at most 1000 of them. */
  missing: number[];
  missingCount: number;
  duplicates: number[];
}

export function findGaps(existing: number[]): ItemNumberGaps {
  const sorted = existing.filter(isItemNumber).sort((a, b) => a - b);
  const duplicates: number[] = [];
  const missing: number[] = [];
  let missingCount = 0;
  let previous = 0;
  for (const n of sorted) {
    if (n === previous) {
      if (duplicates[duplicates.length - 1] !== n) duplicates.push(n);
      continue;
    }
    // Count holes arithmetically: one mistyped 件号 like 100000 must not mean a 100000-step loop.
    missingCount += n - previous - 1;
    for (let k = previous + 1; k < n && missing.length < MISSING_LIMIT; k++) missing.push(k);
    previous = n;
  }
  return { missing, missingCount, duplicates };
}
