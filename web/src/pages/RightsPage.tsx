import { ReloadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Form, Select, Switch, Table, Tag, Tooltip } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../api/client.js';
import type { Fonds, UserView } from '../api/types.js';
import { FormModal } from '../components/FormModal.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useLoader } from '../components/useLoader.js';
import { BUSINESS_ROLES, CLASSIFICATION_LEVELS, classificationLabel, ROLE_LABELS } from '../domain.js';
import { useI18n } from '../i18n/index.js';
import { userColumns, userRowProps, useUserList } from './userColumns.js';

interface RightsValues {
  businessRole: string;
  clearance: string;
  allFonds: boolean;
  fondsIds: number[];
}

const NO_ROLE = '';

/** 授权管理 (security officer): business role, clearance and fonds scope of ordinary accounts. */
export function RightsPage() {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const { message } = AntApp.useApp();
  const users = useUserList();
  const fonds = useLoader(async () => (await api.get<{ fonds: Fonds[] }>('/api/v1/fonds')).fonds);
  const [editing, setEditing] = useState<UserView | null>(null);
  const fondsName = new Map((fonds.data ?? []).map((f) => [f.id, `${f.code} ${f.name}`]));

  const save = async (v: RightsValues) => {
    if (!editing) return;
    try {
      await api.put(`/api/v1/users/${editing.id}/rights`, {
        businessRole: v.businessRole || null, clearance: v.clearance, allFonds: !!v.allFonds, fondsIds: v.allFonds ? [] : v.fondsIds ?? [], version: editing.version,
      });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'STALE_VERSION') {
        message.warning(t('common.staleReloaded'));
        setEditing(null);
        await users.reload();
        return;
      }
      throw e;
    }
    message.success(t('rights.saved', { username: editing.username }));
    setEditing(null);
    await users.reload();
  };

  const columns: ColumnsType<UserView> = [
    ...userColumns(i18n),
    {
      title: t('rights.scope'), key: 'scope',
      render: (_: unknown, u: UserView) => {
        if (u.adminRole) return <Tag>{t('rights.adminNoRights')}</Tag>;
        if (u.allFonds) return <Tag color="purple">{t('rights.allFonds')}</Tag>;
        if (!u.fondsIds.length) return <span style={{ color: 'rgba(0,0,0,0.45)' }}>{t('rights.noFonds')}</span>;
        return u.fondsIds.map((id) => <Tag key={id}>{fondsName.get(id) ?? `#${id}`}</Tag>);
      },
    },
    {
      title: t('common.actions'), key: 'actions', width: 120,
      render: (_: unknown, u: UserView) =>
        u.adminRole ? (
          <Tooltip title={t('rights.adminReadOnly')}><span {...testId(`rights-readonly-${u.username}`)}>{t('rights.readOnly')}</span></Tooltip>
        ) : (
          <Button size="small" type="link" onClick={() => setEditing(u)} {...testId(`rights-edit-${u.username}`)}>{t('rights.edit')}</Button>
        ),
    },
  ];

  return (
    <Card title={t('nav.rights')} extra={<Button icon={<ReloadOutlined />} onClick={() => void users.reload()}>{t('common.refresh')}</Button>} {...testId('rights-page')}>
      <ServerAlert error={users.error ?? fonds.error} style={{ marginBottom: 16 }} />
      <Table<UserView> rowKey="id" size="middle" columns={columns} dataSource={users.data ?? []} loading={users.loading} pagination={false} onRow={userRowProps} scroll={{ x: 1000 }} />
      <FormModal<RightsValues>
        open={editing !== null}
        name="rights-form"
        title={t('rights.editTitle', { username: editing?.username ?? '' })}
        onCancel={() => setEditing(null)}
        onSubmit={save}
        initialValues={editing ? { businessRole: editing.businessRole ?? NO_ROLE, clearance: editing.clearance, allFonds: editing.allFonds, fondsIds: editing.fondsIds } : undefined}
      >
        <Form.Item name="businessRole" label={t('rights.businessRole')}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={[{ value: NO_ROLE, label: t('rights.noRole') }, ...BUSINESS_ROLES.map((r) => ({ value: r, label: pick(ROLE_LABELS[r]) }))]}
          />
        </Form.Item>
        <Form.Item name="clearance" label={t('users.clearance')} extra={t('rights.clearanceHint')} rules={[{ required: true }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={CLASSIFICATION_LEVELS.map((c) => ({ value: c, label: pick(classificationLabel(c)) }))} />
        </Form.Item>
        <Form.Item name="allFonds" label={t('rights.allFonds')} valuePropName="checked">
          <Switch {...testId('rights-all-fonds')} />
        </Form.Item>
        <Form.Item noStyle dependencies={['allFonds']}>
          {({ getFieldValue }) => (
            <Form.Item name="fondsIds" label={t('rights.fonds')}>
              <Select
                mode="multiple"
                disabled={!!getFieldValue('allFonds')}
                placeholder={t('rights.fondsPlaceholder')}
                showSearch={{ optionFilterProp: 'label' }}
                loading={fonds.loading}
                options={(fonds.data ?? []).map((f) => ({ value: f.id, label: `${f.code} ${f.name}` }))}
              />
            </Form.Item>
          )}
        </Form.Item>
      </FormModal>
    </Card>
  );
}
