import { FileTextOutlined, ProfileOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Col, Empty, Input, List, Row, Select, Space, Tag, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { api } from '../api/client.js';
import type { FacetName, SearchHit, SearchResponse, SearchSort } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { type MessageKey, useI18n } from '../i18n/index.js';
import { Highlighted } from './Highlighted.js';
import { ItemDrawer } from './ItemDrawer.js';
import { QueryBuilder } from './QueryBuilder.js';
import { TextViewer } from './TextViewer.js';

const FACET_PARAM: Record<FacetName, string> = {
  fonds: 'fondsId', category: 'categoryId', year: 'year', retention: 'retention', classification: 'classification', open_status: 'openStatus', org: 'org',
};
const SORTS: SearchSort[] = ['relevance', 'code', 'date', 'date_desc'];
const FIELD_LABEL: Record<string, MessageKey> = {
  responsible: 'search.field.责任者', doc_number: 'search.field.文号', archival_code: 'search.field.档号', notes: 'search.snippet.notes', fulltext: 'search.field.全文',
};

interface Filter {
  facet: FacetName;
  value: string;
  label: string;
}

function searchUrl(q: string, within: string[], filters: Filter[], sort: SearchSort, cursor?: string): string {
  const p = new URLSearchParams({ q, sort, limit: '20', facets: 'true' });
  for (const w of within) p.append('within', w);
  for (const f of filters) p.set(FACET_PARAM[f.facet], f.value);
  if (cursor) p.set('cursor', cursor);
  return `/api/v1/search?${p}`;
}

/** 档案检索: one box (with an advanced builder), facets to narrow, highlighted hits, search within results. */
export function SearchPage() {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [within, setWithin] = useState<string[]>([]);
  const [refine, setRefine] = useState(false);
  const [advanced, setAdvanced] = useState(false);
  const [filters, setFilters] = useState<Filter[]>([]);
  const [sort, setSort] = useState<SearchSort>('relevance');
  const [result, setResult] = useState<SearchResponse | null>(null);
  const [items, setItems] = useState<SearchHit[]>([]);
  const [current, setCurrent] = useState<{ q: string; within: string[] } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [viewer, setViewer] = useState<{ hit: SearchHit; page: number } | null>(null);
  const [opened, setOpened] = useState<number | null>(null);

  const run = useCallback(async (q: string, chain: string[], f: Filter[], s: SearchSort, cursor?: string) => {
    setLoading(true);
    setError(null);
    try {
      const res = await api.get<SearchResponse>(searchUrl(q, chain, f, s, cursor));
      setResult(res);
      setItems((old) => (cursor ? [...old, ...res.items] : res.items));
      setCurrent({ q, within: chain });
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);

  const submit = (q: string) => {
    if (!q.trim()) return;
    // 递进检索: the query searched so far becomes a condition of the next one.
    const chain = refine && current ? [...current.within, current.q] : [];
    setWithin(chain);
    setText(q);
    void run(q, chain, filters, sort);
  };
  const refilter = (next: Filter[]) => {
    setFilters(next);
    if (current) void run(current.q, current.within, next, sort);
  };
  const resort = (next: SearchSort) => {
    setSort(next);
    if (current) void run(current.q, current.within, filters, next);
  };
  const dropWithin = (i: number) => {
    const chain = within.filter((_, j) => j !== i);
    setWithin(chain);
    if (current) void run(current.q, chain, filters, sort);
  };

  // What the server highlighted in a hit is what the viewer marks on its pages.
  const hitTerms = (hit: SearchHit) => [...new Set(hit.snippets.flatMap((s) => s.highlights.map(([a, b]) => s.text.slice(a, b))))];

  return (
    <Card title={t('nav.search')} {...testId('search-page')}>
      <Space direction="vertical" style={{ width: '100%' }} size="middle">
        <Input.Search
          value={text}
          onChange={(e) => setText(e.target.value)}
          onSearch={submit}
          enterButton={<><SearchOutlined /> {t('common.search')}</>}
          size="large"
          placeholder={t('search.placeholder')}
          aria-label={t('search.placeholder')}
          loading={loading}
          {...testId('search-box')}
        />
        <Space wrap>
          <Checkbox checked={refine} disabled={!current} onChange={(e) => setRefine(e.target.checked)} {...testId('search-refine')}>{t('search.refine')}</Checkbox>
          <Button type="link" onClick={() => setAdvanced((a) => !a)} {...testId('search-advanced')}>{t(advanced ? 'search.hideAdvanced' : 'search.advanced')}</Button>
          <span>{t('search.sort')}</span>
          <Select<SearchSort> value={sort} onChange={resort} style={{ width: 150 }} options={SORTS.map((s) => ({ value: s, label: t(`search.sort.${s}` as MessageKey) }))} {...testId('search-sort')} />
          <Typography.Text type="secondary">{t('search.syntaxHint')}</Typography.Text>
        </Space>
        {advanced && <QueryBuilder onApply={(q) => { setAdvanced(false); submit(q); }} />}
        {(within.length > 0 || filters.length > 0) && (
          <Space wrap {...testId('search-conditions')}>
            {within.map((w, i) => <Tag key={`w${i}`} closable onClose={() => dropWithin(i)} color="blue">{t('search.withinTag', { q: w })}</Tag>)}
            {filters.map((f) => (
              <Tag key={f.facet} closable onClose={() => refilter(filters.filter((x) => x.facet !== f.facet))} color="green">{t(`search.facet.${f.facet}` as MessageKey)}：{f.label}</Tag>
            ))}
          </Space>
        )}
        <ServerAlert error={error} />
        {result && (
          <Row gutter={16}>
            <Col xs={24} md={6}>
              {result.facets && (Object.keys(result.facets) as FacetName[]).filter((f) => result.facets![f].length > 0).map((facet) => (
                <Card key={facet} size="small" title={t(`search.facet.${facet}` as MessageKey)} style={{ marginBottom: 12 }} {...testId(`facet-${facet}`)}>
                  {result.facets![facet].slice(0, 12).map((v) => (
                    <div key={v.value}>
                      <Button type="link" size="small" onClick={() => refilter([...filters.filter((x) => x.facet !== facet), { facet, value: v.value, label: v.label }])} {...testId(`facet-${facet}-${v.value}`)}>
                        {v.label}
                      </Button>
                      <Typography.Text type="secondary">{v.count}</Typography.Text>
                    </div>
                  ))}
                </Card>
              ))}
            </Col>
            <Col xs={24} md={18}>
              <Typography.Paragraph {...testId('search-total')}>
                {result.totalExact ? t('search.total', { total: result.total }) : t('search.moreThan', { total: result.total })}
                {result.rankedWithin !== null && <Typography.Text type="secondary">{t('search.rankedWithin', { n: result.rankedWithin })}</Typography.Text>}
              </Typography.Paragraph>
              <List<SearchHit>
                dataSource={items}
                locale={{ emptyText: <Empty description={t('search.none')} /> }}
                renderItem={(hit) => {
                  const title = hit.snippets.find((s) => s.field === 'title');
                  return (
                    <List.Item
                      key={hit.id}
                      {...testId(`search-hit-${hit.archivalCode}`)}
                      actions={[
                        <Button key="item" size="small" icon={<ProfileOutlined />} onClick={() => setOpened(hit.id)} {...testId(`search-open-item-${hit.archivalCode}`)}>
                          {t('search.openItem')}
                        </Button>,
                        ...(hit.page ? [
                          <Button key="view" size="small" icon={<FileTextOutlined />} onClick={() => setViewer({ hit, page: hit.page!.page })} {...testId(`search-open-page-${hit.archivalCode}`)}>
                            {t('search.openPage', { page: hit.page.page })}
                          </Button>,
                        ] : []),
                      ]}
                    >
                      <List.Item.Meta
                        title={<span {...testId('search-hit-title')}>{title ? <Highlighted text={title.text} highlights={title.highlights} /> : hit.title}</span>}
                        description={
                          <Space direction="vertical" size={2} style={{ width: '100%' }}>
                            <Space wrap size={4}>
                              <Typography.Text code>{hit.archivalCode}</Typography.Text>
                              <span>{hit.responsible}</span>
                              <span>{hit.date}</span>
                              <Tag>{hit.retention}</Tag>
                              <Tag color={hit.classification === '公开' ? 'default' : 'red'}>{hit.classification}</Tag>
                              <Tag>{hit.openStatus}</Tag>
                            </Space>
                            {hit.snippets.filter((s) => s.field !== 'title').map((s) => (
                              <div key={s.field} {...testId(`search-snippet-${s.field}`)}>
                                <Typography.Text type="secondary">{t(FIELD_LABEL[s.field] ?? 'search.field.any')}：</Typography.Text>
                                <Highlighted text={s.text} highlights={s.highlights} />
                              </div>
                            ))}
                          </Space>
                        }
                      />
                    </List.Item>
                  );
                }}
              />
              {result.nextCursor && current && (
                <div style={{ textAlign: 'center', marginTop: 12 }}>
                  <Button loading={loading} onClick={() => void run(current.q, current.within, filters, sort, result.nextCursor!)} {...testId('search-more')}>{t('common.loadMore')}</Button>
                </div>
              )}
            </Col>
          </Row>
        )}
      </Space>
      {opened !== null && <ItemDrawer itemId={opened} onClose={() => setOpened(null)} />}
      {viewer && (
        <TextViewer itemId={viewer.hit.id} title={`${viewer.hit.archivalCode} ${viewer.hit.title}`} page={viewer.page} terms={hitTerms(viewer.hit)} onClose={() => setViewer(null)} />
      )}
    </Card>
  );
}
