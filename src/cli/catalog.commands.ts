import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { type Download, exportCatalogue, exportCategoryXlsx } from '../catalog/export/export.service.js';
import type { RowError } from '../catalog/import/import-errors.js';
import { IMPORT_MODES, type ImportMode, inspectForCategory, runImport } from '../catalog/import/import.service.js';
import { rememberMapping } from '../catalog/import/upload.service.js';
import type { AppContext } from '../platform/context.js';
import { AppError, badRequest, forbidden } from '../platform/errors.js';
import { type Actor, actorFromUser } from '../security/actor.js';
import { UsersRepository } from '../security/users.repository.js';
import { withContext } from './program.js';
import { progressBar } from './progress.js';

/** The named business user, with that user's rights, so the audit trail names them and their limits apply. */
export async function actorAs(ctx: AppContext, username: unknown): Promise<Actor> {
  if (typeof username !== 'string' || !username) throw badRequest('CLI_USER_REQUIRED', '请用 --as <用户名> 指明以哪个用户的身份操作', 'Name the user to act as with --as <username>');
  const users = new UsersRepository(ctx.database.db);
  const user = await users.byUsername(username);
  if (!user) throw new AppError(404, 'USER_NOT_FOUND', `用户“${username}”不存在`, `No user "${username}"`);
  if (user.status !== 'active') throw forbidden(`用户“${username}”已停用`, `User "${username}" is disabled`, 'USER_DISABLED');
  return actorFromUser(user, await users.fondsOf(user.id), null);
}

function positiveInt(v: unknown, option: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw badRequest('CLI_OPTION_INVALID', `${option} 应为正整数`, `${option} must be a positive whole number`, { option });
  return n;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function printErrors(errors: RowError[], truncated: boolean, limit = 50) {
  for (const e of errors.slice(0, limit)) out(`  ${e.message}${e.column ? `（列“${e.column}”）` : ''}\n  ${e.message_en}`);
  if (errors.length > limit || truncated) out(`  …（共列出 ${errors.length} 条${truncated ? '，另有更多未列出' : ''} / ${errors.length} listed${truncated ? ', more not listed' : ''}）`);
}

async function writeDownload(d: Download, path: string | undefined): Promise<string> {
  const target = path ?? d.fileName;
  const file = createWriteStream(target);
  await d.write(file);
  await finished(file);
  return target;
}

export function registerCatalogCommands(program: Command): void {
  program
    .command('import')
    .description('把 .xlsx 或 .csv 表格导入门类 / import an .xlsx or .csv sheet into a category')
    .argument('<file>', '表格文件 / the sheet')
    .requiredOption('--category <id>', '门类编号 / category id')
    .option('--mapping <file>', '列映射 JSON（列标题 → 字段名）；缺省用建议的映射 / column mapping JSON (header → field); default: the suggested one')
    .option('--mode <mode>', `${IMPORT_MODES.join(' | ')}`, 'all-or-nothing')
    .option('--dry-run', '只校验，不写入 / check only, write nothing')
    .requiredOption('--as <username>', '以该业务用户身份操作 / act as this business user')
    .action(async (file: string, opts: { category: string; mapping?: string; mode: string; dryRun?: boolean; as: string }) => {
      if (!IMPORT_MODES.includes(opts.mode as ImportMode)) throw badRequest('IMPORT_MODE_INVALID', `--mode 应为 ${IMPORT_MODES.join(' 或 ')}`, `--mode must be ${IMPORT_MODES.join(' or ')}`);
      const categoryId = positiveInt(opts.category, '--category');
      await withContext(async (ctx) => {
        const actor = await actorAs(ctx, opts.as);
        const sheet = await inspectForCategory(ctx, actor, categoryId, file, basename(file));
        const mapping = opts.mapping ? (JSON.parse(await readFile(opts.mapping, 'utf8')) as Record<string, string>) : sheet.suggestedMapping;
        out(`${sheet.fileName}: ${sheet.format}, ${sheet.encoding}, ${sheet.rowCount} 行 / rows`);
        for (const [column, field] of Object.entries(mapping)) if (field) out(`  ${column} → ${field}`);
        const bar = progressBar(opts.dryRun ? '校验 / checking' : '导入 / importing', sheet.rowCount);
        let summary;
        try {
          summary = await runImport(ctx, actor, categoryId, sheet, { mapping, mode: opts.mode as ImportMode, dryRun: !!opts.dryRun, onProgress: (n) => bar.update(n) });
        } catch (e) {
          bar.stop();
          if (e instanceof AppError && e.code === 'IMPORT_HAS_ERRORS') printErrors(e.details!.errors as RowError[], !!e.details!.errorsTruncated);
          throw e;
        }
        bar.stop();
        const verb = opts.dryRun ? { zh: '将', en: 'would be ' } : { zh: '已', en: '' };
        out(`共 ${summary.total} 行：${verb.zh}新建 ${summary.toCreate}，${verb.zh}更新 ${summary.toUpdate}，跳过（无变化）${summary.toSkip}，有误 ${summary.invalid}`);
        out(`${summary.total} rows: ${summary.toCreate} ${verb.en}created, ${summary.toUpdate} ${verb.en}updated, ${summary.toSkip} unchanged, ${summary.invalid} invalid`);
        printErrors(summary.errors, summary.errorsTruncated);
        if (!opts.dryRun) await rememberMapping(ctx, actor, categoryId, mapping);
        if (opts.dryRun && summary.invalid > 0) process.exitCode = 1;
      });
    });

  const exporting = program
    .command('export')
    .description('导出门类目录为 .xlsx / export a category as .xlsx')
    .option('--category <id>', '门类编号 / category id')
    .option('--year <year>', '年度 / year')
    .option('--retention <code>', '保管期限（Y、D30 …）/ retention (Y, D30 …)')
    .option('--out <file>', '输出文件 / output file')
    .option('--as <username>', '以该业务用户身份操作 / act as this business user')
    .action(async (opts: { category?: string; year?: string; retention?: string; out?: string; as?: string }) => {
      const categoryId = positiveInt(opts.category, '--category');
      const written = await withContext(async (ctx) => {
        const actor = await actorAs(ctx, opts.as);
        const filter = { ...(opts.year ? { year: positiveInt(opts.year, '--year') } : {}), ...(opts.retention ? { retention: opts.retention } : {}) };
        return writeDownload(await exportCategoryXlsx(ctx, actor, categoryId, filter), opts.out);
      });
      out(`已导出 / exported: ${written}`);
    });

  exporting
    .command('catalogue')
    .description('归档文件目录（DA/T 22）；--year、--category、--out、--as 与 export 相同 / the archival file catalogue of a fonds and year; --year, --category, --out and --as as for export')
    .usage('--fonds <id> --year <year> [--format pdf|xlsx] [--category <id>] --out <file> --as <username>')
    .option('--fonds <id>', '全宗编号 / fonds id')
    .option('--format <format>', 'pdf | xlsx', 'pdf')
    .action(async (_opts: unknown, cmd: Command) => {
      // --year, --category, --out and --as are read by the parent `export`; take them from there.
      const opts = cmd.optsWithGlobals<{ fonds?: string; format: string; year?: string; category?: string; out?: string; as?: string }>();
      const fondsId = positiveInt(opts.fonds, '--fonds');
      const written = await withContext(async (ctx) => {
        const actor = await actorAs(ctx, opts.as);
        const d = await exportCatalogue(ctx, actor, fondsId, { year: opts.year, format: opts.format, ...(opts.category ? { categoryId: positiveInt(opts.category, '--category') } : {}) });
        return writeDownload(d, opts.out);
      });
      out(`已导出 / exported: ${written}`);
    });
}
