import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { digestBuffer, DigestingStream, digestStream, isHexDigest, MultiHash } from './digests.js';

// Published test vectors for "abc": FIPS 180-2 (SHA), RFC 1321 (MD5), GB/T 32905-2016 appendix A (SM3).
const ABC = {
  size: 3,
  sha512: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  sm3: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
  md5: '900150983cd24fb0d6963f7d28e17f72',
  sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
};

describe('digests', () => {
  it('computes SHA-512, SHA-256 and SM3 by default, matching the standard vectors', () => {
    expect(digestBuffer(Buffer.from('abc'))).toEqual({ size: 3, sha512: ABC.sha512, sha256: ABC.sha256, sm3: ABC.sm3 });
  });

  it('computes any chosen set, MD5 and SHA-1 included, in one pass over a stream of many chunks', async () => {
    const chunks = () => Readable.from([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]);
    expect(await digestStream(chunks(), ['md5', 'sha1', 'sha512', 'sha256', 'sm3'] as const)).toEqual(ABC);
    expect(await digestStream(chunks())).toEqual({ size: 3, sha512: ABC.sha512, sha256: ABC.sha256, sm3: ABC.sm3 });
    expect(new MultiHash(['sm3'] as const).update(Buffer.from('ab')).update(Buffer.from('c')).digest()).toEqual({ size: 3, sm3: ABC.sm3 });
  });

  it('refuses text chunks, whose bytes would depend on an encoding', async () => {
    await expect(digestStream(Readable.from(['abc']))).rejects.toThrow(TypeError);
  });

  it('hashes bytes passing through a stream without changing them', async () => {
    const hashing = new DigestingStream(['sha256', 'sm3'] as const);
    expect(() => hashing.result()).toThrow(/before the stream ended/);
    const out: Buffer[] = [];
    await pipeline(Readable.from([Buffer.from('ab'), Buffer.from('c')]), hashing, async (source: AsyncIterable<Buffer>) => {
      for await (const c of source) out.push(c);
    });
    expect(Buffer.concat(out).toString()).toBe('abc');
    expect(hashing.result()).toEqual({ size: 3, sha256: ABC.sha256, sm3: ABC.sm3 });
  });

  it('fails the stream at its end when the check rejects the digests, before the end reaches the consumer', async () => {
    const hashing = new DigestingStream(['sha512'] as const, (d) => (d.sha512 === ABC.sha512 ? new Error('not this content') : undefined));
    let sawEnd = false;
    await expect(
      pipeline(Readable.from([Buffer.from('abc')]), hashing, async (source: AsyncIterable<Buffer>) => {
        for await (const _ of source) void _;
        sawEnd = true;
      }),
    ).rejects.toThrow('not this content');
    expect(sawEnd).toBe(false);
  });

  it('recognises hex digests of each algorithm in either case', () => {
    expect(isHexDigest('sha512', ABC.sha512.toUpperCase())).toBe(true);
    expect(isHexDigest('sm3', ABC.sm3)).toBe(true);
    expect(isHexDigest('sha256', ABC.sm3.slice(1))).toBe(false);
    expect(isHexDigest('md5', 'z'.repeat(32))).toBe(false);
  });
});
