import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createItem } from '../src/catalog/items.service.js';
import type { StorageLocationConfig } from '../src/platform/config.js';
import type { AppContext } from '../src/platform/context.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import type { Actor } from '../src/security/actor.js';
import { runFixityAudit } from '../src/storage/preservation/fixity.js';
import { closeLocations } from '../src/storage/preservation/locations.js';
import { storeItemFiles } from '../src/storage/preservation/preservation.service.js';
import { seededRandom } from '../src/test-support/random.js';
import { startS3Server } from '../src/test-support/s3-server.js';
import { benchArchive } from './setup.js';
import { fmt } from './stats.js';

/**
 * `npm run bench -- storage`: 10,000 files (about 1 GB: mostly 50–80 KB page scans, some 0.5–2 MB
 * PDFs, one 20 MB scan) stored as OCFL objects of five files each through the preservation service
 * (format identification, SHA-512/SHA-256/SM3, inventories, database records), then a full fixity
 * audit; the baseline in the same run is copying the files and hashing them with `sha512sum`.
 * BENCH_FILES scales the file count; BENCH_LOCATIONS picks fs and/or s3.
 */
const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const PER_ITEM = 5;
const INGEST_WORKERS = Number(process.env.BENCH_INGEST_WORKERS ?? 8);
const OUT = join(PROJECT_ROOT, 'bench/out');
// Per run: two runs at once must not delete each other's files.
const SRC = join(OUT, `storage-src-${process.pid}`);

interface Source {
  name: string;
  path: string;
  size: number;
}

const PDF_HEAD = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
const TIFF_HEAD = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);

function generate(): Source[] {
  rmSync(SRC, { recursive: true, force: true });
  mkdirSync(SRC, { recursive: true });
  const r = seededRandom(1894);
  // Random bytes: scans and PDFs do not compress, and identical content would be stored once.
  const noise = Buffer.alloc(21 << 20);
  for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE(Math.floor(r() * 2 ** 32), i);
  const out: Source[] = [];
  for (let i = 0; i < FILES; i++) {
    const big = i === 0;
    const pdf = !big && i % 33 === 0;
    const size = big ? 20 << 20 : pdf ? (512 + Math.floor(r() * 1536)) << 10 : (50 + Math.floor(r() * 30)) << 10;
    const head = pdf ? PDF_HEAD : TIFF_HEAD;
    const start = Math.floor(r() * (noise.length - size));
    const name = pdf ? `第${i}号文件（正文）.pdf` : `扫描件/第${String(i).padStart(5, '0')}页.tif`;
    const path = join(SRC, `${i}.${pdf ? 'pdf' : 'tif'}`);
    writeFileSync(path, Buffer.concat([head, noise.subarray(start + head.length, start + size)]));
    out.push({ name, path, size });
  }
  return out;
}

/** The floor: copy every file, then `sha512sum` the copies (and, for the audit, the hashing alone). */
function baseline(files: Source[]) {
  const dir = join(OUT, `storage-copy-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const copies = files.map((f, i) => {
    const to = join(dir, String(i));
    copyFileSync(f.path, to);
    return to;
  });
  spawnSync('sync');
  const t1 = performance.now();
  const hash = () => {
    const r = spawnSync('xargs', ['-0', 'sha512sum'], { input: copies.join('\0'), maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`sha512sum failed: ${r.stderr}`);
  };
  hash();
  const t2 = performance.now();
  hash();
  const t3 = performance.now();
  return { ingestMs: t2 - t0, copyMs: t1 - t0, auditMs: t3 - t2, dir };
}

async function setUp(locations: StorageLocationConfig[]) {
  const archive = await benchArchive('sqlite', join(OUT, 'storage-data'), { storageLocations: locations });
  const { categoryId } = await archive.fondsWithCategory('Z109');
  return { ...archive, categoryId };
}

/**
 * The catalogue rows exist first, as when scans are hooked to described items; the timed part is
 * storing their files. Items are stored INGEST_WORKERS at a time, as a batch of received records
 * would be: each version waits for its own fsyncs, and waits that overlap cost one.
 */
async function ingest(ctx: AppContext, actor: Actor, categoryId: number, files: Source[]): Promise<number> {
  const itemIds: number[] = [];
  for (let i = 0; i < files.length; i += PER_ITEM) {
    itemIds.push((await createItem(ctx, actor, categoryId, { title: `扫描件第${i / PER_ITEM + 1}件`, responsible: '峄城区人民政府办公室', date: '20230315', retention: 'Y' })).id);
  }
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < itemIds.length; n = next++) {
      const batch = files.slice(n * PER_ITEM, (n + 1) * PER_ITEM);
      await storeItemFiles(ctx, actor, itemIds[n]!, batch.map((f) => ({ name: f.name, path: f.path })), { message: '基准测试' });
    }
  };
  await Promise.all(Array.from({ length: INGEST_WORKERS }, worker));
  return performance.now() - t0;
}

const line = (s: string) => process.stdout.write(`${s}\n`);

export async function run(): Promise<void> {
  const files = generate();
  const bytes = files.reduce((a, f) => a + f.size, 0);
  const mb = bytes / 1e6;
  line(`${FILES.toLocaleString()} files, ${fmt(mb / 1000, 2)} GB, ${PER_ITEM} files per OCFL object, ${INGEST_WORKERS} objects stored at a time`);
  const base = baseline(files);
  line(`baseline: copy + sha512sum ${fmt(base.ingestMs / 1000, 1)} s (${fmt(mb / (base.ingestMs / 1000), 0)} MB/s; copy alone ${fmt(base.copyMs / 1000, 1)} s); sha512sum alone ${fmt(base.auditMs / 1000, 1)} s (${fmt(mb / (base.auditMs / 1000), 0)} MB/s)`);
  const kinds = (process.env.BENCH_LOCATIONS ?? 'fs,s3').split(',');
  const written: string[] = [];
  for (const kind of kinds) {
    const s3 = kind === 's3' ? await startS3Server('lantai-bench') : null;
    const dir = join(OUT, `storage-ocfl-${kind}-${process.pid}`);
    const location: StorageLocationConfig = s3 ? { name: 'primary', kind: 's3', ...s3.storeConfig('bench') } : { name: 'primary', kind: 'fs', path: dir };
    const env = await setUp([location]);
    try {
      const ingestMs = await ingest(env.ctx, env.actor, env.categoryId, files);
      line(`\n${kind}: ingest ${fmt(ingestMs / 1000, 1)} s, ${fmt(FILES / (ingestMs / 1000), 0)} files/s, ${fmt(mb / (ingestMs / 1000), 0)} MB/s = ${fmt(base.ingestMs / ingestMs, 2)} × the copy + sha512sum baseline (goal ≥ 0.6)`);
      // The default audit recomputes all three digests; SHA-512 alone is the work sha512sum does.
      for (const algorithms of [env.ctx.config.fixityAlgorithms, ['sha512'] as const]) {
        env.ctx.config.fixityAlgorithms = [...algorithms];
        const t0 = performance.now();
        const audit = await runFixityAudit(env.ctx, { location: 'primary', budgetMs: 24 * 3600_000 });
        const auditMs = performance.now() - t0;
        line(`${kind}: fixity audit (${algorithms.join(', ')}) of ${audit.checked.toLocaleString()} objects (${audit.failed} failed) ${fmt(auditMs / 1000, 1)} s, ${fmt(FILES / (auditMs / 1000), 0)} files/s, ${fmt(mb / (auditMs / 1000), 0)} MB/s = ${fmt(base.auditMs / auditMs, 2)} × the sha512sum baseline (goal ≥ 0.8)`);
      }
    } finally {
      await closeLocations(env.ctx);
      await env.t.dispose();
      await s3?.close();
      written.push(dir);
    }
  }
  // Only now: ext4 makes each new file pay for the files deleted in the last minutes (its
  // recently_deleted scan showed as the largest cost in a profile), so deleting the copies between
  // the phases would slow whichever phase comes after.
  for (const dir of [SRC, base.dir, ...written]) rmSync(dir, { recursive: true, force: true });
}
