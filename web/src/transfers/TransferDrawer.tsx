import { CheckCircleOutlined, DownloadOutlined, RollbackOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Descriptions, Drawer, Input, Progress, Space, Spin, Steps, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Job, Transfer } from '../api/types.js';
import { Field } from '../components/Field.js';
import { FormModal } from '../components/FormModal.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { shanghaiTime } from '../components/time.js';
import { jobActive, useJob } from '../components/useJob.js';
import { useLoader } from '../components/useLoader.js';
import { type I18n, useI18n } from '../i18n/index.js';
import { formatBytes, recordedErrorText } from '../preservation/format.js';
import { FORMAT_LABELS, STATE_COLORS, STATE_LABELS, UNDECIDED } from './labels.js';
import { ReportTable } from './ReportTable.js';

const FOLLOW_MS = 1000;

type StepStatus = 'wait' | 'process' | 'finish' | 'error';

/** Where the transfer stands on received → unpacked → checked → awaiting decision → accepted or returned. */
function progressOf(tr: Transfer, checking: boolean): { current: number; status: StepStatus } {
  switch (tr.state) {
    case 'received':
      return checking ? { current: 1, status: 'process' } : { current: 0, status: 'finish' };
    case 'unpacked':
      return { current: 2, status: 'process' };
    case 'awaiting_decision':
      return tr.report?.blocking ? { current: 2, status: 'error' } : { current: 3, status: 'process' };
    case 'accepting':
      return { current: 4, status: 'process' };
    case 'accepted':
      return { current: 4, status: 'finish' };
    case 'returned':
      return { current: 4, status: 'error' };
  }
}

/** What the check or accept job the user started is doing, and how it ended. */
function JobStatus({ job, i18n }: { job: Job | null; i18n: I18n }) {
  const { t, isZh } = i18n;
  if (!job) return null;
  const accept = job.kind === 'transfer.accept';
  if (jobActive(job)) {
    const counts = { done: job.progress, total: job.total ?? '…' };
    return (
      <Alert
        type="info"
        showIcon
        title={job.state === 'queued' ? t('transfer.job.queued') : t(accept ? 'transfer.job.accept' : 'transfer.job.check', counts)}
        description={job.total ? <Progress percent={Math.round((job.progress / job.total) * 100)} size="small" /> : undefined}
        {...testId('transfer-job')}
      />
    );
  }
  if (job.state === 'failed') return <Alert type="error" showIcon title={t('transfer.job.failed', { error: recordedErrorText(job.error, isZh) })} {...testId('transfer-job')} />;
  const result = job.result as { acceptedCount?: number } | null;
  return (
    <Alert type="success" showIcon title={accept ? t('transfer.job.accepted', { n: result?.acceptedCount ?? 0 }) : t('transfer.job.checked')} {...testId('transfer-job')} />
  );
}

/**
 * One transfer: where it stands, its four-property report, and the decision. Accept is offered only
 * when the server would take it (checked, no blocking failure); checks and accepting run as jobs.
 */
export function TransferDrawer({ id, senderName, onClose, onChanged }: { id: number; senderName(tr: Transfer): string; onClose(): void; onChanged(): void }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const { message } = AntApp.useApp();
  const loaded = useLoader(() => api.get<Transfer>(`/api/v1/transfers/${id}`), id);
  const { data: tr, reload } = loaded;
  const job = useJob(() => {
    void reload();
    onChanged();
  });
  const [returning, setReturning] = useState(false);

  // A job someone else started (another archivist, the check of an online submission) moves the state on its own.
  const movingElsewhere = !!tr && (tr.state === 'unpacked' || tr.state === 'accepting') && !job.busy;
  useEffect(() => {
    if (!movingElsewhere) return;
    const timer = window.setTimeout(() => void reload(), FOLLOW_MS);
    return () => window.clearTimeout(timer);
  }, [movingElsewhere, tr, reload]);

  const start = (action: 'check' | 'accept') => job.start(() => api.post<Job>(`/api/v1/transfers/${id}/${action}`));
  const undecided = !!tr && UNDECIDED.includes(tr.state);
  // Why accepting is not offered yet, in the server's terms (acceptableTransfer): unchecked, or a blocking check failed.
  const acceptRefusal = !tr || !undecided ? null : !tr.report ? t('transfer.notChecked') : tr.report.blocking ? t('transfer.blocked') : null;
  const canAccept = tr?.state === 'awaiting_decision' && !acceptRefusal && !job.busy;
  const download = (file: string) => `/api/v1/transfers/${id}/${file}`;

  const stepKey = tr?.state === 'accepted' ? 'transfer.stateName.accepted' : tr?.state === 'returned' ? 'transfer.stateName.returned' : tr?.state === 'accepting' ? 'transfer.stateName.accepting' : 'transfer.step.decision';
  const progress = tr ? progressOf(tr, job.busy) : null;

  return (
    <Drawer open size={1100} title={tr ? t('transfer.title', { id: tr.id, name: tr.fileName }) : ''} onClose={onClose} {...testId('transfer-detail')}>
      <ServerAlert error={loaded.error} />
      {!tr && !loaded.error && <Spin />}
      {tr && progress && (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Steps
            size="small"
            current={progress.current}
            status={progress.status}
            items={(['transfer.step.received', 'transfer.step.unpacked', 'transfer.step.checked', 'transfer.step.awaiting', stepKey] as const).map((key) => ({ title: t(key) }))}
            {...testId('transfer-steps')}
          />
          <Descriptions size="small" bordered column={3}>
            <Descriptions.Item label={t('transfer.state')}>
              <Tag color={STATE_COLORS[tr.state]} {...testId('transfer-state')}>{t(STATE_LABELS[tr.state])}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('transfer.sender')}>{senderName(tr)}</Descriptions.Item>
            <Descriptions.Item label={t('transfer.format')}>{tr.format ? t(FORMAT_LABELS[tr.format as keyof typeof FORMAT_LABELS]) : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('transfer.counts')}>{t('transfer.countsValue', { items: tr.itemCount, files: tr.fileCount })}</Descriptions.Item>
            <Descriptions.Item label={t('transfer.bytes')}>{formatBytes(tr.bytes)}</Descriptions.Item>
            <Descriptions.Item label={t('transfer.receivedAt')}>{shanghaiTime(tr.createdAt, lang)}</Descriptions.Item>
            {tr.decidedAt && <Descriptions.Item label={t('transfer.decidedAt')}>{shanghaiTime(tr.decidedAt, lang)}</Descriptions.Item>}
            {tr.acceptedCount > 0 && <Descriptions.Item label={t('transfer.accept')}>{t('transfer.acceptedCount', { n: tr.acceptedCount })}</Descriptions.Item>}
            {tr.reason && (
              <Descriptions.Item label={t('transfer.reason')} span={3}>
                <Typography.Text type="danger" {...testId('transfer-reason')}>{tr.reason}</Typography.Text>
              </Descriptions.Item>
            )}
          </Descriptions>

          <Space wrap>
            <Button icon={<SafetyCertificateOutlined />} disabled={!undecided || job.busy} loading={job.busy && job.job?.kind !== 'transfer.accept'} onClick={() => void start('check')} {...testId('transfer-check')}>
              {t(tr.report ? 'transfer.recheck' : 'transfer.check')}
            </Button>
            <Button type="primary" icon={<CheckCircleOutlined />} disabled={!canAccept} loading={job.busy && job.job?.kind === 'transfer.accept'} onClick={() => void start('accept')} {...testId('transfer-accept')}>
              {t('transfer.accept')}
            </Button>
            <Button danger icon={<RollbackOutlined />} disabled={!undecided || job.busy} onClick={() => setReturning(true)} {...testId('transfer-return')}>
              {t('transfer.return')}
            </Button>
            {tr.report && (
              <>
                <Button icon={<DownloadOutlined />} href={download('report.pdf')} download {...testId('transfer-report-pdf')}>{t('transfer.reportPdf')}</Button>
                <Button icon={<DownloadOutlined />} href={download('report.xlsx')} download {...testId('transfer-report-xlsx')}>{t('transfer.reportXlsx')}</Button>
                <Button icon={<DownloadOutlined />} href={download('receipt.pdf')} download {...testId('transfer-receipt-pdf')}>{t('transfer.receiptPdf')}</Button>
              </>
            )}
          </Space>
          {acceptRefusal && <Alert type={tr.report ? 'error' : 'warning'} showIcon title={acceptRefusal} {...testId('transfer-accept-refusal')} />}
          <JobStatus job={job.job} i18n={i18n} />
          <ServerAlert error={job.error} />

          <Card size="small" title={t('transfer.report')}>
            {tr.report ? <ReportTable report={tr.report} /> : <Typography.Text type="secondary">{t('transfer.report.none')}</Typography.Text>}
          </Card>
        </Space>
      )}
      <FormModal<{ reason: string }>
        open={returning}
        name="return-form"
        title={t('transfer.returnTitle', { id })}
        okText={t('transfer.return')}
        onCancel={() => setReturning(false)}
        onSubmit={async ({ reason }) => {
          await api.post<Transfer>(`/api/v1/transfers/${id}/return`, { reason: reason.trim() });
          setReturning(false);
          message.success(t('transfer.returned', { id }));
          void reload();
          onChanged();
        }}
      >
        <Typography.Paragraph type="secondary">{t('transfer.returnHint')}</Typography.Paragraph>
        <Field name="reason" label={t('transfer.reason')} required rules={[{ whitespace: true, message: t('form.required', { field: t('transfer.reason') }) }]}>
          <Input.TextArea rows={4} maxLength={2000} showCount />
        </Field>
      </FormModal>
    </Drawer>
  );
}
