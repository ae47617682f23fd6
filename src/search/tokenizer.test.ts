import { seededRandom } from '../test-support/random.js';
import { describe, expect, it } from 'vitest';
import { foldForIndex, SEP } from './fold.js';
import {
  bigramTokens,
  fts5Match,
  indexTerms,
  matchesBySubstring,
  PG_MAX_POSITION,
  PG_MAX_POSITIONS_PER_LEXEME,
  type QueryTerm,
  termForQuery,
  tsquery,
  tsvectorLiteral,
} from './tokenizer.js';

const S = SEP;

/** What the index answers: the query's pairs at consecutive positions, or some pair beginning with its one symbol. */
function indexMatches(text: string, query: string): boolean {
  const term = termForQuery(query);
  if (!term) return false;
  const tokens = bigramTokens(foldForIndex(text)).map((t) => t.term);
  if (term.kind === 'prefix') return tokens.some((t) => t.startsWith(term.token));
  return tokens.some((_, p) => term.tokens.every((q, k) => tokens[p + k] === q));
}


describe('bigramTokens', () => {
  it('pairs adjacent symbols, SEP included, at 0-based positions', () => {
    expect(bigramTokens(`${S}12号${S}`)).toEqual([
      { term: `${S}1`, pos: 0 },
      { term: '12', pos: 1 },
      { term: '2号', pos: 2 },
      { term: `号${S}`, pos: 3 },
    ]);
  });

  it('pairs code points, not UTF-16 units', () => {
    expect(bigramTokens('𠀀档𠀁').map((t) => t.term)).toEqual(['𠀀档', '档𠀁']);
  });

  it('gives nothing below two symbols', () => {
    expect(bigramTokens('')).toEqual([]);
    expect(bigramTokens('档')).toEqual([]);
    expect(bigramTokens('𠀀')).toEqual([]);
  });
});

describe('indexTerms', () => {
  it('joins the pairs of the folded field with spaces', () => {
    expect(indexTerms('檔案館')).toBe(`${S}档 档案 案馆 馆${S}`);
    expect(indexTerms('A1')).toBe(`${S}a a1 1${S}`);
    expect(indexTerms('——')).toBe('');
  });

  it('only makes tokens that the FTS5 ascii tokenizer keeps whole', () => {
    const next = seededRandom(7);
    const pool = 'Aa Zz09-_.,;:!?"\'()[]{}<>@#$%^&*+=/\\|~`ＡＢ１２〔〕·，。檔案𠀀\u3000\t\n';
    for (let n = 0; n < 500; n++) {
      const text = Array.from({ length: 40 }, () => pool[Math.floor(next() * pool.length)]).join('');
      for (const token of indexTerms(text).split(' ').filter(Boolean)) {
        expect([...token]).toHaveLength(2);
        expect(token).not.toMatch(/[\0-\x2f\x3a-\x60\x7b-\x7f]/);
      }
    }
  });
});

describe('tsvectorLiteral', () => {
  it('lists each lexeme once with its 1-based positions', () => {
    expect(tsvectorLiteral('档案')).toBe(`'${S}档':1 '档案':2 '案${S}':3`);
    expect(tsvectorLiteral('哈哈哈')).toBe(`'${S}哈':1 '哈哈':2,3 '哈${S}':4`);
  });

  it('prefixes every lexeme', () => {
    expect(tsvectorLiteral('ab', 't')).toBe(`'t${S}a':1 'tab':2 'tb${S}':3`);
  });

  it('is empty for text with nothing to index', () => {
    expect(tsvectorLiteral('')).toBe('');
    expect(tsvectorLiteral('〔〕')).toBe('');
  });

  it('doubles quotes and backslashes, should a lexeme or prefix ever hold them', () => {
    expect(tsvectorLiteral('ab', "x'\\")).toBe(`'x''\\\\${S}a':1 'x''\\\\ab':2 'x''\\\\b${S}':3`);
  });

  it('writes positions as PostgreSQL keeps them', () => {
    const long = tsvectorLiteral('甲'.repeat(PG_MAX_POSITION + 100));
    const positions = /'甲甲':([\d,]+)/.exec(long)![1]!.split(',').map(Number);
    expect(positions).toHaveLength(PG_MAX_POSITIONS_PER_LEXEME);
    expect(positions[0]).toBe(2);
    expect(long).toMatch(new RegExp(`'甲${S}':${PG_MAX_POSITION}$`));
    expect(PG_MAX_POSITION).toBe(16383);
  });
});

describe('termForQuery', () => {
  it('makes a phrase of the query’s pairs', () => {
    expect(termForQuery('政发')).toEqual({ kind: 'phrase', tokens: ['政发'] });
    expect(termForQuery('〔2023〕')).toEqual({ kind: 'phrase', tokens: [`${S}2`, '20', '02', '23', `3${S}`] });
    expect(termForQuery('檔案館')).toEqual({ kind: 'phrase', tokens: ['档案', '案馆'] });
  });

  it('makes a prefix query of a single symbol', () => {
    expect(termForQuery('号')).toEqual({ kind: 'prefix', token: '号' });
    expect(termForQuery('Ａ')).toEqual({ kind: 'prefix', token: 'a' });
    expect(termForQuery(' 𠀀 ')).toEqual({ kind: 'phrase', tokens: [`${S}𠀀`, `𠀀${S}`] });
    expect(termForQuery('𠀀')).toEqual({ kind: 'prefix', token: '𠀀' });
  });

  it('gives null for a query of separators only', () => {
    expect(termForQuery('')).toBeNull();
    expect(termForQuery('〔〕·-，。 ')).toBeNull();
  });
});

describe('fts5Match and tsquery', () => {
  const phrase: QueryTerm = { kind: 'phrase', tokens: ['档案', '案馆'] };
  const prefix: QueryTerm = { kind: 'prefix', token: '号' };

  it('writes FTS5 phrases and prefixes', () => {
    expect(fts5Match(phrase)).toBe('"档案 案馆"');
    expect(fts5Match(prefix)).toBe('"号"*');
    expect(fts5Match({ kind: 'phrase', tokens: ['a"b'] })).toBe('"a""b"');
  });

  it('writes PostgreSQL phrases and prefixes, with the field prefix', () => {
    expect(tsquery(phrase)).toBe("'档案' <-> '案馆'");
    expect(tsquery(phrase, 't')).toBe("'t档案' <-> 't案馆'");
    expect(tsquery(prefix)).toBe("'号':*");
    expect(tsquery(prefix, 'x')).toBe("'x号':*");
    expect(tsquery({ kind: 'prefix', token: "'\\" })).toBe("'''\\\\':*");
  });
});

describe('matching', () => {
  const code = 'Z109-WS·2011·Y·办公室-0001';
  const docNo = '峄政发〔2023〕12号';

  it.each(['Z109', 'z109', 'WS', '2011', '办公室', '0001', '01', 'Y·办公', '11', '-0001', 'ｚ１０９'])('finds %s in the archival code', (q) => {
    expect(matchesBySubstring(code, q)).toBe(true);
    expect(indexMatches(code, q)).toBe(true);
  });

  it.each(['峄政发', '2023', '12号', '〔2023〕', '政发', '02', '号', '(2023)'])('finds %s in the document number', (q) => {
    expect(matchesBySubstring(docNo, q)).toBe(true);
    expect(indexMatches(docNo, q)).toBe(true);
  });

  it.each(['Z1090', 'WS2011', '发2023', '2024', '2023号'])('does not find %s', (q) => {
    expect(matchesBySubstring(`${code} ${docNo}`, q)).toBe(false);
    expect(indexMatches(`${code} ${docNo}`, q)).toBe(false);
  });

  it('finds traditional and simplified forms of each other, and full-width forms', () => {
    expect(indexMatches('檔案館', '档案馆')).toBe(true);
    expect(indexMatches('档案馆', '檔案館')).toBe(true);
    expect(indexMatches('ＡＢＣ１２', 'abc12')).toBe(true);
    expect(indexMatches('abc12', 'ＡＢＣ１２')).toBe(true);
    expect(indexMatches('2011年', '11年')).toBe(true);
  });

  it('does not match across a separator unless the query has one', () => {
    expect(indexMatches('12号，关于', '号关')).toBe(false);
    expect(indexMatches('12号，关于', '号，关')).toBe(true);
    expect(indexMatches('12号，关于', '号 关')).toBe(true);
    expect(indexMatches('12号关于', '号，关')).toBe(false);
  });

  it('matches nothing for a query of separators only', () => {
    expect(matchesBySubstring('a，b', '，')).toBe(false);
    expect(indexMatches('a，b', '，')).toBe(false);
  });

  it('answers exactly as a substring scan of the folded text, on random mixed text', () => {
    const next = seededRandom(20240601);
    const pools = ['档案馆发国会号于里后干政峄办公室', '檔案館發國會號於裡後乾', 'AZWSYabcz', '0123456789', '０１２３', '〔〕·-，。 \u3000'];
    const symbol = () => {
      const pool = pools[Math.floor(next() * pools.length)]!;
      return [...pool][Math.floor(next() * [...pool].length)]!;
    };
    const text = (max: number) => Array.from({ length: Math.floor(next() * max) }, symbol).join('');
    let positives = 0;
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      const doc = text(60);
      const chars = [...doc];
      const queries = [text(6) || symbol(), text(3) || symbol()];
      if (chars.length) {
        for (let k = 0; k < 3; k++) {
          const len = 1 + Math.floor(next() * 20);
          const start = Math.floor(next() * chars.length);
          queries.push(chars.slice(start, start + len).join(''));
        }
      }
      for (const q of queries) {
        const expected = matchesBySubstring(doc, q);
        if (indexMatches(doc, q) !== expected) expect({ doc, q, index: !expected }).toEqual({ doc, q, index: expected });
        if (expected) positives++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(positives / checked).toBeGreaterThan(0.3);
    expect(positives / checked).toBeLessThan(0.9);
  });
});
