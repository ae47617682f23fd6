import { InboxOutlined } from '@ant-design/icons';
import { Select, Upload, type UploadFile } from 'antd';
import { api } from '../api/client.js';
import type { Category, Fonds, Organization, Transfer } from '../api/types.js';
import { Field } from '../components/Field.js';
import { FormModal } from '../components/FormModal.js';
import { useLoader } from '../components/useLoader.js';
import { useI18n } from '../i18n/index.js';

interface UploadValues {
  categoryId: number;
  organizationId: number;
  file: UploadFile[];
}

/** Every category the user reaches, named with its fonds: a package is received into one category of one fonds. */
async function receivingCategories(): Promise<Array<{ fonds: Fonds; category: Category }>> {
  const { fonds } = await api.get<{ fonds: Fonds[] }>('/api/v1/fonds');
  const lists = await Promise.all(fonds.map(async (f) => (await api.get<{ categories: Category[] }>(`/api/v1/fonds/${f.id}/categories`)).categories.map((category) => ({ fonds: f, category }))));
  return lists.flat();
}

/** 上传移交包: a package that came on a carrier or by mail, received into a category on behalf of its sender. */
export function UploadModal({ open, organizations, onClose, onUploaded }: { open: boolean; organizations: Organization[]; onClose(): void; onUploaded(transfer: Transfer): void }) {
  const { t, pick } = useI18n();
  const categories = useLoader(async () => (open ? receivingCategories() : []), open);
  const only = <T,>(list: T[]) => (list.length === 1 ? list[0] : undefined);

  const submit = async (v: UploadValues) => {
    const form = new FormData();
    form.append('categoryId', String(v.categoryId));
    form.append('organizationId', String(v.organizationId));
    const file = v.file[0]?.originFileObj;
    if (file) form.append('file', file, file.name);
    onUploaded(await api.post<Transfer>('/api/v1/transfers', form));
  };

  return (
    <FormModal<UploadValues>
      open={open}
      name="transfer-upload"
      title={t('transfer.uploadTitle')}
      okText={t('transfer.uploadOk')}
      width={560}
      initialValues={{ organizationId: only(organizations)?.id }}
      onCancel={onClose}
      onSubmit={submit}
    >
      <Field name="categoryId" label={t('transfer.category')} required>
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          loading={categories.loading}
          placeholder={t('transfer.chooseCategory')}
          options={(categories.data ?? []).map(({ fonds, category }) => ({
            value: category.id, label: `${fonds.code} ${fonds.name} / ${category.code} ${pick({ zh: category.name, en: category.nameEn ?? category.name })}`,
          }))}
        />
      </Field>
      <Field name="organizationId" label={t('transfer.organization')} required>
        <Select showSearch={{ optionFilterProp: 'label' }} placeholder={t('transfer.chooseOrganization')} options={organizations.map((o) => ({ value: o.id, label: `${o.code} ${o.name}` }))} />
      </Field>
      <Field
        name="file"
        label={t('transfer.package')}
        required
        valuePropName="fileList"
        getValueFromEvent={(e: { fileList: UploadFile[] }) => e.fileList.slice(-1)}
      >
        {/* Kept in the form until 上传: the request carries the fields and the file together. */}
        <Upload.Dragger beforeUpload={() => false} maxCount={1}>
          <p className="ant-upload-drag-icon"><InboxOutlined /></p>
          <p className="ant-upload-text">{t('transfer.packageHint')}</p>
          <p className="ant-upload-hint">{t('transfer.packageNote')}</p>
        </Upload.Dragger>
      </Field>
    </FormModal>
  );
}
