import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { CORE_FIELDS, type FieldDef, validateCoreFields, validateFieldValues, validateSchema } from './field-schema.js';

function schemaError(fields: unknown): DomainError {
  try {
    validateSchema(fields);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected SCHEMA_INVALID');
}

const photo: FieldDef[] = [
  { name: 'photographer', label: { zh: '摄影者', en: 'Photographer' }, type: 'text', required: true, maxLength: 50 },
  { name: 'place', label: { zh: '地点', en: 'Place' }, type: 'text' },
  { name: 'caption', label: { zh: '文字说明', en: 'Caption' }, type: 'longtext' },
  { name: 'frames', label: { zh: '张数', en: 'Frames' }, type: 'integer' },
  { name: 'taken_on', label: { zh: '拍摄时间', en: 'Taken on' }, type: 'date' },
  { name: 'carrier', label: { zh: '载体', en: 'Carrier' }, type: 'enum', values: ['胶片', '数码'] },
  { name: 'digitised', label: { zh: '已数字化', en: 'Digitised' }, type: 'boolean' },
];

describe('validateSchema', () => {
  it('accepts and returns a valid schema', () => {
    expect(validateSchema(photo)).toEqual(photo);
    expect(validateSchema([])).toEqual([]);
  });

  it('trims labels and enum values and lets the Chinese label stand in for English', () => {
    expect(validateSchema([{ name: 'kind', label: { zh: ' 类型 ' }, type: 'enum', values: [' 甲 ', '乙'] }])).toEqual([
      { name: 'kind', label: { zh: '类型', en: '类型' }, type: 'enum', values: ['甲', '乙'] },
    ]);
  });

  it.each([
    [{}, '字段定义的数组'],
    [[null], '第 1 个字段：应为对象'],
    [[{ name: 'Bad', label: { zh: 'x' }, type: 'text' }], '字段名须为'],
    [[{ name: '1a', label: { zh: 'x' }, type: 'text' }], '字段名须为'],
    [[{ name: 'a'.repeat(41), label: { zh: 'x' }, type: 'text' }], '字段名须为'],
    [[{ name: 'title', label: { zh: 'x' }, type: 'text' }], '“title”：与系统字段重名'],
    [[{ name: 'fonds', label: { zh: 'x' }, type: 'text' }], '与系统字段重名'],
    [[{ name: 'created_at', label: { zh: 'x' }, type: 'text' }], '与系统字段重名'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'text' }, { name: 'a', label: { zh: 'y' }, type: 'text' }], '第 2 个字段“a”：字段名重复'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'text', requird: true }], '不认识的属性“requird”'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'float' }], '类型应为'],
    [[{ name: 'a', label: 'x', type: 'text' }], 'label 应为'],
    [[{ name: 'a', label: { zh: ' ' }, type: 'text' }], '缺少中文名称'],
    [[{ name: 'a', label: { zh: 'x', en: 3 }, type: 'text' }], 'label.en 应为文字'],
    [[{ name: 'a', label: { zh: 'x'.repeat(51) }, type: 'text' }], '名称不能超过'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'text', required: 'yes' }], 'required 应为'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'enum' }], '须列出 values'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'enum', values: [] }], '须列出 values'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'enum', values: ['甲', '甲 '] }], '可选值“甲”重复'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'enum', values: [''] }], '可选值 "" 无效'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'text', values: ['甲'] }], '只有枚举字段才能设 values'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'integer', maxLength: 5 }], '只有文字字段才能设 maxLength'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'text', maxLength: 0 }], 'maxLength 应为'],
    [[{ name: 'a', label: { zh: 'x' }, type: 'text', maxLength: 2.5 }], 'maxLength 应为'],
  ])('rejects %j', (fields, reason) => {
    const err = schemaError(fields);
    expect(err.code).toBe('SCHEMA_INVALID');
    expect(err.message).toContain(reason);
    expect(err.message_en).toMatch(/^Invalid field schema/);
  });

  it('names the bad field in details', () => {
    expect(schemaError([photo[0], { ...photo[1], type: 'x' }]).details).toEqual({ index: 1, field: 'place' });
  });

  it('refuses more than 100 fields', () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, label: { zh: `字段${i}` }, type: 'text' }));
    expect(schemaError(many).message).toContain('不能超过 100');
  });
});

describe('validateFieldValues', () => {
  it('coerces values and leaves empty optional fields out', () => {
    const { values, issues } = validateFieldValues(photo, {
      photographer: ' 张三 ',
      place: '',
      frames: '12',
      taken_on: '2019/05/04',
      carrier: '数码',
      digitised: '否',
    });
    expect(issues).toEqual([]);
    expect(values).toEqual({ photographer: '张三', frames: 12, taken_on: '20190504', carrier: '数码', digitised: false });
  });

  it('reports unknown, required and invalid fields by name', () => {
    const { issues } = validateFieldValues(photo, { frames: 'x', carrier: '幻灯', colour: true, photographer: '长'.repeat(51) });
    expect(issues.map((i) => `${i.field}:${i.code}`)).toEqual([
      'colour:FIELD_UNKNOWN',
      'photographer:FIELD_TOO_LONG',
      'frames:FIELD_NOT_INTEGER',
      'carrier:FIELD_NOT_IN_LIST',
    ]);
    expect(validateFieldValues(photo, {}).issues.map((i) => i.code)).toEqual(['FIELD_REQUIRED']);
  });
});

describe('re-exports', () => {
  it('exposes the core field API here too', () => {
    expect(CORE_FIELDS.length).toBe(13);
    expect(validateCoreFields({}).issues.length).toBeGreaterThan(0);
  });
});
