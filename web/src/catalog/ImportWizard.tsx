import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Flex, Modal, Radio, Result, Select, Space, Statistic, Steps, Table, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Category, ImportCommit, ImportDryRun, ImportRowError, ImportUpload } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useAction } from '../components/useAction.js';
import { useI18n } from '../i18n/index.js';

type Mode = 'all-or-nothing' | 'valid-only';
const SKIP = '';

/** The first sample rows' values of a column. */
const sampleOf = (upload: ImportUpload, column: string): string => {
  const index = upload.columns.indexOf(column);
  return upload.sample.slice(0, 3).map((row) => row[index] ?? '').filter(Boolean).join(' / ');
};

/**
 * 导入: upload a spreadsheet, map its columns to fields, try it (dry run, nothing written), then
 * commit all-or-nothing or only the valid rows. The mapping is saved for the next sheet.
 */
export function ImportWizard({ open, category, onClose, onImported }: { open: boolean; category: Category; onClose(): void; onImported(): void }) {
  const i18n = useI18n();
  const { t, pick, isZh } = i18n;
  const [step, setStep] = useState(0);
  const { busy, error, run, clear } = useAction();
  const [upload, setUpload] = useState<ImportUpload | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [dryRun, setDryRun] = useState<ImportDryRun | null>(null);
  const [mode, setMode] = useState<Mode>('all-or-nothing');
  const [result, setResult] = useState<ImportCommit | null>(null);
  const base = `/api/v1/categories/${category.id}/import`;

  useEffect(() => {
    if (!open) return;
    setStep(0);
    setUpload(null);
    setDryRun(null);
    setResult(null);
    setMode('all-or-nothing');
    clear();
  }, [open, clear]);

  const fields = [...category.coreFields, ...category.fieldSchema];
  const fieldOptions = [
    { value: SKIP, label: t('import.skipColumn') },
    { value: 'item_no', label: t('import.itemNo') },
    ...fields.map((f) => ({ value: f.name, label: pick(f.label) })),
  ];
  const labelOf = (field: string | null | undefined) => (field ? fieldOptions.find((o) => o.value === field)?.label ?? field : '');
  const chosen = Object.fromEntries(Object.entries(mapping).filter(([, f]) => f !== SKIP));

  const sendFile = (file: File) =>
    run(async () => {
      const form = new FormData();
      form.append('file', file, file.name);
      const res = await api.post<ImportUpload>(`${base}/upload`, form);
      setUpload(res);
      setMapping(Object.fromEntries(res.columns.map((c) => [c, res.suggestedMapping[c] ?? SKIP])));
      setStep(1);
    });

  const tryIt = () =>
    run(async () => {
      setDryRun(await api.post<ImportDryRun>(`${base}/dry-run`, { uploadId: upload!.uploadId, mapping: chosen }));
      setStep(2);
    });

  const commit = () =>
    run(async () => {
      setResult(await api.post<ImportCommit>(`${base}/commit`, { uploadId: upload!.uploadId, mapping: chosen, mode, saveMapping: true }));
      setStep(3);
      onImported();
    });

  const errorColumns = [
    { title: t('import.row'), dataIndex: 'row', width: 80 },
    { title: t('import.column'), key: 'column', width: 180, render: (_: unknown, e: ImportRowError) => e.column ?? labelOf(e.field) },
    // The row is its own column: drop the message's leading "第 3 行：" / "Row 3: ".
    { title: t('import.problem'), key: 'problem', render: (_: unknown, e: ImportRowError) => (isZh ? e.message : e.message_en).replace(/^(第\s*\d+\s*行[：:]\s*|Row \d+:\s*)/, '') },
  ];

  const footer = () => {
    if (step === 1) return [<Button key="back" onClick={() => setStep(0)}>{t('common.back')}</Button>, <Button key="next" type="primary" loading={busy} disabled={!Object.keys(chosen).length} onClick={tryIt} {...testId('import-dry-run')}>{t('import.dryRun')}</Button>];
    if (step === 2) return [<Button key="back" onClick={() => setStep(1)}>{t('common.back')}</Button>, <Button key="commit" type="primary" loading={busy} disabled={!dryRun?.valid} onClick={commit} {...testId('import-commit')}>{t('import.commit')}</Button>];
    return [<Button key="close" onClick={onClose} {...testId('import-close')}>{t('common.close')}</Button>];
  };

  return (
    <Modal open={open} width={960} title={t('import.title', { category: `${category.code} ${isZh ? category.name : category.nameEn ?? category.name}` })} onCancel={onClose} footer={footer()} destroyOnHidden mask={{ closable: false }}>
      <div {...testId('import-wizard')}>
        <Steps current={step} size="small" style={{ marginBottom: 24 }} items={[{ title: t('import.stepUpload') }, { title: t('import.stepMapping') }, { title: t('import.stepDryRun') }, { title: t('import.stepCommit') }]} />
        <ServerAlert error={error} style={{ marginBottom: 16 }} />
        {step === 0 && (
          <Upload.Dragger
            accept=".xlsx,.xls,.csv"
            multiple={false}
            showUploadList={false}
            disabled={busy}
            beforeUpload={(file) => {
              void sendFile(file);
              return false;
            }}
            {...testId('import-upload')}
          >
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p className="ant-upload-text">{busy ? t('import.uploading') : t('import.uploadHint')}</p>
            <p className="ant-upload-hint">{t('import.uploadFormats')}</p>
          </Upload.Dragger>
        )}
        {step === 1 && upload && (
          <>
            <Descriptions size="small" column={4} style={{ marginBottom: 12 }} items={[
              { key: 'f', label: t('import.file'), children: upload.fileName },
              { key: 'fmt', label: t('import.format'), children: upload.format },
              { key: 'enc', label: t('import.encoding'), children: upload.encoding ?? '—' },
              { key: 'rows', label: t('import.rows'), children: <span {...testId('import-row-count')}>{upload.rowCount}</span> },
            ]} />
            <Table
              size="small"
              rowKey="column"
              pagination={false}
              scroll={{ y: 360 }}
              dataSource={upload.columns.map((column) => ({ column }))}
              columns={[
                { title: t('import.sourceColumn'), dataIndex: 'column', width: 200 },
                { title: t('import.sample'), key: 'sample', ellipsis: true, render: (_: unknown, r: { column: string }) => <Typography.Text type="secondary">{sampleOf(upload, r.column)}</Typography.Text> },
                {
                  title: t('import.targetField'), key: 'field', width: 260,
                  render: (_: unknown, r: { column: string }, index: number) => (
                    <Select
                      id={`import-map-${index}`}
                      style={{ width: '100%' }}
                      aria-label={t('import.targetFor', { column: r.column })}
                      value={mapping[r.column] ?? SKIP}
                      showSearch={{ optionFilterProp: 'label' }}
                      options={fieldOptions}
                      onChange={(v: string) => setMapping((m) => ({ ...m, [r.column]: v }))}
                    />
                  ),
                },
              ]}
            />
          </>
        )}
        {step === 2 && dryRun && (
          <>
            <Flex gap={32} wrap style={{ marginBottom: 16 }} {...testId('import-summary')}>
              <Statistic title={t('import.total')} value={dryRun.total} />
              <Statistic title={t('import.valid')} value={dryRun.valid} styles={{ content: { color: '#3f8600' } }} />
              <Statistic title={t('import.invalid')} value={dryRun.invalid} styles={{ content: { color: dryRun.invalid ? '#cf1322' : undefined } }} {...testId('import-invalid')} />
              <Statistic title={t('import.toCreate')} value={dryRun.toCreate} />
              <Statistic title={t('import.toUpdate')} value={dryRun.toUpdate} />
              <Statistic title={t('import.toSkip')} value={dryRun.toSkip} />
            </Flex>
            {dryRun.errorsTruncated && <Typography.Paragraph type="warning">{t('import.errorsTruncated', { count: dryRun.errors.length })}</Typography.Paragraph>}
            {dryRun.errors.length > 0 && (
              <Table<ImportRowError> size="small" rowKey={(e) => `${e.row}:${e.field ?? e.column ?? ''}:${e.code}`} pagination={false} scroll={{ y: 240 }} dataSource={dryRun.errors} columns={errorColumns} onRow={() => testId('import-error-row')} {...testId('import-errors')} />
            )}
            <Space orientation="vertical" style={{ marginTop: 16 }}>
              <Typography.Text strong>{t('import.mode')}</Typography.Text>
              <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as Mode)} {...testId('import-mode')}>
                <Radio value="all-or-nothing">{t('import.modeAll')}</Radio>
                <Radio value="valid-only">{t('import.modeValid')}</Radio>
              </Radio.Group>
              {mode === 'all-or-nothing' && dryRun.invalid > 0 && <Alert type="warning" showIcon title={t('import.allWillFail', { invalid: dryRun.invalid })} />}
            </Space>
          </>
        )}
        {step === 3 && result && (
          <Result
            status={result.invalid && !result.created && !result.updated ? 'warning' : 'success'}
            title={t('import.done')}
            subTitle={t('import.doneSummary', { created: result.created, updated: result.updated, skipped: result.skipped, invalid: result.invalid })}
            {...testId('import-result')}
          />
        )}
      </div>
    </Modal>
  );
}
