import { describe, expect, it } from 'vitest';
import { type BoundedFieldDef, type Coerced, codePointLength, coerceField, hasBadChars } from './field-values.js';

const field = (def: Partial<BoundedFieldDef>): BoundedFieldDef => ({ name: 'f', label: { zh: '字段', en: 'Field' }, type: 'text', ...def });
const value = (r: Coerced) => ('value' in r ? r.value : r);
const code = (r: Coerced) => ('issue' in r ? r.issue.code : null);

describe('coerceField', () => {
  it('reports empty values without judging them', () => {
    for (const raw of [undefined, null, '', '  \n']) expect(coerceField(field({}), raw)).toEqual({ empty: true });
  });

  it('trims text, keeps numbers as text and counts CJK as one character', () => {
    expect(value(coerceField(field({}), '  题名 '))).toBe('题名');
    expect(value(coerceField(field({}), 12))).toBe('12');
    expect(value(coerceField(field({ maxLength: 3 }), '办公室'))).toBe('办公室');
    expect(value(coerceField(field({ maxLength: 3 }), '𠀀𠀀𠀀'))).toBe('𠀀𠀀𠀀');
    const long = coerceField(field({ maxLength: 3 }), '办公室主任');
    expect('issue' in long && long.issue).toMatchObject({ field: 'f', code: 'FIELD_TOO_LONG', details: { max: 3, length: 5 } });
    expect(code(coerceField(field({}), 'x'.repeat(1001)))).toBe('FIELD_TOO_LONG');
    expect(code(coerceField(field({}), { a: 1 }))).toBe('FIELD_WRONG_TYPE');
  });

  it('rejects control characters, allowing tabs and line breaks only in long text', () => {
    expect(code(coerceField(field({}), 'a\nb'))).toBe('FIELD_BAD_CHARS');
    expect(code(coerceField(field({}), 'a\u0000b'))).toBe('FIELD_BAD_CHARS');
    expect(code(coerceField(field({}), 'a\uD800b'))).toBe('FIELD_BAD_CHARS');
    expect(value(coerceField(field({ type: 'longtext' }), 'a\r\n\tb'))).toBe('a\n\tb');
    expect(code(coerceField(field({ type: 'longtext' }), 'a\u001bb'))).toBe('FIELD_BAD_CHARS');
  });

  it('coerces integers and checks bounds', () => {
    const int = field({ type: 'integer', min: 0, max: 10 });
    expect(value(coerceField(int, '7'))).toBe(7);
    expect(value(coerceField(int, ' ７ '))).toBe(7);
    expect(value(coerceField(int, 0))).toBe(0);
    for (const bad of ['7.0', '1e2', 'seven', 1.5, true, '99999999999999999999']) expect(code(coerceField(int, bad)), String(bad)).toBe('FIELD_NOT_INTEGER');
    expect(code(coerceField(int, 11))).toBe('FIELD_OUT_OF_RANGE');
    expect(code(coerceField(int, '-1'))).toBe('FIELD_OUT_OF_RANGE');
  });

  it('stores dates as DA/T 18 text', () => {
    const date = field({ type: 'date' });
    expect(value(coerceField(date, '2023年1月5日'))).toBe('20230105');
    expect(value(coerceField(date, '[2023]'))).toBe('[2023]');
    expect(code(coerceField(date, '20230230'))).toBe('FIELD_INVALID_DATE');
    expect(code(coerceField(date, true))).toBe('FIELD_INVALID_DATE');
  });

  it('checks enum membership', () => {
    const e = field({ type: 'enum', values: ['甲', '乙'] });
    expect(value(coerceField(e, ' 乙 '))).toBe('乙');
    const bad = coerceField(e, '丙');
    expect('issue' in bad && bad.issue).toMatchObject({ code: 'FIELD_NOT_IN_LIST', details: { allowed: ['甲', '乙'] } });
  });

  it('reads booleans in Chinese and English forms', () => {
    const b = field({ type: 'boolean' });
    for (const t of [true, 1, '1', 'true', 'TRUE', '是']) expect(value(coerceField(b, t))).toBe(true);
    for (const f of [false, 0, '0', 'false', '否']) expect(value(coerceField(b, f))).toBe(false);
    for (const bad of ['yes', 2, 'constructor', '__proto__']) expect(code(coerceField(b, bad))).toBe('FIELD_NOT_BOOLEAN');
  });
});

describe('helpers', () => {
  it('counts code points', () => {
    expect(codePointLength('办公室𠀀')).toBe(4);
  });

  it('detects bad characters', () => {
    expect(hasBadChars('a\tb', true)).toBe(false);
    expect(hasBadChars('a\tb', false)).toBe(true);
    expect(hasBadChars('\u0085', true)).toBe(true);
    expect(hasBadChars('𠀀', false)).toBe(false);
  });
});
