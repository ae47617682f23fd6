import type { FormInstance } from 'antd';
import { ApiError } from '../api/client.js';
import type { I18n } from '../i18n/index.js';

/**
 * Puts a server refusal where the user will look: each issue of a 422 (and the `details.field`
 * of a 400/409) under its own form field; returns the text of whatever no field can show, or
 * null when every problem found its field.
 */
export function applyServerError(form: FormInstance, error: unknown, i18n: Pick<I18n, 'isZh' | 'errorText'>): string | null {
  if (!(error instanceof ApiError)) return i18n.errorText(error);
  const mounted = new Set(form.getFieldsError().map((f) => f.name.join('.')));
  const single = typeof error.details.field === 'string' ? [{ field: error.details.field, message: error.message, message_en: error.messageEn }] : [];
  const issues = error.issues.length ? error.issues : single;
  const placed = new Map<string, string[]>();
  const rest: string[] = [];
  for (const issue of issues) {
    const text = i18n.isZh ? issue.message : issue.message_en;
    if (issue.field && mounted.has(issue.field)) placed.set(issue.field, [...(placed.get(issue.field) ?? []), text]);
    else rest.push(text);
  }
  if (placed.size) form.setFields([...placed].map(([name, errors]) => ({ name, errors })));
  if (issues.length === 0) return i18n.errorText(error);
  return rest.length ? rest.join('；') : null;
}
