import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { DetailedError, Upload } from 'tus-js-client';
import { CatalogRepository } from '../catalog/catalog.repository.js';
import { parseTemplate } from '../domain/archival-code.js';
import { runChecks } from '../ingest/checks/run.js';
import type { CheckEnv, CheckReport, VirusScanner } from '../ingest/checks/types.js';
import { findScanner } from '../ingest/checks/virus.js';
import { readPackage } from '../ingest/packages/model.js';
import { loadConfig } from '../platform/config.js';
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
    }, (opts.ctx?.config ?? loadConfig()).transferCheckSeverity);
    out.stdout.write(`移交包 / package: ${path}（${pkg.format}）\n`);
    printReport(report, out);
    return report.blocking ? 1 : 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface SubmitOptions {
  /** The archive's address, e.g. https://archive.example.gov.cn */
  to: string;
  token: string;
  categoryId: number;
  wait?: boolean;
  intervalMs?: number;
  timeoutMs?: number;
}

/** A refusal from the archive or the network, printed with the server's own bilingual message. */
class SubmitFailure extends Error {
  constructor(readonly zh: string, readonly en: string) {
    super(en);
  }
}

/** What GET /api/v1/transfer-inbox/:id answers. */
interface InboxStatus {
  transferId: number;
  state: string;
  itemCount: number;
  fileCount: number;
  report: CheckReport | null;
  reason: string | null;
}

const unreachable = (url: string, e: Error) => new SubmitFailure(`无法连接档案馆：${url}（${e.message}）`, `Cannot reach the archive at ${url} (${e.message})`);

/** The archive's JSON answer, or a failure carrying its bilingual error. */
function answerOf<T>(status: number, text: string): T {
  let body: (T & { error?: { code: string; message: string; message_en: string } }) | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    // The archive answers in JSON; anything else (a proxy's page) is reported by status below.
  }
  if (status < 200 || status >= 300) {
    const err = body?.error;
    throw err ? new SubmitFailure(`[${err.code}] ${err.message}`, err.message_en) : new SubmitFailure(`档案馆返回 HTTP ${status}`, `The archive answered HTTP ${status}`);
  }
  if (!body) throw new SubmitFailure(`档案馆的回答无法读取（HTTP ${status}）`, `Unreadable answer from the archive (HTTP ${status})`);
  return body;
}

async function inboxCall<T = InboxStatus>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, init).catch((e: Error) => {
    throw unreachable(url, e);
  });
  return answerOf<T>(res.status, await res.text());
}

/** The archive's own refusal when it answered, else what kept the upload from it. */
function uploadFailure(url: string, e: Error): SubmitFailure {
  const res = e instanceof DetailedError ? e.originalResponse : null;
  if (!res) return unreachable(url, e);
  try {
    answerOf(res.getStatus(), res.getBody());
  } catch (refusal) {
    if (refusal instanceof SubmitFailure) return refusal;
  }
  return new SubmitFailure(`上传失败：${e.message}`, `The upload failed: ${e.message}`);
}

/** Network errors and the archive's 5xx are retried this often, each time resuming from the offset the archive holds. */
const RETRY_DELAYS_MS = [0, 1000, 3000, 10_000, 30_000, 60_000];
const CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Sends the package with tus, so a dropped connection costs only the bytes in flight: within
 * this run tus-js-client asks the archive for the offset and goes on from there. Returns the
 * upload's URL.
 */
function uploadPackage(path: string, size: number, inbox: string, auth: Record<string, string>, categoryId: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // tus-js-client's Node build reads an fs.ReadStream by its path, reopening it at whatever
    // offset a resume needs; its typings list only the browser's sources.
    const upload: Upload = new Upload(createReadStream(path) as unknown as Blob, {
      endpoint: `${inbox}/uploads`,
      headers: auth,
      metadata: { filename: basename(path), categoryId: String(categoryId) },
      uploadSize: size,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS_MS,
      onSuccess: () => resolve(upload.url!),
      onError: (e) => reject(uploadFailure(inbox, e)),
    });
    upload.start();
  });
}

const CHECKING = new Set(['received', 'unpacked']);

/**
 * `lantai transfer submit <package> --to <url> --token <token> --category <id>`: uploads a package
 * file to the archive's transfer inbox over tus. With --wait it follows the check and prints the
 * report: exit 0 when no blocking check failed, 1 when one did, 2 when the archive or network refused.
 */
export async function runTransferSubmitCommand(path: string, opts: SubmitOptions, out: CommandOutput): Promise<number> {
  const inbox = `${opts.to.replace(/\/+$/, '')}/api/v1/transfer-inbox`;
  const auth = { authorization: `Bearer ${opts.token}` };
  try {
    const size = await stat(path).then((s) => (s.isFile() ? s.size : null), () => null);
    if (size === null) {
      throw new SubmitFailure(`找不到移交包文件：${path}（目录请先打包为 zip）`, `No package file at ${path} (zip a directory first)`);
    }
    const uploadUrl = await uploadPackage(path, size, inbox, auth, opts.categoryId);
    // The upload's own record names the transfer, even when the answer to its last PATCH was lost.
    const submitted = await inboxCall<{ transferId: number; state: string }>(uploadUrl, { headers: auth });
    out.stdout.write(`已提交 / submitted: 移交 / transfer #${submitted.transferId}（${submitted.state}）\n`);
    if (!opts.wait) return 0;
    const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
    for (;;) {
      const t = await inboxCall(`${inbox}/${submitted.transferId}`, { headers: auth });
      if (!CHECKING.has(t.state)) {
        out.stdout.write(`移交 / transfer #${t.transferId}: ${t.state}（${t.itemCount} 件 / items，${t.fileCount} 个文件 / files）\n`);
        if (t.reason) out.stdout.write(`退回理由 / returned because: ${t.reason}\n`);
        if (!t.report) return t.state === 'returned' ? 1 : 0;
        printReport(t.report, out);
        return t.report.blocking ? 1 : 0;
      }
      if (Date.now() > deadline) throw new SubmitFailure(`移交 #${submitted.transferId} 仍在检测中，等待超时`, `Transfer #${submitted.transferId} is still being checked; gave up waiting`);
      await sleep(opts.intervalMs ?? 2000);
    }
  } catch (e) {
    if (!(e instanceof SubmitFailure)) throw e;
    out.stderr.write(`错误 / error: ${e.zh}\n${e.en}\n`);
    return 2;
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
  transfer.command('submit').argument('<package>', 'zip 或 EEP 文件 / a zip or EEP file')
    .requiredOption('--to <url>', '档案馆地址 / the archive\'s address')
    .option('--token <token>', '机构的移交令牌（也可用环境变量 LANTAI_TRANSFER_TOKEN，免于出现在进程列表中）/ the organization\'s transfer token (or LANTAI_TRANSFER_TOKEN, which keeps it out of the process list)')
    .requiredOption('--category <id>', '接收门类 / receiving category')
    .option('--wait', '等待检测完成并打印报告 / wait for the check and print the report')
    .option('--interval <seconds>', '--wait 的查询间隔 / how often --wait asks', '2')
    .description('在线移交：提交移交包（--wait 时无必须通过项不通过退出码 0，否则 1；请求被拒为 2）/ online transfer: submit a package (with --wait exit 0 when no blocking check fails, 1 otherwise; 2 when refused)')
    .action(async (path: string, options: { to: string; token?: string; category: string; wait?: boolean; interval: string }) => {
      const out = { stdout: process.stdout, stderr: process.stderr };
      const token = options.token ?? process.env.LANTAI_TRANSFER_TOKEN;
      if (!token) {
        out.stderr.write('错误 / error: 请用 --token 或 LANTAI_TRANSFER_TOKEN 给出移交令牌\nGive the transfer token with --token or LANTAI_TRANSFER_TOKEN\n');
        process.exitCode = 2;
        return;
      }
      process.exitCode = await runTransferSubmitCommand(path, {
        to: options.to, token, categoryId: Number(options.category), wait: options.wait === true, intervalMs: Number(options.interval) * 1000,
      }, out);
    });
}
