/**
 * 档号 (archival codes) per DA/T 13-2022: rendered from stored components through a
 * per-全宗/门类 template, because real holdings use several structures (DA/T 13-2022,
 * the DA/T 22-2015 style, legacy 目录号-based codes) and none can be hard-coded.
 *
 * Template syntax: `{name}` components joined by `-` (连接号, next level down) or `·`
 * (间隔号, same level). `{name:N}` zero-pads a numeric value to N digits; `{name?}`
 * (or `{name:N?}`) is optional and vanishes with its separator when empty.
 */
import { DomainError, type Label } from './errors.js';

export const CODE_COMPONENTS = [
  'fonds', 'category', 'class2', 'class3', 'class4', 'project', 'catalog',
  'year', 'retention', 'org', 'volume', 'group', 'item', 'page',
] as const;
export type CodeComponent = (typeof CODE_COMPONENTS)[number];

const LABELS: Record<CodeComponent, Label> = {
  fonds: { zh: '全宗号', en: 'Fonds number' },
  category: { zh: '门类代码', en: 'Category code' },
  class2: { zh: '二级类别号', en: 'Second-level class' },
  class3: { zh: '三级类别号', en: 'Third-level class' },
  class4: { zh: '四级类别号', en: 'Fourth-level class' },
  project: { zh: '项目号', en: 'Project number' },
  catalog: { zh: '目录号', en: 'Catalogue number' },
  year: { zh: '年度', en: 'Year' },
  retention: { zh: '保管期限', en: 'Retention period' },
  org: { zh: '机构(问题)', en: 'Organisational unit (subject)' },
  volume: { zh: '案卷号', en: 'Volume number' },
  group: { zh: '组号', en: 'Group number' },
  item: { zh: '件号', en: 'Item number' },
  page: { zh: '页号', en: 'Page number' },
};

export function componentLabel(c: CodeComponent): Label {
  return LABELS[c];
}

export function isCodeComponent(name: string): name is CodeComponent {
  return (CODE_COMPONENTS as readonly string[]).includes(name);
}

export type CodeSeparator = '-' | '·';
export const LEVEL_SEPARATOR = '-';
export const SAME_LEVEL_SEPARATOR = '·';
const MAX_WIDTH = 20;

export interface TemplateSlot {
  component: CodeComponent;
  width?: number;
  optional: boolean;
  /** The separator written before this component; null for the first one. */
  separator: CodeSeparator | null;
}

export interface CodeTemplate {
  source: string;
  slots: readonly TemplateSlot[];
}

export type CodeValues = Partial<Record<CodeComponent, string | number | null | undefined>>;

// Chinese input methods and word processors produce these instead of the two separators.
const DASH_LOOKALIKES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const DOT_LOOKALIKES = /[\u0387\u2022\u2027\u2219\u22C5\u30FB\uFF65]/g;

/**
 * Canonical spelling of a code or template: NFKC (full-width letters, digits, braces and
 * colons typed with a Chinese IME become ASCII) and look-alike dashes and dots become the
 * two separators, so one code cannot be stored under two spellings.
 */
export function normalizeCode(s: string): string {
  return s.normalize('NFKC').replace(DASH_LOOKALIKES, '-').replace(DOT_LOOKALIKES, '·').trim();
}

function templateError(source: string, zh: string, en: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('TEMPLATE_INVALID', `档号模板“${source}”无效：${zh}`, `Invalid archival code template "${source}": ${en}`, {
    template: source,
    ...details,
  });
}

function parseSlot(source: string, inner: string, separator: CodeSeparator | null, position: number): TemplateSlot {
  const at = { position };
  const optional = inner.endsWith('?');
  const body = (optional ? inner.slice(0, -1) : inner).trim();
  const parts = body.split(':').map((p) => p.trim());
  const name = parts[0] ?? '';
  if (name === '') throw templateError(source, `第 ${position} 个字符处的组成部分为空`, `empty component at character ${position}`, at);
  if (name.includes('?')) {
    const fixed = `{${name.replaceAll('?', '')}${parts[1] === undefined ? '' : `:${parts[1]}`}?}`;
    throw templateError(source, `“?”须写在组成部分末尾，例如 ${fixed}`, `"?" must come last, e.g. ${fixed}`, at);
  }
  if (!isCodeComponent(name)) {
    throw templateError(source, `未知的组成部分“${name}”，可用：${CODE_COMPONENTS.join(', ')}`, `unknown component "${name}"; known: ${CODE_COMPONENTS.join(', ')}`, {
      ...at,
      component: name,
    });
  }
  if (parts.length > 2) throw templateError(source, `组成部分“${body}”中有多余的冒号`, `too many colons in "${body}"`, at);
  const slot: TemplateSlot = { component: name, optional, separator };
  if (parts.length === 2) {
    const w = parts[1] ?? '';
    if (!/^\d{1,2}$/.test(w) || Number(w) < 1 || Number(w) > MAX_WIDTH) {
      throw templateError(source, `“${name}”的位数“${w}”无效，应为 1–${MAX_WIDTH} 的整数`, `width "${w}" of "${name}" must be an integer from 1 to ${MAX_WIDTH}`, {
        ...at,
        component: name,
      });
    }
    slot.width = Number(w);
  }
  return slot;
}

/** Parses an archivist-written template; throws TEMPLATE_INVALID naming the exact problem. */
export function parseTemplate(src: string): CodeTemplate {
  const chars = Array.from(normalizeCode(src));
  if (chars.length === 0) throw templateError(src, '模板为空', 'the template is empty');
  const slots: TemplateSlot[] = [];
  let pending: CodeSeparator | null = null;
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] ?? '';
    const position = i + 1;
    if (/\s/u.test(ch)) {
      i++;
    } else if (ch === '-' || ch === '·') {
      if (slots.length === 0) throw templateError(src, `不能以分隔符“${ch}”开头`, `must not start with the separator "${ch}"`, { position });
      if (pending !== null) throw templateError(src, `第 ${position} 个字符处两个分隔符相连`, `two separators in a row at character ${position}`, { position });
      pending = ch;
      i++;
    } else if (ch === '{') {
      const end = chars.indexOf('}', i);
      const next = chars.indexOf('{', i + 1);
      if (end < 0 || (next >= 0 && next < end)) {
        throw templateError(src, `第 ${position} 个字符处的“{”没有对应的“}”`, `"{" at character ${position} is not closed`, { position });
      }
      if (slots.length > 0 && pending === null) {
        throw templateError(src, `第 ${position} 个字符处的组成部分前缺少分隔符“-”或“·”`, `missing "-" or "·" before the component at character ${position}`, { position });
      }
      const slot = parseSlot(src, chars.slice(i + 1, end).join('').trim(), pending, position);
      if (slots.some((s) => s.component === slot.component)) {
        throw templateError(src, `组成部分“${slot.component}”重复`, `component "${slot.component}" appears twice`, { position, component: slot.component });
      }
      slots.push(slot);
      pending = null;
      i = end + 1;
    } else if (ch === '}') {
      throw templateError(src, `第 ${position} 个字符处的“}”没有对应的“{”`, `unmatched "}" at character ${position}`, { position });
    } else {
      throw templateError(
        src,
        `第 ${position} 个字符“${ch}”不允许：组成部分写在花括号中，之间只能用“-”或“·”`,
        `character "${ch}" at ${position} is not allowed: components go in braces, joined only by "-" or "·"`,
        { position },
      );
    }
  }
  if (pending !== null) throw templateError(src, `不能以分隔符“${pending}”结尾`, `must not end with the separator "${pending}"`);
  if (slots.every((s) => s.optional)) throw templateError(src, '至少需要一个必填的组成部分', 'at least one component must be required');
  return { source: src, slots };
}

export function templateComponents(t: CodeTemplate): CodeComponent[] {
  return t.slots.map((s) => s.component);
}

/**
 * When optional components are dropped, the separators around them merge into the
 * stronger one: `{a}-{b?}·{c}` without b is `a-c`, since c still starts a new level.
 */
function stronger(a: CodeSeparator | null, b: CodeSeparator | null): CodeSeparator | null {
  return a === '-' || b === '-' ? '-' : (a ?? b);
}

function componentError(code: string, component: CodeComponent, zh: string, en: string, value?: unknown): DomainError {
  const label = LABELS[component];
  return new DomainError(code, `档号组成部分“${label.zh}”${zh}`, `Archival code component "${label.en}" ${en}`, {
    component,
    ...(value === undefined ? {} : { value }),
  });
}

/** The component's text in a code, or null when empty. */
function componentText(slot: TemplateSlot, raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  let text: string;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) throw componentError('CODE_COMPONENT_INVALID', slot.component, '必须是非负整数', 'must be a non-negative integer', raw);
    text = String(raw);
  } else if (typeof raw === 'string') {
    text = normalizeCode(raw);
  } else {
    throw componentError('CODE_COMPONENT_INVALID', slot.component, '必须是文字或数字', 'must be text or a number', raw);
  }
  if (text === '') return null;
  if (/[-·{}\s\p{Cc}]/u.test(text)) {
    throw componentError('CODE_COMPONENT_INVALID', slot.component, '不能包含“-”“·”、空白或控制字符', 'must not contain "-", "·", whitespace or control characters', raw);
  }
  if (slot.width !== undefined) {
    if (!/^\d+$/.test(text)) throw componentError('CODE_COMPONENT_INVALID', slot.component, '必须是数字', 'must be digits', raw);
    // Canonical padding: "00005" and 5 must give the same code.
    text = text.replace(/^0+(?=\d)/, '').padStart(slot.width, '0');
  }
  return text;
}

/** Renders a code; a value wider than its padding is kept whole (件号 10000 with width 4). */
export function renderCode(t: CodeTemplate, values: CodeValues): string {
  let out = '';
  let pending: CodeSeparator | null = null;
  let first = true;
  for (const slot of t.slots) {
    pending = stronger(pending, slot.separator);
    const text = componentText(slot, values[slot.component]);
    if (text === null) {
      if (!slot.optional) throw componentError('CODE_COMPONENT_MISSING', slot.component, '不能为空', 'is required');
      continue;
    }
    if (!first) out += pending ?? '';
    out += text;
    pending = null;
    first = false;
  }
  return out;
}

function fits(slot: TemplateSlot, segment: string): boolean {
  if (slot.width === undefined) return true;
  return /^\d+$/.test(segment) && segment.length >= slot.width && (segment.length === slot.width || !segment.startsWith('0'));
}

/**
 * Splits a code back into components (as written in the code, padding kept), or null when
 * it does not fit. With several optional components an ambiguous code takes the reading
 * that keeps the earliest optional components.
 */
export function parseCode(t: CodeTemplate, code: string): Partial<Record<CodeComponent, string>> | null {
  const segments: string[] = [''];
  const separators: CodeSeparator[] = [];
  for (const ch of normalizeCode(code)) {
    if (ch === '-' || ch === '·') {
      separators.push(ch);
      segments.push('');
    } else {
      segments[segments.length - 1] += ch;
    }
  }
  if (segments.some((s) => s === '' || /[\s\p{Cc}{}]/u.test(s))) return null;

  const out: Partial<Record<CodeComponent, string>> = {};
  const walk = (si: number, gi: number, pending: CodeSeparator | null): boolean => {
    const slot = t.slots[si];
    if (slot === undefined) return gi === segments.length;
    const sep = stronger(pending, slot.separator);
    const segment = segments[gi];
    if (segment !== undefined && (gi === 0 || separators[gi - 1] === sep) && fits(slot, segment)) {
      out[slot.component] = segment;
      if (walk(si + 1, gi + 1, null)) return true;
      delete out[slot.component];
    }
    return slot.optional && walk(si + 1, gi, gi === 0 ? null : sep);
  };
  return walk(0, 0, null) ? out : null;
}

export type StandardTemplateName = 'item' | 'volume' | 'volume_code' | 'item_dat22' | 'photo' | 'legacy_volume';

export interface StandardTemplate extends CodeTemplate {
  name: StandardTemplateName;
  label: Label;
}

function standard(name: StandardTemplateName, source: string, label: Label): StandardTemplate {
  return { ...parseTemplate(source), name, label };
}

/** Starting points offered when a 门类 is set up; each 全宗/门类 may define its own. */
export const STANDARD_TEMPLATES: Readonly<Record<StandardTemplateName, StandardTemplate>> = {
  item: standard('item', '{fonds}-{category}·{year}·{retention}·{org?}-{item:4}', {
    zh: '按件整理（DA/T 13-2022）',
    en: 'Item-level arrangement (DA/T 13-2022)',
  }),
  volume: standard('volume', '{fonds}-{category}·{year}·{retention}-{volume:3}-{item:3}', {
    zh: '按卷整理：卷内文件',
    en: 'Volume arrangement: item in a volume',
  }),
  volume_code: standard('volume_code', '{fonds}-{category}·{year}·{retention}-{volume:3}', {
    zh: '按卷整理：案卷档号',
    en: 'Volume arrangement: the volume itself',
  }),
  item_dat22: standard('item_dat22', '{fonds}-{category}·{year}-{retention}-{org?}-{item:4}', {
    zh: '按件整理（DA/T 22-2015 式）',
    en: 'Item-level arrangement (DA/T 22-2015 style)',
  }),
  photo: standard('photo', '{fonds}-{category}·{year}·{retention}-{group:3}-{item:3}', {
    zh: '照片（组号-张号）',
    en: 'Photographs (group and item)',
  }),
  legacy_volume: standard('legacy_volume', '{fonds}-{catalog:3}-{volume:3}-{item:3}', {
    zh: '旧档：目录号-案卷号-件号',
    en: 'Legacy: catalogue, volume and item',
  }),
};
