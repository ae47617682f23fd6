import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from './config.js';
import { PROJECT_ROOT } from './paths.js';

describe('configuration', () => {
  it('defaults to SQLite and local storage under ./data', () => {
    const c = loadConfig({}, '/srv/lantai');
    expect(c.databaseUrl).toBe('sqlite:/srv/lantai/data/lantai.db');
    expect(c.storageDir).toBe('/srv/lantai/data/storage');
    expect(c.port).toBe(8080);
  });

  it('lets environment variables override the defaults, typed', () => {
    const c = loadConfig({ LANTAI_PORT: '9090', LANTAI_COOKIE_SECURE: 'true', LANTAI_DATABASE_URL: 'postgres://x@h/db' }, '/srv');
    expect(c).toMatchObject({ port: 9090, cookieSecure: true, databaseUrl: 'postgres://x@h/db' });
  });

  it('refuses a malformed number instead of guessing', () => {
    expect(() => loadConfig({ LANTAI_PORT: 'eighty' }, '/srv')).toThrow(/LANTAI_PORT/);
  });

  it('takes only the digests a fixity audit can recompute, at least one', () => {
    expect(loadConfig({}, '/srv').fixityAlgorithms).toEqual(['sha512', 'sha256', 'sm3']);
    expect(loadConfig({ LANTAI_FIXITY_ALGORITHMS: ' sm3, sha512 ' }, '/srv').fixityAlgorithms).toEqual(['sm3', 'sha512']);
    expect(() => loadConfig({ LANTAI_FIXITY_ALGORITHMS: 'sha512,md5' }, '/srv')).toThrow(/LANTAI_FIXITY_ALGORITHMS.*sha512, sha256, sm3/);
    expect(() => loadConfig({ LANTAI_FIXITY_ALGORITHMS: ',' }, '/srv')).toThrow(/LANTAI_FIXITY_ALGORITHMS/);
  });

  it('takes the archive\'s severities of 移交与接收 checks, refusing an unknown check id or severity', () => {
    expect(loadConfig({}, '/srv').transferCheckSeverity).toEqual({});
    expect(loadConfig({ LANTAI_TRANSFER_CHECKS: '{"LT-YJ-3-3":"warning","LT-YJ-4-2":"off"}' }, '/srv').transferCheckSeverity).toEqual({ 'LT-YJ-3-3': 'warning', 'LT-YJ-4-2': 'off' });
    expect(() => loadConfig({ LANTAI_TRANSFER_CHECKS: '{"YJ-3-3":"warning"}' }, '/srv')).toThrow(/LANTAI_TRANSFER_CHECKS: "YJ-3-3" is not a 移交与接收 check id/);
    expect(() => loadConfig({ LANTAI_TRANSFER_CHECKS: '{"LT-YJ-3-3":"ignore"}' }, '/srv')).toThrow(/LT-YJ-3-3 must be blocking, warning, off/);
    expect(() => loadConfig({ LANTAI_TRANSFER_CHECKS: 'LT-YJ-3-3=off' }, '/srv')).toThrow(/not valid JSON/);
  });

  it('is documented in the README, every variable', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    for (const v of [...CONFIG_VARIABLES.map((x) => x.env), 'LANTAI_CONFIG']) expect(readme).toContain(`\`${v}\``);
  });
});
