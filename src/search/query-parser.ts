import { DomainError } from '../domain/errors.js';
import { formatPartialDate, parsePartialDate, partialDateBounds, type PartialDate } from '../domain/partial-date.js';
import { termForQuery } from './tokenizer.js';

/**
 * The query language, Chinese first with English accepted:
 *
 *   档案 文书            both (AND; 与 / AND / & may be written)
 *   档案 或 文书         either (或 / OR / |); binds tighter than AND, so 档案 文书 或 文件 = 档案 与 (文书 或 文件)
 *   -草稿  非 草稿       without (- / 非 / NOT)
 *   (…)  （…）           grouping
 *   "…"  “…”             a phrase, spaces and operators taken literally
 *   题名:…  题名：…      field scope for the next term, phrase or group: 题名 责任者 文号 档号 全文
 *                        (title responsible docno code fulltext)
 *   年度:2010-2015  年度:>=2010  日期:2015-01..2015-06-30   ranges (year, date)
 *
 * Operators may be typed half- or full-width. An unknown prefix is no field: abc:def is one term.
 * A term with no letters or digits (a stray "·" or "-") is dropped, as punctuation never matters
 * to matching anyway.
 */

export type SearchField = 'title' | 'responsible' | 'doc_number' | 'archival_code' | 'fulltext' | 'any';
export type QueryNode =
  | { type: 'term'; field: SearchField; text: string }
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  /** Inclusive bounds; a partial date stands for its whole period (from its first day, to its last). */
  | { type: 'range'; field: 'year' | 'date'; from: string | null; to: string | null };

type RangeField = 'year' | 'date';

const FIELD_NAMES: Record<string, Exclude<SearchField, 'any'> | RangeField> = {
  题名: 'title',
  责任者: 'responsible',
  文号: 'doc_number',
  档号: 'archival_code',
  全文: 'fulltext',
  年度: 'year',
  日期: 'date',
  title: 'title',
  responsible: 'responsible',
  docno: 'doc_number',
  code: 'archival_code',
  fulltext: 'fulltext',
  year: 'year',
  date: 'date',
};
const FIELD_LABEL: Record<Exclude<SearchField, 'any'> | RangeField, string> = {
  title: '题名',
  responsible: '责任者',
  doc_number: '文号',
  archival_code: '档号',
  fulltext: '全文',
  year: '年度',
  date: '日期',
};
const FIELD_PREFIX = new RegExp(`^(${Object.keys(FIELD_NAMES).join('|')})[:：]`, 'i');

const OPERATOR_WORDS = new Map<string, 'and' | 'or' | 'not'>([
  ['AND', 'and'],
  ['与', 'and'],
  ['OR', 'or'],
  ['或', 'or'],
  ['NOT', 'not'],
  ['非', 'not'],
]);
const CLOSING_QUOTE = new Map([
  ['"', '"'],
  ['“', '”'],
]);
const WHITESPACE = /\s/u;
/** Characters that end a bare word: whitespace, parentheses, | & and opening quotes. */
const DELIMITER = /[\s()（）|｜&＆"“]/u;

type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'lparen' | 'rparen'; pos: number }
  | { kind: 'and' | 'or' | 'not'; op: string; pos: number }
  | { kind: 'field'; field: Exclude<SearchField, 'any'> | RangeField; name: string; pos: number };

/** The 1-based character (code point) number of a UTF-16 offset, as people count. */
function charNumber(input: string, pos: number): number {
  return Array.from(input.slice(0, pos)).length + 1;
}

/** `position` in details is the UTF-16 offset, ready for an input element's setSelectionRange. */
function invalid(input: string, pos: number, zh: string, en: string): DomainError {
  const n = charNumber(input, pos);
  return new DomainError('SEARCH_QUERY_INVALID', `第 ${n} 个字符处${zh}`, `At character ${n}: ${en}`, { position: pos });
}

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (WHITESPACE.test(ch)) {
      i++;
    } else if (ch === '(' || ch === '（') {
      tokens.push({ kind: 'lparen', pos: i++ });
    } else if (ch === ')' || ch === '）') {
      tokens.push({ kind: 'rparen', pos: i++ });
    } else if ('|｜&＆'.includes(ch)) {
      const pos = i;
      // "||" and "&&" are habits from programming languages: one operator.
      while (i < input.length && input[i] === ch) i++;
      tokens.push({ kind: ch === '|' || ch === '｜' ? 'or' : 'and', op: input.slice(pos, i), pos });
    } else if (CLOSING_QUOTE.has(ch)) {
      const close = input.indexOf(CLOSING_QUOTE.get(ch)!, i + 1);
      if (close < 0) throw invalid(input, i, `的引号 ${ch} 没有闭合`, `the quote ${ch} is never closed`);
      tokens.push({ kind: 'word', text: input.slice(i + 1, close), pos: i });
      i = close + 1;
    } else if ((ch === '-' || ch === '－') && i + 1 < input.length && !/[\s)）|｜&＆]/u.test(input[i + 1]!)) {
      tokens.push({ kind: 'not', op: ch, pos: i++ });
    } else {
      const pos = i;
      while (i < input.length && !DELIMITER.test(input[i]!)) i++;
      const text = input.slice(pos, i);
      const operator = OPERATOR_WORDS.get(text);
      const field = FIELD_PREFIX.exec(text);
      if (operator) {
        tokens.push({ kind: operator, op: text, pos });
      } else if (field) {
        const name = FIELD_NAMES[field[1]!.toLowerCase()]!;
        tokens.push({ kind: 'field', field: name, name: field[0], pos });
        // What follows the colon is lexed afresh, so 题名:-草稿 and 题名:"…" work as they read; a range
        // value is one word whatever it holds, so 年度:-2015 is reported as a bad range, not as a NOT.
        i = pos + field[0].length;
        if ((name === 'year' || name === 'date') && i < input.length && !DELIMITER.test(input[i]!)) {
          tokens.push({ kind: 'word', text: input.slice(i, pos + text.length), pos: i });
          i = pos + text.length;
        }
      } else {
        tokens.push({ kind: 'word', text, pos });
      }
    }
  }
  return tokens;
}

const YEAR = /^(\d{4})年?$/;
const RANGE_SPLIT = /\.\.|~|至|到/;

/** Full-width digits and signs to ASCII, spaces out: range values are typed in all sorts of ways. */
function rangeText(value: string): string {
  return value
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/≥/g, '>=')
    .replace(/≤/g, '<=')
    .replace(/\s+/g, '');
}

function isoDate(d: PartialDate): string {
  return formatPartialDate({ ...d, inferred: false }, 'en');
}

/** The period right after (step 1) or before (step -1) a partial date, at the same precision. */
function adjacentDate(d: PartialDate, step: 1 | -1): PartialDate {
  const y = Number(d.value.slice(0, 4));
  const m = Number(d.value.slice(4, 6) || 1);
  const day = Number(d.value.slice(6, 8) || 1);
  const t = new Date(Date.UTC(y + (d.precision === 'year' ? step : 0), m - 1 + (d.precision === 'month' ? step : 0), day + (d.precision === 'day' ? step : 0)));
  const digits = t.toISOString().slice(0, 10).replace(/-/g, '');
  return { value: digits.slice(0, d.value.length), precision: d.precision, inferred: false };
}

interface Bound<T> {
  from: T | null;
  to: T | null;
}

/** Splits "a-b", "a..b", ">=a", "<b", "a.." and "a" into bounds, with `parse` reading one value (null if it is not one). */
function splitRange<T>(value: string, parse: (s: string) => T | null, next: (v: T, step: 1 | -1) => T): Bound<T> | null {
  const cmp = /^(>=|<=|>|<|=)(.+)$/.exec(value);
  if (cmp) {
    const v = parse(cmp[2]!);
    if (v === null) return null;
    switch (cmp[1]) {
      case '>=':
        return { from: v, to: null };
      case '>':
        return { from: next(v, 1), to: null };
      case '<=':
        return { from: null, to: v };
      case '<':
        return { from: null, to: next(v, -1) };
      default:
        return { from: v, to: v };
    }
  }
  const single = parse(value);
  if (single !== null) return { from: single, to: single };
  const parts = value.split(RANGE_SPLIT);
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    const from = a ? parse(a) : null;
    const to = b ? parse(b) : null;
    if ((a && from === null) || (b && to === null) || (!a && !b)) return null;
    return { from, to };
  }
  if (parts.length > 2) return null;
  // "2015-01-01-2015-06-30": a dash also writes dates, so take the one split where both sides read as values.
  const splits: Bound<T>[] = [];
  for (let k = value.indexOf('-'); k > 0; k = value.indexOf('-', k + 1)) {
    const from = parse(value.slice(0, k));
    const to = parse(value.slice(k + 1));
    if (from !== null && to !== null) splits.push({ from, to });
  }
  return splits.length === 1 ? splits[0]! : null;
}

function parseRange(input: string, field: RangeField, token: Extract<Token, { kind: 'word' }>): QueryNode {
  const value = rangeText(token.text);
  if (field === 'year') {
    const range = splitRange(
      value,
      (s) => YEAR.exec(s)?.[1] ?? null,
      (y, step) => String(Number(y) + step),
    );
    if (!range) {
      throw invalid(input, token.pos, `的年度“${token.text}”无效，应写作 2010、2010-2015、>=2010 或 <=2015`, `invalid year range "${token.text}"; write 2010, 2010-2015, >=2010 or <=2015`);
    }
    if (range.from !== null && range.to !== null && range.from > range.to) {
      throw invalid(input, token.pos, `的年度范围“${token.text}”起点晚于终点`, `the year range "${token.text}" ends before it starts`);
    }
    return { type: 'range', field, ...range };
  }
  const range = splitRange(value, parsePartialDate, adjacentDate);
  if (!range) {
    throw invalid(
      input,
      token.pos,
      `的日期“${token.text}”无效，应写作 2015、2015-06、2015-06-30、2015-01-01..2015-06-30、>=2015-01 或 <=2015-06-30`,
      `invalid date range "${token.text}"; write 2015, 2015-06, 2015-06-30, 2015-01-01..2015-06-30, >=2015-01 or <=2015-06-30`,
    );
  }
  if (range.from && range.to && partialDateBounds(range.from).from > partialDateBounds(range.to).to) {
    throw invalid(input, token.pos, `的日期范围“${token.text}”起点晚于终点`, `the date range "${token.text}" ends before it starts`);
  }
  return { type: 'range', field, from: range.from && isoDate(range.from), to: range.to && isoDate(range.to) };
}

class Parser {
  private i = 0;

  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  parse(): QueryNode {
    const node = this.and('any');
    const rest = this.tokens[this.i];
    if (rest) throw this.unexpected(rest);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private startsOperand(t: Token | undefined): boolean {
    return t !== undefined && (t.kind === 'word' || t.kind === 'lparen' || t.kind === 'not' || t.kind === 'field');
  }

  /** What `parse` reads after `op` (an operator or a field scope), or an error saying it is missing. */
  private operand(op: Token, shown: string, parse: () => QueryNode): QueryNode {
    if (!this.startsOperand(this.peek())) {
      throw invalid(this.input, op.pos, `的“${shown}”后面缺少检索词`, `"${shown}" is not followed by a search term`);
    }
    return parse();
  }

  private and(field: SearchField): QueryNode {
    const children = [this.or(field)];
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'and') {
        this.i++;
        children.push(this.operand(t, t.op, () => this.or(field)));
      } else if (this.startsOperand(t)) {
        children.push(this.or(field));
      } else {
        break;
      }
    }
    return children.length === 1 ? children[0]! : { type: 'and', children };
  }

  private or(field: SearchField): QueryNode {
    const children = [this.unary(field)];
    for (let t = this.peek(); t?.kind === 'or'; t = this.peek()) {
      this.i++;
      children.push(this.operand(t, t.op, () => this.unary(field)));
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  }

  private unary(field: SearchField): QueryNode {
    const t = this.peek();
    if (t?.kind === 'not') {
      this.i++;
      return { type: 'not', child: this.operand(t, t.op, () => this.unary(field)) };
    }
    return this.primary(field);
  }

  /** Only called where a token is known to follow (the first token, or after startsOperand or a checked "("). */
  private primary(field: SearchField): QueryNode {
    const t = this.tokens[this.i++]!;
    switch (t.kind) {
      case 'word':
        return { type: 'term', field, text: t.text };
      case 'lparen': {
        const unclosed = () => invalid(this.input, t.pos, '的“(”缺少对应的“)”', 'the "(" is never closed');
        const next = this.peek();
        if (!next) throw unclosed();
        if (next.kind === 'rparen') throw invalid(this.input, t.pos, '的括号内没有检索词', 'the parentheses are empty');
        const node = this.and(field);
        if (this.peek()?.kind !== 'rparen') throw unclosed();
        this.i++;
        return node;
      }
      case 'field': {
        if (t.field === 'year' || t.field === 'date') {
          const value = this.peek();
          if (value?.kind !== 'word') {
            const what = t.field === 'year' ? ['年份', 'a year'] : ['日期', 'a date'];
            throw invalid(this.input, t.pos, `的“${t.name}”后面缺少${what[0]}`, `"${t.name}" is not followed by ${what[1]}`);
          }
          this.i++;
          return parseRange(this.input, t.field, value);
        }
        const scoped = t.field;
        return this.operand(t, t.name, () => this.unary(scoped));
      }
      default:
        throw this.unexpected(t);
    }
  }

  private unexpected(t: Token): DomainError {
    if (t.kind === 'rparen') return invalid(this.input, t.pos, '的“)”没有对应的“(”', 'the ")" has no matching "("');
    const shown = 'op' in t ? t.op : '';
    return invalid(this.input, t.pos, `的“${shown}”前面缺少检索词`, `"${shown}" has no search term before it`);
  }
}

/** Drops terms with nothing to search, NOTs and groups left empty by that, and double negation; flattens and/or. */
function normalize(node: QueryNode): QueryNode | null {
  switch (node.type) {
    case 'term':
      return termForQuery(node.text) ? node : null;
    case 'range':
      return node;
    case 'not': {
      const child = normalize(node.child);
      if (!child) return null;
      return child.type === 'not' ? child.child : { type: 'not', child };
    }
    default: {
      const children = node.children
        .map(normalize)
        .filter((c): c is QueryNode => c !== null)
        .flatMap((c) => (c.type === node.type ? (c as typeof node).children : [c]));
      if (children.length <= 1) return children[0] ?? null;
      return { type: node.type, children };
    }
  }
}

function hasPositiveTerm(node: QueryNode): boolean {
  if (node.type === 'term') return true;
  return (node.type === 'and' || node.type === 'or') && node.children.some(hasPositiveTerm);
}

function hasNot(node: QueryNode): boolean {
  if (node.type === 'not') return true;
  return (node.type === 'and' || node.type === 'or') && node.children.some(hasNot);
}

export function parseQuery(input: string): QueryNode {
  const tokens = lex(input);
  if (!tokens.length) throw new DomainError('SEARCH_QUERY_EMPTY', '请输入检索词', 'Enter a search term');
  const node = normalize(new Parser(input, tokens).parse());
  if (!node) {
    throw new DomainError('SEARCH_QUERY_EMPTY', '检索式中没有可检索的文字或数字（标点和空格不参与检索）', 'The query has no letters or digits to search for (punctuation and spaces are ignored)');
  }
  if (!hasPositiveTerm(node) && hasNot(node)) {
    throw new DomainError('SEARCH_QUERY_ONLY_NOT', '检索式至少要有一个不带“非”（NOT、-）的检索词', 'The query needs at least one term that is not negated with NOT or -');
  }
  return node;
}

/** Search within previous results (递进检索): both must hold. */
export function andQuery(a: QueryNode, b: QueryNode): QueryNode {
  return { type: 'and', children: [a, b].flatMap((n) => (n.type === 'and' ? n.children : [n])) };
}

function quoteTerm(text: string): string {
  const bare =
    text !== '' &&
    !DELIMITER.test(text) &&
    !/[)）]/.test(text) &&
    !/^[-－]/.test(text) &&
    !OPERATOR_WORDS.has(text) &&
    !FIELD_PREFIX.test(text);
  if (bare) return text;
  if (!text.includes('"')) return `"${text}"`;
  if (!text.includes('”')) return `“${text}”`;
  // Quotes are separators to matching, so a look-alike keeps the meaning.
  return `"${text.replace(/"/g, '＂')}"`;
}

/** The one field every term below shares, or null (also when a range or an unscoped term is among them). */
function commonField(node: QueryNode): Exclude<SearchField, 'any'> | null {
  switch (node.type) {
    case 'term':
      return node.field === 'any' ? null : node.field;
    case 'range':
      return null;
    case 'not':
      return commonField(node.child);
    default: {
      const fields = node.children.map(commonField);
      return fields.every((f) => f !== null && f === fields[0]) ? fields[0]! : null;
    }
  }
}

function describe(node: QueryNode, scoped: boolean): string {
  switch (node.type) {
    case 'term':
      return (scoped || node.field === 'any' ? '' : `${FIELD_LABEL[node.field]}:`) + quoteTerm(node.text);
    case 'range': {
      const label = FIELD_LABEL[node.field];
      if (node.from !== null && node.to !== null) {
        if (node.from === node.to) return `${label}:${node.from}`;
        return `${label}:${node.from}${node.field === 'year' ? '-' : '..'}${node.to}`;
      }
      return node.from !== null ? `${label}:>=${node.from}` : `${label}:<=${node.to ?? ''}`;
    }
    case 'not':
      return `非 ${operand(node.child, scoped)}`;
    default: {
      const field = scoped ? null : commonField(node);
      if (field) return `${FIELD_LABEL[field]}:(${describe(node, true)})`;
      return node.children.map((c) => operand(c, scoped)).join(node.type === 'and' ? ' ' : ' 或 ');
    }
  }
}

/**
 * A node as one operand: a group in parentheses unless it is written 题名:(…) anyway. OR binds
 * tighter than AND and would need none inside it, but 档案 (文书 或 文件) reads more plainly.
 */
function operand(node: QueryNode, scoped: boolean): string {
  const text = describe(node, scoped);
  const grouped = (node.type === 'and' || node.type === 'or') && (scoped || !commonField(node));
  return grouped ? `(${text})` : text;
}

/** Canonical query text for a node (Chinese operators, fields written out); parseQuery reads it back to the same node. */
export function describeQuery(node: QueryNode): string {
  return describe(node, false);
}
