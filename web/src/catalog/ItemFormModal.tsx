import { App as AntApp, Typography } from 'antd';
import { api, ApiError } from '../api/client.js';
import type { Category, FieldDef, Item } from '../api/types.js';
import { FormModal } from '../components/FormModal.js';
import { DEFAULT_CLASSIFICATION, DEFAULT_OPEN_STATUS } from '../domain.js';
import { useI18n } from '../i18n/index.js';
import { FieldItems } from './fields.js';

type Values = Record<string, unknown>;

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * 著录 and 修改 of one item, generated from the core fields and the category's schema. A new item's
 * 档号 comes from the category's template; an edit sends the version it started from.
 */
export function ItemFormModal(props: {
  open: boolean;
  category: Category;
  item: Item | null;
  /** Prefilled values of a new item (the year and retention of the selected tree node). */
  defaults: Values;
  onClose(): void;
  onSaved(item: Item | null): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { message } = AntApp.useApp();
  const { category, item } = props;
  const fields: FieldDef[] = [...category.coreFields, ...category.fieldSchema];

  const submit = async (values: Values) => {
    if (!item) {
      const filled = Object.fromEntries(Object.entries(values).filter(([, v]) => !isEmpty(v)));
      const created = await api.post<Item>('/api/v1/items', { categoryId: category.id, fields: filled });
      message.success(t('item.created', { code: created.fields.archival_code }));
      props.onSaved(created);
      return;
    }
    const patch = Object.fromEntries(fields.filter((f) => f.name !== 'archival_code').map((f) => [f.name, isEmpty(values[f.name]) ? null : values[f.name]]));
    try {
      const saved = await api.patch<Item>(`/api/v1/items/${item.id}`, { version: item.version, fields: patch });
      message.success(t('item.saved', { code: saved.fields.archival_code }));
      props.onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'STALE_VERSION') {
        message.warning({ content: t('item.stale'), duration: 6 });
        props.onSaved(null);
        return;
      }
      throw e;
    }
  };

  const initial: Values = item
    ? { ...item.fields }
    : { classification: DEFAULT_CLASSIFICATION, open_status: DEFAULT_OPEN_STATUS, ...props.defaults };

  return (
    <FormModal<Values>
      open={props.open}
      name="item-form"
      width={820}
      title={item ? t('item.editTitle', { code: item.fields.archival_code }) : t('item.newTitle', { category: `${category.code} ${i18n.isZh ? category.name : category.nameEn ?? category.name}` })}
      okText={item ? t('common.save') : t('common.create')}
      initialValues={initial}
      onCancel={props.onClose}
      onSubmit={submit}
    >
      {item ? (
        <Typography.Paragraph type="secondary">{t('item.codeFixed', { code: item.fields.archival_code })}</Typography.Paragraph>
      ) : (
        <Typography.Paragraph type="secondary">{t('item.codeFromTemplate', { template: category.codeTemplate })}</Typography.Paragraph>
      )}
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', columnGap: 16 }}>
        <FieldItems fields={fields} i18n={i18n} />
      </div>
    </FormModal>
  );
}
