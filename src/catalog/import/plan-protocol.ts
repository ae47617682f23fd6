import type { NumberingGroup } from '../catalog.repository.js';
import type { CategoryRules } from '../item-rules.js';
import type { TextEncoding } from './encoding.js';
import type { SheetFormat } from './file-type.js';
import type { ColumnBinding } from './mapping.js';

/** What the planning thread is started with: the sheet and the rules, all plain data. */
export interface PlanJob {
  path: string;
  format: SheetFormat;
  encoding: TextEncoding;
  headerRow: number;
  batchRows: number;
  rules: CategoryRules;
  bindings: ColumnBinding[];
  clearance: string;
}

/** An error carried across the thread boundary with the fields the API shows. */
export interface WireError {
  status?: number;
  code?: string;
  message: string;
  message_en?: string;
  details?: Record<string, unknown>;
}

/** Planning thread → import. Batches travel as JSON text: parsing it costs the importing thread less than a structured clone. */
export type PlanMessage =
  | { type: 'batch'; rows: number; planned: string }
  | { type: 'max'; id: number; group: NumberingGroup }
  | { type: 'done' }
  | { type: 'error'; error: WireError };

/** Import → planning thread: a stored maximum 件号, or leave to send one more batch. */
export type ImportMessage = { type: 'max'; id: number; value: number } | { type: 'credit' };
