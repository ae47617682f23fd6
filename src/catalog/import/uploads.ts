import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { uploadNotFound } from './import-errors.js';
import type { SheetSource } from './inspect.js';

/** What is kept beside an uploaded file: who sent it, and what the inspection found. */
export interface UploadMeta extends Omit<SheetSource, 'path'> {
  id: string;
  userId: number | null;
  createdAt: string;
}

const MAX_AGE_MS = 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const uploadsDir = (dataDir: string) => join(dataDir, 'uploads');
const metaPath = (dir: string, id: string) => join(dir, `${id}.json`);

/** Streams an upload to `<dir>/<uuid>`, hashing it on the way; a failed or oversized upload leaves nothing behind. */
export async function saveUpload(dir: string, stream: Readable): Promise<{ id: string; path: string; size: number; sha256: string }> {
  await mkdir(dir, { recursive: true });
  const id = randomUUID();
  const path = join(dir, id);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, tap, createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    await rm(path, { force: true });
    throw e;
  }
  return { id, path, size, sha256: hash.digest('hex') };
}

export async function writeUploadMeta(dir: string, meta: UploadMeta): Promise<void> {
  await writeFile(metaPath(dir, meta.id), JSON.stringify(meta), { mode: 0o600 });
}

export async function discardUpload(dir: string, id: string): Promise<void> {
  await rm(join(dir, id), { force: true });
  await rm(metaPath(dir, id), { force: true });
}

/** An upload by its id, only for the user who sent it; anyone else (and an expired id) gets 404. */
export async function loadUpload(dir: string, id: unknown, userId: number | null): Promise<SheetSource & { id: string }> {
  if (typeof id !== 'string' || !UUID.test(id)) throw uploadNotFound();
  let meta: UploadMeta;
  try {
    meta = JSON.parse(await readFile(metaPath(dir, id), 'utf8')) as UploadMeta;
  } catch {
    throw uploadNotFound();
  }
  if (meta.userId !== userId || Date.now() - Date.parse(meta.createdAt) > MAX_AGE_MS) throw uploadNotFound();
  return { ...meta, path: join(dir, id) };
}

/** Removes uploads older than a day; called opportunistically on each new upload. */
export async function removeStaleUploads(dir: string, now = Date.now()): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.map(async (name) => {
    const path = join(dir, name);
    try {
      if (now - (await stat(path)).mtimeMs > MAX_AGE_MS) await rm(path, { force: true });
    } catch {
      // Removed by a concurrent sweep.
    }
  }));
}
