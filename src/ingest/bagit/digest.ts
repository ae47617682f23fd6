import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * Manifest algorithms we can verify: those RFC 8493 names plus SM3 (GB/T 32905), which Chinese
 * archives are expected to use. `weak` ones (MD5, SHA-1) are still verified, but RFC 8493 §2.4
 * says new bags should not rely on them.
 */
export const BAG_ALGORITHMS = {
  md5: { hexLength: 32, weak: true },
  sha1: { hexLength: 40, weak: true },
  sha224: { hexLength: 56, weak: false },
  sha256: { hexLength: 64, weak: false },
  sha384: { hexLength: 96, weak: false },
  sha512: { hexLength: 128, weak: false },
  sm3: { hexLength: 64, weak: false },
} as const;

export type BagAlgorithm = keyof typeof BAG_ALGORITHMS;

export const isBagAlgorithm = (name: string): name is BagAlgorithm => Object.hasOwn(BAG_ALGORITHMS, name);

/** Reads the file once, feeding every algorithm from the same chunks. */
export async function digestFile(path: string, algorithms: readonly BagAlgorithm[]): Promise<Map<BagAlgorithm, string>> {
  const hashes = algorithms.map((a) => [a, createHash(a)] as const);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    for (const [, h] of hashes) h.update(chunk as Buffer);
  }
  return new Map(hashes.map(([a, h]) => [a, h.digest('hex')]));
}

export function digestBuffer(body: Buffer, algorithm: BagAlgorithm): string {
  return createHash(algorithm).update(body).digest('hex');
}
