import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Form, Input, Popconfirm, Space, Table, Tag } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { UserView } from '../api/types.js';
import { useSession } from '../auth/session.js';
import { Field } from '../components/Field.js';
import { FormModal } from '../components/FormModal.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { shanghaiTime } from '../components/time.js';
import { useI18n } from '../i18n/index.js';
import { OneTimePasswordModal } from './OneTimePasswordModal.js';
import { userColumns, userRowProps, useUserList } from './userColumns.js';

/** 用户管理 (system administrator): open accounts, disable or enable them, reset passwords. Rights are the security officer's. */
export function UsersPage() {
  const i18n = useI18n();
  const { t, lang, errorText } = i18n;
  const { message } = AntApp.useApp();
  const { user: me } = useSession();
  const users = useUserList();
  const [creating, setCreating] = useState(false);
  const [otp, setOtp] = useState<{ username: string; password: string } | null>(null);

  const create = async (v: { username: string; displayName?: string }) => {
    const res = await api.post<{ user: UserView; oneTimePassword: string }>('/api/v1/users', { username: v.username.trim(), displayName: v.displayName?.trim() ?? '' });
    setCreating(false);
    setOtp({ username: res.user.username, password: res.oneTimePassword });
    await users.reload();
  };

  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      message.success(done);
    } catch (e) {
      message.error(errorText(e));
    }
    await users.reload();
  };

  const columns: ColumnsType<UserView> = [
    ...userColumns(i18n),
    {
      title: t('users.password'), key: 'pw', width: 130,
      render: (_: unknown, u: UserView) => (u.mustChangePassword ? <Tag color="orange">{t('users.mustChange')}</Tag> : <Tag>{t('users.passwordSet')}</Tag>),
    },
    { title: t('users.lastLogin'), dataIndex: 'lastLoginAt', width: 180, render: (v: string | null) => shanghaiTime(v, lang) || '—' },
    {
      title: t('common.actions'), key: 'actions', width: 220,
      render: (_: unknown, u: UserView) => {
        if (u.id === me?.id) return <Tag>{t('users.self')}</Tag>;
        const next = u.status === 'active' ? 'disabled' : 'active';
        return (
          <Space size="small">
            <Popconfirm
              title={t(next === 'disabled' ? 'users.disableConfirm' : 'users.enableConfirm', { username: u.username })}
              okText={t('common.ok')}
              cancelText={t('common.cancel')}
              onConfirm={() => act(() => api.post(`/api/v1/users/${u.id}/status`, { status: next, version: u.version }), t(next === 'disabled' ? 'users.disabled' : 'users.enabled'))}
            >
              <Button size="small" danger={next === 'disabled'} {...testId(`user-status-${u.username}`)}>{t(next === 'disabled' ? 'users.disable' : 'users.enable')}</Button>
            </Popconfirm>
            <Popconfirm
              title={t('users.resetConfirm', { username: u.username })}
              okText={t('common.ok')}
              cancelText={t('common.cancel')}
              onConfirm={() => act(async () => {
                const res = await api.post<{ oneTimePassword: string }>(`/api/v1/users/${u.id}/reset-password`);
                setOtp({ username: u.username, password: res.oneTimePassword });
              }, t('users.resetDone'))}
            >
              <Button size="small" {...testId(`user-reset-${u.username}`)}>{t('users.resetPassword')}</Button>
            </Popconfirm>
          </Space>
        );
      },
    },
  ];

  return (
    <Card
      title={t('nav.users')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void users.reload()}>{t('common.refresh')}</Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} {...testId('users-new')}>{t('users.new')}</Button>
        </Space>
      }
      {...testId('users-page')}
    >
      <ServerAlert error={users.error} style={{ marginBottom: 16 }} />
      <Table<UserView> rowKey="id" size="middle" columns={columns} dataSource={users.data ?? []} loading={users.loading} pagination={false} onRow={userRowProps} scroll={{ x: 1100 }} />
      <FormModal<{ username: string; displayName?: string }> open={creating} name="user-form" title={t('users.new')} okText={t('common.create')} onCancel={() => setCreating(false)} onSubmit={create}>
        <Field name="username" label={t('users.username')} extra={t('users.usernameHint')} required>
          <Input autoFocus autoComplete="off" />
        </Field>
        <Form.Item name="displayName" label={t('users.displayName')}>
          <Input autoComplete="off" />
        </Form.Item>
      </FormModal>
      <OneTimePasswordModal value={otp} onClose={() => setOtp(null)} />
    </Card>
  );
}
