import { Tag } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { api } from '../api/client.js';
import type { UserView } from '../api/types.js';
import { useLoader } from '../components/useLoader.js';
import { classificationLabel, ROLE_LABELS } from '../domain.js';
import type { I18n } from '../i18n/index.js';

/** GET /api/v1/users, shared by 用户管理 and 授权管理. */
export const useUserList = () => useLoader(async () => (await api.get<{ users: UserView[] }>('/api/v1/users')).users);

export const roleLabel = (u: Pick<UserView, 'adminRole' | 'businessRole'>, i18n: Pick<I18n, 'pick' | 't'>): string => {
  const role = (u.adminRole ?? u.businessRole) as keyof typeof ROLE_LABELS | null;
  return role && ROLE_LABELS[role] ? i18n.pick(ROLE_LABELS[role]) : i18n.t('users.noRole');
};

/** The columns both account pages start with. */
export function userColumns(i18n: Pick<I18n, 'pick' | 't'>): ColumnsType<UserView> {
  const { t, pick } = i18n;
  return [
    { title: t('users.username'), dataIndex: 'username', width: 140 },
    { title: t('users.displayName'), dataIndex: 'displayName', width: 160 },
    {
      title: t('users.role'), key: 'role', width: 160,
      render: (_: unknown, u: UserView) => <Tag color={u.adminRole ? 'volcano' : u.businessRole ? 'blue' : 'default'}>{roleLabel(u, i18n)}</Tag>,
    },
    { title: t('users.clearance'), dataIndex: 'clearance', width: 100, render: (c: string) => pick(classificationLabel(c)) },
    {
      title: t('users.status'), dataIndex: 'status', width: 100,
      render: (s: string) => (s === 'active' ? <Tag color="green">{t('users.statusActive')}</Tag> : <Tag color="red">{t('users.statusDisabled')}</Tag>),
    },
  ];
}

/** antd row props carrying a test hook named after the account. */
export const userRowProps = (u: UserView) => ({ 'data-testid': `user-row-${u.username}` }) as Record<string, string>;
