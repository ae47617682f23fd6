import { Form, Input, InputNumber, Select, Switch, Tag } from 'antd';
import type { ReactNode } from 'react';
import type { FieldDef } from '../api/types.js';
import { Field } from '../components/Field.js';
import {
  CLASSIFICATION_LEVELS, classificationLabel, CURRENT_RETENTION_CODES, formatPartialDate, LEGACY_RETENTION_CODES, OPEN_STATUSES, openStatusLabel,
  parsePartialDate, retentionLabel, STATE_SECRET_LEVELS,
} from '../domain.js';
import type { I18n } from '../i18n/index.js';

type Pickers = Pick<I18n, 'pick' | 't' | 'lang'>;

/** The core columns the item table shows, in order (the category's own fields follow). */
export const TABLE_CORE_FIELDS = ['archival_code', 'title', 'responsible', 'doc_number', 'date', 'retention', 'classification', 'open_status', 'pages'];

/** Fields the system fills in: the form never asks for them. */
const SYSTEM_FIELDS = new Set(['archival_code']);

export const isStateSecret = (level: unknown) => (STATE_SECRET_LEVELS as readonly unknown[]).includes(level);

/** Choices of an enumerated field, labelled in the UI language; the core vocabularies carry their own labels. */
export function enumOptions(def: FieldDef, i18n: Pickers): Array<{ value: string; label: string }> {
  const { pick } = i18n;
  if (def.name === 'retention') {
    return [...CURRENT_RETENTION_CODES, ...LEGACY_RETENTION_CODES].map((code) => {
      const label = pick(retentionLabel(code));
      return { value: code, label: label === code ? code : `${code} ${label}` };
    });
  }
  if (def.name === 'classification') return CLASSIFICATION_LEVELS.map((v) => ({ value: v, label: pick(classificationLabel(v)) }));
  if (def.name === 'open_status') return OPEN_STATUSES.map((v) => ({ value: v, label: pick(openStatusLabel(v)) }));
  return (def.values ?? []).map((v) => ({ value: v, label: v }));
}

/** A stored value as the table shows it. */
export function displayValue(def: FieldDef, value: unknown, i18n: Pickers): ReactNode {
  if (value === null || value === undefined || value === '') return '';
  const { pick, t, lang } = i18n;
  switch (def.name) {
    case 'retention':
      return pick(retentionLabel(String(value)));
    case 'classification':
      return <Tag color={isStateSecret(value) ? 'red' : value === '内部' ? 'orange' : 'default'}>{pick(classificationLabel(String(value)))}</Tag>;
    case 'open_status':
      return pick(openStatusLabel(String(value)));
  }
  if (def.type === 'date') {
    const d = parsePartialDate(String(value));
    return d ? formatPartialDate(d, lang) : String(value);
  }
  if (def.type === 'boolean') return t(value ? 'common.yes' : 'common.no');
  return String(value);
}

/** Hints for fields whose accepted forms are not obvious. */
const HINTS: Partial<Record<string, Parameters<I18n['t']>[0]>> = {
  date: 'item.dateHint',
  year: 'item.yearHint',
  secrecy_period: 'item.secrecyHint',
};

function control(def: FieldDef, i18n: Pickers, disabled: boolean): ReactNode {
  const label = i18n.pick(def.label);
  switch (def.type) {
    case 'enum':
      return <Select aria-label={label} allowClear={!def.required} disabled={disabled} showSearch={{ optionFilterProp: 'label' }} options={enumOptions(def, i18n)} />;
    case 'integer':
      return <InputNumber aria-label={label} style={{ width: '100%' }} precision={0} min={def.min} max={def.max} disabled={disabled} />;
    case 'boolean':
      return <Switch aria-label={label} disabled={disabled} />;
    case 'longtext':
      return <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={def.maxLength} disabled={disabled} />;
    case 'date':
      return <Input placeholder={i18n.t('item.datePlaceholder')} disabled={disabled} autoComplete="off" />;
    default:
      return <Input maxLength={def.maxLength} disabled={disabled} autoComplete="off" />;
  }
}

/** The form items of an item: core fields (less the system's), then the category's own. */
export function FieldItems({ fields, i18n }: { fields: FieldDef[]; i18n: Pickers }) {
  return (
    <>
      {fields.filter((f) => !SYSTEM_FIELDS.has(f.name)).map((def) => {
        const hint = HINTS[def.name];
        // 年度 may be left to follow 日期; the server fills it in.
        const required = !!def.required && def.name !== 'year';
        const item = (disabled: boolean) => (
          <Field
            key={def.name}
            name={def.name}
            label={i18n.pick(def.label)}
            required={required}
            valuePropName={def.type === 'boolean' ? 'checked' : 'value'}
            extra={hint ? i18n.t(hint) : undefined}
            style={def.type === 'longtext' || def.name === 'title' ? { gridColumn: '1 / -1' } : undefined}
          >
            {control(def, i18n, disabled)}
          </Field>
        );
        if (def.name !== 'secrecy_period') return item(false);
        // 保密期限 belongs to state secrets only.
        return (
          <Form.Item key={def.name} noStyle dependencies={['classification']}>
            {({ getFieldValue }) => item(!isStateSecret(getFieldValue('classification')))}
          </Form.Item>
        );
      })}
    </>
  );
}
