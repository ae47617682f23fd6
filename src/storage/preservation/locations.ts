/**
 * The configured storage locations (LANTAI_STORAGE_LOCATIONS), each an OCFL storage root on its
 * own object store. The first is the primary: reads come from it and new versions go there first;
 * the others are replicas. Stores are opened on first use, once per AppContext, so a replica that
 * is down does not stop the process from starting, and a store that failed to open is retried on
 * the next use.
 */
import type { AppContext } from '../../platform/context.js';
import type { StorageLocationConfig } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';
import { FsObjectStore } from '../fs-store.js';
import { createOcflRepository, type OcflRepository } from '../ocfl/repository.js';
import { S3ObjectStore } from '../s3-store.js';

export interface StorageLocation {
  readonly name: string;
  readonly kind: 'fs' | 's3';
  readonly primary: boolean;
  /** Opens the store on first call; throws StorageError (STORAGE_UNREACHABLE …) when it cannot be used. */
  repository(): Promise<OcflRepository>;
}

class Location implements StorageLocation {
  private opened?: Promise<OcflRepository>;

  constructor(
    private readonly config: StorageLocationConfig,
    readonly primary: boolean,
  ) {}

  get name() {
    return this.config.name;
  }
  get kind() {
    return this.config.kind;
  }

  repository(): Promise<OcflRepository> {
    this.opened ??= this.open().catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened.catch(() => undefined))?.store.close();
  }

  private async open(): Promise<OcflRepository> {
    const c = this.config;
    if (c.kind === 'fs') return createOcflRepository(await FsObjectStore.open({ root: c.path, ...(c.create === undefined ? {} : { create: c.create }) }));
    const { name: _name, kind: _kind, ...s3 } = c;
    return createOcflRepository(new S3ObjectStore(s3));
  }
}

const opened = new WeakMap<AppContext, Location[]>();

function all(ctx: AppContext): Location[] {
  let list = opened.get(ctx);
  if (!list) {
    const configs = ctx.config.storageLocations ?? [{ name: 'primary', kind: 'fs', path: ctx.config.storageDir }];
    list = configs.map((c, i) => new Location(c, i === 0));
    opened.set(ctx, list);
  }
  return list;
}

export const storageLocations = (ctx: AppContext): StorageLocation[] => all(ctx);
export const primaryLocation = (ctx: AppContext): StorageLocation => all(ctx)[0]!;
export const replicaLocations = (ctx: AppContext): StorageLocation[] => all(ctx).slice(1);

export function findLocation(ctx: AppContext, name: string): StorageLocation {
  const found = all(ctx).find((l) => l.name === name);
  if (!found) {
    throw new AppError(404, 'STORAGE_LOCATION_UNKNOWN', `没有名为“${name}”的存储位置`, `No storage location named "${name}"`, {
      location: name, known: all(ctx).map((l) => l.name),
    });
  }
  return found;
}

/** Closes every store opened for `ctx`; the next use opens them again from the (possibly changed) configuration. */
export async function closeLocations(ctx: AppContext): Promise<void> {
  const list = opened.get(ctx);
  opened.delete(ctx);
  await Promise.all((list ?? []).map((l) => l.close()));
}
