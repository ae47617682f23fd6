import { AppError } from '../../platform/errors.js';
import { formatBytes } from '../unpack/errors.js';
import type { Finding } from './findings.js';
import { validateBag } from './validate.js';

export interface CommandOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const describe = (label: string, f: Finding) =>
  `${label} ${f.code}${f.path === undefined ? '' : `  ${f.path}`}\n  ${f.message_zh}\n  ${f.message}\n`;

/**
 * `lantai bag validate <path>`: errors on stdout, warnings on stderr, then a summary in Chinese
 * and English. Exit code 0 for a valid bag (warnings allowed), 1 for an invalid one, 2 when the
 * path does not exist or cannot be read.
 */
export async function runBagValidateCommand(path: string, out: CommandOutput): Promise<number> {
  let result;
  try {
    result = await validateBag(path);
  } catch (e) {
    const text = e instanceof AppError ? `${e.message}\n${e.message_en}` : `无法读取“${path}”\nCannot read "${path}": ${(e as Error).message}`;
    out.stderr.write(`${text}\n`);
    return 2;
  }
  for (const f of result.errors) out.stdout.write(describe('错误/ERROR', f));
  for (const f of result.warnings) out.stderr.write(describe('警告/WARNING', f));
  const size = `${result.payloadFiles} 个载荷文件，${formatBytes(result.payloadBytes)}`;
  const sizeEn = `${count(result.payloadFiles, 'payload file')}, ${formatBytes(result.payloadBytes)}`;
  const algorithms = result.algorithms.join(', ') || '-';
  out.stdout.write(
    result.valid
      ? `BagIt 包有效：${size}，算法 ${algorithms}，${result.warnings.length} 条警告\n` +
          `Valid bag: ${sizeEn}, algorithms ${algorithms}, ${count(result.warnings.length, 'warning')}\n`
      : `BagIt 包无效：${result.errors.length} 个错误，${result.warnings.length} 条警告\n` +
          `Invalid bag: ${count(result.errors.length, 'error')}, ${count(result.warnings.length, 'warning')}\n`,
  );
  return result.valid ? 0 : 1;
}
