import { canAccess } from '../../domain/classification.js';
import { type Issue, issue } from '../../domain/errors.js';
import type { NumberingGroup } from '../catalog.repository.js';
import { type CategoryRules, type ItemColumns, buildColumns, itemNoFromSuppliedCode, numberingGroup, validateItemFields } from '../item-rules.js';
import { type RowError, rowError } from './import-errors.js';
import type { ColumnBinding } from './mapping.js';
import type { SheetRow } from './sheet-rows.js';

/** A row that passed every check on its own and within the sheet: the columns it will be stored with. */
export interface PlannedRow {
  row: number;
  columns: ItemColumns;
}

export type PlanResult = PlannedRow | { row: number; errors: RowError[] };

export const isPlanned = (r: PlanResult): r is PlannedRow => 'columns' in r;

interface GroupNumbers {
  /** Highest 件号 in the database, read the first time a row of the group needs a number. */
  stored: number | null;
  /** Highest 件号 given to a valid row of this sheet so far. */
  sheet: number;
}

const groupKey = (g: NumberingGroup) => `${g.year ?? ''}\u0001${g.retention ?? ''}\u0001${g.org ?? ''}\u0001${g.volumeId ?? ''}`;

/**
 * Turns sheet rows into item columns with the same rules as a form entry (validateItemFields,
 * itemNoFromSuppliedCode, buildColumns), and adds what only a sheet needs: rows without a 档号
 * take the next 件号 of their numbering group after the database and the rows above them, and a
 * 档号 that occurs twice in the sheet is an error on the later row.
 */
export class RowPlanner {
  private readonly codes = new Map<string, number>();
  private readonly groups = new Map<string, GroupNumbers>();
  private readonly columnOf: Map<string, string>;

  constructor(
    private readonly rules: CategoryRules,
    private readonly bindings: ColumnBinding[],
    private readonly clearance: string,
    private readonly storedMax: (group: NumberingGroup) => Promise<number>,
  ) {
    this.columnOf = new Map(bindings.map((b) => [b.field, b.column]));
    // Code components are reported under their own names; 件号 lives in the item_no column.
    const itemColumn = this.columnOf.get('item_no');
    if (itemColumn !== undefined) this.columnOf.set('item', itemColumn);
  }

  private fail(row: number, issues: Issue[]): { row: number; errors: RowError[] } {
    return { row, errors: issues.map((i) => rowError(row, i, i.field === undefined ? undefined : this.columnOf.get(i.field))) };
  }

  async plan(rows: SheetRow[]): Promise<PlanResult[]> {
    const out: PlanResult[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const { row, cells } = rows[r]!;
      const fields: Record<string, unknown> = {};
      for (const b of this.bindings) {
        const v = cells[b.index];
        if (v !== undefined && v !== '') fields[b.field] = v;
      }
      const { item, issues } = validateItemFields(this.rules, fields);
      if (!item) {
        out[r] = this.fail(row, issues);
        continue;
      }
      if (!canAccess(this.clearance, item.core.classification)) {
        out[r] = this.fail(row, [issue('classification', 'ABOVE_CLEARANCE', `不能导入高于本人密级权限（${this.clearance}）的文件`, `You cannot import an item above your own clearance (${this.clearance})`)]);
        continue;
      }
      const supplied = itemNoFromSuppliedCode(this.rules, item);
      if (supplied.issue) {
        out[r] = this.fail(row, [supplied.issue]);
        continue;
      }
      const group = numberingGroup(this.rules, item.core, null);
      const key = groupKey(group);
      let numbers = this.groups.get(key);
      if (!numbers) this.groups.set(key, (numbers = { stored: null, sheet: 0 }));
      let itemNo = supplied.itemNo;
      if (itemNo === null) {
        numbers.stored ??= await this.storedMax(group);
        itemNo = Math.max(numbers.stored, numbers.sheet) + 1;
      }
      const { columns, issue: codeIssue } = buildColumns(this.rules, item, itemNo, null);
      if (!columns) {
        out[r] = this.fail(row, [codeIssue!]);
        continue;
      }
      const first = this.codes.get(columns.archival_code);
      if (first !== undefined) {
        out[r] = this.fail(row, [issue('archival_code', 'DUPLICATE_IN_SHEET', `档号“${columns.archival_code}”与第 ${first} 行重复`, `Archival code "${columns.archival_code}" repeats row ${first}`, { firstRow: first })]);
        continue;
      }
      this.codes.set(columns.archival_code, row);
      if (itemNo > numbers.sheet) numbers.sheet = itemNo;
      out[r] = { row, columns };
    }
    return out;
  }
}
