import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../test-support/databases.js';
import { appendAudit, verifyAuditChain } from './audit.service.js';

describe.each(BACKENDS)('audit chain on %s', (dialect) => {
  let t: TestDatabase;
  const actor = { id: 7, name: 'archivist', clientIp: '10.0.0.5' };

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.dispose());

  async function fill(n: number) {
    await t.database.db.transaction().execute(async (tx) => {
      await appendAudit(t.database, tx, actor, Array.from({ length: n }, (_, i) => ({
        action: 'item.update', target: { type: 'item', id: i }, before: { title: `旧${i}` }, after: { title: `新${i}` },
      })));
    });
  }

  it('verifies an intact chain and counts every row', async () => {
    await fill(12);
    const r = await verifyAuditChain(t.database);
    expect(r).toMatchObject({ ok: true, checked: 12, fault: null });
  });

  it('rolls the audit row back with the transaction that wrote it', async () => {
    await expect(t.database.db.transaction().execute(async (tx) => {
      await appendAudit(t.database, tx, actor, [{ action: 'item.create', target: { type: 'item', id: 99 } }]);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect((await verifyAuditChain(t.database)).checked).toBe(12);
  });

  it('keeps the chain straight under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 8 }, () => fill(3)));
    const r = await verifyAuditChain(t.database);
    expect(r).toMatchObject({ ok: true, checked: 36 });
  });

  it('names a row changed directly in the database', async () => {
    await sql`update audit_log set actor_name = 'someone else' where seq = 5`.execute(t.database.db);
    const r = await verifyAuditChain(t.database);
    expect(r.fault).toEqual({ kind: 'changed', seq: 5 });
  });

  it('names a deleted row', async () => {
    const fresh = await createTestDatabase(dialect);
    try {
      await fresh.database.db.transaction().execute((tx) => appendAudit(fresh.database, tx, actor, [1, 2, 3, 4].map((i) => ({ action: `a${i}` }))));
      await sql`delete from audit_log where seq = 3`.execute(fresh.database.db);
      expect((await verifyAuditChain(fresh.database)).fault).toEqual({ kind: 'deleted', seq: 3 });
    } finally {
      await fresh.dispose();
    }
  });

  it('names a cut-off tail and a re-chained row', async () => {
    const fresh = await createTestDatabase(dialect);
    try {
      await fresh.database.db.transaction().execute((tx) => appendAudit(fresh.database, tx, actor, [1, 2, 3, 4].map((i) => ({ action: `a${i}` }))));
      await sql`delete from audit_log where seq = 4`.execute(fresh.database.db);
      expect((await verifyAuditChain(fresh.database)).fault).toEqual({ kind: 'truncated', seq: 4 });
      // Swapping the content of rows 1 and 2 and recomputing their hashes still breaks the links.
      const rows = await fresh.database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      const { rowHash } = await import('./chain.js');
      const [r1, r2] = [rows[0]!, rows[1]!];
      const moved = { ...r2, seq: 1, prev_hash: r2.prev_hash };
      moved.hash = rowHash(moved.prev_hash, moved);
      await fresh.database.db.updateTable('audit_log').set({ action: moved.action, prev_hash: moved.prev_hash, hash: moved.hash }).where('seq', '=', 1).execute();
      expect(r1.action).not.toBe(moved.action);
      expect((await verifyAuditChain(fresh.database)).fault).toEqual({ kind: 'reordered', seq: 1 });
    } finally {
      await fresh.dispose();
    }
  });
});
