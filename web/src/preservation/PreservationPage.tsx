import { ReloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Flex, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api, query } from '../api/client.js';
import type { PreservationEvent, PreservationEventPage, PreservationSummary } from '../api/types.js';
import { useSession } from '../auth/session.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useCursorPages } from '../components/useCursorPages.js';
import { shanghaiTime } from '../components/time.js';
import { useLoader } from '../components/useLoader.js';
import { type I18n, useI18n } from '../i18n/index.js';
import { EVENT_KIND_LABELS, EVENT_RESULT_LABELS, EventTable } from './EventTable.js';
import { FixityAuditStatus, useFixityAudit } from './FixityAudit.js';
import { formatBytes, recordedErrorText } from './format.js';

type Location = PreservationSummary['locations'][number];
interface EventFilter {
  kind?: string;
  result?: string;
  location?: string;
}

interface Stat {
  id: string;
  title: string;
  value: number | string;
  suffix?: string;
  /** Drawn in red: something needs attention. */
  alarm?: boolean;
}

const PAGE = 50;
const RECENT = 20;

/**
 * The newest failures and repairs. The events API filters on one kind or one result at a time,
 * so each is asked for on its own and the answers merged by event id (newest first).
 */
async function recentTrouble(): Promise<PreservationEvent[]> {
  const asks: EventFilter[] = [{ result: 'fail' }, { result: 'missing' }, { result: 'error' }, { kind: 'repair' }];
  const pages = await Promise.all(asks.map((f) => api.get<PreservationEventPage>(`/api/v1/preservation/events${query({ ...f, limit: RECENT })}`)));
  const byId = new Map(pages.flatMap((p) => p.events).map((e) => [e.id, e]));
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, RECENT);
}

/** The events list: filtered, newest first, a page at a time. */
function useEventPages() {
  const [filter, setFilter] = useState<EventFilter>({});
  const pages = useCursorPages<PreservationEvent, number>(async (before) => {
    const res = await api.get<PreservationEventPage>(`/api/v1/preservation/events${query({ ...filter, before, limit: PAGE })}`);
    return { rows: res.events, next: res.next };
  }, JSON.stringify(filter));

  return {
    filter, events: pages.rows, loading: pages.loading, error: pages.error, hasMore: pages.hasMore,
    setFilter: (change: EventFilter) => setFilter((f) => ({ ...f, ...change })),
    reload: pages.reload,
    loadMore: pages.loadMore,
  };
}

/** The last completed audit cycle at a location, and the one under way. */
function lastAudit(l: Location, { t, lang }: Pick<I18n, 't' | 'lang'>) {
  const { current, lastCompleted: done } = l.audit;
  return (
    <Space orientation="vertical" size={0}>
      {done ? (
        <>
          <span>{shanghaiTime(done.completedAt, lang)}</span>
          <Typography.Text type={done.failed || done.damaged ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
            {t('pres.auditCycle', { cycle: done.cycle, checked: done.checked, failed: done.failed, repaired: done.repaired, damaged: done.damaged })}
          </Typography.Text>
        </>
      ) : (
        <Typography.Text type="secondary">{t('pres.neverAudited')}</Typography.Text>
      )}
      {current && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('pres.auditInProgress', { cycle: current.cycle, checked: current.checked, time: shanghaiTime(current.lastRunAt, lang) })}
        </Typography.Text>
      )}
    </Space>
  );
}

/** 保存管理: what each storage location holds, how far replicas lag, fixity audits, damage, and the preservation events. */
export function PreservationPage() {
  const i18n = useI18n();
  const { t, lang, isZh } = i18n;
  const { can } = useSession();
  const summary = useLoader(() => api.get<PreservationSummary>('/api/v1/preservation/summary'));
  const trouble = useLoader(recentTrouble);
  const events = useEventPages();
  const refresh = () => {
    void summary.reload();
    void trouble.reload();
    void events.reload();
  };
  const audit = useFixityAudit(refresh);
  const s = summary.data;

  const columns: ColumnsType<Location> = [
    {
      title: t('pres.location'), dataIndex: 'name', width: 200,
      render: (name: string, l) => (
        <Space orientation="vertical" size={0}>
          <Space size={4}>
            <Typography.Text strong>{name}</Typography.Text>
            <Tag color={l.primary ? 'gold' : 'default'}>{t(l.primary ? 'pres.primary' : 'pres.replica')}</Tag>
          </Space>
          {l.description && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{l.description}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('pres.kind'), dataIndex: 'kind', width: 140, render: (k: Location['kind']) => t(k === 's3' ? 'pres.kind.s3' : 'pres.kind.fs') },
    { title: t('pres.objects'), dataIndex: 'objects', width: 90, align: 'right', render: (n: number) => <span {...testId('location-objects')}>{n}</span> },
    { title: t('pres.bytes'), dataIndex: 'bytes', width: 110, align: 'right', render: (n: number) => formatBytes(n) },
    {
      title: t('pres.behind'), dataIndex: 'versionsBehind', width: 220,
      render: (n: number, l) => (
        <Space orientation="vertical" size={0}>
          <Tag color={n > 0 ? 'red' : 'green'} {...testId('location-behind')}>{n > 0 ? t('pres.behindCount', { n }) : t('pres.upToDate')}</Tag>
          {l.errors > 0 && <Typography.Text type="danger" style={{ fontSize: 12 }}>{t('pres.locationErrors', { n: l.errors })}</Typography.Text>}
          {l.lastError && <Typography.Text type="danger" style={{ fontSize: 12 }}>{recordedErrorText(l.lastError, isZh)}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: t('pres.damaged'), dataIndex: 'damaged', width: 90, align: 'right',
      render: (n: number) => (n > 0 ? <Typography.Text type="danger" strong>{n}</Typography.Text> : n),
    },
    { title: t('pres.lastAudit'), key: 'audit', width: 300, render: (_: unknown, l) => lastAudit(l, i18n) },
    { title: t('pres.lastReplicated'), dataIndex: 'lastReplicatedAt', width: 170, render: (v: string | null) => shanghaiTime(v, lang) },
  ];

  const stats = (x: PreservationSummary): Stat[] => {
    const failedChecks = x.fixity.failed + x.fixity.missing + x.fixity.errors;
    return [
      { id: 'objects', title: t('pres.totals.objects'), value: x.totals.objects },
      { id: 'versions', title: t('pres.totals.versions'), value: x.totals.versions },
      { id: 'files', title: t('pres.totals.files'), value: x.totals.files },
      { id: 'bytes', title: t('pres.totals.bytes'), value: formatBytes(x.totals.bytes) },
      { id: 'lag', title: t('pres.replicationLag'), value: x.replicationLag, alarm: x.replicationLag > 0 },
      { id: 'failed', title: t('pres.failedChecks'), value: failedChecks, suffix: `/ ${x.fixity.checks}`, alarm: failedChecks > 0 },
      { id: 'repairs', title: t('pres.totals.repairs'), value: x.repairs },
      { id: 'damaged', title: t('pres.totals.damaged'), value: x.totals.damaged, alarm: x.totals.damaged > 0 },
    ];
  };
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} {...testId('preservation-page')}>
      <Card
        title={t('nav.preservation')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={refresh} aria-label={t('common.refresh')}>{t('common.refresh')}</Button>
            {can('preservation.operate') && (
              <Button type="primary" icon={<SafetyCertificateOutlined />} loading={audit.busy} onClick={() => void audit.start()} {...testId('fixity-audit-run')}>
                {t('pres.audit.run')}
              </Button>
            )}
          </Space>
        }
      >
        <FixityAuditStatus job={audit.job} error={audit.error} />
        <ServerAlert error={summary.error} style={{ marginBottom: 16 }} />
        {s && s.damaged.length > 0 && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('pres.damagedTitle', { count: s.totals.damaged })}
            description={s.damaged.map((d) => `${d.objectId}（${t('pres.damagedSince', { time: shanghaiTime(d.since, lang) })}）`).join('；')}
            {...testId('preservation-damaged')}
          />
        )}
        {s && (
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }} {...testId('preservation-totals')}>
            {stats(s).map((x) => (
              <Col key={x.id} flex="1" style={{ minWidth: 120 }}>
                <Statistic title={x.title} value={x.value} suffix={x.suffix} styles={{ content: x.alarm ? { color: '#cf1322' } : {} }} {...testId(`total-${x.id}`)} />
              </Col>
            ))}
          </Row>
        )}
        <Table<Location>
          rowKey="name"
          size="small"
          columns={columns}
          dataSource={s?.locations ?? []}
          loading={summary.loading && !s}
          pagination={false}
          scroll={{ x: 1300 }}
          onRow={(l) => testId(`location-row-${l.name}`)}
        />
      </Card>

      <Card title={t('pres.recent')} size="small">
        <ServerAlert error={trouble.error} style={{ marginBottom: 12 }} />
        <EventTable events={trouble.data ?? []} loading={trouble.loading} showItem testid="preservation-trouble" />
      </Card>

      <Card title={t('pres.events')} size="small">
        <Flex gap={8} wrap style={{ marginBottom: 12 }}>
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('pres.filter.kind')}
            aria-label={t('pres.filter.kind')}
            value={events.filter.kind}
            onChange={(kind?: string) => events.setFilter({ kind })}
            options={Object.entries(EVENT_KIND_LABELS).map(([value, key]) => ({ value, label: t(key) }))}
            {...testId('events-filter-kind')}
          />
          <Select
            allowClear
            style={{ width: 160 }}
            placeholder={t('pres.filter.result')}
            aria-label={t('pres.filter.result')}
            value={events.filter.result}
            onChange={(result?: string) => events.setFilter({ result })}
            options={Object.entries(EVENT_RESULT_LABELS).map(([value, key]) => ({ value, label: t(key) }))}
            {...testId('events-filter-result')}
          />
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('pres.filter.location')}
            aria-label={t('pres.filter.location')}
            value={events.filter.location}
            onChange={(location?: string) => events.setFilter({ location })}
            options={(s?.locations ?? []).map((l) => ({ value: l.name, label: l.name }))}
            {...testId('events-filter-location')}
          />
        </Flex>
        <ServerAlert error={events.error} style={{ marginBottom: 12 }} />
        <EventTable events={events.events} loading={events.loading} showItem testid="preservation-events" />
        {events.hasMore && (
          <div style={{ textAlign: 'center', marginTop: 12 }}>
            <Button onClick={() => void events.loadMore()} loading={events.loading} {...testId('events-load-more')}>{t('common.loadMore')}</Button>
          </div>
        )}
      </Card>
    </Space>
  );
}
