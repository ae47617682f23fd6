import { Table, Tag, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import type { EventKind, EventResult, PreservationEvent } from '../api/types.js';
import { testId } from '../components/testId.js';
import { shanghaiTime } from '../components/time.js';
import { type MessageKey, useI18n } from '../i18n/index.js';
import { detailsText } from './format.js';

/** Every kind and result the server records: a new one on the server is a compile error here until it has a label. */
export const EVENT_KIND_LABELS: Record<EventKind, MessageKey> = {
  ingest: 'pres.eventKind.ingest',
  fixity: 'pres.eventKind.fixity',
  repair: 'pres.eventKind.repair',
  replicate: 'pres.eventKind.replicate',
  damage: 'pres.eventKind.damage',
  recover: 'pres.eventKind.recover',
};
export const EVENT_RESULT_LABELS: Record<EventResult, MessageKey> = {
  pass: 'pres.eventResult.pass',
  fail: 'pres.eventResult.fail',
  missing: 'pres.eventResult.missing',
  repaired: 'pres.eventResult.repaired',
  error: 'pres.eventResult.error',
};
const RESULT_COLORS: Record<EventResult, string> = { pass: 'green', repaired: 'blue', fail: 'red', missing: 'red', error: 'orange' };

/** Preservation events, newest first; `showItem` adds the item column (the item's own panel leaves it out). */
export function EventTable(props: { events: PreservationEvent[]; loading?: boolean; showItem: boolean; testid: string }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const label = (table: Record<string, MessageKey>, v: string) => (table[v] ? t(table[v]) : v);
  const columns: ColumnsType<PreservationEvent> = [
    { title: t('pres.event.time'), dataIndex: 'at', width: 170, render: (v: string) => shanghaiTime(v, lang) },
    { title: t('pres.event.kind'), dataIndex: 'kind', width: 110, render: (v: string) => label(EVENT_KIND_LABELS, v) },
    {
      title: t('pres.event.result'), dataIndex: 'result', width: 90,
      render: (v: string) => <Tag color={RESULT_COLORS[v as EventResult]} {...testId('event-result')}>{label(EVENT_RESULT_LABELS, v)}</Tag>,
    },
    { title: t('pres.event.location'), dataIndex: 'location', width: 110 },
    ...(props.showItem ? [{ title: t('pres.event.item'), dataIndex: 'itemId', width: 90, render: (v: number | null) => (v === null ? '' : `#${v}`) }] : []),
    { title: t('pres.event.algorithm'), dataIndex: 'algorithm', width: 190, render: (v: string | null) => v && <Typography.Text code>{v}</Typography.Text> },
    { title: t('pres.event.actor'), dataIndex: 'actor', width: 140 },
    {
      title: t('pres.event.details'), dataIndex: 'details', ellipsis: true,
      render: (d: PreservationEvent['details']) => detailsText(d, i18n),
    },
  ];
  return (
    <div {...testId(props.testid)}>
      <Table<PreservationEvent>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={props.events}
        loading={props.loading}
        pagination={false}
        scroll={{ x: 1100 }}
        onRow={() => testId('event-row')}
      />
    </div>
  );
}
