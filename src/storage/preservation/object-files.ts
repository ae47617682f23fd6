/**
 * Reading and copying the files of one OCFL object between storage locations, below the
 * repository writer: replication and repair move the exact bytes (content, inventories) from a
 * copy that verifies, never a re-serialisation, so every location holds the same object.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { isStorageError, type StorageError } from '../errors.js';
import { INVENTORY, INVENTORY_SIDECAR, type OcflInventory, parseInventory, parseSidecar, versionNumber } from '../ocfl/inventory.js';
import { joinKey } from '../object-store.js';
import type { OcflRepository } from '../ocfl/repository.js';
import type { StorageLocation } from './locations.js';

export const objectIdOf = (itemId: number) => `lantai:item:${itemId}`;

export const sha512Hex = (b: Buffer) => createHash('sha512').update(b).digest('hex');

/**
 * Store trouble that concerns a whole location, not one file: the rest of a run there would fail
 * the same way, and the message names the location, never an item's files.
 */
const LOCATION_FAILURES: ReadonlySet<string> = new Set(['STORAGE_UNREACHABLE', 'STORAGE_ACCESS_DENIED', 'STORAGE_FULL', 'OCFL_ROOT_MISMATCH']);
export const isLocationFailureCode = (code: string) => LOCATION_FAILURES.has(code);
export const isLocationFailure = (err: unknown) => isStorageError(err) && isLocationFailureCode(err.code);

export interface RecordedError {
  code: string;
  message: string;
  message_en: string;
}

export function recordedError(err: unknown): RecordedError {
  const e = err as Partial<StorageError>;
  return { code: e.code ?? 'INTERNAL', message: e.message ?? String(err), message_en: e.message_en ?? e.message ?? String(err) };
}

/** A file's bytes at a key relative to the object root, or undefined when it is not there. */
export async function getObjectFile(repo: OcflRepository, id: string, key: string): Promise<Buffer | undefined> {
  try {
    return await repo.store.get(joinKey(repo.objectRoot(id), key));
  } catch (err) {
    if (isStorageError(err, 'STORAGE_NOT_FOUND')) return undefined;
    throw err;
  }
}

export interface RootInventory {
  bytes: Buffer;
  sha512: string;
  inventory: OcflInventory;
  headNumber: number;
}

/**
 * The committed root inventory, when it and its sidecar agree and it parses as the object `id`;
 * 'absent' when neither file is there, 'bad' otherwise (the fixity audit tells which file is wrong).
 */
export async function readRootInventory(repo: OcflRepository, id: string): Promise<RootInventory | 'absent' | 'bad'> {
  const [bytes, sidecar] = await Promise.all([getObjectFile(repo, id, INVENTORY), getObjectFile(repo, id, INVENTORY_SIDECAR)]);
  if (!bytes && !sidecar) return 'absent';
  if (!bytes || !sidecar) return 'bad';
  const sha512 = sha512Hex(bytes);
  if (parseSidecar(sidecar) !== sha512) return 'bad';
  const inventory = parseInventoryOf(bytes, id);
  return inventory ? { bytes, sha512, inventory, headNumber: versionNumber(inventory.head)! } : 'bad';
}

export function parseInventoryOf(bytes: Buffer, id: string): OcflInventory | undefined {
  try {
    const inventory = parseInventory(bytes, id);
    return inventory.id === id ? inventory : undefined;
  } catch {
    return undefined;
  }
}

/** A content file of an object with every digest its inventory records for it. */
export interface ContentFile {
  path: string;
  sha512: string;
  sha256?: string;
  sm3?: string;
}

export function contentFiles(inv: OcflInventory): ContentFile[] {
  const files = new Map<string, ContentFile>();
  for (const [digest, paths] of Object.entries(inv.manifest)) for (const p of paths) files.set(p, { path: p, sha512: digest.toLowerCase() });
  for (const alg of ['sha256', 'sm3'] as const) {
    for (const [digest, paths] of Object.entries(inv.fixity?.[alg] ?? {})) {
      for (const p of paths) {
        const f = files.get(p);
        if (f) f[alg] = digest.toLowerCase();
      }
    }
  }
  return [...files.values()];
}

/** Where a copy of a file may be found: a location and the key there (relative to the object root). */
export interface Candidate {
  location: StorageLocation;
  key: string;
}

export const candidatesAt = (locations: StorageLocation[], key: string): Candidate[] => locations.map((location) => ({ location, key }));

/** The bytes of the first candidate whose SHA-512 is `sha512`, and where they came from; for inventories (small files). */
export async function verifiedBytes(id: string, sha512: string, candidates: Candidate[]): Promise<{ bytes: Buffer; from: string } | undefined> {
  for (const c of candidates) {
    try {
      const bytes = await getObjectFile(await c.location.repository(), id, c.key);
      if (bytes && sha512Hex(bytes) === sha512) return { bytes, from: c.location.name };
    } catch {
      // An unreachable or failing source is one candidate fewer.
    }
  }
  return undefined;
}

/**
 * Streams `key` of object `id` into `target` from the first candidate whose copy hashes to
 * `sha512`. The target store hashes while writing and refuses a body with another digest before
 * publishing it, so a bad candidate leaves the target untouched and the next one is tried.
 * Returns the name of the location the bytes came from, or undefined when no candidate verified.
 * A failure of the target itself (full, unreachable) is thrown.
 */
export async function copyVerified(id: string, target: OcflRepository, key: string, sha512: string, candidates: Candidate[]): Promise<string | undefined> {
  const targetKey = joinKey(target.objectRoot(id), key);
  for (const c of candidates) {
    let source: OcflRepository;
    let sourceKey: string;
    try {
      source = await c.location.repository();
      sourceKey = joinKey(source.objectRoot(id), c.key);
      if (!(await source.store.stat(sourceKey))) continue;
    } catch {
      continue;
    }
    let sourceFailed = false;
    const body = () =>
      Readable.from(
        (async function* () {
          try {
            yield* await source.store.stream(sourceKey);
          } catch (err) {
            sourceFailed = true;
            throw err;
          }
        })(),
      );
    try {
      await target.store.put(targetKey, body, { sha512 });
      return c.location.name;
    } catch (err) {
      if (sourceFailed || isStorageError(err, 'STORAGE_DIGEST_MISMATCH')) continue;
      throw err;
    }
  }
  return undefined;
}
