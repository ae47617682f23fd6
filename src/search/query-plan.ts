import { DomainError } from '../domain/errors.js';
import type { QueryNode, SearchField } from './query-parser.js';
import { fts5Match, type QueryTerm, termForQuery, tsquery } from './tokenizer.js';

/**
 * A parsed query turned into what each backend runs. Matching is boolean over whole items:
 * SQLite evaluates the whole expression in one FTS5 MATCH (an item is one FTS5 row); PostgreSQL
 * may split an item's full text over several rows (positions stop at 16,383), so it retrieves
 * candidates with a query that can only over-match (`relaxed`) and, when the expression needs
 * it, checks each candidate exactly, leaf by leaf (`exact`).
 */
export interface QueryPlan {
  fts5: string;
  relaxed: string;
  exact: PgCondition | null;
  ranges: RangeFilter[];
  /** The positive terms as typed, for highlighting. */
  highlight: string[];
}

export type PgCondition = { type: 'leaf'; tsquery: string } | { type: 'and' | 'or'; children: PgCondition[] } | { type: 'not'; child: PgCondition };

export interface RangeFilter {
  field: 'year' | 'date';
  from: string | null;
  to: string | null;
}

/** FTS5 column and PostgreSQL lexeme prefix of each indexed field. */
export const INDEX_FIELDS = {
  title: 't',
  responsible: 'r',
  doc_number: 'n',
  archival_code: 'c',
  other: 'o',
  fulltext: 'x',
} as const;
export type IndexField = keyof typeof INDEX_FIELDS;

/** The FTS5 column holding filter tokens, and the PostgreSQL lexeme prefix of the same. */
export const FILTER_COLUMN = 'filters';
export const FILTER_PREFIX = '#';
const TEXT_COLUMNS = Object.keys(INDEX_FIELDS).join(' ');

function invalid(message: string, messageEn: string, details?: Record<string, unknown>): DomainError {
  return new DomainError('SEARCH_QUERY_INVALID', message, messageEn, details);
}

interface Leaf {
  field: SearchField;
  term: QueryTerm;
  text: string;
}

type Tree = { type: 'leaf'; leaf: Leaf } | { type: 'and' | 'or'; children: Tree[] } | { type: 'not'; child: Tree };

function toTree(node: QueryNode, ranges: RangeFilter[], topLevel: boolean): Tree | null {
  switch (node.type) {
    case 'term': {
      const term = termForQuery(node.text);
      if (!term) throw invalid(`检索词“${node.text}”只含标点或空白，无法检索`, `The term "${node.text}" holds only punctuation or spaces`, { term: node.text });
      return { type: 'leaf', leaf: { field: node.field, term, text: node.text } };
    }
    case 'range':
      if (!topLevel) throw invalid('年度、日期范围只能与其他条件以“与”连接', 'A year or date range can only be combined with AND', { field: node.field });
      ranges.push({ field: node.field, from: node.from, to: node.to });
      return null;
    case 'not': {
      const child = toTree(node.child, ranges, false);
      return child && { type: 'not', child };
    }
    case 'and': {
      const children = node.children.map((c) => toTree(c, ranges, topLevel)).filter((c): c is Tree => c !== null);
      if (!children.length) return null;
      return children.length === 1 ? children[0]! : { type: 'and', children };
    }
    case 'or': {
      const children = node.children.map((c) => toTree(c, ranges, false)).filter((c): c is Tree => c !== null);
      return children.length === 1 ? children[0]! : { type: 'or', children };
    }
  }
}

const columnOf = (field: SearchField): IndexField | null => (field === 'any' ? null : field);
const fieldsOf = (field: SearchField): IndexField[] => (field === 'any' ? (Object.keys(INDEX_FIELDS) as IndexField[]) : [field]);

function fts5Of(tree: Tree): string {
  switch (tree.type) {
    case 'leaf': {
      const column = columnOf(tree.leaf.field);
      const match = fts5Match(tree.leaf.term);
      // Unscoped terms search every text column, never the filter tokens.
      return `{${column ?? TEXT_COLUMNS}} : ${match}`;
    }
    case 'or':
      if (tree.children.some((c) => c.type === 'not')) throw notInOr();
      return `(${tree.children.map(fts5Of).join(' OR ')})`;
    case 'and': {
      const positive = tree.children.filter((c) => c.type !== 'not');
      const negative = tree.children.filter((c): c is Extract<Tree, { type: 'not' }> => c.type === 'not');
      if (!positive.length) throw onlyNot();
      const head = positive.length === 1 ? fts5Of(positive[0]!) : `(${positive.map(fts5Of).join(' AND ')})`;
      return negative.reduce((acc, n) => `(${acc} NOT ${fts5Of(n.child)})`, head);
    }
    case 'not':
      throw onlyNot();
  }
}

const notInOr = () => invalid('“或”的两边不能是排除条件（NOT）', 'NOT cannot stand on one side of an OR');
const onlyNot = () => new DomainError('SEARCH_QUERY_ONLY_NOT', '检索式至少要有一个不带“非”的检索词', 'A query needs at least one term that is not negated');

function leafTsquery(leaf: Leaf): string {
  const parts = fieldsOf(leaf.field).map((f) => `(${tsquery(leaf.term, INDEX_FIELDS[f])})`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' | ')})`;
}

/** A query that matches every item the tree matches (and maybe more): NOT branches are dropped, an AND keeps its first positive child. */
function relaxedOf(tree: Tree): string {
  switch (tree.type) {
    case 'leaf':
      return leafTsquery(tree.leaf);
    case 'or':
      return `(${tree.children.map(relaxedOf).join(' | ')})`;
    case 'and':
      return relaxedOf(tree.children.find((c) => c.type !== 'not')!);
    case 'not':
      throw onlyNot();
  }
}

function exactOf(tree: Tree): PgCondition {
  switch (tree.type) {
    case 'leaf':
      return { type: 'leaf', tsquery: leafTsquery(tree.leaf) };
    case 'not':
      return { type: 'not', child: exactOf(tree.child) };
    default:
      return { type: tree.type, children: tree.children.map(exactOf) };
  }
}

/** Whether the relaxed query already is the exact one: a leaf, or an OR of leaves. */
function relaxedIsExact(tree: Tree): boolean {
  return tree.type === 'leaf' || (tree.type === 'or' && tree.children.every(relaxedIsExact));
}

function positiveLeaves(tree: Tree, out: Leaf[] = []): Leaf[] {
  if (tree.type === 'leaf') out.push(tree.leaf);
  else if (tree.type !== 'not') for (const c of tree.children) positiveLeaves(c, out);
  return out;
}

export function planQuery(node: QueryNode): QueryPlan {
  const ranges: RangeFilter[] = [];
  const tree = toTree(node, ranges, true);
  if (!tree) throw invalid('检索式没有检索词', 'The query has no search term');
  const fts5 = fts5Of(tree);
  const leaves = positiveLeaves(tree);
  return {
    fts5,
    relaxed: relaxedOf(tree),
    exact: relaxedIsExact(tree) ? null : exactOf(tree),
    ranges,
    highlight: [...new Set(leaves.map((l) => l.text))],
  };
}
