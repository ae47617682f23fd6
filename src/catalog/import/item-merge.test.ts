import { describe, expect, it } from 'vitest';
import type { ItemRow } from '../catalog.repository.js';
import type { ItemColumns } from '../item-rules.js';
import { mappedColumns, mergedChanges } from './item-merge.js';

const stored = {
  id: 1, archival_code: 'Z109-WS·2011·Y-0001', title: '原题名', responsible: '办公室', doc_number: null, date: '20110315', year: 2011, retention: 'Y',
  classification: '内部', secrecy_period: null, open_status: '控制', pages: 3, org: null, notes: '备注', extra: '{"a":1,"b":"x"}', version: 4,
} as unknown as ItemRow;
const row = (over: Partial<ItemColumns> = {}): ItemColumns => ({
  archival_code: 'Z109-WS·2011·Y-0001', sort_key: '', item_no: 1, title: '原题名', responsible: '办公室', doc_number: null, date: '20110315', year: 2011,
  retention: 'Y', classification: '公开', secrecy_period: null, open_status: '未审核', pages: 3, org: null, notes: '备注', extra: '{"b":"x","a":1}', ...over,
});
const mapped = (...fields: string[]) => mappedColumns(fields.map((field, index) => ({ index, column: field, field })));

describe('re-imported rows over existing items', () => {
  it('finds nothing to change when the mapped fields are equal, whatever the unmapped defaults say', () => {
    // 密级 and 开放标识 are not in the sheet: the row's defaults (公开, 未审核) must not overwrite the item.
    expect(mergedChanges(stored, row(), mapped('title', 'responsible', 'date', 'retention', 'pages', 'notes', 'a', 'b'), ['a', 'b'])).toBeNull();
  });

  it('changes only mapped fields, clearing optional ones left empty', () => {
    const patch = mergedChanges(stored, row({ title: '新题名', notes: undefined as unknown as null, open_status: '开放' }), mapped('title', 'date', 'notes', 'retention'), []);
    expect(patch).toEqual({ title: '新题名', notes: null });
  });

  it('takes 年度 with 日期 and 保密期限 with 密级', () => {
    expect(mapped('date', 'classification')).toEqual(new Set(['date', 'classification', 'year', 'secrecy_period']));
    expect(mergedChanges(stored, row({ date: '2012', year: 2012, classification: '内部' }), mapped('date', 'classification'), [])).toEqual({ date: '2012', year: 2012 });
  });

  it('merges the category fields the sheet maps and keeps the others', () => {
    expect(mergedChanges(stored, row({ extra: '{"a":2}' }), mapped('a'), ['a', 'b'])).toEqual({ extra: '{"a":2,"b":"x"}' });
    expect(mergedChanges(stored, row({ extra: '{}' }), mapped('b'), ['a', 'b'])).toEqual({ extra: '{"a":1}' });
  });
});
