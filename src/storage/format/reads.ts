/**
 * The format probes are generators that yield the byte ranges they need and receive the bytes back.
 * One probe then serves both an in-memory buffer (answered synchronously) and a file or object
 * store (answered asynchronously), and no probe can read more than it asks for.
 */
export interface ReadRequest {
  offset: number;
  length: number;
}

/** The answer may be shorter than asked: at the end of the file, or where a partial view has a gap. */
export type Reads<T> = Generator<ReadRequest, T, Buffer>;

export interface RandomAccessSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

/** Read size of the scans that cover a whole file. */
export const SCAN_CHUNK = 1 << 20;

export function* read(offset: number, length: number): Reads<Buffer> {
  return yield { offset, length };
}

/**
 * Feeds the file from `from` to `visit` in SCAN_CHUNK pieces. Each window starts with the last
 * `overlap` bytes of the one before, so a match shorter than `overlap` is never cut in two.
 * Stops when `visit` returns false, at the end, or at a gap. Returns whether it reached the end.
 */
export function* scanChunks(
  size: number,
  overlap: number,
  visit: (window: Buffer, windowStart: number) => boolean,
): Reads<boolean> {
  let carry = Buffer.alloc(0);
  let offset = 0;
  while (offset < size) {
    const chunk = yield* read(offset, Math.min(SCAN_CHUNK, size - offset));
    if (chunk.length === 0) return false;
    const window = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (!visit(window, offset - carry.length)) return false;
    offset += chunk.length;
    carry = Buffer.from(window.subarray(Math.max(0, window.length - overlap)));
  }
  return true;
}

export function runSync<T>(probe: Reads<T>, readAt: (offset: number, length: number) => Buffer): T {
  let step = probe.next();
  while (!step.done) step = probe.next(readAt(step.value.offset, step.value.length));
  return step.value;
}

export async function runAsync<T>(probe: Reads<T>, source: RandomAccessSource): Promise<T> {
  let step = probe.next();
  while (!step.done) step = probe.next(await source.read(step.value.offset, step.value.length));
  return step.value;
}
