import type { Label } from '../../domain/errors.js';
import { type Detection, type FormatId, hex } from './formats.js';
import { read, type Reads } from './reads.js';

/** [MS-CFB] compound file: header, FAT/DIFAT sector chains and 128-byte directory entries. */
const SIGNATURE = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const LAST_REGULAR_SECTOR = 0xfffffff9;
const HEADER_DIFAT_ENTRIES = 109;
const ROOT_STORAGE = 5;
const DIRECTORY_ENTRY = 128;
/** 16 384 entries with 512-byte sectors; also stops a cyclic chain. */
const MAX_DIRECTORY_SECTORS = 4096;

interface DirectoryEntry {
  name: string;
  type: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

class CompoundFile {
  readonly sectorSize: number;
  private readonly cache = new Map<number, Buffer>();

  constructor(
    private readonly header: Buffer,
    private readonly size: number,
  ) {
    this.sectorSize = 1 << header.readUInt16LE(30);
  }

  static open(head: Buffer, size: number): CompoundFile | null {
    if (head.length < 512) return null;
    const shift = head.readUInt16LE(30);
    return shift === 9 || shift === 12 ? new CompoundFile(head, size) : null;
  }

  private *sector(id: number): Reads<Buffer | null> {
    if (id > LAST_REGULAR_SECTOR) return null;
    const cached = this.cache.get(id);
    if (cached) return cached;
    const offset = (id + 1) * this.sectorSize;
    if (offset >= this.size) return null;
    const bytes = yield* read(offset, this.sectorSize);
    if (bytes.length === 0) return null;
    // Some writers leave the last sector short; what is missing reads as free entries.
    const sector =
      bytes.length < this.sectorSize ? Buffer.concat([bytes, Buffer.alloc(this.sectorSize - bytes.length, 0xff)]) : bytes;
    this.cache.set(id, sector);
    return sector;
  }

  /** Where FAT sector `index` lives: 109 in the header, the rest in the DIFAT sector chain. */
  private *fatSectorId(index: number): Reads<number | null> {
    if (index < HEADER_DIFAT_ENTRIES) return this.header.readUInt32LE(76 + index * 4);
    const perDifat = this.sectorSize / 4 - 1;
    let difat = this.header.readUInt32LE(68);
    let rest = index - HEADER_DIFAT_ENTRIES;
    for (let hops = this.header.readUInt32LE(72); hops > 0; hops--) {
      const sector = yield* this.sector(difat);
      if (!sector) return null;
      if (rest < perDifat) return sector.readUInt32LE(rest * 4);
      rest -= perDifat;
      difat = sector.readUInt32LE(perDifat * 4);
    }
    return null;
  }

  private *next(id: number): Reads<number | null> {
    const perFat = this.sectorSize / 4;
    const fatId = yield* this.fatSectorId(Math.floor(id / perFat));
    const fat = fatId === null ? null : yield* this.sector(fatId);
    return fat ? fat.readUInt32LE((id % perFat) * 4) : null;
  }

  *directory(): Reads<DirectoryEntry[]> {
    const entries: DirectoryEntry[] = [];
    const seen = new Set<number>();
    let id: number | null = this.header.readUInt32LE(48);
    while (id !== null && id <= LAST_REGULAR_SECTOR && !seen.has(id) && seen.size < MAX_DIRECTORY_SECTORS) {
      seen.add(id);
      const sector: Buffer | null = yield* this.sector(id);
      if (!sector) break;
      for (let p = 0; p + DIRECTORY_ENTRY <= sector.length; p += DIRECTORY_ENTRY) {
        const nameBytes = Math.min(64, sector.readUInt16LE(p + 64));
        entries.push({
          name: sector.toString('utf16le', p, p + Math.max(0, nameBytes - 2)),
          type: sector[p + 66]!,
          left: sector.readUInt32LE(p + 68),
          right: sector.readUInt32LE(p + 72),
          child: sector.readUInt32LE(p + 76),
          start: sector.readUInt32LE(p + 116),
          size: sector.readUInt32LE(p + 120),
        });
      }
      id = yield* this.next(id);
    }
    return entries;
  }

  /**
   * The first bytes of a stream. Streams under the mini-stream cutoff live in the mini stream,
   * which is not followed: null then.
   */
  *streamStart(entry: DirectoryEntry, length: number): Reads<Buffer | null> {
    if (entry.size < this.header.readUInt32LE(56)) return null;
    const sector = yield* this.sector(entry.start);
    return sector && sector.subarray(0, Math.min(length, entry.size));
  }
}

/** The root storage's children (a red-black tree of siblings), keyed by lower-case name. */
function rootChildren(entries: DirectoryEntry[]): Map<string, DirectoryEntry> {
  const children = new Map<string, DirectoryEntry>();
  const root = entries[0];
  if (root?.type !== ROOT_STORAGE) return children;
  const seen = new Set<number>();
  for (const stack = [root.child]; stack.length; ) {
    const i = stack.pop()!;
    const entry = entries[i];
    if (!entry || seen.has(i)) continue;
    seen.add(i);
    children.set(entry.name.toLowerCase(), entry);
    stack.push(entry.left, entry.right);
  }
  return children;
}

const KNOWN_STREAMS = [
  'EncryptionInfo',
  'EncryptedPackage',
  'WordDocument',
  'Workbook',
  'Book',
  'PowerPoint Document',
  '__properties_version1.0',
];

/** When the directory cannot be read (a partial view, a damaged file): names seen in the head. */
function namesInHead(head: Buffer): Map<string, DirectoryEntry | undefined> {
  return new Map(
    KNOWN_STREAMS.filter((name) => head.includes(Buffer.from(`${name}\0`, 'utf16le'))).map((name) => [
      name.toLowerCase(),
      undefined,
    ]),
  );
}

const OOXML_BY_EXTENSION: Record<string, FormatId> = {
  docx: 'docx',
  docm: 'docx',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  pptx: 'pptx',
  pptm: 'pptx',
};

const encrypted = (zh: string, en: string) => ({ encrypted: true, note: { zh, en } satisfies Label });

/** Word's FIB: wIdent 0xA5EC, then fEncrypted is bit 8 of the flags word at 0x0A. */
function wordEncrypted(fib: Buffer | null): boolean {
  return !!fib && fib.length >= 12 && fib.readUInt16LE(0) === 0xa5ec && (fib.readUInt16LE(10) & 0x0100) !== 0;
}

const BIFF_BOF = new Set([0x0809, 0x0409, 0x0209, 0x0009]);
const BIFF_FILEPASS = 0x002f;

/** An encrypted workbook has a FILEPASS record among the first records after BOF. */
function workbookEncrypted(stream: Buffer | null): boolean {
  if (!stream || stream.length < 4 || !BIFF_BOF.has(stream.readUInt16LE(0))) return false;
  for (let p = 0, n = 0; p + 4 <= stream.length && n < 8; p += 4 + stream.readUInt16LE(p + 2), n++) {
    if (stream.readUInt16LE(p) === BIFF_FILEPASS) return true;
  }
  return false;
}

export function* detectOle2(head: Buffer, size: number, extension: string | null): Reads<Detection | null> {
  if (!head.subarray(0, 8).equals(SIGNATURE)) return null;
  const found: Detection = { formatId: 'ole2', version: null, magic: hex(head, 0, 8) };
  const file = CompoundFile.open(head, size);
  const listed = file ? rootChildren(yield* file.directory()) : new Map<string, DirectoryEntry>();
  const names: Map<string, DirectoryEntry | undefined> = listed.size ? listed : namesInHead(head);
  const stream = function* (name: string, length: number): Reads<Buffer | null> {
    const entry = names.get(name);
    return file && entry ? yield* file.streamStart(entry, length) : null;
  };

  if (names.has('encryptedpackage')) {
    return {
      ...found,
      formatId: (extension && OOXML_BY_EXTENSION[extension]) || 'ooxml-encrypted',
      encryption: encrypted(
        'Office 文档已加密（EncryptionInfo / EncryptedPackage 流）',
        'The Office document is encrypted (EncryptionInfo / EncryptedPackage streams)',
      ),
    };
  }
  if (names.has('encryptioninfo')) {
    found.encryption = encrypted('复合文档含 EncryptionInfo 加密信息流', 'The compound file has an EncryptionInfo stream');
  }
  if (names.has('worddocument')) {
    found.formatId = 'doc';
    if (wordEncrypted(yield* stream('worddocument', 12))) {
      found.encryption = encrypted('Word 文档已加密（FIB 加密标志）', 'The Word document is encrypted (FIB fEncrypted flag)');
    }
  } else if (names.has('workbook') || names.has('book')) {
    found.formatId = 'xls';
    if (workbookEncrypted(yield* stream(names.has('workbook') ? 'workbook' : 'book', 512))) {
      found.encryption = encrypted('Excel 工作簿已加密（FILEPASS 记录）', 'The Excel workbook is encrypted (FILEPASS record)');
    }
  } else if (names.has('powerpoint document')) {
    found.formatId = 'ppt';
  } else if (names.has('__properties_version1.0')) {
    found.formatId = 'msg';
  }
  return found;
}
