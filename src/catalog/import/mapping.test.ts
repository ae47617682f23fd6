import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../domain/field-schema.js';
import type { AppError } from '../../platform/errors.js';
import { columnNames, headerKey, importFields, resolveMapping, suggestMapping } from './mapping.js';

const schema: FieldDef[] = [
  { name: 'carrier', label: { zh: '载体形态', en: 'Carrier' }, type: 'enum', values: ['纸质', '电子'] },
  { name: 'project_no', label: { zh: '项目号', en: 'Project number' }, type: 'text', required: true },
];
const fields = importFields(schema);

describe('mapping suggestion', () => {
  it('maps the Chinese headers of a DA/T 22 catalogue', () => {
    const columns = ['序号', '档号', '题　名', '责任者', '文号', '日期', '年度', '保管期限', '密级', '保密期限', '开放状态', '页数', '备注', '机构/问题'];
    expect(suggestMapping(columns, fields, null)).toEqual({
      档号: 'archival_code', '题　名': 'title', 责任者: 'responsible', 文号: 'doc_number', 日期: 'date', 年度: 'year', 保管期限: 'retention',
      密级: 'classification', 保密期限: 'secrecy_period', 开放状态: 'open_status', 页数: 'pages', 备注: 'notes', '机构/问题': 'org',
    });
  });

  it('maps English labels, field names and the category\'s own labels', () => {
    const columns = ['Archival code', 'TITLE', 'responsible', 'Document number', 'date', 'Open status', '载体形态', 'Project number', 'item_no', '文件编号'];
    expect(suggestMapping(columns, fields, null)).toEqual({
      'Archival code': 'archival_code', TITLE: 'title', responsible: 'responsible', 'Document number': 'doc_number', date: 'date',
      'Open status': 'open_status', 载体形态: 'carrier', 'Project number': 'project_no', item_no: 'item_no',
    });
  });

  it('prefers the saved mapping and gives each field one column', () => {
    const columns = ['名称', '题名', '单位'];
    expect(suggestMapping(columns, fields, { 名称: 'title', 单位: 'responsible', 不在表中: 'notes' })).toEqual({ 名称: 'title', 单位: 'responsible' });
    expect(suggestMapping(columns, fields, { 名称: 'no_such_field' })).toEqual({ 题名: 'title' });
  });

  it('compares headers loosely', () => {
    expect(headerKey(' 题　名* ')).toBe(headerKey('题名'));
    expect(headerKey('机构（问题）')).toBe(headerKey('机构(问题)'));
    expect(headerKey('ＴＩＴＬＥ')).toBe('title');
  });

  it('names empty and repeated headers so a mapping can tell them apart', () => {
    expect(columnNames(['档号', '', '备注', '备注', ' 题 名 '])).toEqual(['档号', '列2', '备注', '备注 (2)', '题 名']);
  });
});

describe('mapping check', () => {
  const columns = ['档号', '题名', '责任者', '日期', '保管期限', '项目号', '备注'];
  const ok = { 档号: 'archival_code', 题名: 'title', 责任者: 'responsible', 日期: 'date', 保管期限: 'retention', 项目号: 'project_no', 备注: '' };
  const fail = (m: Record<string, unknown>) => {
    try {
      resolveMapping(m, columns, fields);
    } catch (e) {
      return e as AppError;
    }
    throw new Error('accepted');
  };

  it('returns column positions and ignores unmapped columns', () => {
    expect(resolveMapping(ok, columns, fields)).toEqual([
      { index: 0, column: '档号', field: 'archival_code' }, { index: 1, column: '题名', field: 'title' }, { index: 2, column: '责任者', field: 'responsible' },
      { index: 3, column: '日期', field: 'date' }, { index: 4, column: '保管期限', field: 'retention' }, { index: 5, column: '项目号', field: 'project_no' },
    ]);
  });

  it('refuses unknown columns and fields, a field mapped twice, and missing required fields', () => {
    expect(fail({ ...ok, 页数: 'pages' })).toMatchObject({ code: 'MAPPING_INVALID', details: { column: '页数' } });
    expect(fail({ ...ok, 备注: 'remark' })).toMatchObject({ code: 'MAPPING_INVALID', details: { field: 'remark' } });
    expect(fail({ ...ok, 备注: 'title' }).message).toContain('都对应字段“题名”');
    const missing = fail({ 档号: 'archival_code', 题名: 'title' });
    expect(missing.message).toContain('“责任者”');
    expect(missing.message).toContain('“项目号”');
    expect(missing.message_en).toContain('Responsible party');
    expect(missing.details).toEqual({ fields: ['responsible', 'date', 'retention', 'project_no'] });
  });
});
