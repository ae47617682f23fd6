import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Typography } from 'antd';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useAction } from '../components/useAction.js';
import { useI18n } from '../i18n/index.js';
import { LanguageSwitch } from '../layout/LanguageSwitch.js';
import { CenteredPage } from './CenteredPage.js';
import { useSession } from './session.js';

export function LoginPage({ onSignedIn }: { onSignedIn(): void }) {
  const { t } = useI18n();
  const { signIn } = useSession();
  const { busy, error, run } = useAction();

  const submit = (v: { username: string; password: string }) =>
    run(async () => {
      await signIn(v.username.trim(), v.password);
      onSignedIn();
    });

  return (
    <CenteredPage extra={<LanguageSwitch />}>
      <Card style={{ width: 380 }} {...testId('login-card')}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginBottom: 4 }}>{t('app.name')}</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>{t('login.subtitle')}</Typography.Paragraph>
        <ServerAlert error={error} style={{ marginBottom: 16 }} />
        <Form name="login" layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus {...testId('login-username')} />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" {...testId('login-password')} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} {...testId('login-submit')}>{t('login.submit')}</Button>
        </Form>
      </Card>
    </CenteredPage>
  );
}
