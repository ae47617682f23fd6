import { Descriptions, Drawer, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Item } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useI18n } from '../i18n/index.js';

const SHOWN = ['archival_code', 'title', 'responsible', 'doc_number', 'date', 'year', 'retention', 'classification', 'secrecy_period', 'open_status', 'pages', 'org', 'notes'] as const;

/** A search hit's full description, read-only; opening it is the same audited view as in the catalogue. */
export function ItemDrawer({ itemId, onClose }: { itemId: number; onClose(): void }) {
  const { t } = useI18n();
  const [item, setItem] = useState<Item | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.get<Item>(`/api/v1/items/${itemId}`).then(setItem, setError);
  }, [itemId]);
  return (
    <Drawer open width={560} title={item?.fields.archival_code ?? ''} onClose={onClose} {...testId('search-item')}>
      <ServerAlert error={error} />
      {!item && !error && <Spin />}
      {item && (
        <Descriptions column={1} bordered size="small">
          {SHOWN.filter((f) => item.fields[f] !== null && item.fields[f] !== undefined && item.fields[f] !== '').map((f) => (
            <Descriptions.Item key={f} label={t(`search.itemField.${f}`)}>{String(item.fields[f])}</Descriptions.Item>
          ))}
        </Descriptions>
      )}
    </Drawer>
  );
}
