import { Alert, Modal, Typography } from 'antd';
import { testId } from '../components/testId.js';
import { useI18n } from '../i18n/index.js';

/** Shows a one-time password once; the server never shows it again. */
export function OneTimePasswordModal({ value, onClose }: { value: { username: string; password: string } | null; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Modal
      open={value !== null}
      title={t('users.otpTitle')}
      onOk={onClose}
      onCancel={onClose}
      okText={t('users.otpDone')}
      cancelButtonProps={{ style: { display: 'none' } }}
      okButtonProps={testId('otp-close')}
      mask={{ closable: false }}
    >
      {value && (
        <>
          <Alert type="warning" showIcon title={t('users.otpWarning')} style={{ marginBottom: 16 }} />
          <Typography.Paragraph>{t('users.otpFor', { username: value.username })}</Typography.Paragraph>
          <Typography.Paragraph copyable={{ text: value.password }} style={{ fontSize: 20 }}>
            <Typography.Text code {...testId('one-time-password')}>{value.password}</Typography.Text>
          </Typography.Paragraph>
        </>
      )}
    </Modal>
  );
}
