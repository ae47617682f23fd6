import { describe, expect, it } from 'vitest';
import { foldChar, foldForIndex, foldQuery, foldWithMap, isIndexable, originalRange, SEP } from './fold.js';

const S = SEP;

function* allCodePoints(): Generator<string> {
  for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) yield String.fromCodePoint(c);
}

describe('foldChar', () => {
  it('folds full-width ASCII forms and the ideographic space', () => {
    expect(foldChar('Ａ')).toBe('a');
    expect(foldChar('ｚ')).toBe('z');
    expect(foldChar('１')).toBe('1');
    expect(foldChar('（')).toBe('(');
    expect(foldChar('～')).toBe('~');
    expect(foldChar('\u3000')).toBe(' ');
  });

  it('folds traditional characters to simplified', () => {
    const pairs = { 檔: '档', 館: '馆', 發: '发', 國: '国', 會: '会', 號: '号', 於: '于', 為: '为', 爲: '为', 裡: '里', 裏: '里', 乾: '干' };
    for (const [t, s] of Object.entries(pairs)) expect(foldChar(t), t).toBe(s);
  });

  it('leaves simplified characters as they are', () => {
    for (const c of '案干后里发国会号于为档馆着著么') expect(foldChar(c), c).toBe(c);
  });

  it('folds traditional characters into and out of the BMP, and compatibility ideographs to unified ones', () => {
    expect(foldChar('𠁞')).toBe('𠀾');
    expect(foldChar('𠗣')).toBe('㓆');
    expect(foldChar('㗲')).toBe('𠵾');
    expect(foldChar('\uF900')).toBe('岂');
    expect(foldChar('\uF902')).toBe('车');
  });

  it('lower-cases only where the lower case is one code point', () => {
    expect(foldChar('Z')).toBe('z');
    expect(foldChar('Ä')).toBe('ä');
    expect(foldChar('Σ')).toBe('σ');
    expect(foldChar('İ')).toBe('İ');
    expect(foldChar('𐐀')).toBe('𐐨');
  });

  it('maps every code point to exactly one code point, idempotently, keeping its class', () => {
    const broken: string[] = [];
    for (const cp of allCodePoints()) {
      const f = foldChar(cp);
      if ([...f].length !== 1 || foldChar(f) !== f || isIndexable(f) !== isIndexable(cp)) broken.push(cp);
    }
    expect(broken).toEqual([]);
  });

  it('leaves no ASCII but lower-case letters and digits among indexable symbols', () => {
    const ascii = new Set<string>();
    for (const cp of allCodePoints()) {
      const f = foldChar(cp);
      if (isIndexable(f) && f.charCodeAt(0) < 0x80) ascii.add(f);
    }
    expect([...ascii].sort().join('')).toBe('0123456789abcdefghijklmnopqrstuvwxyz');
  });
});

describe('isIndexable', () => {
  it('accepts letters of every script, numbers and marks', () => {
    for (const c of ['档', '𠀀', 'の', 'ア', '한', 'a', 'Z', 'é', '7', '７', 'Ⅻ', '①', '\u0301']) expect(isIndexable(c), c).toBe(true);
  });

  it('treats punctuation, spaces, symbols, controls and private use as separators', () => {
    for (const c of ['〔', '〕', '·', '-', '，', '。', '、', '《', '》', ' ', '\u3000', '\n', '\t', '\0', '$', '+', '©', '€', '\uE000', '\uF8FF', '\uD800']) {
      expect(isIndexable(c), JSON.stringify(c)).toBe(false);
    }
  });
});

describe('foldForIndex', () => {
  it('collapses separator runs into one SEP and wraps the field in SEPs', () => {
    expect(foldForIndex('峄政发〔2023〕12号')).toBe(`${S}峄政发${S}2023${S}12号${S}`);
    expect(foldForIndex('Z109-WS·2011·Y·办公室-0001')).toBe(`${S}z109${S}ws${S}2011${S}y${S}办公室${S}0001${S}`);
    expect(foldForIndex('  ——档案——  ')).toBe(`${S}档案${S}`);
    expect(foldForIndex('檔案館')).toBe(`${S}档案馆${S}`);
    expect(foldForIndex('ＡＢＣ１２')).toBe(`${S}abc12${S}`);
  });

  it('gives nothing to index for empty or separator-only text', () => {
    expect(foldForIndex('')).toBe('');
    expect(foldForIndex(' 〔〕·，。 ')).toBe('');
    expect(foldForIndex(SEP)).toBe('');
  });

  it('keeps surrogate pairs whole and turns lone surrogates into separators', () => {
    expect(foldForIndex('𠀀档')).toBe(`${S}𠀀档${S}`);
    expect(foldForIndex('a\uD800b')).toBe(`${S}a${S}b${S}`);
    expect(foldForIndex('a\uDC00')).toBe(`${S}a${S}`);
  });

  it('folds long text the same as character by character', () => {
    const text = '中華人民共和國國務院辦公廳關於印發Z109-WS·2011〔檔案〕管理辦法的通知。𠀀İ\n'.repeat(3000);
    const expected = `${S}${Array.from(text, (c) => (isIndexable(foldChar(c)) ? foldChar(c) : S)).join('').replace(/\uE000+/g, S)}`;
    expect(foldForIndex(text)).toBe(expected);
  });
});

describe('foldQuery', () => {
  it('keeps the query’s own separators at its ends, and adds none', () => {
    expect(foldQuery('政发')).toBe('政发');
    expect(foldQuery('〔2023〕')).toBe(`${S}2023${S}`);
    expect(foldQuery('号，关')).toBe(`号${S}关`);
    expect(foldQuery(' 檔案 ')).toBe(`${S}档案${S}`);
  });

  it('folds a query of separators only to nothing', () => {
    expect(foldQuery('')).toBe('');
    expect(foldQuery('〔·〕')).toBe('');
  });
});

describe('foldWithMap', () => {
  it('gives the same folded text as foldForIndex, with one range per UTF-16 unit', () => {
    for (const text of ['峄政发〔2023〕12号', '𠀀檔案', ' (a) ', '', '——']) {
      const m = foldWithMap(text);
      expect(m.folded).toBe(foldForIndex(text));
      expect(m.starts).toHaveLength(m.folded.length);
      expect(m.ends).toHaveLength(m.folded.length);
    }
  });

  it('maps symbols, separator runs and the added edge SEPs back to the original', () => {
    const text = '檔案〔2023〕号';
    const m = foldWithMap(text);
    expect(m.folded).toBe(`${S}档案${S}2023${S}号${S}`);
    expect(m.starts).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(m.ends).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]);
    const at = m.folded.indexOf(foldQuery('〔2023〕'));
    expect(text.slice(...originalRange(m, at, at + 6))).toBe('〔2023〕');
  });

  it('maps a surrogate pair to its two original units', () => {
    const text = '甲𠀀乙';
    const m = foldWithMap(text);
    const at = m.folded.indexOf('𠀀乙');
    expect(originalRange(m, at, at + 3)).toEqual([1, 4]);
  });

  it('maps symbols whose folded form changes UTF-16 length', () => {
    const text = 'a㗲b𠗣c';
    const m = foldWithMap(text);
    expect(m.folded).toBe(`${S}a𠵾b㓆c${S}`);
    const wide = m.folded.indexOf('𠵾');
    expect(originalRange(m, wide, wide + 2)).toEqual([1, 2]);
    const narrow = m.folded.indexOf('㓆');
    expect(originalRange(m, narrow, narrow + 1)).toEqual([3, 5]);
  });

  it('maps a separator run at the start of the text to the whole run', () => {
    const m = foldWithMap('——档');
    expect(originalRange(m, 0, 2)).toEqual([0, 3]);
  });
});
