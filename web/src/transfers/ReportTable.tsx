import { Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import type { CheckReport, CheckResult, Offending } from '../api/types.js';
import { testId } from '../components/testId.js';
import { useI18n } from '../i18n/index.js';
import { OUTCOME_LABELS, outcomeColor, SEVERITY_LABELS } from './labels.js';

/** A check can name thousands of entries; the downloads carry them all. */
const SHOWN_OFFENDING = 20;

function Problems({ check }: { check: CheckResult }) {
  const { t, pick, isZh } = useI18n();
  const where = (o: Offending) => [o.item, o.path].filter(Boolean).join(' ');
  return (
    <div {...testId('check-problems')}>
      {check.note && <Typography.Text type="secondary" style={{ display: 'block' }}>{pick(check.note)}</Typography.Text>}
      {check.offending.slice(0, SHOWN_OFFENDING).map((o, i) => (
        <Typography.Text key={i} style={{ display: 'block' }} {...testId('check-offending')}>
          {where(o) && <Typography.Text code>{where(o)}</Typography.Text>} {isZh ? o.reason : o.reason_en}
        </Typography.Text>
      ))}
      {check.offending.length > SHOWN_OFFENDING && (
        <Typography.Text type="secondary">{t('transfer.report.more', { n: check.offending.length - SHOWN_OFFENDING })}</Typography.Text>
      )}
    </div>
  );
}

/** The four-property check report, one row per DA/T 70 check, failures coloured by whether they block the accept. */
export function ReportTable({ report }: { report: CheckReport }) {
  const { t, pick } = useI18n();
  const { summary } = report;
  const columns: ColumnsType<CheckResult> = [
    { title: t('transfer.report.code'), dataIndex: 'id', width: 120, render: (id: string) => <Typography.Text code {...testId('check-code')}>{id}</Typography.Text> },
    { title: t('transfer.report.property'), dataIndex: 'property', width: 90, render: (p: CheckResult['property']) => <span {...testId('check-property')}>{pick(p)}</span> },
    {
      title: t('transfer.report.name'), dataIndex: 'name', width: 260,
      render: (name: CheckResult['name'], c) => <Tooltip title={pick(c.method)}><span>{pick(name)}</span></Tooltip>,
    },
    { title: t('transfer.report.severity'), dataIndex: 'severity', width: 90, render: (s: CheckResult['severity']) => t(SEVERITY_LABELS[s]) },
    {
      title: t('transfer.report.result'), dataIndex: 'result', width: 110,
      render: (r: CheckResult['result'], c) => <Tag color={outcomeColor(c)} {...testId('check-result')}>{t(OUTCOME_LABELS[r])}</Tag>,
    },
    { title: t('transfer.report.problems'), key: 'problems', render: (_: unknown, c) => <Problems check={c} /> },
  ];
  return (
    <div {...testId('transfer-report')}>
      <Typography.Paragraph type={report.blocking ? 'danger' : undefined} {...testId('transfer-report-summary')}>
        {t('transfer.report.summary', { ...summary, blocking: summary.blockingFailures })}
      </Typography.Paragraph>
      <Table<CheckResult>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={report.checks}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={(c) => ({ ...testId(`check-row-${c.id}`), style: c.result === 'fail' && c.severity === 'blocking' ? { background: '#fff1f0' } : undefined })}
      />
    </div>
  );
}
