import { describe, expect, it } from 'vitest';
import {
  type CodeValues,
  STANDARD_TEMPLATES,
  componentLabel,
  normalizeCode,
  parseCode,
  parseTemplate,
  renderCode,
  templateComponents,
} from './archival-code.js';
import { DomainError } from './errors.js';

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}

/** Every example of DA/T 13-2022 (domain.md §3.1) plus the DA/T 22-2015 style one. */
const EXAMPLES: { code: string; template: string; values: CodeValues; parsed: Record<string, string> }[] = [
  {
    code: 'J019-ZY·JC·CC·2019·D30-001-001',
    template: '{fonds}-{category}·{class2}·{class3}·{year}·{retention}-{volume:3}-{item:3}',
    values: { fonds: 'J019', category: 'ZY', class2: 'JC', class3: 'CC', year: 2019, retention: 'D30', volume: 1, item: 1 },
    parsed: { fonds: 'J019', category: 'ZY', class2: 'JC', class3: 'CC', year: '2019', retention: 'D30', volume: '001', item: '001' },
  },
  {
    code: 'J019-KU·01·2017-001-001',
    template: '{fonds}-{category}·{class2}·{year}-{volume:3}-{item:3}',
    values: { fonds: 'J019', category: 'KU', class2: '01', year: '2017', volume: '1', item: 1 },
    parsed: { fonds: 'J019', category: 'KU', class2: '01', year: '2017', volume: '001', item: '001' },
  },
  {
    code: 'A002-RS-001-002',
    template: '{fonds}-{category}-{catalog:3}-{item:3}',
    values: { fonds: 'A002', category: 'RS', catalog: 1, item: 2 },
    parsed: { fonds: 'A002', category: 'RS', catalog: '001', item: '002' },
  },
  {
    code: 'X032-KJ·KY·01-003',
    template: '{fonds}-{category}·{class2}·{project}-{volume:3}',
    values: { fonds: 'X032', category: 'KJ', class2: 'KY', project: '01', volume: 3 },
    parsed: { fonds: 'X032', category: 'KJ', class2: 'KY', project: '01', volume: '003' },
  },
  {
    code: 'X032-KJ·JJ·02-005-054',
    template: '{fonds}-{category}·{class2}·{project}-{volume:3}-{page:3}',
    values: { fonds: 'X032', category: 'KJ', class2: 'JJ', project: '02', volume: 5, page: 54 },
    parsed: { fonds: 'X032', category: 'KJ', class2: 'JJ', project: '02', volume: '005', page: '054' },
  },
  {
    code: 'K021-ZP·2019·D30-025-005',
    template: STANDARD_TEMPLATES.photo.source,
    values: { fonds: 'K021', category: 'ZP', year: 2019, retention: 'D30', group: 25, item: 5 },
    parsed: { fonds: 'K021', category: 'ZP', year: '2019', retention: 'D30', group: '025', item: '005' },
  },
  {
    code: 'C038-001-002-003',
    template: STANDARD_TEMPLATES.legacy_volume.source,
    values: { fonds: 'C038', catalog: 1, volume: 2, item: 3 },
    parsed: { fonds: 'C038', catalog: '001', volume: '002', item: '003' },
  },
  {
    code: 'A439-WS·2015·D30·003-005',
    template: '{fonds}-{category}·{year}·{retention}·{org?}-{item:3}',
    values: { fonds: 'A439', category: 'WS', year: 2015, retention: 'D30', org: '003', item: 5 },
    parsed: { fonds: 'A439', category: 'WS', year: '2015', retention: 'D30', org: '003', item: '005' },
  },
  {
    code: 'Z109-WS·2011·Y·办公室-0001',
    template: STANDARD_TEMPLATES.item.source,
    values: { fonds: 'Z109', category: 'WS', year: 2011, retention: 'Y', org: '办公室', item: 1 },
    parsed: { fonds: 'Z109', category: 'WS', year: '2011', retention: 'Y', org: '办公室', item: '0001' },
  },
  {
    code: 'Z008-WS·2019·Y-037',
    template: '{fonds}-{category}·{year}·{retention}·{org?}-{item:3}',
    values: { fonds: 'Z008', category: 'WS', year: 2019, retention: 'Y', org: null, item: 37 },
    parsed: { fonds: 'Z008', category: 'WS', year: '2019', retention: 'Y', item: '037' },
  },
  {
    code: 'J019-LY·2019·Y-001',
    template: '{fonds}-{category}·{year}·{retention}-{item:3}',
    values: { fonds: 'J019', category: 'LY', year: 2019, retention: 'Y', item: 1 },
    parsed: { fonds: 'J019', category: 'LY', year: '2019', retention: 'Y', item: '001' },
  },
  {
    code: 'C015-WY·TZGG·2019·D10-00001',
    template: '{fonds}-{category}·{class2}·{year}·{retention}-{item:5}',
    values: { fonds: 'C015', category: 'WY', class2: 'TZGG', year: 2019, retention: 'D10', item: 1 },
    parsed: { fonds: 'C015', category: 'WY', class2: 'TZGG', year: '2019', retention: 'D10', item: '00001' },
  },
  {
    code: 'B168-SW·2015·Y-001',
    template: '{fonds}-{category}·{year}·{retention}-{item:3}',
    values: { fonds: 'B168', category: 'SW', year: 2015, retention: 'Y', item: 1 },
    parsed: { fonds: 'B168', category: 'SW', year: '2015', retention: 'Y', item: '001' },
  },
  {
    code: 'Z109-WS·2011-Y-BGS-0001',
    template: STANDARD_TEMPLATES.item_dat22.source,
    values: { fonds: 'Z109', category: 'WS', year: 2011, retention: 'Y', org: 'BGS', item: 1 },
    parsed: { fonds: 'Z109', category: 'WS', year: '2011', retention: 'Y', org: 'BGS', item: '0001' },
  },
];

describe('DA/T 13-2022 examples', () => {
  it.each(EXAMPLES)('renders and parses $code', ({ code, template, values, parsed }) => {
    const t = parseTemplate(template);
    expect(renderCode(t, values)).toBe(code);
    expect(parseCode(t, code)).toEqual(parsed);
    expect(renderCode(t, parseCode(t, code) ?? {})).toBe(code);
  });
});

describe('parseTemplate', () => {
  it('keeps the source and reads width and optional flags', () => {
    const t = parseTemplate('{fonds}-{category}·{org?}-{item:4}');
    expect(t.source).toBe('{fonds}-{category}·{org?}-{item:4}');
    expect(t.slots).toEqual([
      { component: 'fonds', optional: false, separator: null },
      { component: 'category', optional: false, separator: '-' },
      { component: 'org', optional: true, separator: '·' },
      { component: 'item', optional: false, separator: '-', width: 4 },
    ]);
    expect(templateComponents(t)).toEqual(['fonds', 'category', 'org', 'item']);
  });

  it('accepts width with optional, spaces between tokens and full-width IME input', () => {
    expect(parseTemplate('{fonds} - {item:4?}·{page}').slots[1]).toEqual({ component: 'item', optional: true, separator: '-', width: 4 });
    expect(templateComponents(parseTemplate('｛fonds｝－｛year｝•｛item：４｝'))).toEqual(['fonds', 'year', 'item']);
  });

  it.each([
    ['', '模板为空'],
    ['   ', '模板为空'],
    ['{fonds}-{foo}', '未知的组成部分“foo”'],
    ['{fonds}-{}', '组成部分为空'],
    ['{fonds}-{item:0}', '位数“0”无效'],
    ['{fonds}-{item:x}', '位数“x”无效'],
    ['{fonds}-{item:}', '位数“”无效'],
    ['{fonds}-{item:21}', '位数“21”无效'],
    ['{fonds}-{item:4:2}', '多余的冒号'],
    ['{fonds}-{item?:4}', '例如 {item:4?}'],
    ['{fonds}--{item}', '两个分隔符相连'],
    ['{fonds}-·{item}', '两个分隔符相连'],
    ['-{fonds}', '开头'],
    ['{fonds}-', '结尾'],
    ['{fonds}{item}', '缺少分隔符'],
    ['{fonds}-{item', '没有对应的“}”'],
    ['{fonds}-{it{em}', '没有对应的“}”'],
    ['{fonds}-item}', '“i”不允许'],
    ['{fonds}}', '没有对应的“{”'],
    ['{fonds}-WS-{item}', '“W”不允许'],
    ['{fonds}-{fonds}', '重复'],
    ['{org?}', '至少需要一个必填'],
  ])('rejects %j (%s)', (src, reason) => {
    const err = thrown(() => parseTemplate(src));
    expect(err.code).toBe('TEMPLATE_INVALID');
    expect(err.message).toContain(reason);
    expect(err.message_en).toMatch(/^Invalid archival code template/);
    expect(err.details?.template).toBe(src);
  });

  it('reports the position and component of the problem', () => {
    expect(thrown(() => parseTemplate('{fonds}-{bogus}')).details).toMatchObject({ position: 9, component: 'bogus' });
  });
});

describe('renderCode', () => {
  const t = STANDARD_TEMPLATES.item;
  const base = { fonds: 'Z109', category: 'WS', year: 2011, retention: 'Y', item: 12 };

  it('drops an empty optional component with its separator', () => {
    for (const org of [undefined, null, '', '  ']) expect(renderCode(t, { ...base, org })).toBe('Z109-WS·2011·Y-0012');
  });

  it('merges separators around a dropped component into the stronger one', () => {
    const lead = parseTemplate('{fonds}-{org?}·{year}-{item}');
    expect(renderCode(lead, { fonds: 'A1', year: 2020, item: 3 })).toBe('A1-2020-3');
    expect(renderCode(lead, { fonds: 'A1', org: 'BGS', year: 2020, item: 3 })).toBe('A1-BGS·2020-3');
    const first = parseTemplate('{org?}-{fonds}·{item}');
    expect(renderCode(first, { fonds: 'A1', item: 3 })).toBe('A1·3');
  });

  it('keeps values wider than their padding and canonicalises padding', () => {
    expect(renderCode(t, { ...base, item: 10000 })).toBe('Z109-WS·2011·Y-10000');
    expect(renderCode(t, { ...base, item: '00012' })).toBe('Z109-WS·2011·Y-0012');
    expect(renderCode(t, { ...base, item: 0 })).toBe('Z109-WS·2011·Y-0000');
  });

  it('normalises full-width input so one code has one spelling', () => {
    expect(renderCode(t, { ...base, fonds: 'Ｚ１０９', item: '１２' })).toBe('Z109-WS·2011·Y-0012');
  });

  it('throws CODE_COMPONENT_MISSING naming the component', () => {
    const err = thrown(() => renderCode(t, { ...base, year: ' ' }));
    expect(err.code).toBe('CODE_COMPONENT_MISSING');
    expect(err.details).toEqual({ component: 'year' });
    expect(err.message).toContain('年度');
  });

  it.each([
    ['fonds', 'Z-109'],
    ['org', '办公·室'],
    ['org', '办公室－'],
    ['org', '办 公'],
    ['org', '办\u3000公'],
    ['org', 'a\u0007'],
    ['item', '12a'],
    ['item', -1],
    ['item', 1.5],
    ['year', 2011.5],
  ])('throws CODE_COMPONENT_INVALID for %s = %j', (component, value) => {
    const err = thrown(() => renderCode(t, { ...base, [component]: value }));
    expect(err.code).toBe('CODE_COMPONENT_INVALID');
    expect(err.details?.component).toBe(component);
  });
});

describe('parseCode', () => {
  const t = STANDARD_TEMPLATES.item;

  it('returns null when the code does not fit', () => {
    for (const code of ['', 'Z109', 'Z109-WS·2011·Y-12', 'Z109-WS·2011·Y-00012', 'Z109-WS·2011-Y-0012', 'Z109-WS·2011·Y·办公室·x-0001', 'Z109--WS·2011·Y-0001', 'Z109-WS·2011·Y-0001-']) {
      expect(parseCode(t, code), code).toBeNull();
    }
  });

  it('accepts wide values and look-alike separators', () => {
    expect(parseCode(t, 'Z109-WS·2011·Y-10000')?.item).toBe('10000');
    expect(parseCode(t, ' Z109－WS・2011•Y‧BGS–0001 ')).toEqual({ fonds: 'Z109', category: 'WS', year: '2011', retention: 'Y', org: 'BGS', item: '0001' });
  });

  it('uses padding widths to tell optional components apart', () => {
    const both = parseTemplate('{fonds}-{catalog:3?}-{volume?}-{item:4}');
    expect(parseCode(both, 'A1-12-0001')).toEqual({ fonds: 'A1', volume: '12', item: '0001' });
    expect(parseCode(both, 'A1-012-0001')).toEqual({ fonds: 'A1', catalog: '012', item: '0001' });
    expect(parseCode(both, 'A1-012-7-0001')).toEqual({ fonds: 'A1', catalog: '012', volume: '7', item: '0001' });
  });

  it('reads a dropped level-leading optional component back', () => {
    const lead = parseTemplate('{fonds}-{org?}·{year}-{item}');
    expect(parseCode(lead, 'A1-2020-3')).toEqual({ fonds: 'A1', year: '2020', item: '3' });
    expect(parseCode(lead, 'A1-BGS·2020-3')).toEqual({ fonds: 'A1', org: 'BGS', year: '2020', item: '3' });
    expect(parseCode(lead, 'A1·2020-3')).toBeNull();
  });
});

describe('labels and standard templates', () => {
  it('labels components in both languages', () => {
    expect(componentLabel('item')).toEqual({ zh: '件号', en: 'Item number' });
    expect(componentLabel('org').zh).toBe('机构(问题)');
  });

  it('has the two required standard templates', () => {
    expect(STANDARD_TEMPLATES.item.source).toBe('{fonds}-{category}·{year}·{retention}·{org?}-{item:4}');
    expect(STANDARD_TEMPLATES.volume.source).toBe('{fonds}-{category}·{year}·{retention}-{volume:3}-{item:3}');
    expect(renderCode(STANDARD_TEMPLATES.volume, { fonds: 'J019', category: 'WS', year: 2019, retention: 'D30', volume: 1, item: 2 })).toBe('J019-WS·2019·D30-001-002');
    expect(renderCode(STANDARD_TEMPLATES.volume_code, { fonds: 'J019', category: 'WS', year: 2019, retention: 'D30', volume: 1 })).toBe('J019-WS·2019·D30-001');
  });

  it('normalizeCode maps look-alike separators and full-width forms', () => {
    expect(normalizeCode(' Ｊ０１９—ＷＳ・2019 ')).toBe('J019-WS·2019');
  });
});
