import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Input, InputNumber, Select, Space } from 'antd';
import { useState } from 'react';
import { testId } from '../components/testId.js';
import { useI18n } from '../i18n/index.js';

type Field = 'any' | '题名' | '责任者' | '文号' | '档号' | '全文';
type Op = 'AND' | 'OR' | 'NOT';
interface Row {
  op: Op;
  field: Field;
  text: string;
}

const FIELDS: Field[] = ['any', '题名', '责任者', '文号', '档号', '全文'];

/** Terms are always quoted so that spaces and operator words inside them stay literal. */
function render(rows: Row[], yearFrom: number | null, yearTo: number | null): string {
  const parts: string[] = [];
  for (const r of rows) {
    const text = r.text.trim().replace(/"/g, '');
    if (!text) continue;
    const term = `${r.field === 'any' ? '' : `${r.field}:`}"${text}"`;
    if (!parts.length) parts.push(r.op === 'NOT' ? `-${term}` : term);
    else parts.push(r.op === 'OR' ? `OR ${term}` : r.op === 'NOT' ? `-${term}` : term);
  }
  if (yearFrom !== null || yearTo !== null) parts.push(`年度:${yearFrom ?? ''}-${yearTo ?? ''}`);
  return parts.join(' ');
}

/** 高级检索: rows of field, term and operator, and a year range, written out as query text. */
export function QueryBuilder({ onApply }: { onApply(query: string): void }) {
  const { t } = useI18n();
  const [rows, setRows] = useState<Row[]>([{ op: 'AND', field: '题名', text: '' }, { op: 'AND', field: 'any', text: '' }]);
  const [yearFrom, setYearFrom] = useState<number | null>(null);
  const [yearTo, setYearTo] = useState<number | null>(null);
  const set = (i: number, patch: Partial<Row>) => setRows((old) => old.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const fieldLabel = (f: Field) => (f === 'any' ? t('search.field.any') : t(`search.field.${f}` as 'search.field.题名'));

  return (
    <Space direction="vertical" style={{ width: '100%' }} {...testId('search-builder')}>
      {rows.map((r, i) => (
        <Space key={i} wrap>
          <Select<Op> value={r.op} style={{ width: 90 }} onChange={(op) => set(i, { op })} disabled={i === 0}
            options={[{ value: 'AND', label: t('search.op.and') }, { value: 'OR', label: t('search.op.or') }, { value: 'NOT', label: t('search.op.not') }]} />
          <Select<Field> value={r.field} style={{ width: 120 }} onChange={(field) => set(i, { field })} options={FIELDS.map((f) => ({ value: f, label: fieldLabel(f) }))}
            {...testId(`search-builder-field-${i}`)} />
          <Input value={r.text} onChange={(e) => set(i, { text: e.target.value })} style={{ width: 280 }} aria-label={t('search.builderTerm')} {...testId(`search-builder-term-${i}`)} />
          {rows.length > 1 && <Button icon={<MinusCircleOutlined />} type="text" onClick={() => setRows((old) => old.filter((_, j) => j !== i))} aria-label={t('common.delete')} />}
        </Space>
      ))}
      <Space wrap>
        <Button icon={<PlusOutlined />} onClick={() => setRows((old) => [...old, { op: 'AND', field: 'any', text: '' }])}>{t('search.addRow')}</Button>
        <span>{t('search.yearRange')}</span>
        <InputNumber value={yearFrom} onChange={setYearFrom} min={1000} max={2999} placeholder={t('search.from')} />
        <InputNumber value={yearTo} onChange={setYearTo} min={1000} max={2999} placeholder={t('search.to')} />
        <Button type="primary" onClick={() => onApply(render(rows, yearFrom, yearTo))} {...testId('search-builder-apply')}>{t('search.apply')}</Button>
      </Space>
    </Space>
  );
}
