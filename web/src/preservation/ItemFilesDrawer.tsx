import { DownloadOutlined } from '@ant-design/icons';
import { Card, Descriptions, Drawer, Empty, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api, query } from '../api/client.js';
import type { Item, ItemFiles, Label, StoredFile } from '../api/types.js';
import { useSession } from '../auth/session.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { shanghaiTime } from '../components/time.js';
import { useLoader } from '../components/useLoader.js';
import { useI18n } from '../i18n/index.js';
import { EventTable } from './EventTable.js';
import { FileUpload } from './FileUpload.js';
import { formatBytes, recordedErrorText } from './format.js';

/** The object's own descriptive metadata (LANTAI_METADATA_PATHS on the server), written with every version. */
const METADATA_DIR = 'lantai/';
const isMetadata = (f: StoredFile) => f.path.startsWith(METADATA_DIR);

/** A digest shown short, whole on hover and when copied. */
function Digest({ value, id }: { value: string | null; id: string }) {
  if (!value) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Typography.Text copyable={{ text: value }} title={value} style={{ fontFamily: 'monospace', fontSize: 12 }} {...testId(id)}>
      {value.slice(0, 12)}…
    </Typography.Text>
  );
}

/**
 * 电子文件: an item's stored files (any version), their digests and format records, the versions
 * with who made them and why, the preservation events, and for writers the upload of a new version.
 */
export function ItemFilesDrawer({ item, onClose }: { item: Item; onClose(): void }) {
  const { t, lang, pick, isZh } = useI18n();
  const { can } = useSession();
  const [version, setVersion] = useState<string>();
  // Bumped after a store: the same version key must still load again.
  const [stored, setStored] = useState(0);
  const files = useLoader(
    () => api.get<ItemFiles>(`/api/v1/items/${item.id}/files${query({ version })}`),
    `${item.id}:${version ?? ''}:${stored}`,
  );
  const data = files.data;
  const current = data?.versions.find((v) => v.version === data.version);
  const download = (f: StoredFile) => `/api/v1/items/${item.id}/files/content${query({ path: f.path, version: data?.version })}`;

  const columns: ColumnsType<StoredFile> = [
    {
      title: t('files.path'), dataIndex: 'path',
      render: (path: string, f) => (
        <Space size={4} wrap>
          <Typography.Text {...testId('file-path')}>{path}</Typography.Text>
          {isMetadata(f) && <Tag>{t('files.metadata')}</Tag>}
        </Space>
      ),
    },
    { title: t('files.size'), dataIndex: 'size', width: 100, align: 'right', render: (n: number) => formatBytes(n) },
    {
      title: t('files.format'), key: 'format', width: 260,
      render: (_: unknown, f) => {
        const note = f.format.note as { archival?: Label; encryption?: Label };
        return (
          <Space orientation="vertical" size={2}>
            <span>{f.format.name}{f.format.version ? ` ${f.format.version}` : ''} <Typography.Text type="secondary" style={{ fontSize: 12 }}>{f.format.mime}</Typography.Text></span>
            <Space size={4} wrap>
              <Tooltip title={pick(note.archival)}>
                {f.format.archival
                  ? <Tag color="green" {...testId('file-archival')}>{t('files.archival')}</Tag>
                  : <Tag color="red" {...testId('file-archival')}>{t('files.notArchival')}</Tag>}
              </Tooltip>
              {f.format.encrypted && <Tooltip title={pick(note.encryption)}><Tag color="orange" {...testId('file-encrypted')}>{t('files.encrypted')}</Tag></Tooltip>}
            </Space>
          </Space>
        );
      },
    },
    { title: 'SHA-256', dataIndex: 'sha256', width: 150, render: (v: string | null) => <Digest value={v} id="file-sha256" /> },
    { title: 'SM3', dataIndex: 'sm3', width: 150, render: (v: string | null) => <Digest value={v} id="file-sm3" /> },
    {
      title: t('common.actions'), key: 'download', width: 90,
      render: (_: unknown, f) => (
        <a href={download(f)} download aria-label={t('files.downloadAria', { path: f.path })} {...testId('file-download')}>
          <DownloadOutlined /> {t('files.download')}
        </a>
      ),
    },
  ];

  // The documents first; the metadata files the system writes follow them.
  const rows = data ? [...data.files.filter((f) => !isMetadata(f)), ...data.files.filter(isMetadata)] : [];
  return (
    <Drawer
      open
      size={1080}
      title={t('files.title', { code: item.fields.archival_code ?? '', title: item.fields.title ?? '' })}
      onClose={onClose}
      {...testId('item-files')}
    >
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {can('catalog.write') && (
          <Card size="small" title={t('files.upload')}>
            <FileUpload itemId={item.id} onStored={() => {
              setVersion(undefined);
              setStored((n) => n + 1);
            }} />
          </Card>
        )}
        <ServerAlert error={files.error} />
        {data && !data.object && <Empty description={t('files.none')} {...testId('files-none')} />}
        {data?.object && (
          <Card
            size="small"
            title={
              <Space>
                {t('files.version')}
                <Select
                  value={data.version}
                  style={{ minWidth: 320 }}
                  onChange={setVersion}
                  aria-label={t('files.version')}
                  options={[...data.versions].reverse().map((v) => ({
                    value: v.version,
                    label: `${v.version}${v.version === data.object?.head ? t('files.head') : ''} · ${shanghaiTime(v.created, lang)}${v.user ? ` · ${v.user}` : ''}`,
                  }))}
                  {...testId('files-version')}
                />
              </Space>
            }
            extra={
              <Space size={4} wrap>
                {data.locations.map((l) => (
                  <Tag key={l.location} color={l.state === 'ok' && l.version === data.object?.head ? 'green' : 'red'} title={recordedErrorText(l.error, isZh) || undefined}>
                    {l.location} {l.version ?? '—'}{l.state !== 'ok' && ` ${t(l.state === 'damaged' ? 'files.replicaDamaged' : 'files.replicaLagging')}`}
                  </Tag>
                ))}
              </Space>
            }
          >
            {current && (
              <Descriptions
                size="small"
                column={4}
                style={{ marginBottom: 12 }}
                items={[
                  { key: 'message', label: t('files.versionMessage'), children: <span {...testId('files-version-message')}>{current.message ?? ''}</span> },
                  { key: 'user', label: t('files.versionUser'), children: current.user ?? '' },
                  { key: 'created', label: t('files.versionTime'), children: shanghaiTime(current.created, lang) },
                  { key: 'files', label: t('files.versionFiles'), children: t('files.versionFilesValue', { files: current.files, bytes: formatBytes(current.bytes) }) },
                ]}
              />
            )}
            <Table<StoredFile>
              rowKey="path"
              size="small"
              columns={columns}
              dataSource={rows}
              loading={files.loading}
              pagination={false}
              onRow={() => testId('file-row')}
            />
          </Card>
        )}
        {data?.object && (
          <Card size="small" title={t('files.events')}>
            <EventTable events={data.events} showItem={false} testid="files-events" />
          </Card>
        )}
      </Space>
    </Drawer>
  );
}
