import type { Database, Executor } from '../db/database.js';
import type { AppContext } from '../platform/context.js';
import { indexDocument, type IndexSource } from './index-document.js';
import { SearchRepository } from './search.repository.js';

/**
 * Index writes. The catalogue calls these inside its own transactions, so an item and its index
 * entry change together and search is never stale.
 */
const repository = (database: Database, tx: Executor) => new SearchRepository(tx, database.dialect, database.sqlite);

/** Items created just now, never indexed before (imports): no old entries to remove. */
export async function indexNewItems(database: Database, tx: Executor, items: IndexSource[]): Promise<void> {
  await repository(database, tx).writeDocuments(items.map((i) => indexDocument(i, [])), true);
}

/** Items whose description changed: their entries are rebuilt, with the page texts they already have. */
export async function reindexItems(database: Database, tx: Executor, items: IndexSource[]): Promise<void> {
  const repo = repository(database, tx);
  const pages = await repo.pagesOf(items.map((i) => i.id));
  await repo.writeDocuments(items.map((i) => indexDocument(i, pages.filter((p) => p.item_id === i.id).map((p) => p.text))));
}

export async function unindexItems(database: Database, tx: Executor, ids: number[]): Promise<void> {
  await repository(database, tx).removeItems(ids);
}

/**
 * The full text of one of an item's components, page by page (received text, OCR). Receiving
 * and digitization hand it over here; the item's entry is rebuilt in the same transaction.
 */
export async function setItemText(database: Database, tx: Executor, item: IndexSource, source: string, pages: readonly string[]): Promise<void> {
  const repo = repository(database, tx);
  await repo.replacePages(item.id, source, pages);
  await reindexItems(database, tx, [item]);
}

export interface ReindexProgress {
  done: number;
  lastId: number;
}

const CHECKPOINT = 'reindex.after';

/**
 * Rebuilds the index in batches of items, each batch in its own transaction with the checkpoint
 * (the last item id done), so an interrupted run resumes where it stopped. `restart` clears the
 * index and starts from the first item.
 */
export async function reindexAll(ctx: AppContext, opts: { batch?: number; restart?: boolean; onProgress?: (p: ReindexProgress) => void } = {}): Promise<ReindexProgress> {
  const batch = opts.batch ?? 2000;
  const { database } = ctx;
  const state = new SearchRepository(database.db, database.dialect, null);
  let after = Number((await state.getState(CHECKPOINT)) ?? 0);
  if (opts.restart || after === 0) {
    await database.db.transaction().execute(async (tx) => {
      const repo = repository(database, tx);
      await repo.clearIndex();
      await repo.setState(CHECKPOINT, '0');
    });
    after = 0;
  }
  let done = 0;
  for (;;) {
    const finished = await database.db.transaction().execute(async (tx) => {
      const repo = repository(database, tx);
      const rows = await repo.sourcesAfter(after, batch);
      if (!rows.length) {
        await repo.setState(CHECKPOINT, null);
        return true;
      }
      // Catalogue writes during the run index items ahead of the checkpoint too: replace, never append.
      await repo.removeItems(rows.filter((r) => !r.live).map((r) => r.item.id));
      await repo.writeDocuments(rows.filter((r) => r.live).map((r) => indexDocument(r.item, r.pages)));
      after = rows[rows.length - 1]!.item.id;
      done += rows.length;
      await repo.setState(CHECKPOINT, String(after));
      return false;
    });
    if (finished) return { done, lastId: after };
    opts.onProgress?.({ done, lastId: after });
  }
}
