import { Alert, Button, Flex, Form, Modal } from 'antd';
import { type ReactNode, useState } from 'react';
import { useI18n } from '../i18n/index.js';
import { applyServerError } from './serverErrors.js';
import { testId } from './testId.js';

export interface FormModalProps<T extends object> {
  open: boolean;
  title: ReactNode;
  /** Names the form (input ids become `${name}_${field}`) and its test hooks. */
  name: string;
  okText?: string;
  width?: number;
  initialValues?: Partial<T>;
  onCancel(): void;
  /** Throw the ApiError to have it shown under the fields it names. */
  onSubmit(values: T): Promise<void>;
  children: ReactNode;
}

/**
 * A modal form that submits on Enter, shows busy state, and maps server errors onto its fields.
 * Its body (and so its form instance) is built anew at each opening: every opening starts from its
 * own initial values, never from what the last one left behind.
 */
export function FormModal<T extends object>(props: FormModalProps<T>) {
  return (
    <Modal open={props.open} title={props.title} width={props.width} onCancel={props.onCancel} footer={null} destroyOnHidden>
      <FormBody<T> {...props} />
    </Modal>
  );
}

function FormBody<T extends object>(props: FormModalProps<T>) {
  const i18n = useI18n();
  const [form] = Form.useForm<T>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const finish = async (values: T) => {
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(values);
    } catch (e) {
      setError(applyServerError(form, e, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div {...testId(props.name)}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} {...testId('form-error')} />}
      <Form<T> form={form} name={props.name} layout="vertical" initialValues={props.initialValues} onFinish={finish}>
        {props.children}
        <Flex justify="flex-end" gap={8} style={{ marginTop: 8 }}>
          <Button onClick={props.onCancel}>{i18n.t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={busy} {...testId(`${props.name}-ok`)}>{props.okText ?? i18n.t('common.save')}</Button>
        </Flex>
      </Form>
    </div>
  );
}
