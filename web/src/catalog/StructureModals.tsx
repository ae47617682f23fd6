import { AutoComplete, Form, Input, Radio, Select } from 'antd';
import { api } from '../api/client.js';
import type { Category, Fonds, Organization } from '../api/types.js';
import { Field } from '../components/Field.js';
import { FormModal } from '../components/FormModal.js';
import { ORGANIZATION_KINDS, STANDARD_CATEGORIES } from '../domain.js';
import { type MessageKey, useI18n } from '../i18n/index.js';

interface ModalProps<T> {
  open: boolean;
  onClose(): void;
  onCreated(created: T): void;
}

const trimmed = <T extends object>(v: T) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x.trim() : x])) as T;

/** 新建机构: the archive itself or an agency, enterprise, township … whose records it holds. */
export function NewOrganizationModal({ open, onClose, onCreated }: ModalProps<Organization>) {
  const { t } = useI18n();
  return (
    <FormModal<{ code: string; name: string; kind: string }>
      open={open}
      name="org-form"
      title={t('structure.newOrganization')}
      okText={t('common.create')}
      initialValues={{ kind: 'agency' }}
      onCancel={onClose}
      onSubmit={async (v) => onCreated(await api.post<Organization>('/api/v1/organizations', trimmed(v)))}
    >
      <Field name="code" label={t('structure.orgCode')} extra={t('structure.orgCodeHint')} required>
        <Input autoFocus autoComplete="off" />
      </Field>
      <Field name="name" label={t('structure.orgName')} required>
        <Input autoComplete="off" />
      </Field>
      <Form.Item name="kind" label={t('structure.orgKind')}>
        <Select showSearch={{ optionFilterProp: 'label' }} options={ORGANIZATION_KINDS.map((k) => ({ value: k, label: t(`structure.kind.${k}` as MessageKey) }))} />
      </Form.Item>
    </FormModal>
  );
}

/** 新建全宗 under an organization. */
export function NewFondsModal({ open, onClose, onCreated, organizations, organizationId }: ModalProps<Fonds> & { organizations: Organization[]; organizationId?: number }) {
  const { t } = useI18n();
  return (
    <FormModal<{ organizationId: number; code: string; name: string }>
      open={open}
      name="fonds-form"
      title={t('structure.newFonds')}
      okText={t('common.create')}
      initialValues={{ organizationId: organizationId ?? (organizations.length === 1 ? organizations[0]?.id : undefined) }}
      onCancel={onClose}
      onSubmit={async (v) => onCreated(await api.post<Fonds>('/api/v1/fonds', trimmed(v)))}
    >
      <Field name="organizationId" label={t('structure.organization')} required>
        <Select showSearch={{ optionFilterProp: 'label' }} options={organizations.map((o) => ({ value: o.id, label: `${o.code} ${o.name}` }))} placeholder={t('structure.chooseOrganization')} />
      </Field>
      <Field name="code" label={t('structure.fondsCode')} extra={t('structure.fondsCodeHint')} required>
        <Input autoComplete="off" />
      </Field>
      <Field name="name" label={t('structure.fondsName')} required>
        <Input autoComplete="off" />
      </Field>
    </FormModal>
  );
}

interface CategoryValues {
  fondsId: number;
  code: string;
  name?: string;
  arrangement: 'item' | 'volume';
  codeTemplate?: string;
}

/** 新建门类: a DA/T 13 category code (or a local one), item or volume arrangement, and optionally its own 档号 template. */
export function NewCategoryModal({ open, onClose, onCreated, fonds, fondsId }: ModalProps<Category> & { fonds: Fonds[]; fondsId?: number }) {
  const { t, isZh } = useI18n();
  return (
    <FormModal<CategoryValues>
      open={open}
      name="category-form"
      title={t('structure.newCategory')}
      okText={t('common.create')}
      initialValues={{ fondsId: fondsId ?? (fonds.length === 1 ? fonds[0]?.id : undefined), arrangement: 'item' }}
      onCancel={onClose}
      onSubmit={async (v) => {
        const body = trimmed(v);
        onCreated(await api.post<Category>(`/api/v1/fonds/${body.fondsId}/categories`, {
          code: body.code.toUpperCase(), arrangement: body.arrangement, ...(body.name ? { name: body.name } : {}), ...(body.codeTemplate ? { codeTemplate: body.codeTemplate } : {}),
        }));
      }}
    >
      <Field name="fondsId" label={t('structure.fonds')} required>
        <Select showSearch={{ optionFilterProp: 'label' }} options={fonds.map((f) => ({ value: f.id, label: `${f.code} ${f.name}` }))} placeholder={t('structure.chooseFonds')} />
      </Field>
      <Field name="code" label={t('structure.categoryCode')} extra={t('structure.categoryCodeHint')} required>
        <AutoComplete
          options={STANDARD_CATEGORIES.map((c) => ({ value: c.code, label: `${c.code} ${isZh ? c.zh : c.en}` }))}
          showSearch={{ filterOption: (input, option) => !!option && `${option.value} ${String(option.label)}`.toUpperCase().includes(input.toUpperCase()) }}
          placeholder="WS"
        />
      </Field>
      <Form.Item noStyle dependencies={['code']}>
        {({ getFieldValue }) => {
          const standard = STANDARD_CATEGORIES.find((c) => c.code === String(getFieldValue('code') ?? '').trim().toUpperCase());
          return (
            <Form.Item name="name" label={t('structure.categoryName')} extra={standard ? t('structure.categoryNameDefault', { name: isZh ? standard.zh : standard.en }) : t('structure.categoryNameCustom')}>
              <Input autoComplete="off" placeholder={standard && (isZh ? standard.zh : standard.en)} />
            </Form.Item>
          );
        }}
      </Form.Item>
      <Form.Item name="arrangement" label={t('structure.arrangement')}>
        <Radio.Group
          options={[
            { value: 'item', label: t('structure.arrangementItem') },
            { value: 'volume', label: t('structure.arrangementVolume') },
          ]}
        />
      </Form.Item>
      <Form.Item name="codeTemplate" label={t('structure.codeTemplate')} extra={t('structure.codeTemplateHint')}>
        <Input autoComplete="off" placeholder="{fonds}-{category}·{year}·{retention}·{org?}-{item:4}" />
      </Form.Item>
    </FormModal>
  );
}
