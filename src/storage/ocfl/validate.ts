/**
 * OCFL 1.1 validator for local directories: `validateOcflPath` tells an object from a storage
 * root by its conformance declaration; `runValidateCommand` is the body of the CLI command.
 */
import { stat } from 'node:fs/promises';
import { FindingSink, type ValidateOptions, type ValidationResult } from './validate-findings.js';
import { versionNumber } from './validate-inventory.js';
import { listDir, validateObject } from './validate-object.js';
import { validateStorageRoot } from './validate-root.js';

export type { ValidateOptions, ValidationFinding, ValidationResult } from './validate-findings.js';
export { validateObject } from './validate-object.js';
export { validateStorageRoot } from './validate-root.js';

export async function validateOcflPath(path: string, opts: ValidateOptions = {}): Promise<ValidationResult> {
  let names: string[];
  try {
    names = (await listDir(path)).map((e) => e.name);
  } catch (e) {
    const sink = new FindingSink();
    const reason = e instanceof Error ? e.message : String(e);
    sink.error('E003', '.', `Cannot read ${path}: ${reason}`, `无法读取 ${path}：${reason}`);
    return sink.result('object', 0);
  }
  if (names.some((n) => n.startsWith('0=ocfl_object_'))) return validateObject(path, opts);
  if (names.some((n) => n.startsWith('0=ocfl_'))) return validateStorageRoot(path, opts);
  // Without a declaration, a directory that has the rest of an object is most usefully
  // checked as one: the missing declaration is then one error among the others.
  if (names.some((n) => n === 'inventory.json' || versionNumber(n) !== undefined)) return validateObject(path, opts);

  const sink = new FindingSink();
  sink.error('E003', '.', 'Not an OCFL object: there is no 0=ocfl_object_1.1 declaration', '不是 OCFL 对象：缺少 0=ocfl_object_1.1 声明文件');
  sink.error('E069', '.', 'Not an OCFL storage root: there is no 0=ocfl_1.1 declaration', '不是 OCFL 存储根：缺少 0=ocfl_1.1 声明文件');
  return sink.result('object', 0);
}

export interface CommandOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Exit code 0 when valid (warnings allowed), 1 when invalid, 2 when the path cannot be read. */
export async function runValidateCommand(path: string, out: CommandOutput): Promise<number> {
  try {
    if (!(await stat(path)).isDirectory()) {
      out.stderr(`不是目录 / Not a directory: ${path}\n`);
      return 2;
    }
    await listDir(path);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    out.stderr(`无法读取 / Cannot read ${path}: ${reason}\n`);
    return 2;
  }

  let result: ValidationResult;
  try {
    result = await validateOcflPath(path);
  } catch (e) {
    // Something inside became unreadable mid-way (permissions, a concurrent delete).
    const reason = e instanceof Error ? e.message : String(e);
    out.stderr(`无法读取 / Cannot read ${path}: ${reason}\n`);
    return 2;
  }
  for (const f of result.errors) out.stdout(`${f.code} ${f.path} ${f.message}\n`);
  for (const f of result.warnings) out.stderr(`${f.code} ${f.path} ${f.message}\n`);

  const what = result.kind === 'object' ? { zh: 'OCFL 对象', en: 'OCFL object' } : { zh: 'OCFL 存储根', en: 'OCFL storage root' };
  const zh = `${what.zh}${result.valid ? '有效' : '无效'}：检查对象 ${result.objectsChecked} 个，错误 ${result.errors.length} 个，警告 ${result.warnings.length} 个`;
  const en = `${what.en} is ${result.valid ? 'valid' : 'invalid'}: ${result.objectsChecked} object(s) checked, ${result.errors.length} error(s), ${result.warnings.length} warning(s)`;
  out.stdout(`${zh} / ${en}\n`);
  return result.valid ? 0 : 1;
}
