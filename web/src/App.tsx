import { App as AntApp, Card, Flex, Result, Spin } from 'antd';
import { useEffect } from 'react';
import { LoginPage } from './auth/LoginPage.js';
import { CenteredPage } from './auth/CenteredPage.js';
import { PasswordForm } from './auth/PasswordForm.js';
import { useSession } from './auth/session.js';
import { CatalogPage } from './catalog/CatalogPage.js';
import { useI18n } from './i18n/index.js';
import { AppLayout } from './layout/AppLayout.js';
import { LanguageSwitch } from './layout/LanguageSwitch.js';
import { navFor } from './layout/nav.js';
import { AuditPage } from './pages/AuditPage.js';
import { RightsPage } from './pages/RightsPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { PreservationPage } from './preservation/PreservationPage.js';
import { navigate, ROUTES, usePath } from './router.js';
import { SearchPage } from './search/SearchPage.js';
import { TransfersPage } from './transfers/TransfersPage.js';

const PAGES: Record<string, () => React.JSX.Element> = {
  [ROUTES.catalog]: CatalogPage,
  [ROUTES.search]: SearchPage,
  [ROUTES.users]: UsersPage,
  [ROUTES.rights]: RightsPage,
  [ROUTES.audit]: AuditPage,
  [ROUTES.preservation]: PreservationPage,
  [ROUTES.transfers]: TransfersPage,
};

export function App() {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const { user, loading, refresh } = useSession();
  const path = usePath();
  const entries = user ? navFor(user.permissions) : [];
  const landing = entries[0]?.path ?? ROUTES.catalog;

  // Keep the address bar honest: where the user is, given who they are.
  useEffect(() => {
    if (loading) return;
    if (!user) navigate(ROUTES.login, true);
    else if (user.mustChangePassword) navigate(ROUTES.password, true);
    else if (path === ROUTES.login || path === '/' || (path !== ROUTES.password && !entries.some((e) => e.path === path) && entries.length > 0)) navigate(landing, true);
  }, [loading, user, path, landing, entries]);

  if (loading) return <Flex justify="center" align="center" style={{ minHeight: '100vh' }}><Spin size="large" /></Flex>;
  if (!user) return <LoginPage onSignedIn={() => undefined} />;

  const afterPasswordChange = async () => {
    message.success(t('password.changed'));
    const me = await refresh();
    navigate(navFor(me?.permissions ?? [])[0]?.path ?? ROUTES.catalog, true);
  };
  if (user.mustChangePassword) {
    return (
      <CenteredPage extra={<LanguageSwitch />}>
        <Card title={t('password.forcedTitle')} style={{ width: 440 }} data-testid="password-page">
          <PasswordForm forced onChanged={afterPasswordChange} />
        </Card>
      </CenteredPage>
    );
  }

  const Page = PAGES[path];
  return (
    <AppLayout path={path}>
      {path === ROUTES.password ? (
        <Card title={t('user.changePassword')} style={{ maxWidth: 480 }} data-testid="password-page">
          <PasswordForm forced={false} onChanged={afterPasswordChange} />
        </Card>
      ) : Page && entries.some((e) => e.path === path) ? (
        <Page />
      ) : (
        <Result status="info" title={t('app.noRights')} subTitle={t('app.noRightsHint')} data-testid="no-rights" />
      )}
    </AppLayout>
  );
}
