/**
 * Fixity digests computed in one pass: each chunk of a buffer or stream feeds every requested
 * hash, so a file is read once however many algorithms the archive keeps (DESIGN §4: SHA-512
 * for OCFL content addressing, SHA-256 and SM3 for fixity; MD5 and SHA-1 only for legacy values
 * that transfers bring along). All values are lowercase hex.
 */
import { createHash, getHashes, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export type DigestAlgorithm = 'sha512' | 'sha256' | 'sm3' | 'md5' | 'sha1';

/** What Lantai records for every preserved file. */
export const PRESERVATION_ALGORITHMS = ['sha512', 'sha256', 'sm3'] as const;
export type PreservationAlgorithm = (typeof PRESERVATION_ALGORITHMS)[number];

/** Byte count plus one hex digest per requested algorithm. */
export type DigestResult<A extends DigestAlgorithm> = { size: number } & { [K in A]: string };
export type PreservationDigests = DigestResult<PreservationAlgorithm>;

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha512: 128, sha256: 64, sm3: 64, md5: 32, sha1: 40 };

let sm3Checked = false;
export function requireAlgorithm(algorithm: DigestAlgorithm): void {
  if (algorithm !== 'sm3' || sm3Checked) return;
  // SM3 comes from OpenSSL; a Node built against an OpenSSL without it must fail loudly, not skip the digest.
  if (!getHashes().includes('sm3')) throw new Error('This Node.js build has no SM3 hash (OpenSSL without SM3); Lantai requires it');
  sm3Checked = true;
}

/** True when `value` has the form of a hex digest of `algorithm` (any case, as OCFL allows). */
export function isHexDigest(algorithm: DigestAlgorithm, value: string): boolean {
  return value.length === HEX_LENGTH[algorithm] && /^[0-9a-fA-F]+$/.test(value);
}

/** Incremental hashing over several algorithms; `digest()` may be called once. */
export class MultiHash<A extends DigestAlgorithm> {
  private readonly hashes: Array<[A, Hash]>;
  private size = 0;

  constructor(algorithms: readonly A[]) {
    this.hashes = [...new Set(algorithms)].map((a) => {
      requireAlgorithm(a);
      return [a, createHash(a)];
    });
  }

  update(chunk: Uint8Array): this {
    this.size += chunk.byteLength;
    for (const [, h] of this.hashes) h.update(chunk);
    return this;
  }

  digest(): DigestResult<A> {
    const out: Record<string, string | number> = { size: this.size };
    for (const [a, h] of this.hashes) out[a] = h.digest('hex');
    return out as DigestResult<A>;
  }
}

export function digestBuffer(data: Uint8Array): PreservationDigests;
export function digestBuffer<A extends DigestAlgorithm>(data: Uint8Array, algorithms: readonly A[]): DigestResult<A>;
export function digestBuffer(data: Uint8Array, algorithms: readonly DigestAlgorithm[] = PRESERVATION_ALGORITHMS): { size: number } {
  return new MultiHash(algorithms).update(data).digest();
}

/** Reads `source` to its end; strings are refused because their bytes would depend on an encoding. */
export function digestStream(source: AsyncIterable<unknown>): Promise<PreservationDigests>;
export function digestStream<A extends DigestAlgorithm>(source: AsyncIterable<unknown>, algorithms: readonly A[]): Promise<DigestResult<A>>;
export async function digestStream(
  source: AsyncIterable<unknown>,
  algorithms: readonly DigestAlgorithm[] = PRESERVATION_ALGORITHMS,
): Promise<{ size: number }> {
  const hash = new MultiHash(algorithms);
  for await (const chunk of source) hash.update(asBytes(chunk));
  return hash.digest();
}

/**
 * A pass-through stream that hashes what flows through it, for computing digests while the
 * bytes go somewhere else (to a file, to S3). `result()` is valid once the stream has ended.
 * `check` runs on the final digests before the end is passed on; an error it returns fails the
 * stream, so a consumer (an S3 upload) aborts instead of publishing bytes that were not expected.
 */
export class DigestingStream<A extends DigestAlgorithm> extends Transform {
  private readonly hash: MultiHash<A>;
  private final?: DigestResult<A>;

  constructor(
    algorithms: readonly A[],
    private readonly check?: (result: DigestResult<A>) => Error | undefined,
  ) {
    super();
    this.hash = new MultiHash(algorithms);
  }

  override _transform(chunk: unknown, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.hash.update(asBytes(chunk));
      done(null, chunk);
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.final = this.hash.digest();
    done(this.check?.(this.final) ?? null);
  }

  result(): DigestResult<A> {
    if (!this.final) throw new Error('DigestingStream.result() called before the stream ended');
    return this.final;
  }
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError('digest input must be bytes (Buffer or Uint8Array), not ' + typeof chunk);
}
