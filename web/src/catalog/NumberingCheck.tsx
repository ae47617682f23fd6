import { Modal, Table, Typography } from 'antd';
import { api, query } from '../api/client.js';
import type { NumberingReport } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useLoader } from '../components/useLoader.js';
import { useI18n } from '../i18n/index.js';
import type { ItemFilter } from './ItemTable.js';

/** Lists run to this many numbers; the count says how many more there are. */
const SHOWN = 50;

const listed = (numbers: number[], total: number, more: (n: number) => string) =>
  numbers.length === 0 ? '—' : numbers.slice(0, SHOWN).join('、') + (total > SHOWN ? ` ${more(total - SHOWN)}` : '');

/** 件号检查: missing and doubled item numbers in each numbering group of the selected node. */
export function NumberingCheckModal({ filter, onClose }: { filter: ItemFilter; onClose(): void }) {
  const { t } = useI18n();
  const report = useLoader(() => api.get<NumberingReport>(`/api/v1/items/gaps${query({ ...filter })}`), JSON.stringify(filter));
  const more = (n: number) => t('numbering.more', { count: n });
  return (
    <Modal open title={t('numbering.title')} width={760} footer={null} onCancel={onClose} destroyOnHidden>
      <ServerAlert error={report.error} style={{ marginBottom: 12 }} />
      <Table
        size="small"
        rowKey={(g) => g.org ?? ''}
        loading={report.loading}
        pagination={false}
        dataSource={report.data?.groups ?? []}
        locale={{ emptyText: t('numbering.empty') }}
        columns={[
          { title: t('numbering.org'), dataIndex: 'org', render: (org: string | null) => org ?? '—' },
          { title: t('numbering.count'), dataIndex: 'count', align: 'right' },
          { title: t('numbering.max'), dataIndex: 'max', align: 'right' },
          {
            title: t('numbering.missing'),
            render: (_, g) => (g.missingCount ? <Typography.Text type="warning">{listed(g.missing, g.missingCount, more)}</Typography.Text> : t('numbering.none')),
          },
          {
            title: t('numbering.duplicates'),
            render: (_, g) => (g.duplicates.length ? <Typography.Text type="danger">{listed(g.duplicates, g.duplicates.length, more)}</Typography.Text> : t('numbering.none')),
          },
        ]}
        {...testId('numbering-report')}
      />
    </Modal>
  );
}
