import { Alert, Progress, Space, Typography } from 'antd';
import { api } from '../api/client.js';
import type { FixityAuditResult, Job } from '../api/types.js';
import { testId } from '../components/testId.js';
import { jobActive, useJob } from '../components/useJob.js';
import { useI18n } from '../i18n/index.js';
import { recordedErrorText } from './format.js';

/**
 * "Audit now": starts the fixity audit job and follows it until it ends, then calls `onFinished`
 * (the overview and events have changed by then).
 */
export function useFixityAudit(onFinished: () => void) {
  const audit = useJob(() => onFinished());
  return { ...audit, start: () => audit.start(async () => (await api.post<{ jobId: number; job: Job }>('/api/v1/preservation/audit')).job) };
}

const sum = (results: FixityAuditResult[], key: 'checked' | 'passed' | 'failed' | 'repaired' | 'damaged' | 'skipped') => results.reduce((n, r) => n + r[key], 0);

/** Where the started audit stands: queued, how many objects it has checked, and how it ended, per location. */
export function FixityAuditStatus({ job, error }: { job: Job | null; error: unknown }) {
  const { t, isZh, errorText } = useI18n();
  if (error) return <Alert type="error" showIcon title={errorText(error)} style={{ marginBottom: 16 }} {...testId('audit-run-error')} />;
  if (!job) return null;
  if (jobActive(job)) {
    return (
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={job.state === 'queued' ? t('pres.audit.queued') : t('pres.audit.running', { checked: job.progress })}
        description={job.total ? <Progress percent={Math.round((job.progress / job.total) * 100)} size="small" /> : undefined}
        {...testId('audit-run-status')}
      />
    );
  }
  if (job.state === 'failed') {
    return <Alert type="error" showIcon style={{ marginBottom: 16 }} title={t('pres.audit.failed', { error: recordedErrorText(job.error, isZh) })} {...testId('audit-run-status')} />;
  }
  const results = (job.result ?? []) as FixityAuditResult[];
  const failed = sum(results, 'failed');
  const damaged = sum(results, 'damaged');
  const locationFailed = results.some((r) => r.error);
  return (
    <Alert
      type={failed || damaged || locationFailed ? 'error' : sum(results, 'repaired') ? 'warning' : 'success'}
      showIcon
      style={{ marginBottom: 16 }}
      title={t('pres.audit.done', {
        checked: sum(results, 'checked'), passed: sum(results, 'passed'), failed, repaired: sum(results, 'repaired'), damaged,
      })}
      description={
        <Space orientation="vertical" size={0}>
          {results.map((r) => (
            <Typography.Text key={r.location} type={r.error || r.failed || r.damaged ? 'danger' : undefined} {...testId(`audit-run-location-${r.location}`)}>
              {t('pres.audit.location', { location: r.location, checked: r.checked, failed: r.failed, repaired: r.repaired, damaged: r.damaged })}
              {r.skipped > 0 && t('pres.audit.skipped', { skipped: r.skipped })}
              {!r.cycleCompleted && !r.error && t('pres.audit.partial')}
              {r.error && t('pres.audit.locationError', { error: recordedErrorText(r.error, isZh) })}
            </Typography.Text>
          ))}
        </Space>
      }
      {...testId('audit-run-status')}
    />
  );
}
