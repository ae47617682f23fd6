import {
  ApartmentOutlined, BankOutlined, BookOutlined, CalendarOutlined, ClockCircleOutlined, DownloadOutlined, FileAddOutlined, FolderOutlined, ImportOutlined,
  OrderedListOutlined, PlusOutlined, ReloadOutlined, TagsOutlined,
} from '@ant-design/icons';
import { App as AntApp, Button, Card, Dropdown, Empty, Flex, Input, Space, Tree, Typography } from 'antd';
import { type ReactNode, useRef, useState } from 'react';
import { api, ApiError, query } from '../api/client.js';
import type { Category, Fonds, Item, Organization, TreeNode, TreeNodeType } from '../api/types.js';
import { useSession } from '../auth/session.js';
import { Field } from '../components/Field.js';
import { FormModal } from '../components/FormModal.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useLoader } from '../components/useLoader.js';
import { useI18n } from '../i18n/index.js';
import { ItemFilesDrawer } from '../preservation/ItemFilesDrawer.js';
import { ImportWizard } from './ImportWizard.js';
import { ItemFormModal } from './ItemFormModal.js';
import { type ItemFilter, ItemTable } from './ItemTable.js';
import { NumberingCheckModal } from './NumberingCheck.js';
import { NewCategoryModal, NewFondsModal, NewOrganizationModal } from './StructureModals.js';
import { useCatalogTree } from './useCatalogTree.js';

const ICONS: Record<TreeNodeType, ReactNode> = {
  organization: <BankOutlined />, fonds: <ApartmentOutlined />, category: <TagsOutlined />, year: <CalendarOutlined />, retention: <ClockCircleOutlined />, volume: <BookOutlined />,
};

type Dialog = 'organization' | 'fonds' | 'category' | 'item' | 'import' | 'numbering' | null;

/** A node's label in the UI language; nodes without an English label (names, codes, years) keep theirs. */
function nodeLabel(n: TreeNode, isZh: boolean): string {
  return isZh || !n.labelEn ? n.label : n.labelEn;
}

/** 档案管理: the catalogue tree on the left, the selected node's items on the right. */
export function CatalogPage() {
  const i18n = useI18n();
  const { t, isZh } = i18n;
  const { message } = AntApp.useApp();
  const { can } = useSession();
  const tree = useCatalogTree();
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [editing, setEditing] = useState<Item | null>(null);
  const [deleting, setDeleting] = useState<Item | null>(null);
  const [filesOf, setFilesOf] = useState<Item | null>(null);
  const [reloadToken, setReloadToken] = useState(0);

  const canConfigure = can('catalog.configure');
  const organizations = useLoader(async () => (canConfigure ? (await api.get<{ organizations: Organization[] }>('/api/v1/organizations')).organizations : []));
  const fondsList = useLoader(async () => (canConfigure ? (await api.get<{ fonds: Fonds[] }>('/api/v1/fonds')).fonds : []));

  // A refresh may drop the selected node from the loaded tree (its parent collapsed): keep showing it.
  const lastNode = useRef<TreeNode | null>(null);
  const found = selectedKey ? tree.byKey.get(selectedKey) : undefined;
  if (found) lastNode.current = found;
  const node: TreeNode | null = found ?? (selectedKey && lastNode.current?.key === selectedKey ? lastNode.current : null);
  const ref = node?.ref ?? {};
  const categoryId = ref.categoryId;
  const category = useLoader(async () => (categoryId ? api.get<Category>(`/api/v1/categories/${categoryId}`) : null), categoryId ?? null);
  const cat = category.data && category.data.id === categoryId ? category.data : null;
  const fondsId = ref.fondsId ?? cat?.fondsId;
  const filter: ItemFilter | null = categoryId ? { categoryId, year: ref.year, retention: ref.retention, volumeId: ref.volumeId } : null;

  const select = (key: string) => {
    setSelectedKey(key);
    if (!tree.expanded.includes(key)) {
      const n = tree.byKey.get(key);
      if (n && !n.isLeaf) {
        tree.setExpanded([...tree.expanded, key]);
        void tree.loadData(key);
      }
    }
  };

  /** The organization keys from the top of the tree down to `orgId`. */
  const orgPath = (orgId: number): string[] => {
    const parents = new Map((organizations.data ?? []).map((o) => [o.id, o.parentId]));
    const path: string[] = [];
    for (let id: number | null | undefined = orgId; id != null && !path.includes(`organization:${id}`); id = parents.get(id)) path.unshift(`organization:${id}`);
    return path;
  };

  const afterStructureChange = async (reveal: string[], target: string | null) => {
    setDialog(null);
    await Promise.all([organizations.reload(), fondsList.reload()]);
    await tree.refresh(reveal);
    if (target) setSelectedKey(target);
  };

  const itemsChanged = async () => {
    setReloadToken((n) => n + 1);
    await tree.refresh();
  };

  const deleteItem = async (v: { reason: string }) => {
    if (!deleting) return;
    try {
      await api.delete(`/api/v1/items/${deleting.id}`, { version: deleting.version, reason: v.reason.trim() });
      message.success(t('item.deleted', { code: deleting.fields.archival_code }));
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'STALE_VERSION')) throw e;
      message.warning({ content: t('item.stale'), duration: 6 });
    }
    setDeleting(null);
    await itemsChanged();
  };

  // Downloads: the server answers with an attachment, so following the link keeps the page.
  const exportItems = [
    ...(categoryId ? [{ key: `/api/v1/categories/${categoryId}/export.xlsx${query({ year: ref.year, retention: ref.retention })}`, label: <span {...testId('export-category')}>{t('catalog.exportCategory')}</span> }] : []),
    // The 归档文件目录 is a fonds' catalogue for one year: offered once a year node is chosen.
    ...(fondsId && ref.year ? (['pdf', 'xlsx'] as const).map((format) => ({
      key: `/api/v1/fonds/${fondsId}/catalogue${query({ year: ref.year, format })}`,
      label: <span {...testId(`export-fonds-${format}`)}>{t(format === 'pdf' ? 'catalog.exportFondsPdf' : 'catalog.exportFondsXlsx', { year: ref.year ?? '' })}</span>,
    })) : []),
  ];

  const nodeTitle = (n: TreeNode) => (
    <span {...testId('tree-node')} data-key={n.key}>
      {nodeLabel(n, isZh)}
      {n.count !== undefined && <span className="lantai-tree-count">({n.count})</span>}
    </span>
  );

  return (
    <Flex gap={16} align="flex-start" {...testId('catalog-page')}>
      <Card
        title={t('catalog.tree')}
        size="small"
        style={{ width: 320, flex: 'none' }}
        styles={{ body: { maxHeight: 'calc(100vh - 170px)', overflow: 'auto' } }}
        extra={<Button size="small" type="text" icon={<ReloadOutlined />} aria-label={t('common.refresh')} onClick={() => void tree.refresh()} />}
      >
        <ServerAlert error={tree.error} style={{ marginBottom: 8 }} />
        {tree.loaded && tree.treeData.length === 0 ? (
          <Empty description={t(canConfigure ? 'catalog.emptyTreeConfigure' : 'catalog.emptyTree')} {...testId('tree-empty')} />
        ) : (
          <Tree
            showIcon
            blockNode
            treeData={tree.treeData}
            loadData={(n) => tree.loadData(String(n.key))}
            loadedKeys={tree.loadedKeys}
            expandedKeys={tree.expanded}
            onExpand={(keys) => tree.setExpanded(keys.map(String))}
            selectedKeys={selectedKey ? [selectedKey] : []}
            onSelect={(keys) => keys[0] !== undefined && select(String(keys[0]))}
            icon={(p) => ICONS[(p as unknown as { data: { node: TreeNode } }).data?.node.type ?? 'fonds'] ?? <FolderOutlined />}
            titleRender={(n) => nodeTitle((n as unknown as { node: TreeNode }).node)}
            aria-label={t('catalog.tree')}
            {...testId('catalog-tree')}
          />
        )}
      </Card>
      <Card
        style={{ flex: 1, minWidth: 0 }}
        size="small"
        title={
          <Space size="middle">
            {node ? <span {...testId('selected-node')}>{nodeLabel(node, isZh)}</span> : t('catalog.noSelection')}
            {cat && <Typography.Text type="secondary" style={{ fontWeight: 'normal', fontSize: 12 }}>{t('catalog.template', { template: cat.codeTemplate })}</Typography.Text>}
          </Space>
        }
      >
        {can('catalog.configure', 'catalog.write', 'catalog.import', 'catalog.export') && (
        <Space wrap style={{ marginBottom: 12 }} {...testId('catalog-toolbar')}>
          {canConfigure && (
            <>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('organization')} {...testId('new-organization')}>{t('structure.newOrganization')}</Button>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('fonds')} {...testId('new-fonds')}>{t('structure.newFonds')}</Button>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('category')} {...testId('new-category')}>{t('structure.newCategory')}</Button>
            </>
          )}
          {can('catalog.write') && (
            <Button type="primary" icon={<FileAddOutlined />} disabled={!cat} onClick={() => { setEditing(null); setDialog('item'); }} {...testId('new-item')}>{t('item.new')}</Button>
          )}
          {can('catalog.write') && (
            // Numbers run within a year and retention (and unit): the check needs a node that narrow.
            <Button icon={<OrderedListOutlined />} disabled={!filter?.year || !filter.retention} onClick={() => setDialog('numbering')} {...testId('check-numbering')}>{t('catalog.checkNumbering')}</Button>
          )}
          {can('catalog.import') && (
            <Button icon={<ImportOutlined />} disabled={!cat} onClick={() => setDialog('import')} {...testId('import-open')}>{t('import.open')}</Button>
          )}
          {can('catalog.export') && (
            <Dropdown menu={{ items: exportItems, onClick: ({ key }) => window.location.assign(key) }} disabled={!exportItems.length} trigger={['click']} autoFocus>
              <Button icon={<DownloadOutlined />} {...testId('export-menu')}>{t('catalog.export')}</Button>
            </Dropdown>
          )}
        </Space>
        )}
        {!filter ? (
          <Empty description={t('catalog.chooseNode')} style={{ padding: 48 }} />
        ) : (
          <>
            <ServerAlert error={category.error} style={{ marginBottom: 12 }} />
            {cat && (
              <ItemTable
                filter={filter}
                category={cat}
                reloadToken={reloadToken}
                canWrite={can('catalog.write')}
                onFiles={setFilesOf}
                onEdit={(item) => { setEditing(item); setDialog('item'); }}
                onDelete={setDeleting}
              />
            )}
          </>
        )}
      </Card>

      {filesOf && <ItemFilesDrawer item={filesOf} onClose={() => setFilesOf(null)} />}
      {dialog === 'numbering' && filter && <NumberingCheckModal filter={filter} onClose={() => setDialog(null)} />}
      <NewOrganizationModal
        open={dialog === 'organization'}
        onClose={() => setDialog(null)}
        onCreated={(o) => {
          message.success(t('structure.organizationCreated', { name: o.name }));
          void afterStructureChange([], null);
        }}
      />
      <NewFondsModal
        open={dialog === 'fonds'}
        organizations={organizations.data ?? []}
        organizationId={ref.organizationId}
        onClose={() => setDialog(null)}
        onCreated={(f) => {
          message.success(t('structure.fondsCreated', { code: f.code }));
          void afterStructureChange(orgPath(f.organizationId), `fonds:${f.id}`);
        }}
      />
      <NewCategoryModal
        open={dialog === 'category'}
        fonds={fondsList.data ?? []}
        fondsId={fondsId}
        onClose={() => setDialog(null)}
        onCreated={(c) => {
          message.success(t('structure.categoryCreated', { code: c.code }));
          const owner = (fondsList.data ?? []).find((f) => f.id === c.fondsId);
          void afterStructureChange([...(owner ? orgPath(owner.organizationId) : []), `fonds:${c.fondsId}`], `category:${c.id}`);
        }}
      />
      {cat && (
        <ItemFormModal
          open={dialog === 'item'}
          category={cat}
          item={editing}
          defaults={{ year: ref.year, retention: ref.retention }}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            void itemsChanged();
          }}
        />
      )}
      {cat && <ImportWizard open={dialog === 'import'} category={cat} onClose={() => setDialog(null)} onImported={() => void itemsChanged()} />}
      <FormModal<{ reason: string }>
        open={deleting !== null}
        name="delete-form"
        title={t('item.deleteTitle', { code: deleting?.fields.archival_code ?? '' })}
        okText={t('common.delete')}
        onCancel={() => setDeleting(null)}
        onSubmit={deleteItem}
      >
        <Typography.Paragraph type="warning">{t('item.deleteNotice')}</Typography.Paragraph>
        <Field name="reason" label={t('item.deleteReason')} required>
          <Input.TextArea autoFocus autoSize={{ minRows: 2, maxRows: 5 }} maxLength={500} />
        </Field>
      </FormModal>
    </Flex>
  );
}
