import { Empty, Modal, Pagination, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { ItemPages } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useI18n } from '../i18n/index.js';
import { Highlighted } from './Highlighted.js';

/** The full text of an item, page by page, opened at a given page: the viewer a search hit leads to. */
export function TextViewer(props: { itemId: number; title: string; page: number; terms: string[]; onClose(): void }) {
  const { t } = useI18n();
  const [data, setData] = useState<ItemPages | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [page, setPage] = useState(props.page);
  useEffect(() => {
    api.get<ItemPages>(`/api/v1/items/${props.itemId}/pages?${new URLSearchParams(props.terms.map((term) => ['terms', term]))}`).then(setData, setError);
  }, [props.itemId, props.terms]);
  const current = data?.pages[page - 1];
  return (
    <Modal open title={props.title} onCancel={props.onClose} footer={null} width={760} {...testId('text-viewer')}>
      <ServerAlert error={error} />
      {!data && !error && <Spin />}
      {data && !data.pages.length && <Empty description={t('search.noText')} />}
      {current && (
        <>
          <Typography.Paragraph type="secondary" {...testId('text-viewer-page')}>{t('search.pageOf', { page, total: data!.pages.length })}</Typography.Paragraph>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', fontSize: 15, lineHeight: 1.9 }} {...testId('text-viewer-text')}>
            <Highlighted text={current.text} highlights={current.highlights} />
          </Typography.Paragraph>
          <Pagination current={page} total={data!.pages.length} pageSize={1} onChange={setPage} simple />
        </>
      )}
    </Modal>
  );
}
