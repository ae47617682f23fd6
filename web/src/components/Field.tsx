import { Form, type FormItemProps } from 'antd';
import { useI18n } from '../i18n/index.js';

/** A form item whose "required" message names its own label. */
export function Field({ label, required, rules, ...rest }: FormItemProps & { label: string; required?: boolean }) {
  const { t } = useI18n();
  const own = required ? [{ required: true, message: t('form.required', { field: label }) }] : [];
  return <Form.Item label={label} rules={[...own, ...(rules ?? [])]} {...rest} />;
}
