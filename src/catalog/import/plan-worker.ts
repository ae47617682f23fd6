import { parentPort, workerData } from 'node:worker_threads';
import type { NumberingGroup } from '../catalog.repository.js';
import type { ImportMessage, PlanJob, PlanMessage, WireError } from './plan-protocol.js';
import { RowPlanner } from './row-planner.js';
import { sheetRows } from './sheet-rows.js';

/**
 * The planning thread of an import: reads the sheet, validates and numbers its rows and hands
 * them over in batches, while the importing thread writes the previous batch. It keeps at most
 * IN_FLIGHT batches ahead of the writer, so memory stays bounded however long the sheet is.
 */
const IN_FLIGHT = 2;
const job = workerData as PlanJob;
const port = parentPort!;
const post = (m: PlanMessage) => port.postMessage(m);

let credits = IN_FLIGHT;
let wake: (() => void) | null = null;
const pendingMax = new Map<number, (n: number) => void>();
port.on('message', (m: ImportMessage) => {
  if (m.type === 'credit') {
    credits += 1;
    wake?.();
    wake = null;
  } else {
    pendingMax.get(m.id)?.(m.value);
    pendingMax.delete(m.id);
  }
});

let nextId = 0;
/** The highest stored 件号 of a group lives in the database, which only the importing thread holds. */
const storedMax = (group: NumberingGroup) =>
  new Promise<number>((resolve) => {
    const id = nextId++;
    pendingMax.set(id, resolve);
    post({ type: 'max', id, group });
  });

async function run(): Promise<void> {
  const planner = new RowPlanner(job.rules, job.bindings, job.clearance, storedMax);
  for await (const rows of sheetRows(job.path, job.format, job.encoding, job.batchRows)) {
    const data = rows[0]!.row > job.headerRow ? rows : rows.filter((r) => r.row > job.headerRow);
    if (!data.length) continue;
    const planned = await planner.plan(data);
    if (credits === 0) await new Promise<void>((r) => (wake = r));
    credits -= 1;
    post({ type: 'batch', rows: data.length, planned: JSON.stringify(planned) });
  }
  post({ type: 'done' });
}

run().catch((e: unknown) => {
  const err = e as WireError & { name?: string };
  post({ type: 'error', error: { status: err.status, code: err.code, message: err.message ?? String(e), message_en: err.message_en, details: err.details } });
});
