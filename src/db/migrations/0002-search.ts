import { sql, type Kysely } from 'kysely';
import type { MigrationTypes } from '../migrate.js';

/**
 * The search index (module `search`). SQLite keeps one FTS5 row per item, its rowid the item's
 * id, with a column per searchable field; the rows hold our own bigram tokens (see
 * search/tokenizer.ts), split by FTS5's `ascii` tokenizer, which keeps every non-ASCII character
 * inside a token. Contentless: the text lives in the catalogue, the index only finds it.
 * PostgreSQL keeps the same tokens in a `tsvector`, each lexeme prefixed by its field letter so
 * one GIN index serves field-scoped and unscoped queries; its positions stop at 16,383, so long
 * full texts continue in further rows of the same item (part 1, 2, …).
 * Filter values (fonds, category, year…) are index terms too (search/filter-terms.ts): the `filters`
 * column on SQLite, '#'-prefixed lexemes on PostgreSQL.
 * Page texts are kept for snippets and to open the viewer at the page of a hit.
 */
export async function up(db: Kysely<unknown>, t: MigrationTypes): Promise<void> {
  if (t.dialect === 'sqlite') {
    await sql`create virtual table search_fts using fts5(title, responsible, doc_number, archival_code, other, fulltext, filters,
      content='', contentless_delete=1, tokenize='ascii', detail=full, prefix='1')`.execute(db);
  } else {
    await db.schema
      .createTable('search_index')
      .addColumn('item_id', t.bigint, (c) => c.notNull())
      .addColumn('part', 'integer', (c) => c.notNull())
      .addColumn('tsv', sql`tsvector`, (c) => c.notNull())
      .addPrimaryKeyConstraint('search_index_pk', ['item_id', 'part'])
      .execute();
    await sql`create index search_index_tsv on search_index using gin (tsv)`.execute(db);
  }
  await db.schema
    .createTable('search_pages')
    .addColumn('id', t.id, (c) => t.idConstraint(c))
    .addColumn('item_id', t.bigint, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('page', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('search_pages_item').on('search_pages').columns(['item_id', 'source', 'page']).unique().execute();
  // Search results in code or date order across a whole archive walk these and probe the index per row.
  await db.schema.createIndex('items_sort').on('items').column('sort_key').execute();
  await db.schema.createIndex('items_date').on('items').columns(['date', 'sort_key']).execute();
  // Resumable `search reindex`: the last item id indexed.
  await db.schema
    .createTable('search_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
