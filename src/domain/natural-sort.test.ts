import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, compareNatural, naturalSortKey } from './natural-sort.js';

/** How SQLite BINARY and PostgreSQL COLLATE "C" compare: UTF-8 bytes. */
const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const byKey = (codes: string[]) => [...codes].sort((a, b) => byteCompare(naturalSortKey(a), naturalSortKey(b)));
const byNatural = (codes: string[]) => [...codes].sort(compareNatural);

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['-', '·', 'A', 'J', 'W', 'S', 'a', ' ', '/', ':', '办', '公', '室', '\uFF0D', '\u{20000}', '0', '0', '0', '1', '2', '9'];

function randomCode(rand: () => number): string {
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)] as T;
  let out = '';
  const parts = 1 + Math.floor(rand() * 6);
  for (let p = 0; p < parts; p++) {
    if (rand() < 0.5) {
      const len = 1 + Math.floor(rand() * (rand() < 0.1 ? 45 : 6));
      for (let i = 0; i < len; i++) out += rand() < 0.3 ? '0' : String(Math.floor(rand() * 10));
    } else {
      const len = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < len; i++) out += pick(ALPHABET);
    }
  }
  return out;
}

describe('naturalSortKey', () => {
  it('orders codes naturally under byte comparison', () => {
    const sorted = [
      'J019-WS·2019·Y-0002',
      'J019-WS·2019·Y-0010',
      'J019-WS·2019·Y-9999',
      'J019-WS·2019·Y-10000',
      'J019-WS·2019·Y·办公室-0001',
      'J019-WS·2020·Y-0001',
    ];
    expect(byKey([...sorted].reverse())).toEqual(sorted);
    expect(byKey(['A-10', 'A-9', 'A-1'])).toEqual(['A-1', 'A-9', 'A-10']);
  });

  it('compares digit runs of up to 20 digits numerically', () => {
    const nums = ['99999999999999999999', '100000000000000000', '9', '123456789', '12345678', '1000000000'];
    expect(byKey(nums.map((n) => `X-${n}`))).toEqual(
      [...nums].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).map((n) => `X-${n}`),
    );
  });

  it('compares Chinese text by code point', () => {
    expect(byKey(['Z-财务科', 'Z-办公室', 'Z-人事科'])).toEqual(['Z-人事科', 'Z-办公室', 'Z-财务科']);
  });

  it('breaks value ties by fewer leading zeros so the order is total', () => {
    expect(byKey(['A-002', 'A-2', 'A-02'])).toEqual(['A-2', 'A-02', 'A-002']);
    expect(naturalSortKey('A-02')).not.toBe(naturalSortKey('A-2'));
    expect(compareNatural('A-02', 'A-2')).toBe(1);
  });

  it('keeps keys compact', () => {
    expect(naturalSortKey('ABC')).toBe('ABC');
    expect(naturalSortKey('J019-WS·2019·Y-0001')).toBe('J219-WS·42019·Y-11\u0001103');
  });

  it('agrees with compareNatural on random codes (property)', () => {
    const rand = prng(20240601);
    for (let round = 0; round < 200; round++) {
      const codes = Array.from({ length: 30 }, () => randomCode(rand));
      expect(byKey(codes)).toEqual(byNatural(codes));
      for (let i = 1; i < codes.length; i++) {
        const a = codes[i - 1] ?? '';
        const b = codes[i] ?? '';
        expect(Math.sign(byteCompare(naturalSortKey(a), naturalSortKey(b))), `${a} vs ${b}`).toBe(compareNatural(a, b));
      }
    }
  });
});

describe('compareNatural', () => {
  it.each([
    ['A-0002', 'A-0010', -1],
    ['A-9', 'A-10', -1],
    ['A-10000', 'A-9999', 1],
    ['A-1', 'A-1', 0],
    ['A', 'A-1', -1],
    ['A1', 'A-1', 1],
    ['办公室', '人事科', 1],
  ])('%s vs %s → %d', (a, b, expected) => {
    expect(compareNatural(a, b)).toBe(expected);
    expect(compareNatural(b, a)).toBe(-expected || 0);
  });
});

describe('compareCodePoints', () => {
  it('orders astral characters after the rest of the BMP, as UTF-8 does', () => {
    expect(compareCodePoints('\u{20000}', '\uFF0D')).toBe(1);
    expect('\u{20000}' < '\uFF0D').toBe(true);
  });
});
