import { DownOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown, Layout, Menu, Space, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useSession } from '../auth/session.js';
import { testId } from '../components/testId.js';
import { useI18n } from '../i18n/index.js';
import { navigate, ROUTES } from '../router.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { navFor } from './nav.js';

export function AppLayout({ path, children }: { path: string; children: ReactNode }) {
  const { t, pick } = useI18n();
  const { user, signOut } = useSession();
  if (!user) return null;
  const entries = navFor(user.permissions);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 20, background: '#5b1512' }}>
        <a href={ROUTES.catalog} onClick={(e) => { e.preventDefault(); navigate(entries[0]?.path ?? ROUTES.catalog); }} style={{ display: 'flex', alignItems: 'center', gap: 10 }}>
          <span aria-hidden="true" style={{ width: 30, height: 30, borderRadius: 4, background: '#f3d9a4', color: '#5b1512', fontWeight: 700, display: 'grid', placeItems: 'center', fontSize: 18, lineHeight: '30px' }}>兰</span>
          <Typography.Text strong style={{ color: '#fff', fontSize: 18, whiteSpace: 'nowrap' }} {...testId('product-name')}>{t('app.name')}</Typography.Text>
        </a>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[path]}
          style={{ flex: 1, minWidth: 0, background: 'transparent' }}
          items={entries.map((e) => ({ key: e.path, icon: e.icon, label: <span {...testId(`nav-${e.path.slice(1)}`)}>{t(e.label)}</span> }))}
          onClick={({ key }) => navigate(key)}
        />
        <LanguageSwitch dark />
        <Dropdown
          trigger={['click']}
          autoFocus
          menu={{
            items: [
              { key: 'password', icon: <KeyOutlined />, label: <span {...testId('menu-password')}>{t('user.changePassword')}</span> },
              { type: 'divider' },
              { key: 'logout', icon: <LogoutOutlined />, label: <span {...testId('menu-logout')}>{t('user.signOut')}</span> },
            ],
            onClick: ({ key }) => (key === 'logout' ? void signOut() : navigate(ROUTES.password)),
          }}
        >
          <Button type="text" style={{ color: '#fff' }} {...testId('user-menu')}>
            <Space>
              <UserOutlined />
              <span {...testId('user-name')}>{user.displayName}</span>
              {user.roleLabel && <Tag color="gold" style={{ marginInlineEnd: 0 }} {...testId('user-role')}>{pick(user.roleLabel)}</Tag>}
              <DownOutlined />
            </Space>
          </Button>
        </Dropdown>
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>{children}</Layout.Content>
    </Layout>
  );
}
