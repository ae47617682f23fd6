/**
 * Digests of local files computed on worker threads. Hashing is CPU work that Node's crypto does
 * synchronously on the calling thread: three digests of a gigabyte cost the main thread seconds
 * during which it serves no request and starts no other write. A small pool of workers (one per
 * core, at most four) reads and hashes files by path, so ingest and fixity audits use every core
 * and the main thread only waits.
 *
 * The worker's code is a string evaluated in the worker rather than a module file: it needs
 * nothing but node:crypto and node:fs, and a string loads the same under tsx, vitest and the
 * compiled build, none of which agree on how a TypeScript worker file is found.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type DigestAlgorithm, type DigestResult, requireAlgorithm } from './digests.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buffer = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, path, algorithms }) => {
  let fd;
  try {
    fd = openSync(path, 'r');
    const hashes = algorithms.map((a) => createHash(a));
    let size = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      size += n;
      const chunk = buffer.subarray(0, n);
      for (const h of hashes) h.update(chunk);
    }
    const result = { size };
    algorithms.forEach((a, i) => { result[a] = hashes[i].digest('hex'); });
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err.message, code: err.code, syscall: err.syscall, path: err.path } });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

interface Task {
  id: number;
  path: string;
  algorithms: DigestAlgorithm[];
  resolve: (result: DigestResult<DigestAlgorithm>) => void;
  reject: (err: Error) => void;
}

interface Reply {
  id: number;
  result?: DigestResult<DigestAlgorithm>;
  error?: { message: string; code?: string; syscall?: string; path?: string };
}

const POOL_SIZE = Math.max(1, Math.min(availableParallelism(), 4));

class HashPool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 1;

  run<A extends DigestAlgorithm>(path: string, algorithms: readonly A[]): Promise<DigestResult<A>> {
    const wanted = [...new Set(algorithms)];
    wanted.forEach(requireAlgorithm);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, path, algorithms: wanted, resolve: resolve as Task['resolve'], reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      const worker = this.idle.pop() ?? (this.running.size < POOL_SIZE ? this.spawn() : undefined);
      if (!worker) return;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      // A busy worker keeps the process alive until its answer arrives; an idle one never does.
      worker.ref();
      worker.postMessage({ id: task.id, path: task.path, algorithms: task.algorithms });
    }
  }

  private spawn(): Worker {
    // No inherited flags: a parent run with --input-type=module or a loader would change how the source is read.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.on('message', (reply: Reply) => {
      const task = this.running.get(worker);
      if (!task || task.id !== reply.id) return;
      this.running.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (reply.error) task.reject(Object.assign(new Error(reply.error.message), reply.error));
      else task.resolve(reply.result!);
      this.dispatch();
    });
    // A worker that dies fails only the file it was hashing; the next task gets a fresh worker.
    const fail = (err: Error) => {
      const task = this.running.get(worker);
      this.running.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      task?.reject(err);
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
    return worker;
  }
}

let pool: HashPool | undefined;

/**
 * Size and digests of the file at `path`, read once. Filesystem errors keep their errno code
 * (ENOENT, EIO…), so callers map them as they would their own reads.
 */
export function digestFile<A extends DigestAlgorithm>(path: string, algorithms: readonly A[]): Promise<DigestResult<A>> {
  pool ??= new HashPool();
  return pool.run(path, algorithms);
}
