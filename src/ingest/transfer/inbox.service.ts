/**
 * The sender's side of online transfer (issue 4 §6): a package arrives either whole (multipart
 * POST) or through a resumable tus upload; both end in `submitPackage`, so a package is received
 * and checked the same way whichever road it took.
 */
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/server';
import { nowIso } from '../../db/database.js';
import type { AppContext } from '../../platform/context.js';
import { conflict, notFound } from '../../platform/errors.js';
import { requestInboxCheck } from './jobs.js';
import { type TokenHolder, tokenActor } from './tokens.service.js';
import { TransferRepository } from './transfer.repository.js';
import { receiveTransfer, type TransferView } from './transfer.service.js';

/** Receives a package file for the token's organization and queues its check. */
export async function submitPackage(
  ctx: AppContext, holder: TokenHolder, clientIp: string | null, pkg: { path: string; fileName: string; categoryId: number },
): Promise<TransferView> {
  const view = await receiveTransfer(ctx, tokenActor(holder, clientIp), { ...pkg, organizationId: holder.organization.id });
  await requestInboxCheck(ctx, view.id);
  return view;
}

/** An unfinished upload is kept this long after its creation; then the sweep removes it. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60_000;

/**
 * Where tus keeps uploads while they arrive: the package bytes and a JSON file of its metadata,
 * both named by the upload id. Its own folder: unlike the request-scoped folders under uploads/,
 * these outlive a request.
 */
export const uploadStoreDir = (ctx: AppContext) => join(ctx.config.dataDir, 'transfer-uploads');

export const uploadStore = (ctx: AppContext) => new FileStore({ directory: uploadStoreDir(ctx), expirationPeriodInMilliseconds: UPLOAD_EXPIRY_MS });

const UPLOAD = { zh: '上传', en: 'Upload' };

/** Called as tus creates an upload, before any byte is stored. */
export async function recordUpload(ctx: AppContext, holder: TokenHolder, uploadId: string): Promise<void> {
  await new TransferRepository(ctx.database.db).insertUpload({ upload_id: uploadId, organization_id: holder.organization.id, transfer_id: null, created_at: nowIso() });
}

/** The upload, if it is this token's organization's; another organization's upload is as good as absent. */
export async function ownUpload(ctx: AppContext, holder: TokenHolder, uploadId: string): Promise<{ transferId: number | null }> {
  const row = await new TransferRepository(ctx.database.db).upload(uploadId);
  if (!row || row.organization_id !== holder.organization.id) throw notFound(UPLOAD);
  return { transferId: row.transfer_id };
}

const receiving = new Map<string, Promise<number>>();

/**
 * Receives a finished upload as a transfer (a copy of it: the caller removes the upload once it
 * has answered). Once per upload: a second call, the sender asking again after a dropped
 * connection, answers the same transfer.
 */
export function receiveUpload(ctx: AppContext, store: FileStore, holder: TokenHolder, clientIp: string | null, upload: Upload): Promise<number> {
  const pending = receiving.get(upload.id);
  if (pending) return pending;
  const work = (async () => {
    const { transferId } = await ownUpload(ctx, holder, upload.id);
    if (transferId !== null) return transferId;
    if (upload.size === undefined || upload.offset !== upload.size) {
      throw conflict('UPLOAD_INCOMPLETE', `上传尚未完成（已收到 ${upload.offset} 字节，共 ${upload.size ?? '未知'} 字节），请续传`, `The upload is not finished (${upload.offset} of ${upload.size ?? 'unknown'} bytes received); resume it`, { offset: upload.offset, length: upload.size ?? null });
    }
    const view = await submitPackage(ctx, holder, clientIp, {
      path: join(store.directory, upload.id), fileName: upload.metadata?.filename ?? '', categoryId: Number(upload.metadata?.categoryId),
    });
    await new TransferRepository(ctx.database.db).setUploadTransfer(upload.id, view.id);
    return view.id;
  })().finally(() => receiving.delete(upload.id));
  receiving.set(upload.id, work);
  return work;
}

/** Removes unfinished uploads past their expiry, their bytes and their records alike. */
export async function sweepExpiredUploads(ctx: AppContext, store: FileStore): Promise<number> {
  const removed = await store.deleteExpired();
  await new TransferRepository(ctx.database.db).deleteUnfinishedUploads(new Date(Date.now() - UPLOAD_EXPIRY_MS).toISOString());
  return removed;
}
