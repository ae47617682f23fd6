import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import { andQuery, describeQuery, parseQuery, type QueryNode, type SearchField } from './query-parser.js';

const t = (text: string, field: SearchField = 'any'): QueryNode => ({ type: 'term', field, text });
const and = (...children: QueryNode[]): QueryNode => ({ type: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ type: 'or', children });
const not = (child: QueryNode): QueryNode => ({ type: 'not', child });

function error(input: string): DomainError {
  try {
    parseQuery(input);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`parseQuery(${JSON.stringify(input)}) did not fail`);
}

describe('parseQuery: terms and operators', () => {
  it('reads a single term as typed', () => {
    expect(parseQuery('档案')).toEqual(t('档案'));
    expect(parseQuery('  檔案館  ')).toEqual(t('檔案館'));
    expect(parseQuery('Z109-WS·2011·Y·办公室-0001')).toEqual(t('Z109-WS·2011·Y·办公室-0001'));
  });

  it('ANDs terms separated by any whitespace, the ideographic space included', () => {
    expect(parseQuery('档案 文书')).toEqual(and(t('档案'), t('文书')));
    expect(parseQuery('档案\u3000文书\t管理')).toEqual(and(t('档案'), t('文书'), t('管理')));
  });

  it.each(['档案 与 文书', '档案 AND 文书', '档案 & 文书', '档案&文书', '档案 ＆ 文书', '档案 && 文书'])('accepts explicit AND: %s', (q) => {
    expect(parseQuery(q)).toEqual(and(t('档案'), t('文书')));
  });

  it.each(['档案 或 文书', '档案 OR 文书', '档案 | 文书', '档案|文书', '档案｜文书', '档案 || 文书'])('reads OR: %s', (q) => {
    expect(parseQuery(q)).toEqual(or(t('档案'), t('文书')));
  });

  it.each(['档案 -草稿', '档案 －草稿', '档案 非 草稿', '档案 NOT 草稿', '档案 AND NOT 草稿', '档案 与 非 草稿'])('reads NOT: %s', (q) => {
    expect(parseQuery(q)).toEqual(and(t('档案'), not(t('草稿'))));
  });

  it('takes operator words only in upper case and only as whole words', () => {
    expect(parseQuery('a or b')).toEqual(and(t('a'), t('or'), t('b')));
    expect(parseQuery('或者 非常')).toEqual(and(t('或者'), t('非常')));
    expect(parseQuery('ORACLE')).toEqual(t('ORACLE'));
  });

  it('binds OR tighter than AND, and NOT tightest', () => {
    expect(parseQuery('档案 文书 或 文件')).toEqual(and(t('档案'), or(t('文书'), t('文件'))));
    expect(parseQuery('a 或 b c')).toEqual(and(or(t('a'), t('b')), t('c')));
    expect(parseQuery('a AND b OR c')).toEqual(and(t('a'), or(t('b'), t('c'))));
    expect(parseQuery('-a 或 b c')).toEqual(and(or(not(t('a')), t('b')), t('c')));
  });

  it('groups with half- and full-width parentheses, nested', () => {
    expect(parseQuery('(a 或 b) c')).toEqual(and(or(t('a'), t('b')), t('c')));
    expect(parseQuery('（a 或 b）c')).toEqual(and(or(t('a'), t('b')), t('c')));
    expect(parseQuery('a (b (c 或 (d e)))')).toEqual(and(t('a'), t('b'), or(t('c'), and(t('d'), t('e')))));
    expect(parseQuery('-(草稿 或 初稿) 档案')).toEqual(and(not(or(t('草稿'), t('初稿'))), t('档案')));
  });

  it('takes a hyphen inside a term literally', () => {
    expect(parseQuery('Z109-WS 2011-Y')).toEqual(and(t('Z109-WS'), t('2011-Y')));
  });
});

describe('parseQuery: phrases', () => {
  it('keeps spaces and operators inside ASCII and Chinese quotes', () => {
    expect(parseQuery('"档案 OR 管理"')).toEqual(t('档案 OR 管理'));
    expect(parseQuery('“档案 -管理 (草稿)”')).toEqual(t('档案 -管理 (草稿)'));
    expect(parseQuery('“a"b” c')).toEqual(and(t('a"b'), t('c')));
  });

  it('lets a quote end a bare word, and combines phrases with operators', () => {
    expect(parseQuery('档案"管理 办法"')).toEqual(and(t('档案'), t('管理 办法')));
    expect(parseQuery('-"草 稿" "a b"|c')).toEqual(and(not(t('草 稿')), or(t('a b'), t('c'))));
  });
});

describe('parseQuery: fields', () => {
  it.each([
    ['题名:档案', 'title'],
    ['题名：档案', 'title'],
    ['title:档案', 'title'],
    ['Title:档案', 'title'],
    ['责任者:档案', 'responsible'],
    ['responsible:档案', 'responsible'],
    ['文号:档案', 'doc_number'],
    ['docno:档案', 'doc_number'],
    ['档号:档案', 'archival_code'],
    ['code:档案', 'archival_code'],
    ['全文:档案', 'fulltext'],
    ['fulltext:档案', 'fulltext'],
  ] as const)('scopes %s to %s', (q, field) => {
    expect(parseQuery(q)).toEqual(t('档案', field));
  });

  it('scopes the next term, phrase or group only', () => {
    expect(parseQuery('题名:档案 管理')).toEqual(and(t('档案', 'title'), t('管理')));
    expect(parseQuery('题名:"档案 管理" 文书')).toEqual(and(t('档案 管理', 'title'), t('文书')));
    expect(parseQuery('题名:(档案 或 文书) 管理')).toEqual(and(or(t('档案', 'title'), t('文书', 'title')), t('管理')));
    expect(parseQuery('题名： 档案')).toEqual(t('档案', 'title'));
  });

  it('lets an inner scope win over an outer one', () => {
    expect(parseQuery('题名:(档案 责任者:张三)')).toEqual(and(t('档案', 'title'), t('张三', 'responsible')));
  });

  it('combines scopes with NOT either way round', () => {
    expect(parseQuery('档案 -题名:草稿')).toEqual(and(t('档案'), not(t('草稿', 'title'))));
    expect(parseQuery('档案 题名:-草稿')).toEqual(and(t('档案'), not(t('草稿', 'title'))));
    expect(parseQuery('档案 非 题名:(草稿 或 初稿)')).toEqual(and(t('档案'), not(or(t('草稿', 'title'), t('初稿', 'title')))));
  });

  it('reads an unknown prefix as part of the term', () => {
    expect(parseQuery('abc:def')).toEqual(t('abc:def'));
    expect(parseQuery('http://example.org/a')).toEqual(t('http://example.org/a'));
    expect(parseQuery('备注:张三')).toEqual(t('备注:张三'));
    expect(parseQuery('副题名:档案')).toEqual(t('副题名:档案'));
  });
});

describe('parseQuery: ranges', () => {
  const year = (from: string | null, to: string | null): QueryNode => ({ type: 'range', field: 'year', from, to });
  const date = (from: string | null, to: string | null): QueryNode => ({ type: 'range', field: 'date', from, to });

  it.each([
    ['年度:2010', year('2010', '2010')],
    ['年度:2010-2015', year('2010', '2015')],
    ['年度：2010..2015', year('2010', '2015')],
    ['年度:2010~2015', year('2010', '2015')],
    ['年度:2010至2015', year('2010', '2015')],
    ['年度:2010年-2015年', year('2010', '2015')],
    ['年度:２０１０－２０１５', year('2010', '2015')],
    ['年度:>=2010', year('2010', null)],
    ['年度:≥2010', year('2010', null)],
    ['年度:>2010', year('2011', null)],
    ['年度:<=2015', year(null, '2015')],
    ['年度:<2015', year(null, '2014')],
    ['年度:2010..', year('2010', null)],
    ['年度:..2015', year(null, '2015')],
    ['year:2010-2015', year('2010', '2015')],
    ['年度:"2010 - 2015"', year('2010', '2015')],
  ] as const)('reads %s', (q, node) => {
    expect(parseQuery(q)).toEqual(node);
  });

  it.each([
    ['日期:2015', date('2015', '2015')],
    ['日期:2015-06', date('2015-06', '2015-06')],
    ['日期:2015-6-1', date('2015-06-01', '2015-06-01')],
    ['日期:2015-01-01..2015-06-30', date('2015-01-01', '2015-06-30')],
    ['日期:2015-01-01-2015-06-30', date('2015-01-01', '2015-06-30')],
    ['日期:20150101-20150630', date('2015-01-01', '2015-06-30')],
    ['日期:2015-01~2015-06', date('2015-01', '2015-06')],
    ['日期:2015年1月至2015年6月', date('2015-01', '2015-06')],
    ['日期:>=2015-01', date('2015-01', null)],
    ['日期:<=2015-06-30', date(null, '2015-06-30')],
    ['日期:>2015-12-31', date('2016-01-01', null)],
    ['日期:>2015-12', date('2016-01', null)],
    ['日期:<2016-03-01', date(null, '2016-02-29')],
    ['date:2015..2016', date('2015', '2016')],
  ] as const)('reads %s', (q, node) => {
    expect(parseQuery(q)).toEqual(node);
  });

  it('combines ranges with terms', () => {
    expect(parseQuery('档案 年度:2010-2015')).toEqual(and(t('档案'), year('2010', '2015')));
  });

  it.each(['年度:abc', '年度:201', '年度:2010-20', '年度:-2015', '年度:..', '日期:2015-13', '日期:2015-02-30', '日期:x..2015'])('rejects %s', (q) => {
    const e = error(q);
    expect(e.code).toBe('SEARCH_QUERY_INVALID');
    expect(e.message).toMatch(/^第 4 个字符处的(年度|日期)“.*”无效，应写作/);
    expect(e.message_en).toMatch(/^At character 4: invalid (year|date) range/);
  });

  it('rejects a range that ends before it starts', () => {
    expect(error('年度:2015-2010').message).toBe('第 4 个字符处的年度范围“2015-2010”起点晚于终点');
    expect(error('日期:2015-06..2015-05-31').message_en).toBe('At character 4: the date range "2015-06..2015-05-31" ends before it starts');
    expect(parseQuery('日期:2015..2015-06')).toEqual(date('2015', '2015-06'));
  });

  it('rejects a range field without a value', () => {
    expect(error('年度:').message).toBe('第 1 个字符处的“年度:”后面缺少年份');
    expect(error('档案 日期：(2015)').message).toBe('第 4 个字符处的“日期：”后面缺少日期');
  });
});

describe('parseQuery: normalisation', () => {
  it('flattens nested AND and OR and collapses single-child groups', () => {
    expect(parseQuery('((a))')).toEqual(t('a'));
    expect(parseQuery('a (b c) (d (e))')).toEqual(and(t('a'), t('b'), t('c'), t('d'), t('e')));
    expect(parseQuery('a 或 (b 或 (c 或 d))')).toEqual(or(t('a'), t('b'), t('c'), t('d')));
  });

  it('drops terms with nothing to search and what they leave empty', () => {
    expect(parseQuery('档案 · 管理')).toEqual(and(t('档案'), t('管理')));
    expect(parseQuery('档案 - 管理')).toEqual(and(t('档案'), t('管理')));
    expect(parseQuery('档案 -“，” (〔〕 或 ——)')).toEqual(t('档案'));
  });

  it('cancels double negation', () => {
    expect(parseQuery('档案 --a')).toEqual(and(t('档案'), t('a')));
    expect(parseQuery('NOT NOT a')).toEqual(t('a'));
  });
});

describe('parseQuery: errors', () => {
  it.each([
    ['(档案', '第 1 个字符处的“(”缺少对应的“)”', 'At character 1: the "(" is never closed'],
    ['档案 (a (b)', '第 4 个字符处的“(”缺少对应的“)”', 'At character 4: the "(" is never closed'],
    ['题名:(', '第 4 个字符处的“(”缺少对应的“)”', 'At character 4: the "(" is never closed'],
    ['档案)', '第 3 个字符处的“)”没有对应的“(”', 'At character 3: the ")" has no matching "("'],
    ['(a) b)', '第 6 个字符处的“)”没有对应的“(”', 'At character 6: the ")" has no matching "("'],
    ['档案 ()', '第 4 个字符处的括号内没有检索词', 'At character 4: the parentheses are empty'],
    ['"档案', '第 1 个字符处的引号 " 没有闭合', 'At character 1: the quote " is never closed'],
    ['档案 “管理', '第 4 个字符处的引号 “ 没有闭合', 'At character 4: the quote “ is never closed'],
    ['档案 或', '第 4 个字符处的“或”后面缺少检索词', 'At character 4: "或" is not followed by a search term'],
    ['或 档案', '第 1 个字符处的“或”前面缺少检索词', 'At character 1: "或" has no search term before it'],
    ['档案 AND', '第 4 个字符处的“AND”后面缺少检索词', 'At character 4: "AND" is not followed by a search term'],
    ['档案 与 或 文书', '第 4 个字符处的“与”后面缺少检索词', 'At character 4: "与" is not followed by a search term'],
    ['(或 a)', '第 2 个字符处的“或”前面缺少检索词', 'At character 2: "或" has no search term before it'],
    ['档案 非', '第 4 个字符处的“非”后面缺少检索词', 'At character 4: "非" is not followed by a search term'],
    ['题名:', '第 1 个字符处的“题名:”后面缺少检索词', 'At character 1: "题名:" is not followed by a search term'],
    ['档案 责任者：) ', '第 4 个字符处的“责任者：”后面缺少检索词', 'At character 4: "责任者：" is not followed by a search term'],
    ['𠀀𠀀 (', '第 4 个字符处的“(”缺少对应的“)”', 'At character 4: the "(" is never closed'],
  ])('%s', (q, zh, en) => {
    const e = error(q);
    expect(e.code).toBe('SEARCH_QUERY_INVALID');
    expect(e.message).toBe(zh);
    expect(e.message_en).toBe(en);
  });

  it('gives the UTF-16 offset of the error in details', () => {
    expect(error('𠀀𠀀 (').details).toEqual({ position: 5 });
  });

  it.each(['', '   ', '\u3000'])('rejects an empty query: %j', (q) => {
    const e = error(q);
    expect(e.code).toBe('SEARCH_QUERY_EMPTY');
    expect(e.message).toBe('请输入检索词');
  });

  it.each(['·', '〔〕 ——', '""', '-'])('rejects a query without anything to search: %j', (q) => {
    const e = error(q);
    expect(e.code).toBe('SEARCH_QUERY_EMPTY');
    expect(e.message).toContain('没有可检索的文字或数字');
  });

  it.each(['-草稿', 'NOT 草稿', '非 草稿 -初稿', '-(档案 或 文书)', '年度:2010 -草稿', '题名:-草稿'])('rejects a query that only excludes: %s', (q) => {
    const e = error(q);
    expect(e.code).toBe('SEARCH_QUERY_ONLY_NOT');
    expect(e.message).toBe('检索式至少要有一个不带“非”（NOT、-）的检索词');
    expect(e.message_en).toBe('The query needs at least one term that is not negated with NOT or -');
  });

  it('accepts a query of ranges only: the engine decides what to do with it', () => {
    expect(parseQuery('年度:2010')).toEqual({ type: 'range', field: 'year', from: '2010', to: '2010' });
  });
});

describe('describeQuery', () => {
  it.each([
    ['档案', '档案'],
    ['档案 AND 文书', '档案 文书'],
    ['档案 | 文书', '档案 或 文书'],
    ['档案 文书 OR 文件', '档案 (文书 或 文件)'],
    ['(a b) OR c', '(a b) 或 c'],
    ['档案 NOT 草稿', '档案 非 草稿'],
    ['档案 -(草稿 OR 初稿)', '档案 非 (草稿 或 初稿)'],
    ['title:档案 code:Z109', '题名:档案 档号:Z109'],
    ['题名:(档案 OR 文书)', '题名:(档案 或 文书)'],
    ['题名:(档案 -草稿)', '题名:(档案 非 草稿)'],
    ['题名:(档案 年度:2010)', '题名:档案 年度:2010'],
    ['档案 -题名:(草稿 OR 初稿)', '档案 非 题名:(草稿 或 初稿)'],
    ['题名:(a b) OR 责任者:(c 或 d)', '题名:(a b) 或 责任者:c 或 责任者:d'],
    ['"档案 管理"', '"档案 管理"'],
    ['"OR"', '"OR"'],
    ['"-0001"', '"-0001"'],
    ['"题名:档案"', '"题名:档案"'],
    ['“a"b”', '“a"b”'],
    ['"a)b"', '"a)b"'],
    ['abc:def', 'abc:def'],
    ['年度:2010..2015', '年度:2010-2015'],
    ['年度:2010', '年度:2010'],
    ['年度:>2010', '年度:>=2011'],
    ['年度:<=2015', '年度:<=2015'],
    ['日期:20150101-20150630', '日期:2015-01-01..2015-06-30'],
    ['日期:2015-06', '日期:2015-06'],
  ])('%s → %s', (q, text) => {
    expect(describeQuery(parseQuery(q))).toBe(text);
  });

  it('writes a term holding both kinds of quotes so that it reads back alike', () => {
    const text = describeQuery(t('a"b”c'));
    expect(text).toBe('"a＂b”c"');
    expect(parseQuery(text)).toEqual(t('a＂b”c'));
  });

  it('reads back to the same node', () => {
    const queries = [
      '档案 文书 或 文件 -草稿',
      '(题名:档案 或 责任者:(张三 李四)) 全文:"会议 纪要" 年度:2010-2015 日期:>=2015-06',
      '非 (a 或 b) c (d (e 或 -f))',
      '档号:(Z109 或 Z110) 文号:"峄政发〔2023〕12号"',
      '"NOT" "或" "(x)" "a b" abc:def',
      '题名:(a (b 或 c) -d)',
    ];
    for (const q of queries) {
      const node = parseQuery(q);
      expect(parseQuery(describeQuery(node)), q).toEqual(node);
    }
  });

  it('reads back to the same node for random queries', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = ['档案', '文书', 'a', 'Z109-WS', '或', 'OR', '|', '与', 'AND', '-', '非', 'NOT', '(', ')', '"x y"', '“或”', '题名:', 'code:', '年度:2010', '日期:2015-06', '·', 'abc:d'];
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      const q = Array.from({ length: 1 + Math.floor(next() * 8) }, () => pieces[Math.floor(next() * pieces.length)]).join(next() < 0.8 ? ' ' : '');
      let node: QueryNode;
      try {
        node = parseQuery(q);
      } catch (e) {
        expect(e, q).toBeInstanceOf(DomainError);
        continue;
      }
      parsed++;
      expect(parseQuery(describeQuery(node)), `${q} → ${describeQuery(node)}`).toEqual(node);
    }
    expect(parsed).toBeGreaterThan(500);
  });
});

describe('andQuery', () => {
  it('ANDs a new query onto the previous one, flattening', () => {
    const previous = parseQuery('档案 文书');
    expect(andQuery(previous, parseQuery('管理 -草稿'))).toEqual(and(t('档案'), t('文书'), t('管理'), not(t('草稿'))));
    expect(andQuery(parseQuery('a 或 b'), parseQuery('c'))).toEqual(and(or(t('a'), t('b')), t('c')));
    expect(describeQuery(andQuery(parseQuery('a 或 b'), parseQuery('年度:2010')))).toBe('(a 或 b) 年度:2010');
  });

  it('can add an exclusion to previous results', () => {
    expect(andQuery(parseQuery('档案'), not(t('草稿')))).toEqual(and(t('档案'), not(t('草稿'))));
  });
});
