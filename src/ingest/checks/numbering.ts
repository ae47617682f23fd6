/**
 * Consecutive numbering (DA/T 70 GD-2-6, DA/T 22-2015): 件号 run from 1 without gaps or repeats
 * inside each numbering group, and page images named by sequence number run without gaps.
 */
import { type CodeComponent, type CodeTemplate, parseCode } from '../../domain/archival-code.js';
import { findGaps } from '../../domain/item-number.js';
import type { TransferItem } from '../packages/model.js';
import type { Offending } from './types.js';

const OUTSIDE_GROUP: ReadonlySet<CodeComponent> = new Set(['item', 'page']);

interface Numbered {
  item: string;
  group: string;
  number: number;
}

const asNumber = (v: unknown): number | null => {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.normalize('NFKC').trim() : '';
  return /^\d+$/.test(s) ? Number(s) : null;
};

/**
 * The group is everything in the archival code before the 件号 (全宗, 门类, 年度, 期限, 机构, 案卷…),
 * read with the first template that fits; without a fitting code it is 年度/保管期限/机构.
 */
function numbered(item: TransferItem, templates: readonly CodeTemplate[], add: (o: Offending) => void): Numbered | null {
  const code = typeof item.fields.archival_code === 'string' ? item.fields.archival_code : '';
  const fromField = asNumber(item.fields.item_no);
  for (const template of code ? templates : []) {
    const parts = parseCode(template, code);
    if (!parts || parts.item === undefined) continue;
    const inCode = Number(parts.item);
    if (fromField !== null && fromField !== inCode) {
      add({
        item: item.key,
        reason: `件号 ${fromField} 与档号“${code}”中的件号 ${inCode} 不一致`,
        reason_en: `Item number ${fromField} differs from ${inCode} in the archival code "${code}"`,
      });
    }
    const group = template.slots
      .filter((s) => !OUTSIDE_GROUP.has(s.component) && parts[s.component] !== undefined)
      .map((s) => parts[s.component])
      .join('-');
    return { item: item.key, group, number: inCode };
  }
  if (fromField === null) return null;
  const group = ['year', 'retention', 'org'].map((k) => String(item.fields[k] ?? '')).join('-');
  return { item: item.key, group, number: fromField };
}

function listed(numbers: number[], more: number): string {
  return numbers.join('、') + (more > 0 ? ` 等 ${numbers.length + more} 个` : '');
}

export function checkNumbering(items: readonly TransferItem[], templates: readonly CodeTemplate[]): Offending[] {
  const out: Offending[] = [];
  const groups = new Map<string, Numbered[]>();
  for (const item of items) {
    const n = numbered(item, templates, (o) => out.push(o));
    if (n) groups.set(n.group, [...(groups.get(n.group) ?? []), n]);
  }
  for (const [group, members] of groups) {
    const { missing, missingCount, duplicates } = findGaps(members.map((m) => m.number));
    if (missingCount > 0) {
      const more = missingCount - missing.length;
      out.push({
        reason: `分组“${group}”缺少件号 ${listed(missing, more)}`,
        reason_en: `Group "${group}" lacks item number${missingCount > 1 ? 's' : ''} ${missing.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
      });
    }
    for (const d of duplicates) {
      for (const m of members.filter((x) => x.number === d)) {
        out.push({ item: m.item, reason: `分组“${group}”中件号 ${d} 重复`, reason_en: `Item number ${d} appears more than once in group "${group}"` });
      }
    }
  }
  for (const item of items) out.push(...pageOrder(item));
  return out;
}

/** Only items whose files are all named by number (0001.jpg …) are page sequences. */
function pageOrder(item: TransferItem): Offending[] {
  if (item.files.length < 2) return [];
  const numbers = item.files.map((f) => /^(\d+)\.[^.]+$/.exec(f.name)?.[1]);
  if (numbers.some((n) => n === undefined)) return [];
  const { missing, missingCount, duplicates } = findGaps(numbers.map(Number));
  const out: Offending[] = [];
  if (missingCount > 0) {
    const more = missingCount - missing.length;
    out.push({ item: item.key, reason: `件内缺少第 ${listed(missing, more)} 页`, reason_en: `Page${missingCount > 1 ? 's' : ''} ${missing.join(', ')}${more > 0 ? ` and ${more} more` : ''} missing in the item` });
  }
  if (duplicates.length > 0) {
    out.push({ item: item.key, reason: `件内页号 ${duplicates.join('、')} 重复`, reason_en: `Page number${duplicates.length > 1 ? 's' : ''} ${duplicates.join(', ')} repeated in the item` });
  }
  return out;
}
