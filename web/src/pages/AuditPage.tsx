import { SafetyOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Input, Space, Table, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, query } from '../api/client.js';
import type { AuditEntry, AuditVerifyResult } from '../api/types.js';
import { useSession } from '../auth/session.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { shanghaiTime } from '../components/time.js';
import { type MessageKey, useI18n } from '../i18n/index.js';

const PAGE = 50;

/** 审计日志: the trail newest first, paged backwards by sequence number, and the chain check. */
export function AuditPage() {
  const { t, lang, errorText } = useI18n();
  const { can } = useSession();
  const [action, setAction] = useState('');
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [verify, setVerify] = useState<{ busy: boolean; result?: AuditVerifyResult; error?: unknown }>({ busy: false });

  const load = useCallback(async (filter: string, beforeSeq: number | null) => {
    setLoading(true);
    setError(null);
    try {
      const res = await api.get<{ entries: AuditEntry[]; nextBeforeSeq: number | null }>(`/api/v1/audit${query({ action: filter.trim(), beforeSeq, limit: PAGE })}`);
      setEntries((old) => (beforeSeq === null ? res.entries : [...old, ...res.entries]));
      setNext(res.entries.length === PAGE ? res.nextBeforeSeq : null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load('', null);
  }, [load]);

  const runVerify = async () => {
    setVerify({ busy: true });
    try {
      setVerify({ busy: false, result: await api.post<AuditVerifyResult>('/api/v1/audit/verify') });
    } catch (e) {
      setVerify({ busy: false, error: e });
    }
  };

  const columns: ColumnsType<AuditEntry> = [
    { title: t('audit.seq'), dataIndex: 'seq', width: 80 },
    { title: t('audit.time'), dataIndex: 'at', width: 180, render: (v: string) => shanghaiTime(v, lang) },
    { title: t('audit.actor'), dataIndex: 'actor_name', width: 120 },
    { title: t('audit.action'), dataIndex: 'action', width: 210, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: t('audit.target'), key: 'target', width: 120, render: (_: unknown, e: AuditEntry) => (e.target_type ? `${e.target_type}#${e.target_id ?? ''}` : '') },
    { title: t('audit.clientIp'), dataIndex: 'client_ip', width: 130 },
    {
      title: t('audit.details'), dataIndex: 'details', ellipsis: true,
      render: (d: unknown) => (d == null ? '' : <Typography.Text style={{ fontFamily: 'monospace', fontSize: 12 }}>{typeof d === 'string' ? d : JSON.stringify(d)}</Typography.Text>),
    },
    { title: t('audit.hash'), dataIndex: 'hash', width: 120, render: (h: string) => <Typography.Text type="secondary" copyable={{ text: h }} style={{ fontFamily: 'monospace' }}>{h?.slice(0, 10)}</Typography.Text> },
  ];

  const v = verify.result;
  return (
    <Card
      title={t('nav.audit')}
      extra={
        can('audit.read') && (
          <Button icon={<SafetyOutlined />} loading={verify.busy} onClick={runVerify} {...testId('audit-verify')}>{t('audit.verify')}</Button>
        )
      }
      {...testId('audit-page')}
    >
      {v && (
        <Alert
          type={v.ok ? 'success' : 'error'}
          showIcon
          style={{ marginBottom: 16 }}
          title={v.ok ? t('audit.verifyOk', { checked: v.checked }) : t('audit.verifyFault', { checked: v.checked, seq: v.fault?.seq ?? '?', kind: v.fault ? t(`audit.fault.${v.fault.kind}` as MessageKey) : '?' })}
          {...testId('audit-verify-result')}
        />
      )}
      {verify.error ? <Alert type="error" showIcon title={errorText(verify.error)} style={{ marginBottom: 16 }} /> : null}
      <Space style={{ marginBottom: 16 }}>
        <Input
          allowClear
          value={action}
          onChange={(e) => setAction(e.target.value)}
          onPressEnter={() => void load(action, null)}
          placeholder={t('audit.actionFilter')}
          aria-label={t('audit.actionFilter')}
          style={{ width: 260 }}
        />
        <Button icon={<SearchOutlined />} onClick={() => void load(action, null)}>{t('common.search')}</Button>
      </Space>
      <ServerAlert error={error} style={{ marginBottom: 16 }} />
      <Table<AuditEntry> rowKey="seq" size="small" columns={columns} dataSource={entries} loading={loading} pagination={false} scroll={{ x: 1200 }} />
      {next !== null && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => void load(action, next)} loading={loading}>{t('common.loadMore')}</Button>
        </div>
      )}
    </Card>
  );
}
