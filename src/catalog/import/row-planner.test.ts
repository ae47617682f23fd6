import { describe, expect, it } from 'vitest';
import { parseTemplate, STANDARD_TEMPLATES } from '../../domain/archival-code.js';
import type { NumberingGroup } from '../catalog.repository.js';
import type { CategoryRules } from '../item-rules.js';
import { type ColumnBinding, importFields, resolveMapping } from './mapping.js';
import { type PlanResult, RowPlanner, isPlanned } from './row-planner.js';

const rules: CategoryRules = {
  categoryId: 7, fondsCode: 'Z109', categoryCode: 'WS', template: parseTemplate(STANDARD_TEMPLATES.item.source),
  schema: [{ name: 'carrier', label: { zh: '载体形态', en: 'Carrier' }, type: 'enum', values: ['纸质', '电子'] }],
};
const columns = ['档号', '题名', '责任者', '日期', '保管期限', '密级', '机构', '载体形态'];
const bindings: ColumnBinding[] = resolveMapping(
  { 档号: 'archival_code', 题名: 'title', 责任者: 'responsible', 日期: 'date', 保管期限: 'retention', 密级: 'classification', 机构: 'org', 载体形态: 'carrier' },
  columns, importFields(rules.schema),
);

function planner(stored: Record<string, number> = {}, clearance = '机密') {
  const asked: NumberingGroup[] = [];
  const p = new RowPlanner(rules, bindings, clearance, async (g) => {
    asked.push(g);
    return stored[`${g.year}/${g.org}`] ?? 0;
  });
  return { p, asked };
}
const cells = (code: string, over: Partial<Record<(typeof columns)[number], string>> = {}) => {
  const v: Record<string, string> = { 档号: code, 题名: '关于档案工作的通知', 责任者: '办公室', 日期: '20110315', 保管期限: '永久', 密级: '', 机构: '办公室', 载体形态: '纸质', ...over };
  return columns.map((c) => v[c]!);
};
const errorsOf = (r: PlanResult) => (isPlanned(r) ? [] : r.errors);

describe('row planning', () => {
  it('gives a valid row its stored columns', async () => {
    const [r] = await planner().p.plan([{ row: 2, cells: cells('Z109-WS·2011·Y·办公室-0007') }]);
    expect(isPlanned(r!)).toBe(true);
    expect(r).toMatchObject({ row: 2, columns: { archival_code: 'Z109-WS·2011·Y·办公室-0007', item_no: 7, year: 2011, retention: 'Y', classification: '公开', extra: '{"carrier":"纸质"}' } });
  });

  it('names the row, field and column of each problem in Chinese and English', async () => {
    const [r] = await planner().p.plan([{ row: 12, cells: cells('', { 题名: '', 日期: '20110230', 保管期限: '暂存', 载体形态: '胶片' }) }]);
    const errors = errorsOf(r!);
    expect(errors.map((e) => [e.field, e.column, e.code])).toEqual([
      ['title', '题名', 'FIELD_REQUIRED'], ['date', '日期', 'FIELD_INVALID_DATE'], ['retention', '保管期限', 'FIELD_NOT_IN_LIST'], ['carrier', '载体形态', 'FIELD_NOT_IN_LIST'],
    ]);
    for (const e of errors) {
      expect(e.row).toBe(12);
      expect(e.message).toMatch(/^第 12 行：/);
      expect(e.message_en).toMatch(/^Row 12: /);
    }
    expect(errors[0]!.message).toBe('第 12 行：“题名”为必填项');
    expect(errors[0]!.message_en).toBe('Row 12: Title is required');
  });

  it('refuses a code that does not fit the template or contradicts the row', async () => {
    const [bad, other] = await planner().p.plan([
      { row: 2, cells: cells('WS-2011-7') },
      { row: 3, cells: cells('Z109-WS·2012·Y·办公室-0001') },
    ]);
    expect(errorsOf(bad!)).toEqual([expect.objectContaining({ field: 'archival_code', column: '档号', code: 'CODE_TEMPLATE_MISMATCH' })]);
    expect(errorsOf(other!)).toEqual([expect.objectContaining({ field: 'archival_code', code: 'CODE_FIELDS_MISMATCH' })]);
  });

  it('refuses items above the importer\'s clearance', async () => {
    const [r] = await planner({}, '内部').p.plan([{ row: 5, cells: cells('', { 密级: '秘密★10年' }) }]);
    expect(errorsOf(r!)).toEqual([expect.objectContaining({ field: 'classification', column: '密级', code: 'ABOVE_CLEARANCE' })]);
  });

  it('numbers rows without a code after the database and the rows above, per numbering group', async () => {
    const { p, asked } = planner({ '2011/办公室': 4 });
    const out = await p.plan([
      { row: 2, cells: cells('') },
      { row: 3, cells: cells('Z109-WS·2011·Y·办公室-0009') },
      { row: 4, cells: cells('') },
      { row: 5, cells: cells('', { 机构: '财务科' }) },
      { row: 6, cells: cells('', { 题名: '' }) },
      { row: 7, cells: cells('') },
    ]);
    expect(out.map((r) => (isPlanned(r) ? r.columns.archival_code : r.errors[0]!.code))).toEqual([
      'Z109-WS·2011·Y·办公室-0005', 'Z109-WS·2011·Y·办公室-0009', 'Z109-WS·2011·Y·办公室-0010', 'Z109-WS·2011·Y·财务科-0001', 'FIELD_REQUIRED', 'Z109-WS·2011·Y·办公室-0011',
    ]);
    // The database is asked once per group, not once per row.
    expect(asked).toHaveLength(2);
  });

  it('reports a code repeated in the sheet on the later row, across batches', async () => {
    const { p } = planner();
    await p.plan([{ row: 2, cells: cells('Z109-WS·2011·Y·办公室-0001') }]);
    const [r] = await p.plan([{ row: 9000, cells: cells('Z109-WS·2011·Y·办公室-0001') }]);
    expect(errorsOf(r!)).toEqual([expect.objectContaining({ row: 9000, field: 'archival_code', code: 'DUPLICATE_IN_SHEET', message: expect.stringContaining('第 2 行') })]);
  });
});
