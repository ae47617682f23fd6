import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { primaryLocation } from '../../storage/preservation/locations.js';
import { validateAt } from '../../storage/preservation/preservation-testkit.js';
import { createCatalogFixture, createTestApp, type TestApp } from '../../test-support/app.js';
import { BACKENDS } from '../../test-support/databases.js';
import { acceptTransfer, checkTransfer, receiveTransfer } from './transfer.service.js';
import { actorNamed, codeOf, writePackageDir } from './transfer-testkit.js';

const COUNT = 200;
const CHILD = fileURLToPath(new URL('./test-fixtures/accept-child.ts', import.meta.url));

let t: TestApp | undefined;
let src: string | undefined;
afterEach(async () => {
  await t?.dispose();
  if (src) rmSync(src, { recursive: true, force: true });
});

/** Runs the accept in a child process and SIGKILLs it once it reports `killAt` items filed. */
function acceptUntilKilled(args: string[], killAt: number): Promise<{ killedAt: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let killedAt = 0;
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^progress (\d+)\//.exec(line);
        if (m && Number(m[1]) >= killAt && !killedAt) {
          killedAt = Number(m[1]);
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (killedAt ? resolve({ killedAt, signal }) : reject(new Error(`the child ended (${code}) before it was killed: ${stderr}`))));
  });
}

it.each(BACKENDS)('an accept killed part-way resumes, filing every item exactly once into valid OCFL objects (%s)', async (dialect) => {
  t = await createTestApp(dialect);
  const fixture = await createCatalogFixture(t, 'archivist');
  const actor = await actorNamed(t.ctx, 'archivist');
  src = mkdtempSync(join(tmpdir(), 'lantai-transfer-kill-'));
  await writePackageDir(src, COUNT);
  const received = await receiveTransfer(t.ctx, actor, { path: src, fileName: 'carrier-kill', categoryId: fixture.categoryId });
  expect((await checkTransfer(t.ctx, actor, received.id, { scanner: null })).report!.blocking).toBe(false);

  const { killedAt, signal } = await acceptUntilKilled([t.ctx.config.databaseUrl, t.ctx.config.dataDir, 'archivist', String(received.id)], 60);
  expect(signal).toBe('SIGKILL');
  const filedBefore = await t.ctx.database.db.selectFrom('items').select('id').where('fonds_id', '=', fixture.fondsId).execute();
  expect(filedBefore.length).toBeGreaterThanOrEqual(killedAt);
  expect(filedBefore.length).toBeLessThan(COUNT);
  const interrupted = await t.ctx.database.db.selectFrom('transfers').select(['state', 'accepted_count']).where('id', '=', received.id).executeTakeFirstOrThrow();
  expect(interrupted.state).toBe('accepting');
  expect(interrupted.accepted_count).toBeGreaterThanOrEqual(killedAt);

  const accepted = await acceptTransfer(t.ctx, actor, received.id);
  expect(accepted).toMatchObject({ state: 'accepted', acceptedCount: COUNT });

  const items = await t.ctx.database.db.selectFrom('items').select(['id', 'archival_code']).where('fonds_id', '=', fixture.fondsId).execute();
  expect(items.length).toBe(COUNT);
  expect(new Set(items.map((i) => i.archival_code))).toEqual(new Set(Array.from({ length: COUNT }, (_, i) => codeOf(i + 1))));
  const location = primaryLocation(t.ctx).name;
  for (const item of items) {
    const result = await validateAt(t.ctx, location, item.id);
    expect(result.valid, `${item.archival_code}: ${JSON.stringify(result)}`).toBe(true);
  }
  const links = await t.ctx.database.db.selectFrom('transfer_items').select(['item_id', 'state']).where('transfer_id', '=', received.id).execute();
  expect(new Set(links.map((l) => l.item_id)).size).toBe(COUNT);
  expect(links.every((l) => l.state === 'done')).toBe(true);
  const perItem = await t.ctx.database.db.selectFrom('audit_log').select('target_id').where('action', '=', 'transfer.item_accept').execute();
  expect(perItem.length).toBe(COUNT);
}, 180_000);
