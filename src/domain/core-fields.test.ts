import { describe, expect, it } from 'vitest';
import { CORE_FIELDS, CORE_FIELD_NAMES, validateCoreFields } from './core-fields.js';

const minimal = { title: '关于印发年度工作要点的通知', responsible: '某某县档案局', date: '20230115', retention: 'D30' };
const codes = (issues: { field?: string; code: string }[]) => issues.map((i) => `${i.field}:${i.code}`);

describe('CORE_FIELDS', () => {
  it('lists the core columns with labels', () => {
    expect(CORE_FIELD_NAMES).toEqual([
      'archival_code', 'title', 'responsible', 'doc_number', 'date', 'year', 'retention',
      'classification', 'secrecy_period', 'open_status', 'pages', 'notes', 'org',
    ]);
    expect(CORE_FIELDS.every((f) => f.label.zh && f.label.en)).toBe(true);
    expect(CORE_FIELDS.filter((f) => f.required).map((f) => f.name)).toEqual(['title', 'responsible', 'date', 'year', 'retention', 'open_status']);
  });
});

describe('validateCoreFields', () => {
  it('accepts the DA/T 18 mandatory set and fills defaults and the year', () => {
    const { values, issues } = validateCoreFields(minimal);
    expect(issues).toEqual([]);
    expect(values).toEqual({ ...minimal, year: 2023, classification: '公开', open_status: '未审核' });
  });

  it('reports each missing mandatory item', () => {
    const { issues } = validateCoreFields({});
    expect(codes(issues)).toEqual(['title:FIELD_REQUIRED', 'responsible:FIELD_REQUIRED', 'date:FIELD_REQUIRED', 'retention:FIELD_REQUIRED']);
    expect(issues[0]?.message).toBe('“题名”为必填项');
    expect(issues[0]?.message_en).toBe('Title is required');
  });

  it('normalises and keeps every field', () => {
    const { values, issues } = validateCoreFields({
      archival_code: 'Z109-WS·2023·D30-0001',
      title: ' 题名 ',
      responsible: '县政府办公室',
      doc_number: '县政办发〔2023〕1号',
      date: '2023年1月15日',
      year: '2022',
      retention: '定期30年',
      classification: '秘密',
      secrecy_period: 5,
      open_status: '控制',
      pages: '12',
      notes: '第一行\r\n第二行\t附注',
      org: '办公室',
      extra_key: 'ignored here',
    });
    expect(issues).toEqual([]);
    expect(values).toEqual({
      archival_code: 'Z109-WS·2023·D30-0001',
      title: '题名',
      responsible: '县政府办公室',
      doc_number: '县政办发〔2023〕1号',
      date: '20230115',
      year: 2022,
      retention: 'D30',
      classification: '秘密',
      secrecy_period: '5年',
      open_status: '控制',
      pages: 12,
      notes: '第一行\n第二行\t附注',
      org: '办公室',
    });
  });

  it('keeps a 考证日期 bracketed and derives the year from it', () => {
    const { values } = validateCoreFields({ ...minimal, date: '[2019]' });
    expect(values.date).toBe('[2019]');
    expect(values.year).toBe(2019);
  });

  it.each([
    [{ title: 'x'.repeat(1001) }, 'title:FIELD_TOO_LONG'],
    [{ title: '题名\n换行' }, 'title:FIELD_BAD_CHARS'],
    [{ responsible: 'a\u0007' }, 'responsible:FIELD_BAD_CHARS'],
    [{ notes: 'a\u0000' }, 'notes:FIELD_BAD_CHARS'],
    [{ notes: '长'.repeat(2001) }, 'notes:FIELD_TOO_LONG'],
    [{ date: '20230230' }, 'date:FIELD_INVALID_DATE'],
    [{ year: 999 }, 'year:FIELD_OUT_OF_RANGE'],
    [{ year: '二〇二三' }, 'year:FIELD_NOT_INTEGER'],
    [{ retention: '30' }, 'retention:FIELD_NOT_IN_LIST'],
    [{ open_status: '公开' }, 'open_status:FIELD_NOT_IN_LIST'],
    [{ classification: '国内' }, 'classification:FIELD_NOT_IN_LIST'],
    [{ classification: '秘密', secrecy_period: 11 }, 'secrecy_period:SECRECY_PERIOD_TOO_LONG'],
    [{ classification: '内部', secrecy_period: '1年' }, 'secrecy_period:SECRECY_PERIOD_NOT_ALLOWED'],
    [{ secrecy_period: 5 }, 'secrecy_period:SECRECY_PERIOD_NOT_ALLOWED'],
    [{ classification: '秘密', secrecy_period: '永远' }, 'secrecy_period:SECRECY_PERIOD_INVALID'],
    [{ classification: '机密★10年', secrecy_period: '5年' }, 'secrecy_period:FIELD_CONFLICT'],
    [{ pages: -1 }, 'pages:FIELD_OUT_OF_RANGE'],
  ])('%j → %s', (patch, expected) => {
    expect(codes(validateCoreFields({ ...minimal, ...patch }).issues)).toEqual([expected]);
  });

  it('takes the period from a marking in the 密级 column', () => {
    const { values, issues } = validateCoreFields({ ...minimal, classification: '机密★10年' });
    expect(issues).toEqual([]);
    expect(values).toMatchObject({ classification: '机密', secrecy_period: '10年' });
    expect(validateCoreFields({ ...minimal, classification: '机密★10年', secrecy_period: '10' }).issues).toEqual([]);
  });

  it('keeps legacy retention codes and maps 永久 to Y', () => {
    expect(validateCoreFields({ ...minimal, retention: '长期' }).values.retention).toBe('长期');
    expect(validateCoreFields({ ...minimal, retention: '永久' }).values.retention).toBe('Y');
  });

  it('reports an explicit bad year rather than deriving one', () => {
    const { values, issues } = validateCoreFields({ ...minimal, year: 'abc' });
    expect(codes(issues)).toEqual(['year:FIELD_NOT_INTEGER']);
    expect(values.year).toBeUndefined();
  });
});
