import type { AppError } from '../../platform/errors.js';

/** One problem found in a bag. `message` is English, `message_zh` Chinese; `path` is relative to the bag. */
export interface Finding {
  code: string;
  path?: string;
  message: string;
  message_zh: string;
}

export interface BagValidation {
  /** No errors; warnings do not make a bag invalid. */
  valid: boolean;
  errors: Finding[];
  warnings: Finding[];
  /** Files under data/ actually present. */
  payloadFiles: number;
  payloadBytes: number;
  /** Algorithms of the payload manifests that could be verified, sorted. */
  algorithms: string[];
  /** bag-info.txt in file order, continuation lines unfolded, repeated labels kept. */
  info: Array<[string, string]>;
}

/** Collects findings so that one run reports every problem, not just the first. */
export class FindingList {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];

  error(code: string, path: string | undefined, zh: string, en: string): void {
    this.errors.push(make(code, path, zh, en));
  }

  warn(code: string, path: string | undefined, zh: string, en: string): void {
    this.warnings.push(make(code, path, zh, en));
  }

  /** A refusal from the unpacker or the tree walk, reported as a finding of the bag. */
  refused(e: AppError): void {
    const entry = e.details?.entry;
    this.errors.push(make(e.code, typeof entry === 'string' && entry !== '' ? entry : undefined, e.message, e.message_en));
  }
}

function make(code: string, path: string | undefined, zh: string, en: string): Finding {
  return path === undefined ? { code, message: en, message_zh: zh } : { code, path, message: en, message_zh: zh };
}
