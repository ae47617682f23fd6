/**
 * Test support: a minimal zip writer that can lie. yazl writes only well-formed zips; the
 * unpacker's refusals need archives that no honest tool makes — names with `../`, GBK bytes
 * without the UTF-8 flag, symlink modes, encryption flags, sizes and CRCs that do not match the
 * data, entries sharing one stream. Not for production use.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { walkTree } from './scan.js';

export interface FixtureEntry {
  /** A string is written as UTF-8 (and flagged as such unless `utf8Flag` is false); a Buffer as is. */
  name: string | Buffer;
  data?: Buffer;
  /** 0 stores, 8 deflates (the default); any other number is written as the method but data is stored. */
  method?: number;
  utf8Flag?: boolean;
  /** Extra general purpose bits, e.g. 0x1 (encrypted). */
  flags?: number;
  /** A Unix mode such as 0o120777 (symlink), written to the high 16 bits of the external attributes. */
  unixMode?: number;
  /** Uncompressed size to declare instead of the real one. */
  declaredSize?: number;
  /** CRC-32 to declare instead of the real one. */
  declaredCrc?: number;
  /** Extra field bytes, written to both the local and the central header. */
  extra?: Buffer;
  /** Point the central record at this earlier entry's local header and data instead of writing its own. */
  sharesDataWith?: number;
}

const UTF8_FLAG = 0x800;
const VERSION = 20;
const UNIX_HOST = 3 << 8;

/** The Info-ZIP Unicode Path extra field (0x7075) for a header whose raw name is `rawName`. */
export function unicodePathExtra(rawName: Buffer, unicodeName: string, crcOf: Buffer = rawName): Buffer {
  const name = Buffer.from(unicodeName, 'utf8');
  const field = Buffer.alloc(4 + 5 + name.length);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + name.length, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(crc32(crcOf), 5);
  name.copy(field, 9);
  return field;
}

interface Written {
  offset: number;
  compressed: Buffer;
}

export function buildZip(entries: FixtureEntry[]): Buffer {
  const chunks: Buffer[] = [];
  let offset = 0;
  const written: Written[] = [];
  const central: Buffer[] = [];

  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const data = e.data ?? Buffer.alloc(0);
    const method = e.method ?? 8;
    const flags = (e.flags ?? 0) | ((e.utf8Flag ?? typeof e.name === 'string') ? UTF8_FLAG : 0);
    const extra = e.extra ?? Buffer.alloc(0);
    const crc = e.declaredCrc ?? crc32(data);
    const size = e.declaredSize ?? data.length;

    let here: Written;
    if (e.sharesDataWith !== undefined) {
      here = written[e.sharesDataWith]!;
    } else {
      const compressed = method === 8 ? deflateRawSync(data) : data;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(VERSION, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(compressed.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(extra.length, 28);
      here = { offset, compressed };
      chunks.push(local, name, extra, compressed);
      offset += local.length + name.length + extra.length + compressed.length;
    }
    written.push(here);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(e.unixMode === undefined ? VERSION : UNIX_HOST | VERSION, 4);
    header.writeUInt16LE(VERSION, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(here.compressed.length, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt32LE(((e.unixMode ?? 0) << 16) >>> 0, 38);
    header.writeUInt32LE(here.offset, 42);
    central.push(header, name, extra);
  }

  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, directory, end]);
}

export async function writeZip(path: string, entries: FixtureEntry[]): Promise<string> {
  await writeFile(path, buildZip(entries));
  return path;
}

/** Zips the tree at `dir` under one top-level folder, `rootName` (by default the directory's own name). */
export async function zipDirectory(dir: string, zipPath: string, rootName = basename(dir)): Promise<string> {
  const prefix = rootName === '' ? '' : `${rootName}/`;
  const entries: FixtureEntry[] = [];
  for (const e of await walkTree(dir)) {
    entries.push(
      e.type === 'directory' ? { name: `${prefix}${e.path}/`, method: 0 } : { name: `${prefix}${e.path}`, data: await readFile(join(dir, e.path)) },
    );
  }
  return writeZip(zipPath, entries);
}
