import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifyFile } from '../../storage/format/identify.js';
import { buildZip } from '../unpack/zip-fixtures.js';
import { probeReadability } from './readability.js';
import { makePdf, makePng } from './test-fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantai-readable-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function probe(name: string, data: Buffer) {
  const path = join(dir, name);
  await writeFile(path, data);
  return probeReadability(path, await identifyFile(path));
}

const problem = async (name: string, data: Buffer) => {
  const r = await probe(name, data);
  if (!r.probed) throw new Error(`${name} was not probed`);
  return r.problem?.en ?? null;
};

/** Baseline JPEG skeleton: SOI, SOF0 (1×1, one component), SOS, one byte of scan data, EOI. */
const JPEG = Buffer.from('ffd8' + 'ffc0000b080001000101011100' + 'ffda000801010000003f00' + '00' + 'ffd9', 'hex');

function tiff(stripBytes: number, dataLength: number): Buffer {
  const entries: Array<[number, number, number]> = [
    [256, 4, 1],
    [257, 4, 1],
    [273, 4, 8 + 2 + 4 * 12 + 4],
    [279, 4, stripBytes],
  ];
  const b = Buffer.alloc(8 + 2 + entries.length * 12 + 4 + dataLength);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(1, at + 4);
    b.writeUInt32LE(value, at + 8);
  });
  return b;
}

describe('probeReadability', () => {
  it('parses PDFs, counts their pages and notes embedded signatures', async () => {
    expect(await probe('a.pdf', await makePdf())).toEqual({ probed: true, problem: null, signed: false, pages: 1 });
    expect(await probe('b.pdf', await makePdf('Lantai', 4))).toMatchObject({ problem: null, pages: 4 });
    const signed = Buffer.concat([await makePdf(), Buffer.from('\n% /ByteRange [0 1 2 3]\n')]);
    expect(await probe('signed.pdf', signed)).toMatchObject({ problem: null, signed: true });
  });

  it('checks JPEG structure', async () => {
    expect(await problem('a.jpg', JPEG)).toBeNull();
    expect(await problem('cut.jpg', JPEG.subarray(0, JPEG.length - 3))).toBe('the JPEG has no end marker (truncated)');
    expect(await problem('short.jpg', JPEG.subarray(0, 12))).toBe('a JPEG segment runs past the end of the file (truncated)');
  });

  it('checks PNG chunks and image data', async () => {
    const png = makePng();
    expect(await problem('a.png', png)).toBeNull();
    const flipped = Buffer.from(png);
    flipped[40] = (flipped[40] ?? 0) ^ 0xff;
    expect(await problem('crc.png', flipped)).toMatch(/^CRC mismatch in PNG chunk/);
  });

  it('checks that TIFF strips lie inside the file', async () => {
    expect(await problem('a.tif', tiff(4, 4))).toBeNull();
    expect(await problem('cut.tif', tiff(4000, 4))).toBe('TIFF image data runs past the end of the file (truncated)');
  });

  it('opens OFD packages and notes signatures', async () => {
    const ofd = buildZip([
      { name: 'OFD.xml', data: Buffer.from('<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>') },
      { name: 'Doc_0/Signs/Signatures.xml', data: Buffer.from('<ofd:Signatures/>') },
    ]);
    expect(await probe('a.ofd', ofd)).toEqual({ probed: true, problem: null, signed: true });
  });

  it('leaves formats it cannot open unprobed', async () => {
    expect(await probe('a.txt', Buffer.from('纯文本'))).toEqual({ probed: false });
  });
});
