import type { ItemRow } from '../catalog.repository.js';
import type { ItemColumns } from '../item-rules.js';
import type { ColumnBinding } from './mapping.js';

/** The described columns an import may change on an existing item (its code and 件号 stay). */
const UPDATABLE = ['title', 'responsible', 'doc_number', 'date', 'year', 'retention', 'classification', 'secrecy_period', 'open_status', 'pages', 'org', 'notes'] as const;

/** Which stored columns the sheet speaks for: a mapped field, or one derived from a mapped field. */
export function mappedColumns(bindings: ColumnBinding[]): Set<string> {
  const fields = new Set(bindings.map((b) => b.field));
  if (fields.has('date')) fields.add('year');
  if (fields.has('classification')) fields.add('secrecy_period');
  return fields;
}

function canonical(extra: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(extra).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * An existing item with the sheet's values laid over it: mapped fields take the row's value (an
 * empty cell clears an optional field), unmapped ones keep theirs. Null when nothing differs.
 */
export function mergedChanges(existing: ItemRow, columns: ItemColumns, mapped: Set<string>, schemaFields: string[]): Partial<ItemColumns> | null {
  const patch: Partial<ItemColumns> = {};
  let changed = false;
  for (const c of UPDATABLE) {
    if (!mapped.has(c)) continue;
    // Absent optional values are undefined in fresh columns and null in a stored row.
    const value = columns[c] ?? null;
    if (existing[c] !== value) {
      (patch as Record<string, unknown>)[c] = value;
      changed = true;
    }
  }
  const mappedExtra = schemaFields.filter((f) => mapped.has(f));
  if (mappedExtra.length) {
    const before = JSON.parse(existing.extra) as Record<string, unknown>;
    const incoming = JSON.parse(columns.extra) as Record<string, unknown>;
    const after = { ...before };
    for (const f of mappedExtra) {
      if (incoming[f] === undefined) delete after[f];
      else after[f] = incoming[f];
    }
    const text = canonical(after);
    if (text !== canonical(before)) {
      patch.extra = text;
      changed = true;
    }
  }
  return changed ? patch : null;
}

