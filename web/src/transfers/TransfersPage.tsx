import { ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Flex, Input, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api, query } from '../api/client.js';
import type { Organization, Transfer, TransferPage, TransferState } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { shanghaiTime } from '../components/time.js';
import { useCursorPages } from '../components/useCursorPages.js';
import { useLoader } from '../components/useLoader.js';
import { useI18n } from '../i18n/index.js';
import { FORMAT_LABELS, STATE_COLORS, STATE_LABELS } from './labels.js';
import { TransferDrawer } from './TransferDrawer.js';
import { UploadModal } from './UploadModal.js';

const PAGE = 50;

interface InboxFilter {
  state?: TransferState;
  organizationId?: number;
  /** The sender as the package's description file names it (exact, as the server matches it). */
  sender?: string;
}

/** 移交接收: the inbox of transfer packages, newest first, the upload of one, and each one's check and decision. */
export function TransfersPage() {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [filter, setFilter] = useState<InboxFilter>({});
  const [uploading, setUploading] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const organizations = useLoader(async () => (await api.get<{ organizations: Organization[] }>('/api/v1/organizations')).organizations);
  const inbox = useCursorPages<Transfer, string>(
    async (cursor) => {
      const page = await api.get<TransferPage>(`/api/v1/transfers${query({ ...filter, cursor, limit: PAGE })}`);
      return { rows: page.items, next: page.nextCursor };
    },
    JSON.stringify(filter),
  );
  const change = (patch: InboxFilter) => setFilter((f) => ({ ...f, ...patch }));

  // The organization chosen at upload names the sender until the check reads the package's own declaration.
  const senderName = (tr: Transfer) => tr.sender ?? organizations.data?.find((o) => o.id === tr.organizationId)?.name ?? '—';

  const columns: ColumnsType<Transfer> = [
    { title: t('transfer.id'), dataIndex: 'id', width: 70, render: (id: number) => `#${id}` },
    { title: t('transfer.sender'), key: 'sender', width: 220, ellipsis: true, render: (_: unknown, tr) => senderName(tr) },
    { title: t('transfer.fileName'), dataIndex: 'fileName', ellipsis: true, render: (name: string) => <span {...testId('transfer-file-name')}>{name}</span> },
    { title: t('transfer.format'), dataIndex: 'format', width: 130, render: (f: Transfer['format']) => (f ? t(FORMAT_LABELS[f as keyof typeof FORMAT_LABELS]) : '—') },
    { title: t('transfer.counts'), key: 'counts', width: 140, render: (_: unknown, tr) => t('transfer.countsValue', { items: tr.itemCount, files: tr.fileCount }) },
    {
      title: t('transfer.state'), dataIndex: 'state', width: 200,
      render: (s: TransferState, tr) => (
        <Space size={4}>
          <Tag color={STATE_COLORS[s]} {...testId('transfer-row-state')}>{t(STATE_LABELS[s])}</Tag>
          {s === 'awaiting_decision' && tr.report?.blocking && <Tag color="red" {...testId('transfer-row-blocked')}>{t('transfer.blockedShort')}</Tag>}
        </Space>
      ),
    },
    { title: t('transfer.receivedAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => shanghaiTime(v, lang) },
    {
      title: t('common.actions'), key: 'open', width: 80, fixed: 'right',
      render: (_: unknown, tr) => (
        <Button size="small" type="link" aria-label={t('transfer.openAria', { id: tr.id })} onClick={() => setOpenId(tr.id)} {...testId('transfer-open')}>{t('transfer.open')}</Button>
      ),
    },
  ];

  return (
    <Card
      title={t('nav.transfers')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void inbox.reload()}>{t('common.refresh')}</Button>
          <Button type="primary" icon={<UploadOutlined />} onClick={() => setUploading(true)} {...testId('transfer-upload-open')}>{t('transfer.upload')}</Button>
        </Space>
      }
      {...testId('transfers-page')}
    >
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          id="transfer-filter-state"
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 160 }}
          placeholder={t('transfer.filter.state')}
          aria-label={t('transfer.filter.state')}
          value={filter.state}
          onChange={(state?: TransferState) => change({ state })}
          options={Object.entries(STATE_LABELS).map(([value, key]) => ({ value, label: t(key) }))}
          {...testId('transfer-filter-state')}
        />
        <Select
          allowClear
          id="transfer-filter-organization"
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 260 }}
          placeholder={t('transfer.filter.organization')}
          aria-label={t('transfer.filter.organization')}
          value={filter.organizationId}
          onChange={(organizationId?: number) => change({ organizationId })}
          options={(organizations.data ?? []).map((o) => ({ value: o.id, label: `${o.code} ${o.name}` }))}
          {...testId('transfer-filter-organization')}
        />
        <Input.Search
          allowClear
          style={{ width: 300 }}
          placeholder={t('transfer.filter.sender')}
          aria-label={t('transfer.filter.sender')}
          onSearch={(v) => change({ sender: v.trim() || undefined })}
          {...testId('transfer-filter-sender')}
        />
      </Flex>
      <ServerAlert error={inbox.error ?? organizations.error} style={{ marginBottom: 12 }} />
      <Table<Transfer>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={inbox.rows}
        loading={inbox.loading}
        pagination={false}
        scroll={{ x: 1100 }}
        locale={{ emptyText: t('transfer.empty') }}
        onRow={() => testId('transfer-row')}
        {...testId('transfer-inbox')}
      />
      {inbox.hasMore && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => void inbox.loadMore()} loading={inbox.loading} {...testId('transfer-load-more')}>{t('common.loadMore')}</Button>
        </div>
      )}
      <UploadModal
        open={uploading}
        organizations={organizations.data ?? []}
        onClose={() => setUploading(false)}
        onUploaded={(tr) => {
          setUploading(false);
          message.success(t('transfer.uploaded', { name: tr.fileName }));
          void inbox.reload();
          setOpenId(tr.id);
        }}
      />
      {openId !== null && <TransferDrawer id={openId} senderName={senderName} onClose={() => setOpenId(null)} onChanged={() => void inbox.reload()} />}
    </Card>
  );
}
