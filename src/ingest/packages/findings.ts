import type { PackageFinding } from './model.js';

/** Collects a reader's findings so that one pass reports every problem, not just the first. */
export class Findings {
  readonly list: PackageFinding[] = [];

  error(code: string, zh: string, en: string, where: Omit<PackageFinding, 'code' | 'message' | 'message_en' | 'severity'> = {}): void {
    this.list.push({ code, message: zh, message_en: en, severity: 'error', ...where });
  }

  warn(code: string, zh: string, en: string, where: Omit<PackageFinding, 'code' | 'message' | 'message_en' | 'severity'> = {}): void {
    this.list.push({ code, message: zh, message_en: en, severity: 'warning', ...where });
  }
}
