import { Alert, Button, Form, Input } from 'antd';
import { api } from '../api/client.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useAction } from '../components/useAction.js';
import { useI18n } from '../i18n/index.js';

interface Values {
  current: string;
  next: string;
  repeat: string;
}

/** Current, new and repeated password; the server's policy refusal is shown as it says it. */
export function PasswordForm({ forced, onChanged }: { forced: boolean; onChanged(): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const { busy, error, run } = useAction();

  const submit = (v: Values) =>
    run(async () => {
      await api.post('/api/v1/auth/password', { current: v.current, next: v.next });
      form.resetFields();
      onChanged();
    });

  return (
    <>
      {forced && <Alert type="warning" showIcon title={t('password.forcedNotice')} style={{ marginBottom: 16 }} />}
      <Alert type="info" title={t('password.policy')} style={{ marginBottom: 16 }} />
      <ServerAlert error={error} style={{ marginBottom: 16 }} />
      <Form form={form} name="password" layout="vertical" onFinish={submit}>
        <Form.Item name="current" label={t(forced ? 'password.currentOneTime' : 'password.current')} rules={[{ required: true, message: t('password.currentRequired') }]}>
          <Input.Password autoComplete="current-password" autoFocus {...testId('password-current')} />
        </Form.Item>
        <Form.Item name="next" label={t('password.next')} rules={[{ required: true, message: t('password.nextRequired') }]}>
          <Input.Password autoComplete="new-password" {...testId('password-next')} />
        </Form.Item>
        <Form.Item
          name="repeat"
          label={t('password.repeat')}
          dependencies={['next']}
          rules={[
            { required: true, message: t('password.repeatRequired') },
            ({ getFieldValue }) => ({
              validator: (_rule, value) => (!value || getFieldValue('next') === value ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" {...testId('password-repeat')} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block={forced} {...testId('password-submit')}>{t('password.submit')}</Button>
      </Form>
    </>
  );
}
