import { userInfo } from 'node:os';
import { Command } from 'commander';
import { buildApp } from '../http/app.js';
import { describeFault, verifyAuditChain } from '../platform/audit/audit.service.js';
import { openContext } from '../platform/bootstrap.js';
import { loadConfig } from '../platform/config.js';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/errors.js';
import { VERSION } from '../platform/paths.js';
import { cliActor } from '../security/actor.js';
import { startPreservationWork } from '../storage/preservation/jobs.js';
import { bootstrapAdministrators, resetPassword } from '../security/users.service.js';
import { registerCatalogCommands } from './catalog.commands.js';
import { registerPreservationCommands } from './preservation.commands.js';
import { progressBar } from './progress.js';
import { registerSearchCommands } from './search.commands.js';
import { registerStorageCommands } from './storage.commands.js';
import { registerTransferCommands } from './transfer.commands.js';

/** Runs `fn` with an open, migrated context and closes it after, whatever happens. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await openContext(loadConfig());
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

export const operator = () => cliActor(userInfo().username);

function printCredentials(creds: Awaited<ReturnType<typeof bootstrapAdministrators>>): void {
  if (!creds.length) return;
  const lines = [
    '',
    '════════════════════════════════════════════════════════════════',
    ' 首次启动：已创建三员账户。以下一次性口令只显示这一次，首次登录须修改。',
    ' First start: the three administrator accounts were created. These',
    ' one-time passwords are shown only now; each must be changed at first login.',
    '',
    ...creds.map((c) => `   ${c.username.padEnd(10)} ${c.oneTimePassword}`),
    '════════════════════════════════════════════════════════════════',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function buildProgram(): Command {
  const program = new Command('lantai').description('兰台数字档案馆系统 / Lantai digital archive system').version(VERSION);

  program.command('serve').description('启动服务 / start the server').action(async () => {
    const config = loadConfig();
    const ctx = await openContext(config);
    printCredentials(await bootstrapAdministrators(ctx));
    const app = await buildApp(ctx, { logger: true });
    const background = startPreservationWork(ctx, (err) => app.log.error(err));
    const close = async () => {
      await app.close();
      await background.stop();
      await ctx.database.close();
      process.exit(0);
    };
    process.once('SIGINT', close);
    process.once('SIGTERM', close);
    await app.listen({ host: config.host, port: config.port });
    process.stdout.write(`兰台已启动 / Lantai is running: http://localhost:${config.port} (${ctx.database.dialect})\n`);
  });

  program.command('migrate').description('升级数据库结构 / bring the database schema up to date').action(async () => {
    const ctx = await openContext(loadConfig());
    await ctx.database.close();
    const applied = ctx.migrated;
    process.stdout.write(applied.length ? `已执行 / applied: ${applied.join(', ')}\n` : '数据库已是最新 / database is up to date\n');
  });

  const audit = program.command('audit').description('审计日志 / audit trail');
  audit.command('verify').description('校验审计链 / verify the audit chain').action(async () => {
    const result = await withContext(async (ctx) => {
      const bar = progressBar('校验 / verifying', await ctx.database.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow().then((h) => Number(h.seq)));
      try {
        return await verifyAuditChain(ctx.database, (n) => bar.update(n));
      } finally {
        bar.stop();
      }
    });
    if (result.ok) {
      process.stdout.write(`审计链完整，共 ${result.checked} 条 / audit chain intact, ${result.checked} rows\n`);
      return;
    }
    const d = describeFault(result.fault!);
    process.stderr.write(`审计链被破坏：${d.zh}\naudit chain broken: ${d.en}\n`);
    process.exitCode = 1;
  });

  const admin = program.command('admin').description('账户维护 / account recovery');
  admin.command('reset-password').argument('<username>').description('为账户生成新的一次性口令（记入审计）/ issue a new one-time password (audited)').action(async (username: string) => {
    const password = await withContext((ctx) => resetPassword(ctx, operator(), { username }, true));
    process.stdout.write(`${username} 的一次性口令 / one-time password: ${password}\n首次登录须修改 / it must be changed at first login\n`);
  });
  admin.command('init').description('创建三员账户（若尚无）/ create the three administrator accounts if none exist').action(async () => {
    const creds = await withContext((ctx) => bootstrapAdministrators(ctx));
    if (!creds.length) process.stdout.write('三员账户已存在 / administrator accounts exist already\n');
    printCredentials(creds);
  });

  registerCatalogCommands(program);
  registerPreservationCommands(program);
  registerStorageCommands(program);
  registerSearchCommands(program);
  registerTransferCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof AppError || (e as { message_en?: string }).message_en) {
      const err = e as AppError;
      process.stderr.write(`错误 / error [${err.code}]: ${err.message}\n${err.message_en}\n`);
    } else {
      process.stderr.write(`错误 / error: ${(e as Error).message}\n`);
    }
    process.exitCode = 1;
  }
}
