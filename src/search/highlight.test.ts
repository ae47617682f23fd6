import { describe, expect, it } from 'vitest';
import { firstMatchOffset, snippet } from './highlight.js';

/** The marked parts of a snippet, as text. */
function marked(s: { text: string; highlights: Array<[number, number]> }): string[] {
  return s.highlights.map(([a, b]) => s.text.slice(a, b));
}

describe('firstMatchOffset', () => {
  it('gives the UTF-16 offset of the first occurrence in the original', () => {
    expect(firstMatchOffset('关于印发檔案館管理辦法的通知', '档案馆')).toBe(4);
    expect(firstMatchOffset('𠀀𠀀档案', '档案')).toBe(4);
    expect(firstMatchOffset('编号：ＡＢＣ１２', 'abc12')).toBe(3);
    expect(firstMatchOffset('峄政发〔2023〕12号', '〔2023〕')).toBe(3);
  });

  it('gives -1 when the query does not occur or has nothing to search', () => {
    expect(firstMatchOffset('12号，关于', '号关')).toBe(-1);
    expect(firstMatchOffset('档案', '，')).toBe(-1);
    expect(firstMatchOffset('', '档案')).toBe(-1);
  });

  it('counts a separator the query begins with, and the start of the text as one', () => {
    expect(firstMatchOffset('12号，关于', '，关')).toBe(3);
    expect(firstMatchOffset('2023年', '（2023')).toBe(0);
  });
});

describe('snippet', () => {
  it('marks traditional text for a simplified query', () => {
    const s = snippet('關於印發檔案館管理辦法的通知', ['档案馆'])!;
    expect(s.text).toBe('關於印發檔案館管理辦法的通知');
    expect(s.highlights).toEqual([[4, 7]]);
  });

  it('marks full-width and upper-case text for a plain query', () => {
    const s = snippet('档号ＡＢＣ－１２，另见abc-12', ['abc'])!;
    expect(marked(s)).toEqual(['ＡＢＣ', 'abc']);
  });

  it('marks the separators a query holds, as written in the original', () => {
    expect(marked(snippet('峄政发〔2023〕12号', ['〔2023〕'])!)).toEqual(['〔2023〕']);
    expect(marked(snippet('峄政发(2023)12号', ['〔2023〕'])!)).toEqual(['(2023)']);
    expect(marked(snippet('峄政发〔2023〕12号', ['2023'])!)).toEqual(['2023']);
    expect(marked(snippet('12号 —— 关于', ['号，关'])!)).toEqual(['号 —— 关']);
  });

  it('keeps surrogate pairs whole in marks and at cut ends', () => {
    const s = snippet('甲𠀀乙', ['𠀀乙'])!;
    expect(s.highlights).toEqual([[1, 4]]);
    const long = snippet('𠀀'.repeat(50) + '档案' + '𠀀'.repeat(50), ['档案'], { width: 20 })!;
    expect(long.text).not.toMatch(/^…[\uDC00-\uDFFF]|[\uD800-\uDBFF]…$/);
    expect(marked(long)).toEqual(['档案']);
  });

  it('cuts a window of about `width` characters around the first occurrence, with ellipses', () => {
    const text = `${'前'.repeat(100)}档案${'后'.repeat(100)}`;
    const s = snippet(text, ['档案'], { width: 20 })!;
    expect(s.text).toBe(`…${'前'.repeat(9)}档案${'后'.repeat(9)}…`);
    expect(marked(s)).toEqual(['档案']);
  });

  it('uses 80 characters by default and does not cut short text', () => {
    const text = `${'甲'.repeat(200)}档案${'乙'.repeat(200)}`;
    expect(snippet(text, ['档案'])!.text).toHaveLength(82);
    expect(snippet('短文本中的档案', ['档案'])).toEqual({ text: '短文本中的档案', highlights: [[5, 7]] });
  });

  it('slides the window instead of cutting at the start or end of the text', () => {
    const atStart = snippet(`档案${'乙'.repeat(100)}`, ['档案'], { width: 10 })!;
    expect(atStart.text).toBe(`档案${'乙'.repeat(8)}…`);
    expect(atStart.highlights).toEqual([[0, 2]]);
    const atEnd = snippet(`${'甲'.repeat(100)}档案`, ['档案'], { width: 10 })!;
    expect(atEnd.text).toBe(`…${'甲'.repeat(8)}档案`);
    expect(atEnd.highlights).toEqual([[9, 11]]);
  });

  it('shows the whole first occurrence even when it is longer than the window', () => {
    const s = snippet(`前言${'档案'.repeat(20)}后记`, ['档案'.repeat(20)], { width: 10 })!;
    expect(s.text).toBe(`…${'档案'.repeat(20)}…`);
    expect(s.highlights).toEqual([[1, 41]]);
  });

  it('marks every occurrence of every query inside the window, merged where they overlap, clipped at the cut', () => {
    const s = snippet('哈哈哈，档案与文书，档案馆', ['哈哈', '档案', '文书', '案馆'])!;
    expect(marked(s)).toEqual(['哈哈哈', '档案', '文书', '档案馆']);
    const clipped = snippet(`${'甲'.repeat(30)}档案${'乙'.repeat(3)}档案馆藏${'丙'.repeat(30)}`, ['档案', '档案馆藏'], { width: 10 })!;
    expect(clipped.text).toBe(`…${'甲'.repeat(4)}档案乙乙乙档…`);
    expect(marked(clipped)).toEqual(['档案', '档']);
  });

  it('centres on the earliest occurrence of any query', () => {
    const text = `${'甲'.repeat(50)}文书${'乙'.repeat(50)}档案${'丙'.repeat(50)}`;
    expect(marked(snippet(text, ['档案', '文书'], { width: 10 })!)).toEqual(['文书']);
  });

  it('gives null when no query occurs', () => {
    expect(snippet('档案管理', ['文书'])).toBeNull();
    expect(snippet('档案管理', ['·'])).toBeNull();
    expect(snippet('档案管理', [])).toBeNull();
    expect(snippet('', ['档案'])).toBeNull();
  });
});
