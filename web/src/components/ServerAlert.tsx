import { Alert } from 'antd';
import type { CSSProperties } from 'react';
import { useI18n } from '../i18n/index.js';
import { testId } from './testId.js';

/** A failed request, in the UI language; nothing when there is no error. */
export function ServerAlert({ error, style }: { error: unknown; style?: CSSProperties }) {
  const { errorText } = useI18n();
  if (!error) return null;
  return <Alert type="error" showIcon title={errorText(error)} style={style} {...testId('server-error')} />;
}
