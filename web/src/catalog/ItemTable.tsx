import { DeleteOutlined, EditOutlined, PaperClipOutlined } from '@ant-design/icons';
import { Button, Empty, Flex, Space, Table, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { api, query } from '../api/client.js';
import type { Category, FieldDef, Item } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useCursorPages } from '../components/useCursorPages.js';
import { useI18n } from '../i18n/index.js';
import { displayValue, TABLE_CORE_FIELDS } from './fields.js';

export interface ItemFilter {
  categoryId: number;
  year?: number;
  retention?: string;
  volumeId?: number;
}

const PAGE = 100;
const HEIGHT = 480;
const WIDTHS: Record<string, number> = { archival_code: 230, title: 340, responsible: 180, doc_number: 150, date: 130, retention: 100, classification: 90, open_status: 100, pages: 70 };

/** One node's items in archival-code order, a cursor page at a time. */
function useItemPages(filter: ItemFilter, reloadToken: number) {
  const pages = useCursorPages<Item, string>(async (cursor) => {
    const res = await api.get<{ items: Item[]; nextCursor: string | null }>(`/api/v1/items${query({ ...filter, cursor, limit: PAGE })}`);
    return { rows: res.items, next: res.nextCursor };
  }, `${JSON.stringify(filter)}:${reloadToken}`);
  return { items: pages.rows, hasMore: pages.hasMore, loading: pages.loading, error: pages.error, loadMore: pages.loadMore };
}

export function ItemTable(props: {
  filter: ItemFilter;
  category: Category;
  reloadToken: number;
  canWrite: boolean;
  onFiles(item: Item): void;
  onEdit(item: Item): void;
  onDelete(item: Item): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const pages = useItemPages(props.filter, props.reloadToken);
  const { category } = props;

  const defs: FieldDef[] = [
    ...TABLE_CORE_FIELDS.map((n) => category.coreFields.find((f) => f.name === n)).filter((f): f is FieldDef => !!f),
    ...category.fieldSchema,
  ];
  const columns: ColumnsType<Item> = defs.map((def) => ({
    key: def.name,
    title: i18n.pick(def.label),
    width: WIDTHS[def.name] ?? 140,
    ellipsis: def.name !== 'archival_code',
    render: (_: unknown, item: Item) =>
      def.name === 'archival_code' ? (
        <Typography.Text strong {...testId('archival-code')}>{item.fields.archival_code}</Typography.Text>
      ) : (
        displayValue(def, item.fields[def.name], i18n)
      ),
  }));
  // Everyone who reads the list may open an item's files; changing the item is for writers.
  columns.push({
    key: 'actions', title: t('common.actions'), width: props.canWrite ? 230 : 100, fixed: 'right',
    render: (_: unknown, item: Item) => (
      <Space size={0}>
        <Button type="link" size="small" icon={<PaperClipOutlined />} onClick={() => props.onFiles(item)} aria-label={t('files.openAria', { code: item.fields.archival_code })} {...testId('item-files-open')}>{t('files.open')}</Button>
        {props.canWrite && (
          <>
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => props.onEdit(item)} aria-label={t('item.editAria', { code: item.fields.archival_code })} {...testId('item-edit')}>{t('common.edit')}</Button>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} onClick={() => props.onDelete(item)} aria-label={t('item.deleteAria', { code: item.fields.archival_code })} {...testId('item-delete')}>{t('common.delete')}</Button>
          </>
        )}
      </Space>
    ),
  });
  const width = columns.reduce((sum, c) => sum + Number(c.width ?? 0), 0);

  return (
    <div {...testId('item-table')}>
      <ServerAlert error={pages.error} style={{ marginBottom: 12 }} />
      <Table<Item>
        virtual
        rowKey="id"
        size="small"
        bordered
        columns={columns}
        dataSource={pages.items}
        loading={pages.loading && pages.items.length === 0}
        pagination={false}
        scroll={{ x: width, y: HEIGHT }}
        locale={{ emptyText: <Empty description={t('item.none')} /> }}
        onRow={() => testId('item-row')}
        onScroll={(e) => {
          const el = e.currentTarget;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 60) void pages.loadMore();
        }}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 8 }}>
        <Typography.Text type="secondary" {...testId('item-count')}>{t('item.loadedCount', { count: pages.items.length })}</Typography.Text>
        {pages.hasMore && <Button onClick={() => void pages.loadMore()} loading={pages.loading} {...testId('item-load-more')}>{t('common.loadMore')}</Button>}
      </Flex>
    </div>
  );
}
