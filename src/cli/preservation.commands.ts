import { basename } from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../platform/context.js';
import { badRequest } from '../platform/errors.js';
import { auditActorOf } from '../security/actor.js';
import { auditLocations } from '../storage/preservation/jobs.js';
import { closeLocations } from '../storage/preservation/locations.js';
import { PreservationRepository } from '../storage/preservation/preservation.repository.js';
import { storeItemFiles } from '../storage/preservation/preservation.service.js';
import { replicateAll, replicationStatus } from '../storage/preservation/replication.js';
import { actorAs } from './catalog.commands.js';
import { operator, withContext } from './program.js';
import { progressBar } from './progress.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** Like withContext, with the storage locations closed after. */
const withStorage = <T>(fn: (ctx: AppContext) => Promise<T>) =>
  withContext(async (ctx) => {
    try {
      return await fn(ctx);
    } finally {
      await closeLocations(ctx);
    }
  });

function positiveNumber(v: string, option: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw badRequest('CLI_OPTION_INVALID', `${option} 应为正数`, `${option} must be a positive number`, { option });
  return n;
}

export function registerPreservationCommands(program: Command): void {
  const p = program.command('preservation').description('长期保存：固定性检测、副本 / preservation: fixity audits, replicas');

  p.command('audit')
    .description('固定性检测：重算摘要并自动修复 / fixity audit: recompute digests and repair')
    .option('--location <name>', '只检测该存储位置（缺省为全部）/ only this location (default: all)')
    .option('--budget <seconds>', '每个位置的时长上限（秒）/ time budget per location (seconds)')
    .action(async (opts: { location?: string; budget?: string }) => {
      const results = await withStorage(async (ctx) => {
        const bar = progressBar('检测 / auditing', (await new PreservationRepository(ctx.database.db).totals()).objects);
        try {
          return await auditLocations(ctx, {
            ...(opts.location ? { location: opts.location } : {}),
            ...(opts.budget ? { budgetSeconds: positiveNumber(opts.budget, '--budget') } : {}),
          }, { onProgress: (n) => bar.update(n), actor: auditActorOf(operator()) });
        } finally {
          bar.stop();
        }
      });
      for (const r of results) {
        const cycle = r.cycleCompleted ? `第 ${r.cycle} 轮已完成 / cycle ${r.cycle} complete` : `第 ${r.cycle} 轮进行中 / cycle ${r.cycle} in progress`;
        out(`${r.location}: 检查 ${r.checked}，有问题 ${r.failed}，已修复文件 ${r.repaired}，损坏 ${r.damaged}，未持有 ${r.skipped}（${cycle}）`);
        out(`${r.location}: checked ${r.checked}, failed ${r.failed}, files repaired ${r.repaired}, damaged ${r.damaged}, not held ${r.skipped}`);
        if (r.error) out(`  ${r.error.message}\n  ${r.error.message_en}`);
      }
      if (results.some((r) => r.damaged > 0 || r.error)) process.exitCode = 1;
    });

  p.command('replicate')
    .description('补齐各副本 / bring every replica up to date')
    .action(async () => {
      const run = await withStorage((ctx) => replicateAll(ctx, { actor: auditActorOf(operator()) }));
      for (const l of run.locations) {
        out(`${l.location}: 已补齐 ${l.replicated} 个对象，失败 ${l.failed} / ${l.replicated} object(s) replicated, ${l.failed} failed`);
        if (l.error) out(`  ${l.error.message}\n  ${l.error.message_en}`);
      }
      if (run.locations.some((l) => l.failed > 0)) process.exitCode = 1;
    });

  p.command('status')
    .description('各存储位置的对象数、容量与滞后 / objects, bytes and lag per location')
    .action(async () => {
      const status = await withStorage(replicationStatus);
      for (const l of status) {
        out(`${l.name}${l.primary ? ' (主 / primary)' : ''}  ${l.description ?? '无法打开 / cannot be opened'}`);
        out(`  对象 / objects ${l.objects}，字节 / bytes ${l.bytes}，落后 / behind ${l.versionsBehind}，损坏 / damaged ${l.damaged}，异常 / errors ${l.errors}，最近复制 / last replicated ${l.lastReplicatedAt ?? '—'}`);
        if (l.lastError) out(`  ${l.lastError.message}\n  ${l.lastError.message_en}`);
      }
    });

  program
    .command('files')
    .description('电子文件 / electronic files')
    .command('add')
    .description('把文件存入某件的长期保存对象（新版本）/ store files in an item\'s preservation object (a new version)')
    .argument('<itemId>', '件的编号 / item id')
    .argument('<file...>', '文件 / files')
    .requiredOption('--as <username>', '以该业务用户身份操作 / act as this business user')
    .option('--message <text>', '版本说明 / why this version is made')
    .option('--replace', '新版本只含这些文件（缺省为合并）/ the version holds only these files (default: merge)')
    .action(async (itemId: string, files: string[], opts: { as: string; message?: string; replace?: boolean }) => {
      const result = await withStorage(async (ctx) =>
        storeItemFiles(ctx, await actorAs(ctx, opts.as), positiveNumber(itemId, '<itemId>'), files.map((path) => ({ name: basename(path), path })), {
          mode: opts.replace ? 'replace' : 'merge', ...(opts.message ? { message: opts.message } : {}),
        }));
      out(result.created ? `已存为 ${result.objectId} ${result.version} / stored as ${result.objectId} ${result.version}` : `内容未变，仍为 ${result.version} / unchanged, still ${result.version}`);
      for (const f of result.files) out(`  ${f.path}  ${f.size}  ${f.format.name}${f.format.version ? ` ${f.format.version}` : ''}  sm3:${f.sm3 ?? '—'}`);
      for (const r of result.replicas.filter((x) => x.state !== 'ok')) out(`  副本 ${r.location} 滞后 / replica ${r.location} lagging: ${r.error?.message_en ?? ''}`);
    });
}
