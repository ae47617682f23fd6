/**
 * What the preservation tests share: locations under a temporary directory, items and uploads
 * through the HTTP API, and OCFL validation of an object as stored at a location (an S3
 * location's object is downloaded first, since the validator reads directories).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { StorageLocationConfig } from '../../platform/config.js';
import type { AppContext } from '../../platform/context.js';
import type { Session, TestApp } from '../../test-support/app.js';
import { FsObjectStore } from '../fs-store.js';
import { validateOcflPath, type ValidationResult } from '../ocfl/validate.js';
import { findLocation } from './locations.js';
import { objectIdOf } from './object-files.js';

export const fsLocation = (name: string, path: string): StorageLocationConfig => ({ name, kind: 'fs', path });

/** Points the app at these locations; call before the first use of storage in this context. */
export function useLocations(ctx: AppContext, locations: StorageLocationConfig[]): void {
  ctx.config.storageLocations = locations;
}

export async function createItem(s: Session, categoryId: number, title: string, over: Record<string, unknown> = {}): Promise<number> {
  const item = await s.json('POST', '/api/v1/items', {
    categoryId, fields: { title, responsible: '峄城区人民政府办公室', date: '20230315', retention: 'Y', org: '办公室', ...over },
  }, 201);
  return item.id as number;
}

export interface UploadFile {
  name: string;
  bytes: Buffer;
}

/** POST /api/v1/items/:id/files as multipart/form-data, file names sent as given (UTF-8). */
export function uploadFiles(t: TestApp, s: Session, itemId: number, files: UploadFile[], fields: Record<string, string | string[]> = {}): Promise<LightMyRequestResponse> {
  const boundary = `----lantai${randomUUID()}`;
  const parts: Buffer[] = [];
  for (const [name, values] of Object.entries(fields)) {
    for (const value of [values].flat()) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), f.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return t.app.inject({
    method: 'POST', url: `/api/v1/items/${itemId}/files`, payload: Buffer.concat(parts),
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

/** The local path of a key of an item's object at an fs location. */
export async function objectFilePath(ctx: AppContext, location: string, itemId: number, key = ''): Promise<string> {
  const repo = await findLocation(ctx, location).repository();
  if (!(repo.store instanceof FsObjectStore)) throw new Error(`${location} is not a filesystem location`);
  return join(repo.store.root, repo.objectRoot(objectIdOf(itemId)), key);
}

/** Validates the item's object as stored at a location, with the OCFL validator. */
export async function validateAt(ctx: AppContext, location: string, itemId: number): Promise<ValidationResult> {
  const repo = await findLocation(ctx, location).repository();
  const root = repo.objectRoot(objectIdOf(itemId));
  if (repo.store instanceof FsObjectStore) return validateOcflPath(join(repo.store.root, root));
  const dir = mkdtempSync(join(tmpdir(), 'lantai-s3-object-'));
  try {
    for await (const key of repo.store.list(root)) {
      const path = join(dir, key.slice(root.length + 1));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await repo.store.get(key));
    }
    return await validateOcflPath(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Flips one bit in the middle of a file, as a failing disk would. */
export async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length >> 1]! ^= 0x01;
  await writeFile(path, bytes);
}
