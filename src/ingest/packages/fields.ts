import { importFields, suggestMapping } from '../../catalog/import/mapping.js';

const FIELDS = importFields([]);

/**
 * DA/T 46 element names that the catalogue import's header synonyms do not cover. 室编件号 is
 * listed first: the record room's own number is the 件号 the 档号 ends with.
 */
const DAT46_NAMES: Record<string, string> = {
  室编件号: 'item_no',
  馆编件号: 'item_no',
  文件题名: 'title',
};

const INTEGER_FIELDS = new Set(['pages', 'year']);

/**
 * The package's own names → Lantai core field names, with the catalogue import's header rules
 * (全角, spaces, synonyms like 文号 → doc_number). Each field is filled once, by the first name
 * that maps to it; empty values are left out. Values stay as written, except that 页数 and 年度
 * become numbers when they are whole numbers: checking them is validateCoreFields' job.
 */
export function toCoreFields(metadata: Record<string, string>): Record<string, string | number> {
  const names = Object.keys(metadata).filter((k) => metadata[k]!.trim() !== '');
  const preset: Record<string, string> = {};
  for (const name of names) if (Object.hasOwn(DAT46_NAMES, name)) preset[name] = DAT46_NAMES[name]!;
  const mapping = suggestMapping(names, FIELDS, preset);
  const fields: Record<string, string | number> = {};
  for (const [name, field] of Object.entries(mapping)) {
    const value = metadata[name]!.trim();
    const whole = value.normalize('NFKC');
    fields[field] = INTEGER_FIELDS.has(field) && /^\d+$/.test(whole) ? Number(whole) : value;
  }
  return fields;
}
