import { describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import { loadConfig } from '../../platform/config.js';
import { findLocation, primaryLocation, replicaLocations, storageLocations } from './locations.js';

const contextOf = (env: Record<string, string>) => ({ database: {} as Database, config: loadConfig(env, '/srv/lantai') });

describe('storage locations from the configuration', () => {
  it('defaults to one filesystem location, the primary, at the storage directory', () => {
    const ctx = contextOf({ LANTAI_STORAGE_DIR: '/data/storage' });
    expect(storageLocations(ctx).map((l) => [l.name, l.kind, l.primary])).toEqual([['primary', 'fs', true]]);
    expect(replicaLocations(ctx)).toEqual([]);
  });

  it('reads LANTAI_STORAGE_LOCATIONS: the first is the primary, the rest replicas', () => {
    const ctx = contextOf({
      LANTAI_STORAGE_LOCATIONS: JSON.stringify([
        { name: 'primary', kind: 'fs', path: '/data/storage' },
        { name: 'disk2', kind: 'fs', path: '/mnt/b' },
        { name: 'oss', kind: 's3', endpoint: 'http://127.0.0.1:9000', region: 'cn-north-1', bucket: 'lantai', prefix: '', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true },
      ]),
      LANTAI_FIXITY_LOCATIONS: 'primary, oss',
      LANTAI_JOBS: 'off',
    });
    expect(primaryLocation(ctx).name).toBe('primary');
    expect(replicaLocations(ctx).map((l) => [l.name, l.kind, l.primary])).toEqual([['disk2', 'fs', false], ['oss', 's3', false]]);
    expect(ctx.config).toMatchObject({ fixityLocations: ['primary', 'oss'], jobs: false, fixityIntervalHours: 24, fixityBudgetSeconds: 600 });
    expect(() => findLocation(ctx, 'tape')).toThrow(expect.objectContaining({ status: 404, code: 'STORAGE_LOCATION_UNKNOWN' }));
  });

  it('refuses a malformed location list instead of guessing', () => {
    const bad = (value: unknown) => () => loadConfig({ LANTAI_STORAGE_LOCATIONS: typeof value === 'string' ? value : JSON.stringify(value) }, '/srv');
    expect(bad('[{')).toThrow(/LANTAI_STORAGE_LOCATIONS: not valid JSON/);
    expect(bad([])).toThrow(/non-empty JSON array/);
    expect(bad([{ name: 'a', kind: 'tape' }])).toThrow(/kind must be "fs" or "s3"/);
    expect(bad([{ name: 'a', kind: 'fs' }])).toThrow(/path is required/);
    expect(bad([{ name: 'a', kind: 'fs', path: '/x' }, { name: 'a', kind: 'fs', path: '/y' }])).toThrow(/used twice/);
    expect(bad([{ name: 'a', kind: 's3', bucket: 'b', secretKey: 's' }])).toThrow(/unknown field "secretKey"/);
    expect(bad([{ name: '主', kind: 'fs', path: '/x' }])).toThrow(/name must be/);
  });
});
