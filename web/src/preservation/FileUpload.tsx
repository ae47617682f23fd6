import { CloudUploadOutlined, InboxOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Flex, Input, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { StoreResult } from '../api/types.js';
import { ServerAlert } from '../components/ServerAlert.js';
import { testId } from '../components/testId.js';
import { useAction } from '../components/useAction.js';
import { useI18n } from '../i18n/index.js';

/**
 * Chosen files wait in the list and go to the server together on 存入, in one request: the
 * server makes them one new version, so several files are never split across versions.
 */
export function FileUpload({ itemId, onStored }: { itemId: number; onStored(result: StoreResult): void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [files, setFiles] = useState<Array<UploadFile & File>>([]);
  const [note, setNote] = useState('');
  const action = useAction();

  const store = () =>
    action.run(async () => {
      const form = new FormData();
      if (note.trim()) form.append('message', note.trim());
      // The name is the stored path: the browser sends the file's own name, Chinese included.
      for (const f of files) form.append('file', f, f.name);
      const result = await api.post<StoreResult>(`/api/v1/items/${itemId}/files`, form);
      setFiles([]);
      setNote('');
      if (result.created) message.success(t('files.stored', { version: result.version }));
      else message.info(t('files.unchanged', { version: result.version }));
      const lagging = result.replicas.filter((r) => r.state === 'lagging').map((r) => r.location);
      if (lagging.length) message.warning({ content: t('files.lagging', { locations: lagging.join('、') }), duration: 8 });
      onStored(result);
    });

  return (
    <div {...testId('files-upload')}>
      <Upload.Dragger
        multiple
        fileList={files}
        disabled={action.busy}
        beforeUpload={(file) => {
          // One name is one path in the object: choosing a file of the same name again replaces the first.
          setFiles((old) => [...old.filter((f) => f.name !== file.name), file]);
          action.clear();
          return false;
        }}
        onRemove={(file) => setFiles((old) => old.filter((f) => f.uid !== file.uid))}
      >
        <p className="ant-upload-drag-icon"><InboxOutlined /></p>
        <p className="ant-upload-text">{t('files.uploadHint')}</p>
        <p className="ant-upload-hint">{t('files.uploadNote')}</p>
      </Upload.Dragger>
      <Flex gap={8} style={{ marginTop: 12 }}>
        <Input
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={500}
          placeholder={t('files.message')}
          aria-label={t('files.message')}
          {...testId('files-message')}
        />
        <Button type="primary" icon={<CloudUploadOutlined />} disabled={!files.length} loading={action.busy} onClick={() => void store()} {...testId('files-store')}>
          {t('files.store')}
        </Button>
      </Flex>
      <ServerAlert error={action.error} style={{ marginTop: 12 }} />
    </div>
  );
}
