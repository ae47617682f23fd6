/**
 * Result types of the OCFL validator and the collector the checks report into. Codes are the
 * ones of the OCFL 1.1 validation-codes table (https://ocfl.io/1.1/spec/validation-codes.html).
 */

export type Severity = 'error' | 'warning';

export interface ValidationFinding {
  code: string;
  severity: Severity;
  /** Relative to the directory that was validated, with `/` separators; `.` is that directory. */
  path: string;
  message: string;
  message_zh: string;
}

export interface ValidationResult {
  valid: boolean;
  kind: 'object' | 'storage-root';
  errors: ValidationFinding[];
  warnings: ValidationFinding[];
  objectsChecked: number;
}

export interface ValidateOptions {
  /** Hash content files against the manifest and fixity blocks; default true. */
  checkDigests?: boolean;
  /** Called with each object root (relative to the validated path) before it is checked. */
  onObject?: (path: string) => void;
}

function joinPath(prefix: string, path: string): string {
  if (prefix === '' || prefix === '.') return path;
  return path === '.' ? prefix : `${prefix}/${path}`;
}

/**
 * Objects inside a storage root report into the root's sink through a scoped view, so their
 * paths come out relative to the storage root without the object checks knowing where they are.
 */
export class FindingSink {
  constructor(
    readonly errors: ValidationFinding[] = [],
    readonly warnings: ValidationFinding[] = [],
    private readonly prefix = '',
  ) {}

  scoped(prefix: string): FindingSink {
    return new FindingSink(this.errors, this.warnings, joinPath(this.prefix, prefix));
  }

  error(code: string, path: string, message: string, message_zh: string): void {
    this.errors.push({ code, severity: 'error', path: joinPath(this.prefix, path), message, message_zh });
  }

  warn(code: string, path: string, message: string, message_zh: string): void {
    this.warnings.push({ code, severity: 'warning', path: joinPath(this.prefix, path), message, message_zh });
  }

  result(kind: ValidationResult['kind'], objectsChecked: number): ValidationResult {
    return { valid: this.errors.length === 0, kind, errors: this.errors, warnings: this.warnings, objectsChecked };
  }
}
