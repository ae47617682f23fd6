import { randomBytes } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { identifyBuffer } from './identify.js';

// ---------- zip, written the way common archivers write it ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** Traditional PKWARE ("ZipCrypto") encryption, so that encrypted entries are real. */
function zipCrypto(data: Buffer, crc: number, password: string): Buffer {
  const keys = [0x12345678, 0x23456789, 0x34567890];
  const crcByte = (c: number, b: number) => (CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)) >>> 0;
  const update = (b: number) => {
    keys[0] = crcByte(keys[0]!, b);
    keys[1] = (Math.imul(keys[1]! + (keys[0] & 0xff), 134775813) + 1) >>> 0;
    keys[2] = crcByte(keys[2]!, keys[1] >>> 24);
  };
  for (const b of Buffer.from(password)) update(b);
  const plain = Buffer.concat([randomBytes(11), Buffer.from([crc >>> 24]), data]);
  const out = Buffer.alloc(plain.length);
  for (let i = 0; i < plain.length; i++) {
    const t = (keys[2]! | 2) & 0xffff;
    out[i] = plain[i]! ^ ((Math.imul(t, t ^ 1) >>> 8) & 0xff);
    update(plain[i]!);
  }
  return out;
}

interface ZipInput {
  name: string;
  data: string | Buffer;
  deflate?: boolean;
  password?: string;
}

function makeZip(entries: ZipInput[], options: { zip64?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = Buffer.from(entry.data);
    const crc = crc32(raw);
    const packed = entry.deflate ? deflateRawSync(raw) : raw;
    const body = entry.password ? zipCrypto(packed, crc, entry.password) : packed;
    const name = Buffer.from(entry.name, 'utf8');
    const flags = 0x0800 | (entry.password ? 1 : 0);
    const method = entry.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x5a210000, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(0x031e, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(0x5a210000, 12);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(raw.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(header, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const zip64: Buffer[] = [];
  if (options.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    zip64.push(record, locator);
    end.writeUInt16LE(0xffff, 8);
    end.writeUInt16LE(0xffff, 10);
    end.writeUInt32LE(0xffffffff, 12);
    end.writeUInt32LE(0xffffffff, 16);
  }
  return Buffer.concat([...parts, directory, ...zip64, end]);
}

const OFD_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" DocType="OFD" Version="1.1">' +
  '<ofd:DocBody><ofd:DocInfo><ofd:DocID>6f5c3d0a</ofd:DocID></ofd:DocInfo>' +
  '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>';

const ofdEntries = (password?: string): ZipInput[] => [
  { name: 'OFD.xml', data: OFD_XML, deflate: true },
  {
    name: 'Doc_0/Document.xml',
    data: '<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>',
    deflate: true,
    ...(password ? { password } : {}),
  },
  { name: 'Doc_0/Pages/Page_0/Content.xml', data: '<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"/>', deflate: true },
];

describe('zip containers', () => {
  it('identifies OFD with its version', () => {
    const record = identifyBuffer(makeZip(ofdEntries()), '公文.ofd');
    expect(record).toMatchObject({
      formatId: 'ofd',
      name: 'OFD',
      version: '1.1',
      mime: 'application/ofd',
      extension: 'ofd',
      extensionMatches: true,
      archival: true,
      encrypted: false,
      magic: '504b0304',
    });
    expect(record.archivalNote.zh).toContain('GB/T 33190');
  });

  it('flags an OFD with encrypted entries', () => {
    const record = identifyBuffer(makeZip(ofdEntries('secret')), 'a.ofd');
    expect(record).toMatchObject({ formatId: 'ofd', archival: true, encrypted: true });
    expect(record.encryptionNote?.zh).toBe('压缩包中有 1 个加密条目');
  });

  it('finds OFD.xml through a zip64 end record', () => {
    expect(identifyBuffer(makeZip(ofdEntries(), { zip64: true }), 'a.ofd')).toMatchObject({ formatId: 'ofd', version: '1.1' });
  });

  it('falls back to local headers when only the head is known', () => {
    const zip = makeZip([...ofdEntries(), { name: 'big.bin', data: randomBytes(200_000) }]);
    const record = identifyBuffer(zip.subarray(0, 4096), 'a.ofd', { size: zip.length });
    expect(record).toMatchObject({ formatId: 'ofd', version: '1.1' });
  });

  it('tells plain zip, docx and pptx apart', () => {
    const zip = makeZip([{ name: '文件目录.xml', data: '<文件目录/>' }]);
    expect(identifyBuffer(zip, 'transfer.zip')).toMatchObject({ formatId: 'zip', archival: false, extensionMatches: true });
    expect(identifyBuffer(zip, 'transfer.zip').archivalNote.zh).toContain('解压');
    const types = { name: '[Content_Types].xml', data: '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' };
    const docx = makeZip([types, { name: 'word/document.xml', data: '<w:document/>', deflate: true }]);
    expect(identifyBuffer(docx, 'a.docx')).toMatchObject({ formatId: 'docx', archival: false, extensionMatches: true });
    expect(identifyBuffer(docx, 'a.docx').archivalNote.zh).toContain('版式文件');
    const pptx = makeZip([types, { name: 'ppt/presentation.xml', data: '<p:presentation/>' }]);
    expect(identifyBuffer(pptx, 'a.pptx').formatId).toBe('pptx');
  });

  it('identifies an xlsx written by ExcelJS (data descriptors, deflate)', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('目录').addRow(['档号', '题名']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(identifyBuffer(xlsx, '目录.xlsx')).toMatchObject({
      formatId: 'xlsx',
      mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      extensionMatches: true,
      encrypted: false,
    });
    expect(identifyBuffer(xlsx, '目录.zip')).toMatchObject({ formatId: 'xlsx', extensionMatches: false });
    const listed = identifyBuffer(xlsx, '目录.xlsx', { archivalFormatIds: ['xlsx'] });
    expect(listed).toMatchObject({ archival: true, archivalNote: { zh: '在本馆配置的归档格式清单中' } });
  });

  it('treats an empty zip as zip', () => {
    expect(identifyBuffer(makeZip([]), 'empty.zip')).toMatchObject({ formatId: 'zip', magic: '504b0506' });
  });
});

// ---------- OLE2 compound files ([MS-CFB], version 3, 512-byte sectors) ----------

const FREE = 0xffffffff;
const END_OF_CHAIN = 0xfffffffe;
const FAT_SECTOR = 0xfffffffd;

/** Streams are padded past the 4096-byte mini-stream cutoff so that all live in regular sectors. */
function makeCompoundFile(streams: Array<{ name: string; data: Buffer }>): Buffer {
  const sector = 512;
  const padded = streams.map((s) => ({
    name: s.name,
    data: Buffer.concat([s.data, Buffer.alloc(Math.max(0, 4096 - s.data.length))]),
  }));
  const directorySectors = Math.ceil((padded.length + 1) / 4);
  const fat: number[] = [FAT_SECTOR];
  const chain = (count: number) => {
    const first = fat.length;
    for (let i = 0; i < count; i++) fat.push(i === count - 1 ? END_OF_CHAIN : fat.length + 1);
    return first;
  };
  const firstDirectory = chain(directorySectors);
  const starts = padded.map((s) => chain(Math.ceil(s.data.length / sector)));
  expect(fat.length).toBeLessThanOrEqual(sector / 4);

  const header = Buffer.alloc(sector);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(header, 0);
  header.writeUInt16LE(0x003e, 24);
  header.writeUInt16LE(3, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  header.writeUInt16LE(6, 32);
  header.writeUInt32LE(1, 44);
  header.writeUInt32LE(firstDirectory, 48);
  header.writeUInt32LE(4096, 56);
  header.writeUInt32LE(END_OF_CHAIN, 60);
  header.writeUInt32LE(END_OF_CHAIN, 68);
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : FREE, 76 + i * 4);

  const fatSector = Buffer.alloc(sector, 0xff);
  fat.forEach((next, i) => fatSector.writeUInt32LE(next, i * 4));

  const directory = Buffer.alloc(directorySectors * sector);
  const entry = (i: number, name: string, type: number, child: number, right: number, start: number, size: number) => {
    const at = i * 128;
    directory.write(`${name}\0`, at, 'utf16le');
    directory.writeUInt16LE((name.length + 1) * 2, at + 64);
    directory[at + 66] = type;
    directory[at + 67] = 1;
    directory.writeUInt32LE(FREE, at + 68);
    directory.writeUInt32LE(right, at + 72);
    directory.writeUInt32LE(child, at + 76);
    directory.writeUInt32LE(start, at + 116);
    directory.writeUInt32LE(size, at + 120);
  };
  // The root's children, linked through right siblings: a valid (if unbalanced) tree.
  entry(0, 'Root Entry', 5, padded.length ? 1 : FREE, FREE, END_OF_CHAIN, 0);
  padded.forEach((s, i) => entry(i + 1, s.name, 2, FREE, i + 2 <= padded.length ? i + 2 : FREE, starts[i]!, s.data.length));

  const data = padded.map((s) => Buffer.concat([s.data, Buffer.alloc((sector - (s.data.length % sector)) % sector)]));
  return Buffer.concat([header, fatSector, directory, ...data]);
}

/** A Word FIB start: wIdent 0xA5EC, nFib, then the flags word at 0x0A. */
function wordDocument(encrypted: boolean): Buffer {
  const fib = Buffer.alloc(1024);
  fib.writeUInt16LE(0xa5ec, 0);
  fib.writeUInt16LE(0x00c1, 2);
  fib.writeUInt16LE(encrypted ? 0x0100 : 0, 10);
  return fib;
}

const biffRecord = (type: number, body: Buffer) => {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(type, 0);
  head.writeUInt16LE(body.length, 2);
  return Buffer.concat([head, body]);
};

const workbook = (encrypted: boolean) =>
  Buffer.concat([
    biffRecord(0x0809, Buffer.from('0006050054380000', 'hex')),
    ...(encrypted ? [biffRecord(0x002f, Buffer.from('0100010001000000', 'hex'))] : []),
    biffRecord(0x00e1, Buffer.from('b004', 'hex')),
  ]);

const summary = { name: '\u0005SummaryInformation', data: Buffer.alloc(200) };

describe('OLE2 compound files', () => {
  it('identifies doc and its FIB encryption flag', () => {
    const plain = identifyBuffer(makeCompoundFile([{ name: 'WordDocument', data: wordDocument(false) }, summary]), 'a.doc');
    expect(plain).toMatchObject({
      formatId: 'doc',
      mime: 'application/msword',
      archival: false,
      encrypted: false,
      extensionMatches: true,
      magic: 'd0cf11e0a1b11ae1',
    });
    const locked = identifyBuffer(makeCompoundFile([summary, { name: 'WordDocument', data: wordDocument(true) }]), 'a.doc');
    expect(locked).toMatchObject({ formatId: 'doc', encrypted: true });
    expect(locked.encryptionNote?.en).toContain('fEncrypted');
  });

  it('follows the directory chain into its second sector', () => {
    const streams = ['1Table', 'Data', 'ObjectPool', '\u0001CompObj'].map((name) => ({ name, data: Buffer.alloc(10) }));
    const file = makeCompoundFile([...streams, { name: 'WordDocument', data: wordDocument(true) }]);
    expect(identifyBuffer(file, 'a.doc')).toMatchObject({ formatId: 'doc', encrypted: true });
  });

  it('identifies xls and its FILEPASS record', () => {
    expect(identifyBuffer(makeCompoundFile([{ name: 'Workbook', data: workbook(false) }]), 'a.xls')).toMatchObject({
      formatId: 'xls',
      encrypted: false,
    });
    expect(identifyBuffer(makeCompoundFile([{ name: 'Workbook', data: workbook(true) }]), 'a.xls')).toMatchObject({
      formatId: 'xls',
      encrypted: true,
    });
  });

  it('identifies ppt and msg', () => {
    expect(identifyBuffer(makeCompoundFile([{ name: 'PowerPoint Document', data: Buffer.alloc(64) }]), 'a.ppt').formatId).toBe('ppt');
    expect(identifyBuffer(makeCompoundFile([{ name: '__properties_version1.0', data: Buffer.alloc(32) }]), 'a.msg').formatId).toBe(
      'msg',
    );
    expect(identifyBuffer(makeCompoundFile([{ name: 'Contents', data: Buffer.alloc(8) }]), 'a.bin').formatId).toBe('ole2');
  });

  it('recognises an encrypted OOXML package and names it from the extension', () => {
    const file = makeCompoundFile([
      { name: '\u0006DataSpaces', data: Buffer.alloc(16) },
      { name: 'EncryptionInfo', data: Buffer.from('04000400400000000000000000', 'hex') },
      { name: 'EncryptedPackage', data: randomBytes(512) },
    ]);
    const docx = identifyBuffer(file, '合同.docx');
    expect(docx).toMatchObject({ formatId: 'docx', encrypted: true, extensionMatches: true, magic: 'd0cf11e0a1b11ae1' });
    expect(docx.encryptionNote?.en).toContain('EncryptionInfo');
    expect(identifyBuffer(file, 'unnamed')).toMatchObject({ formatId: 'ooxml-encrypted', encrypted: true, extension: null });
  });

  it('falls back to stream names in the head when the directory is out of reach', () => {
    const file = makeCompoundFile([
      { name: 'EncryptionInfo', data: Buffer.alloc(8) },
      { name: 'EncryptedPackage', data: randomBytes(64) },
    ]);
    // Drop the FAT sector so that the directory chain cannot be followed.
    const damaged = Buffer.concat([file.subarray(0, 512), Buffer.alloc(512), file.subarray(1024)]);
    expect(identifyBuffer(damaged, 'a.xlsx')).toMatchObject({ formatId: 'xlsx', encrypted: true });
  });
});
