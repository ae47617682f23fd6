import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CatalogRepository } from '../catalog/catalog.repository.js';
import { parseTemplate } from '../domain/archival-code.js';
import { runChecks } from '../ingest/checks/run.js';
import type { CheckEnv, CheckReport, VirusScanner } from '../ingest/checks/types.js';
import { findScanner } from '../ingest/checks/virus.js';
import { readPackage } from '../ingest/packages/model.js';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/errors.js';
import { withContext } from './program.js';

export interface CommandOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const RESULT = { pass: '通过/PASS', fail: '不通过/FAIL', manual: '人工核验/MANUAL', na: '不适用/N-A' } as const;
const SEVERITY = { blocking: '必须通过/blocking', warning: '警告/warning', off: '不检测/off' } as const;

function printReport(report: CheckReport, out: CommandOutput): void {
  for (const c of report.checks) {
    out.stdout.write(`${RESULT[c.result].padEnd(16)} ${c.id.padEnd(12)} ${c.property.zh}/${c.property.en}  ${c.name.zh} / ${c.name.en}  [${SEVERITY[c.severity]}]\n`);
    for (const o of c.offending) out.stdout.write(`    ${[o.item, o.path].filter(Boolean).join('  ')}\n      ${o.reason}\n      ${o.reason_en}\n`);
    if (c.note && c.result !== 'pass') out.stdout.write(`    ${c.note.zh}\n    ${c.note.en}\n`);
  }
  const s = report.summary;
  out.stdout.write(
    `${report.blocking ? '未通过：有必须通过的项目不通过' : '通过：没有必须通过的项目不通过'}（${s.total} 项：通过 ${s.pass}，不通过 ${s.fail}，人工核验 ${s.manual}，不适用 ${s.na}；${s.items} 件，${s.files} 个文件，${s.bytes} 字节）\n` +
      `${report.blocking ? 'FAILED: a blocking check failed' : 'PASSED: no blocking check failed'} (${s.total} checks: ${s.pass} pass, ${s.fail} fail, ${s.manual} manual, ${s.na} n/a; ${s.items} items, ${s.files} files, ${s.bytes} bytes)\n`,
  );
}

/** Archival code uniqueness and format against one category of the catalogue, read on the server's own authority. */
async function catalogueEnv(ctx: AppContext, categoryId: number): Promise<Pick<CheckEnv, 'existingCodes' | 'codeTemplates'>> {
  const catalog = new CatalogRepository(ctx.database.db);
  const category = await catalog.category(categoryId);
  if (!category) throw new AppError(404, 'NOT_FOUND', `门类 ${categoryId} 不存在`, `No category ${categoryId}`);
  return {
    existingCodes: async (codes) => new Set((await catalog.liveItemsByCodes(category.fonds_id, codes)).map((i) => i.archival_code)),
    codeTemplates: [parseTemplate(category.code_template)],
  };
}

/**
 * `lantai transfer check <package>`: reads the package and runs the 移交与接收 checks, printing
 * every check with its code, property, result and offending items. Exit code 0 when no blocking
 * check failed, 1 otherwise. Without a category the codes are checked within the package only.
 */
export async function runTransferCheckCommand(
  path: string, opts: { ctx?: AppContext; categoryId?: number; scanner?: VirusScanner | null }, out: CommandOutput,
): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'lantai-transfer-check-'));
  try {
    const pkg = await readPackage(path, { workDir: work });
    const catalogue = opts.ctx && opts.categoryId !== undefined ? await catalogueEnv(opts.ctx, opts.categoryId) : null;
    if (!catalogue) out.stderr.write('未指定 --category：档号只在包内查重，未与馆藏比对\nNo --category: archival codes are checked within the package only, not against the catalogue\n');
    const report = await runChecks(pkg, {
      existingCodes: catalogue?.existingCodes ?? (async () => new Set<string>()),
      scanner: opts.scanner === undefined ? await findScanner() : opts.scanner,
      ...(catalogue?.codeTemplates ? { codeTemplates: catalogue.codeTemplates } : {}),
    });
    out.stdout.write(`移交包 / package: ${path}（${pkg.format}）\n`);
    printReport(report, out);
    return report.blocking ? 1 : 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function registerTransferCommands(program: Command): void {
  const transfer = program.command('transfer').description('移交接收 / receiving transfers');
  transfer.command('check').argument('<package>', '目录、zip 或 EEP 文件 / a directory, zip or EEP file')
    .option('--category <id>', '接收门类，用于与馆藏档号查重 / receiving category, for archival code uniqueness against the catalogue')
    .description('四性检测并打印报告（无必须通过项不通过时退出码 0，否则 1）/ run the four-property checks and print the report (exit 0 when no blocking check fails, 1 otherwise)')
    .action(async (path: string, options: { category?: string }) => {
      const out = { stdout: process.stdout, stderr: process.stderr };
      process.exitCode = options.category === undefined
        ? await runTransferCheckCommand(path, {}, out)
        : await withContext((ctx) => runTransferCheckCommand(path, { ctx, categoryId: Number(options.category) }, out));
    });
}
