import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { dialectOf, openDatabase } from '../db/database.js';
import { runBagValidateCommand } from '../ingest/bagit/command.js';
import { describeFault } from '../platform/audit/audit.service.js';
import { loadConfig } from '../platform/config.js';
import { AppError, badRequest } from '../platform/errors.js';
import { runValidateCommand } from '../storage/ocfl/validate.js';
import { closeLocations } from '../storage/preservation/locations.js';
import { backupDatabase, restoreDatabase } from '../storage/recovery/db-backup.js';
import { createOfflineCopy, MANIFEST_SHA256, OFFLINE_ROOT } from '../storage/recovery/offline-copy.js';
import { type RebuildReport, rebuildFromStorage } from '../storage/recovery/rebuild.js';
import { operator, withContext } from './program.js';
import { progressBar } from './progress.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const streams = { stdout: process.stdout, stderr: process.stderr };

/** A database URL fit to print: the password never reaches a terminal or a log. */
function shownUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

/** Destructive commands ask first; without a terminal to ask on, only --yes lets them run. */
async function confirm(yes: boolean | undefined, zh: string, en: string): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw badRequest('CONFIRMATION_REQUIRED', `${zh}；请加 --yes 确认`, `${en}; add --yes to confirm`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${zh}\n${en}\n继续？/ Continue? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new AppError(400, 'CANCELLED', '已取消', 'Cancelled');
  } finally {
    rl.close();
  }
}

function printRebuild(r: RebuildReport): void {
  out(`存储根 / storage root: ${r.storageRoot}`);
  out(`重建完成：对象 ${r.objects} 个，文件 ${r.items} 件，机构 ${r.organizations} 个，全宗 ${r.fonds} 个，门类 ${r.categories} 个，案卷 ${r.volumes} 卷；跳过 ${r.problems.length} 个，其他对象 ${r.ignored.length} 个`);
  out(`Rebuilt: ${r.objects} objects, ${r.items} items, ${r.organizations} organizations, ${r.fonds} fonds, ${r.categories} categories, ${r.volumes} volumes; ${r.problems.length} skipped, ${r.ignored.length} other objects left alone`);
  for (const o of r.ignored) out(`  其他对象（非文件对象，未处理）/ not an item object, left alone: ${o.objectId} (${o.objectPath})`);
  if (r.problems.length) out('跳过的对象 / skipped objects:');
  for (const p of r.problems) {
    out(`  ${p.objectId ?? '?'} (${p.objectPath}) ${p.code}`);
    out(`    ${p.message}`);
    out(`    ${p.message_en}`);
    for (const f of p.findings ?? []) out(`      ${f}`);
  }
}

export function registerStorageCommands(program: Command): void {
  program
    .command('ocfl')
    .description('OCFL 保存存储 / OCFL preservation storage')
    .command('validate')
    .argument('<path>', 'OCFL 存储根或对象目录 / an OCFL storage root or object directory')
    .description('按 OCFL 1.1 校验（0 有效，1 无效，2 无法读取）/ validate against OCFL 1.1 (exit 0 valid, 1 invalid, 2 unreadable)')
    .action(async (path: string) => {
      process.exitCode = await runValidateCommand(path, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
    });

  program
    .command('bag')
    .description('BagIt 移交包 / BagIt transfer packages')
    .command('validate')
    .argument('<path>', 'BagIt 包目录或 .zip / a bag directory or .zip')
    .description('按 BagIt 1.0 校验（0 有效，1 无效，2 无法读取）/ validate against BagIt 1.0 (exit 0 valid, 1 invalid, 2 unreadable)')
    .action(async (path: string) => {
      process.exitCode = await runBagValidateCommand(path, streams);
    });

  program
    .command('rebuild')
    .description('仅凭 OCFL 存储根把目录重建到空数据库 / rebuild the catalogue into an empty database from an OCFL storage root alone')
    .requiredOption('--from-storage <root>', 'OCFL 存储根，或其所在的存储目录 / the OCFL storage root, or the storage directory holding it')
    .option('--yes', '不再询问 / do not ask for confirmation')
    .action(async (opts: { fromStorage: string; yes?: boolean }) => {
      const config = loadConfig();
      await confirm(opts.yes, `将从 ${opts.fromStorage} 重建目录到数据库 ${shownUrl(config.databaseUrl)}`, `The catalogue will be rebuilt from ${opts.fromStorage} into the database ${shownUrl(config.databaseUrl)}`);
      const report = await withContext(async (ctx) => {
        let bar: ReturnType<typeof progressBar> | undefined;
        try {
          return await rebuildFromStorage(ctx, operator(), opts.fromStorage, {
            onProgress: (p) => (bar ??= progressBar('重建 / rebuilding', p.total)).update(p.done),
          });
        } finally {
          bar?.stop();
          await closeLocations(ctx);
        }
      });
      printRebuild(report);
      if (report.problems.length) process.exitCode = 1;
    });

  program
    .command('offline-copy')
    .description('把所选全宗的 OCFL 对象导出为可独立校验的离线副本 / export the OCFL objects of chosen fonds as a self-verifying offline copy')
    .requiredOption('--fonds <code...>', '全宗号 / fonds codes')
    .requiredOption('--to <dir>', '空目录或新目录（如移动硬盘、光盘刻录目录）/ an empty or new directory (removable disk, disc staging area)')
    .action(async (opts: { fonds: string[]; to: string }) => {
      let bar: ReturnType<typeof progressBar> | undefined;
      const r = await withContext(async (ctx) => {
        try {
          return await createOfflineCopy(ctx, { fonds: opts.fonds, target: opts.to, onProgress: (p) => (bar ??= progressBar('复制 / copying', p.total)).update(p.done) });
        } finally {
          bar?.stop();
          await closeLocations(ctx);
        }
      });
      out(`离线副本 / offline copy: ${r.target}`);
      out(`已复制 ${r.objects} 个对象、${r.files} 个文件、${r.bytes} 字节 / copied ${r.objects} objects, ${r.files} files, ${r.bytes} bytes`);
      for (const [code, n] of Object.entries(r.fonds)) out(`  ${code}: ${n}`);
      for (const p of r.problems) out(`  ${p.objectId}: ${p.message}\n    ${p.message_en}`);
      out(`校验 / verify: cd ${r.target} && sha256sum -c ${MANIFEST_SHA256} && lantai ocfl validate ${OFFLINE_ROOT}`);
      if (r.problems.length) process.exitCode = 1;
    });

  const db = program.command('db').description('目录数据库备份与恢复 / catalogue database backup and restore');
  db.command('backup')
    .argument('<file>', '备份文件（不得已存在）/ the backup file (must not exist)')
    .description('备份数据库，服务运行时亦可 / back up the database, also while the server runs')
    .action(async (file: string) => {
      const url = loadConfig().databaseUrl;
      // Opening a missing SQLite file would create an empty database and back that up instead.
      const path = url.replace(/^sqlite:/, '');
      if (dialectOf(url) === 'sqlite' && !existsSync(path)) {
        throw new AppError(404, 'DB_NOT_FOUND', `数据库文件“${path}”不存在`, `The database file "${path}" does not exist`, { path });
      }
      const database = await openDatabase(url);
      try {
        const r = await backupDatabase(database, file);
        out(`已备份 / backed up: ${r.file}`);
        out(`  ${r.dialect}, ${r.size} 字节 / bytes, sha256 ${r.sha256}`);
      } finally {
        await database.close();
      }
    });
  db.command('restore')
    .argument('<file>', '备份文件 / the backup file')
    .option('--yes', '不再询问 / do not ask for confirmation')
    .description('恢复到空数据库，升级结构并校验审计链 / restore into an empty database, migrate it and verify the audit chain')
    .action(async (file: string, opts: { yes?: boolean }) => {
      const url = loadConfig().databaseUrl;
      await confirm(opts.yes, `将把 ${file} 恢复到数据库 ${shownUrl(url)}`, `${file} will be restored into the database ${shownUrl(url)}`);
      const r = await restoreDatabase(url, file, operator());
      out(`已恢复 / restored: ${shownUrl(url)}（${r.items} 件 / ${r.items} items）`);
      out(r.migrated.length ? `已升级结构 / migrations applied: ${r.migrated.join(', ')}` : '数据库结构已是最新 / schema was up to date');
      if (r.audit.ok) {
        out(`审计链完整，共 ${r.audit.checked} 条 / audit chain intact, ${r.audit.checked} rows`);
        return;
      }
      const d = describeFault(r.audit.fault!);
      process.stderr.write(`审计链被破坏：${d.zh}\naudit chain broken: ${d.en}\n`);
      process.exitCode = 1;
    });
}
