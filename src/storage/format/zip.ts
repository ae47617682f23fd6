import { inflateRawSync } from 'node:zlib';
import { type Detection, type FormatId, hex } from './formats.js';
import { read, type Reads } from './reads.js';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_SIZE = 56;
/** The end record, its longest comment, and the zip64 locator and record before it. */
const TAIL = 22 + 0xffff + 20 + ZIP64_END_SIZE;
/** Over 100 000 entries; a bigger directory is read only this far. */
const MAX_CENTRAL_DIRECTORY = 16 << 20;
const MAX_ENTRY_TEXT = 1 << 20;
const U32_MAX = 0xffffffff;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

const u64 = (b: Buffer, at: number) => Number(b.readBigUInt64LE(at));

/** Names are only compared with ASCII ones, so a legacy code page decodes well enough as latin1. */
const entryName = (bytes: Buffer, flags: number) => bytes.toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');

/** Sizes and offsets that do not fit 32 bits move to the zip64 extra field (id 1), in this order. */
function zip64Values(extra: Buffer, wanted: { uncompressed: boolean; compressed: boolean; offset: boolean }) {
  for (let p = 0; p + 4 <= extra.length; p += 4 + extra.readUInt16LE(p + 2)) {
    if (extra.readUInt16LE(p) !== 1) continue;
    let q = p + 4;
    const take = (want: boolean) => {
      if (!want || q + 8 > extra.length) return undefined;
      q += 8;
      return u64(extra, q - 8);
    };
    take(wanted.uncompressed);
    return { compressed: take(wanted.compressed), offset: take(wanted.offset) };
  }
  return {};
}

function parseCentralDirectory(directory: Buffer): ZipEntry[] {
  const entries: ZipEntry[] = [];
  for (let p = 0; p + 46 <= directory.length && directory.readUInt32LE(p) === CENTRAL_HEADER; ) {
    const flags = directory.readUInt16LE(p + 8);
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    if (p + 46 + nameLength + extraLength > directory.length) break;
    let compressedSize = directory.readUInt32LE(p + 20);
    let localHeaderOffset = directory.readUInt32LE(p + 42);
    const big = zip64Values(directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), {
      uncompressed: directory.readUInt32LE(p + 24) === U32_MAX,
      compressed: compressedSize === U32_MAX,
      offset: localHeaderOffset === U32_MAX,
    });
    compressedSize = big.compressed ?? compressedSize;
    localHeaderOffset = big.offset ?? localHeaderOffset;
    entries.push({
      name: entryName(directory.subarray(p + 46, p + 46 + nameLength), flags),
      flags,
      method: directory.readUInt16LE(p + 10),
      compressedSize,
      localHeaderOffset,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Entries from the local headers at the start, for damaged archives and partial views. */
function parseLocalHeaders(head: Buffer): ZipEntry[] {
  const entries: ZipEntry[] = [];
  for (let p = 0; p + 30 <= head.length && head.readUInt32LE(p) === LOCAL_HEADER; ) {
    const flags = head.readUInt16LE(p + 6);
    const nameLength = head.readUInt16LE(p + 26);
    const extraLength = head.readUInt16LE(p + 28);
    if (p + 30 + nameLength + extraLength > head.length) break;
    const stored = head.readUInt32LE(p + 18);
    const compressedSize =
      stored === U32_MAX
        ? (zip64Values(head.subarray(p + 30 + nameLength, p + 30 + nameLength + extraLength), {
            uncompressed: head.readUInt32LE(p + 22) === U32_MAX,
            compressed: true,
            offset: false,
          }).compressed ?? stored)
        : stored;
    entries.push({
      name: entryName(head.subarray(p + 30, p + 30 + nameLength), flags),
      flags,
      method: head.readUInt16LE(p + 8),
      compressedSize,
      localHeaderOffset: p,
    });
    // With a data descriptor the sizes follow the data, so the next header cannot be found.
    if (flags & FLAG_DATA_DESCRIPTOR) break;
    p += 30 + nameLength + extraLength + compressedSize;
  }
  return entries;
}

function* centralDirectory(size: number): Reads<ZipEntry[] | null> {
  const tailStart = Math.max(0, size - TAIL);
  const tail = yield* read(tailStart, size - tailStart);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === END_OF_DIRECTORY && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  let directoryEnd = tailStart + end;
  if (end >= 20 && tail.readUInt32LE(end - 20) === ZIP64_LOCATOR) {
    const at = u64(tail, end - 20 + 8);
    const record = at >= tailStart ? tail.subarray(at - tailStart) : yield* read(at, ZIP64_END_SIZE);
    if (record.length < ZIP64_END_SIZE || record.readUInt32LE(0) !== ZIP64_END) return null;
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
    directoryEnd = at;
  }
  if (directoryOffset + directorySize > directoryEnd) return null;
  return parseCentralDirectory(yield* read(directoryOffset, Math.min(directorySize, MAX_CENTRAL_DIRECTORY)));
}

/** The text of a small entry, or null when it is encrypted, too big, unreadable or corrupt. */
function* entryText(entry: ZipEntry): Reads<string | null> {
  if (entry.flags & FLAG_ENCRYPTED || entry.compressedSize > MAX_ENTRY_TEXT) return null;
  const at = entry.localHeaderOffset;
  const header = yield* read(at, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) return null;
  const data = yield* read(at + 30 + header.readUInt16LE(26) + header.readUInt16LE(28), entry.compressedSize);
  if (data.length < entry.compressedSize) return null;
  try {
    if (entry.method === 0) return data.toString('utf8');
    if (entry.method === 8) return inflateRawSync(data, { maxOutputLength: MAX_ENTRY_TEXT }).toString('utf8');
  } catch {
    // Corrupt or oversized compressed data only costs the version number.
  }
  return null;
}

/** GB/T 33190: an OFD package is a zip with the entry file OFD.xml at its root. */
function* ofdVersion(entry: ZipEntry): Reads<string | null> {
  const text = yield* entryText(entry);
  const root = text && /<(?:[\w.-]+:)?OFD\b([^>]*)>/.exec(text);
  return (root && /\bVersion\s*=\s*["']([^"']*)["']/.exec(root[1]!)?.[1]) || null;
}

const OOXML_PARTS: Array<[string, FormatId]> = [
  ['word/', 'docx'],
  ['xl/', 'xlsx'],
  ['ppt/', 'pptx'],
];

export function* detectZip(head: Buffer, size: number): Reads<Detection | null> {
  const signature = head.length >= 4 ? head.readUInt32LE(0) : 0;
  // 0x08074b50 starts a spanned archive; 0x06054b50 alone is an empty one.
  if (signature !== LOCAL_HEADER && signature !== END_OF_DIRECTORY && signature !== 0x08074b50) return null;
  const entries = (yield* centralDirectory(size)) ?? parseLocalHeaders(head);
  const found: Detection = { formatId: 'zip', version: null, magic: hex(head, 0, 4) };
  const encrypted = entries.filter((e) => e.flags & FLAG_ENCRYPTED).length;
  if (encrypted) {
    found.encryption = {
      encrypted: true,
      note: { zh: `压缩包中有 ${encrypted} 个加密条目`, en: `${encrypted} entries in the zip container are encrypted` },
    };
  }
  const ofd = entries.find((e) => e.name.toLowerCase() === 'ofd.xml');
  if (ofd) return { ...found, formatId: 'ofd', version: yield* ofdVersion(ofd) };
  if (entries.some((e) => e.name === '[Content_Types].xml')) {
    const part = OOXML_PARTS.find(([prefix]) => entries.some((e) => e.name.startsWith(prefix)));
    if (part) return { ...found, formatId: part[1] };
  }
  return found;
}
