import type { CheckSeverity } from '../../domain/four-property-checks.js';
import type { CodeTemplate } from '../../domain/archival-code.js';
import type { Label } from '../../domain/errors.js';

export type ScanVerdict = { path: string; infected: false } | { path: string; infected: true; signature: string } | { path: string; error: string };

export interface VirusScanner {
  /** e.g. 'clamd /run/clamav/clamd.ctl' or 'clamscan', for the report. */
  readonly name: string;
  /** One verdict per path, in any order; a file that could not be scanned gets `error`, never a clean verdict. */
  scan(paths: readonly string[]): Promise<ScanVerdict[]>;
}

export interface CheckEnv {
  /** Which of these archival codes (canonical form, see normalizeCode) are already in the catalogue. */
  existingCodes(codes: string[]): Promise<Set<string>>;
  scanner: VirusScanner | null;
  onProgress?(done: number, total: number): void;
  /** Archival code templates of the receiving 全宗/门类; defaults to the standard templates. */
  codeTemplates?: readonly CodeTemplate[];
  /** The archive's archival format list, replacing the default (see identifyFile). */
  archivalFormatIds?: Iterable<string>;
}

/** Severity per check id at 移交与接收; a missing id takes the catalogue default. */
export type CheckConfig = Record<string, CheckSeverity>;

export interface Offending {
  item?: string;
  path?: string;
  reason: string;
  reason_en: string;
}

export type CheckOutcome = 'pass' | 'fail' | 'manual' | 'na';

export interface CheckResult {
  id: string;
  property: Label;
  name: Label;
  method: Label;
  severity: CheckSeverity;
  result: CheckOutcome;
  offending: Offending[];
  note?: Label;
}

export interface CheckReport {
  checks: CheckResult[];
  /** A check whose severity is blocking failed. */
  blocking: boolean;
  summary: {
    total: number;
    pass: number;
    fail: number;
    manual: number;
    na: number;
    blockingFailures: number;
    warnings: number;
    items: number;
    files: number;
    bytes: number;
  };
}
