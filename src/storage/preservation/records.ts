/**
 * The database's record of an object's versions, derived from its inventory: one row per version
 * and per file of each version, with digests (SHA-512 from the state, SHA-256 and SM3 from the
 * fixity block), size and format record. Used by the store and by reconciliation, so both record
 * a version the same way.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Insertable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { PreservationFileTable } from '../../db/schema.js';
import { type FormatRecord, identifyFile, extensionOf } from '../format/identify.js';
import { INVENTORY_SIDECAR, type OcflInventory, parseSidecar, versionNumber } from '../ocfl/inventory.js';
import type { OcflRepository } from '../ocfl/repository.js';
import { joinKey } from '../object-store.js';
import { contentFiles, getObjectFile } from './object-files.js';
import { type FileRow, type ObjectRow, PreservationRepository, type VersionRow } from './preservation.repository.js';

/** What the caller already knows of a file it has just stored, by logical path. */
export interface KnownFile {
  size: number;
  format: FormatRecord;
}

export type NewFileRow = Insertable<PreservationFileTable>;

export interface DescribedVersions {
  versions: VersionRow[];
  files: NewFileRow[];
  /** Bytes of content first stored by these versions (deduplicated content is counted once, where it was first stored). */
  newContentBytes: number;
}

interface FormatNote {
  archival: FormatRecord['archivalNote'];
  encryption?: FormatRecord['encryptionNote'];
  charset?: string;
  extensionMatches: boolean;
  magic: string;
}

function formatColumns(f: FormatRecord) {
  const note: FormatNote = { archival: f.archivalNote, extensionMatches: f.extensionMatches, magic: f.magic };
  if (f.encryptionNote) note.encryption = f.encryptionNote;
  if (f.charset) note.charset = f.charset;
  return {
    format_id: f.formatId, format_name: f.name, format_version: f.version, mime: f.mime, archival: f.archival ? 1 : 0, encrypted: f.encrypted ? 1 : 0,
    format_note: JSON.stringify(note),
  };
}

/** The format record back from a file row, for a file whose content was already identified. */
function formatOf(row: FileRow, logicalPath: string): FormatRecord {
  const note = JSON.parse(row.format_note) as FormatNote;
  const extension = extensionOf(logicalPath);
  const record: FormatRecord = {
    formatId: row.format_id, name: row.format_name, version: row.format_version, mime: row.mime, extension,
    extensionMatches: extension === extensionOf(row.logical_path) ? note.extensionMatches : false,
    archival: row.archival === 1, archivalNote: note.archival, encrypted: row.encrypted === 1, magic: note.magic,
  };
  if (note.encryption) record.encryptionNote = note.encryption;
  if (note.charset) record.charset = note.charset;
  return record;
}

/** Identifies a stored file by streaming it to a temporary file: identification reads at random offsets. */
async function identifyStored(repo: OcflRepository, id: string, contentPath: string, logicalPath: string): Promise<FormatRecord> {
  const dir = await mkdtemp(join(tmpdir(), 'lantai-identify-'));
  try {
    const path = join(dir, 'file');
    await pipeline(await repo.store.stream(joinKey(repo.objectRoot(id), contentPath)), createWriteStream(path));
    return await identifyFile(path, logicalPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Rows for the versions of `inv` after `afterNumber`. Sizes and formats come from `known` (files
 * just stored), else from earlier rows of the same content and extension, else from the stored
 * bytes on `repo` (reconciling an object the database never heard of).
 */
export async function describeVersions(
  db: Executor,
  repo: OcflRepository,
  itemId: number,
  inv: OcflInventory,
  rootSha512: string,
  afterNumber: number,
  known: Map<string, KnownFile>,
): Promise<DescribedVersions> {
  const id = inv.id;
  const headNumber = versionNumber(inv.head)!;
  const names = Object.keys(inv.versions)
    .filter((v) => versionNumber(v)! > afterNumber)
    .sort((a, b) => versionNumber(a)! - versionNumber(b)!);
  const fixity = new Map(contentFiles(inv).map((f) => [f.path, f]));
  const digests = [...new Set(names.flatMap((v) => Object.keys(inv.versions[v]!.state)))];
  const earlier = await new PreservationRepository(db).filesWithDigests(itemId, digests);
  const sizes = new Map<string, number>(earlier.map((r) => [r.content_path, r.size]));

  const versions: VersionRow[] = [];
  const files: NewFileRow[] = [];
  for (const name of names) {
    const number = versionNumber(name)!;
    const v = inv.versions[name]!;
    let bytes = 0;
    let count = 0;
    for (const [sha512, paths] of Object.entries(v.state)) {
      const contentPath = inv.manifest[sha512]![0]!;
      for (const logicalPath of paths) {
        const given = known.get(logicalPath);
        const same = earlier.find((r) => r.sha512 === sha512.toLowerCase() && extensionOf(r.logical_path) === extensionOf(logicalPath));
        let size = given?.size ?? sizes.get(contentPath);
        if (size === undefined) size = (await repo.store.stat(joinKey(repo.objectRoot(id), contentPath)))?.size ?? 0;
        sizes.set(contentPath, size);
        const format = given?.format ?? (same ? formatOf(same, logicalPath) : await identifyStored(repo, id, contentPath, logicalPath));
        const f = fixity.get(contentPath);
        files.push({
          item_id: itemId, version_number: number, logical_path: logicalPath, content_path: contentPath, size, sha512: sha512.toLowerCase(),
          sha256: f?.sha256 ?? null, sm3: f?.sm3 ?? null, ...formatColumns(format),
        });
        bytes += size;
        count += 1;
      }
    }
    const inventorySha512 = number === headNumber ? rootSha512 : await versionInventoryDigest(repo, id, name);
    versions.push({
      item_id: itemId, number, name, created: v.created, message: v.message ?? null, user_name: v.user?.name ?? null,
      inventory_sha512: inventorySha512, file_count: count, bytes,
    });
  }
  const newContentBytes = Object.values(inv.manifest)
    .flat()
    .filter((p) => versionNumber(p.split('/')[0]!)! > afterNumber)
    .reduce((n, p) => n + (sizes.get(p) ?? 0), 0);
  return { versions, files, newContentBytes };
}

/** A past version's inventory digest, from its sidecar: the root inventory only describes the head. */
export async function versionInventoryDigest(repo: OcflRepository, id: string, version: string): Promise<string> {
  const sidecar = await getObjectFile(repo, id, `${version}/${INVENTORY_SIDECAR}`);
  const digest = sidecar && parseSidecar(sidecar);
  if (!digest) throw new Error(`${id}: ${version}/${INVENTORY_SIDECAR} is missing or malformed`);
  return digest;
}

/**
 * Writes the described versions inside the caller's transaction and advances the object's row,
 * and the primary location's replica row, to the inventory's head; returns the object's new row.
 */
export async function writeVersions(
  tx: Executor,
  primary: string,
  itemId: number,
  inv: OcflInventory,
  rootSha512: string,
  described: DescribedVersions,
  previous: ObjectRow | undefined,
  at: string,
): Promise<ObjectRow> {
  const repo = new PreservationRepository(tx);
  await repo.insertVersions(described.versions);
  await repo.insertFiles(described.files);
  const head = described.versions.at(-1);
  const row: ObjectRow = {
    item_id: itemId, object_id: inv.id, head: inv.head, head_number: versionNumber(inv.head)!, inventory_sha512: rootSha512,
    file_count: head?.file_count ?? previous?.file_count ?? 0, bytes: (previous?.bytes ?? 0) + described.newContentBytes,
    state: previous?.state ?? 'ok', created_at: previous?.created_at ?? at, updated_at: at,
  };
  await repo.upsertObject(row);
  await repo.upsertReplica({
    item_id: itemId, location: primary, version_number: row.head_number, inventory_sha512: rootSha512, bytes: row.bytes, state: row.state, error: null,
    replicated_at: at, updated_at: at,
  });
  return row;
}
