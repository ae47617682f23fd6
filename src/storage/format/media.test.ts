import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { identifyBuffer } from './identify.js';

const u16le = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const ascii = (s: string) => Buffer.from(s, 'latin1');

// ---------- images ----------

function png(): Buffer {
  const chunk = (type: string, data: Buffer) =>
    Buffer.concat([u32be(data.length), ascii(type), data, u32be(crc32(Buffer.concat([ascii(type), data])))]);
  const ihdr = Buffer.concat([u32be(1), u32be(1), Buffer.from([8, 0, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 0x80]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A baseline 8×8 grey JPEG: one flat block coded with one-symbol Huffman tables (DC 0, then EOB). */
function jpeg(app: 'jfif' | 'exif'): Buffer {
  const segment = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), u16be(body.length + 2), body]);
  const oneSymbolTable = (tableClass: number) => Buffer.concat([Buffer.from([tableClass << 4, 1]), Buffer.alloc(15), Buffer.from([0])]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app === 'jfif'
      ? segment(0xe0, Buffer.concat([ascii('JFIF\0'), Buffer.from([1, 2, 0, 0, 1, 0, 1, 0, 0])]))
      : segment(0xe1, Buffer.concat([ascii('Exif\0\0'), ascii('II*\0'), u32le(8), u16le(0), u32le(0)])),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0])),
    segment(0xc4, oneSymbolTable(0)),
    segment(0xc4, oneSymbolTable(1)),
    segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    Buffer.from([0x3f, 0xff, 0xd9]),
  ]);
}
function u16be(n: number) {
  return Buffer.from([(n >> 8) & 0xff, n & 0xff]);
}

/** A 1×1 bilevel TIFF (or BigTIFF) with the baseline tags, in either byte order. */
function tiff(order: 'II' | 'MM', big = false): Buffer {
  const le = order === 'II';
  const u16 = (n: number) => (le ? u16le(n) : u16be(n));
  const u32 = (n: number) => (le ? u32le(n) : u32be(n));
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    if (le) b.writeBigUInt64LE(BigInt(n));
    else b.writeBigUInt64BE(BigInt(n));
    return b;
  };
  const tags: Array<[number, number, number]> = [
    [256, 3, 1],
    [257, 3, 1],
    [258, 3, 1],
    [259, 3, 1],
    [262, 3, 0],
    [273, 4, 0],
    [277, 3, 1],
    [278, 3, 1],
    [279, 4, 1],
    [296, 3, 1],
  ];
  const headerSize = big ? 16 : 8;
  const entrySize = big ? 20 : 12;
  const ifdSize = (big ? 8 : 2) + tags.length * entrySize + (big ? 8 : 4);
  const pixelAt = headerSize + ifdSize;
  const entries = tags.map(([tag, type, value]) => {
    const v = tag === 273 ? pixelAt : value;
    const field = type === 3 ? Buffer.concat([u16(v), Buffer.alloc(big ? 6 : 2)]) : big ? u64(v) : u32(v);
    return Buffer.concat([u16(tag), u16(type), big ? u64(1) : u32(1), field]);
  });
  const header = big
    ? Buffer.concat([ascii(order), u16(43), u16(8), u16(0), u64(headerSize)])
    : Buffer.concat([ascii(order), u16(42), u32(headerSize)]);
  const ifd = Buffer.concat([big ? u64(tags.length) : u16(tags.length), ...entries, big ? u64(0) : u32(0)]);
  return Buffer.concat([header, ifd, Buffer.from([0x80])]);
}

function bmp(): Buffer {
  const dib = Buffer.concat([u32le(40), u32le(1), u32le(1), u16le(1), u16le(24), u32le(0), u32le(4), u32le(2835), u32le(2835), u32le(0), u32le(0)]);
  return Buffer.concat([ascii('BM'), u32le(58), u32le(0), u32le(54), dib, Buffer.from([0xff, 0, 0, 0])]);
}

/** The 1×1 images commonly used for feature detection. */
const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const WEBP_1X1 = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

const box = (type: string, body: Buffer) => Buffer.concat([u32be(body.length + 8), ascii(type), body]);

/** JPEG 2000 part 1 main header for a 1×1 8-bit grey image. */
function codestream(): Buffer {
  const siz = Buffer.concat([u16be(0), ...[1, 1, 0, 0, 1, 1, 0, 0].map(u32be), u16be(1), Buffer.from([7, 1, 1])]);
  return Buffer.concat([Buffer.from([0xff, 0x4f, 0xff, 0x51]), u16be(siz.length + 2), siz, Buffer.from([0xff, 0xd9])]);
}

function jp2(brand: string, compatible: string[]): Buffer {
  const ihdr = box('ihdr', Buffer.concat([u32be(1), u32be(1), u16be(1), Buffer.from([7, 7, 0, 0])]));
  const colr = box('colr', Buffer.concat([Buffer.from([1, 0, 0]), u32be(17)]));
  return Buffer.concat([
    box('jP  ', Buffer.from('0d0a870a', 'hex')),
    box('ftyp', Buffer.concat([ascii(brand), u32be(0), ...compatible.map(ascii)])),
    box('jp2h', Buffer.concat([ihdr, colr])),
    box('jp2c', codestream()),
  ]);
}

describe('images', () => {
  it.each([
    ['PNG', png(), 'a.png', { formatId: 'png', version: null, archival: true, magic: '89504e470d0a1a0a' }],
    ['JPEG (JFIF)', jpeg('jfif'), 'a.jpg', { formatId: 'jpeg', version: 'JFIF 1.02', archival: true, magic: 'ffd8ff' }],
    ['JPEG (Exif)', jpeg('exif'), 'a.jpeg', { formatId: 'jpeg', version: 'Exif', archival: true }],
    ['TIFF II', tiff('II'), 'a.tif', { formatId: 'tiff', version: null, archival: true, magic: '49492a00' }],
    ['TIFF MM', tiff('MM'), 'a.tiff', { formatId: 'tiff', version: null, archival: true, magic: '4d4d002a' }],
    ['BigTIFF', tiff('II', true), 'a.tif', { formatId: 'tiff', version: 'BigTIFF', archival: true, magic: '49492b00' }],
    ['JP2', jp2('jp2 ', ['jp2 ']), 'a.jp2', { formatId: 'jp2', version: 'jp2', mime: 'image/jp2', archival: true }],
    ['JPX', jp2('jpx ', ['jpx ', 'jp2 ']), 'a.jpx', { formatId: 'jp2', version: 'jpx', mime: 'image/jpx', archival: true }],
    ['JPM', jp2('jpm ', ['jpm ']), 'a.jpm', { formatId: 'jpm', archival: false }],
    ['J2C', codestream(), 'a.j2k', { formatId: 'j2c', archival: true, magic: 'ff4fff51' }],
    ['GIF', GIF_1X1, 'a.gif', { formatId: 'gif', version: '89a', archival: false }],
    ['BMP', bmp(), 'a.bmp', { formatId: 'bmp', archival: false, magic: '424d' }],
    ['WebP', WEBP_1X1, 'a.webp', { formatId: 'webp', archival: false }],
  ] as const)('%s', (_, bytes, name, expected) => {
    expect(identifyBuffer(bytes, name)).toMatchObject({ ...expected, extensionMatches: true, encrypted: false });
  });

  it('explains what to do with a non-archival image', () => {
    expect(identifyBuffer(GIF_1X1, 'a.gif').archivalNote.zh).toContain('TIFF、JPEG、JPEG 2000 或 PNG');
  });

  it('does not take text starting with "BM" for a bitmap', () => {
    expect(identifyBuffer(ascii('BMW 3 series, notes\n'), 'notes.txt').formatId).toBe('txt');
  });
});

// ---------- audio and video ----------

function wav(rf64 = false): Buffer {
  const samples = Buffer.alloc(1600);
  for (let i = 0; i < 800; i++) samples.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), i * 2);
  const fmt = Buffer.concat([ascii('fmt '), u32le(16), u16le(1), u16le(1), u32le(8000), u32le(16000), u16le(2), u16le(16)]);
  if (!rf64) {
    const body = Buffer.concat([ascii('WAVE'), fmt, ascii('data'), u32le(samples.length), samples]);
    return Buffer.concat([ascii('RIFF'), u32le(body.length), body]);
  }
  const ds64 = Buffer.alloc(28);
  ds64.writeBigUInt64LE(BigInt(4 + 36 + 24 + 8 + samples.length), 0);
  ds64.writeBigUInt64LE(BigInt(samples.length), 8);
  ds64.writeBigUInt64LE(800n, 16);
  return Buffer.concat([
    ascii('RF64'),
    u32le(0xffffffff),
    ascii('WAVE'),
    ascii('ds64'),
    u32le(28),
    ds64,
    fmt,
    ascii('data'),
    u32le(0xffffffff),
    samples,
  ]);
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz frames of silence (417 bytes each, no padding). */
const mp3Frames = (count: number) =>
  Buffer.concat(Array.from({ length: count }, () => Buffer.concat([Buffer.from('fffb9064', 'hex'), Buffer.alloc(413)])));

function id3(title: string): Buffer {
  const text = Buffer.concat([Buffer.from([3]), Buffer.from(title, 'utf8')]);
  const syncsafe = (n: number) => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
  const frame = Buffer.concat([ascii('TIT2'), syncsafe(text.length), Buffer.alloc(2), text]);
  return Buffer.concat([ascii('ID3'), Buffer.from([4, 0, 0]), syncsafe(frame.length), frame]);
}

const ftyp = (major: string, compatible: string[]) =>
  Buffer.concat([box('ftyp', Buffer.concat([ascii(major), u32be(0x200), ...compatible.map(ascii)])), box('free', Buffer.alloc(0)), box('mdat', Buffer.alloc(16))]);

function avi(): Buffer {
  const avih = box('avih', Buffer.alloc(56));
  const list = Buffer.concat([ascii('LIST'), u32le(4 + avih.length), ascii('hdrl'), avih]);
  const body = Buffer.concat([ascii('AVI '), list]);
  return Buffer.concat([ascii('RIFF'), u32le(body.length), body]);
}

function flac(): Buffer {
  const info = Buffer.alloc(34);
  info.writeUInt16BE(4096, 0);
  info.writeUInt16BE(4096, 2);
  // 44 100 Hz, mono, 16 bits per sample, packed into 20 + 3 + 5 bits.
  info.writeUInt32BE((44100 << 12) | (0 << 9) | (15 << 4), 10);
  return Buffer.concat([ascii('fLaC'), Buffer.from([0x80, 0, 0, 34]), info]);
}

/** Ogg's CRC: polynomial 0x04c11db7, not reflected, initial value 0. */
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

function ogg(packet: Buffer): Buffer {
  const page = Buffer.concat([ascii('OggS'), Buffer.from([0, 2]), Buffer.alloc(8), u32le(0x1234), u32le(0), u32le(0), Buffer.from([1, packet.length]), packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

const vorbisId = Buffer.concat([ascii('\x01vorbis'), u32le(0), Buffer.from([1]), u32le(44100), u32le(0), u32le(128000), u32le(0), Buffer.from([0xb8, 1])]);
const opusHead = Buffer.concat([ascii('OpusHead'), Buffer.from([1, 1]), u16le(312), u32le(48000), u16le(0), Buffer.from([0])]);
const theoraId = Buffer.concat([ascii('\x80theora'), Buffer.from([3, 2, 1]), Buffer.alloc(35)]);

describe('audio and video', () => {
  it.each([
    ['WAV', wav(), 'a.wav', { formatId: 'wav', version: null, archival: true, mime: 'audio/wav' }],
    ['RF64', wav(true), 'a.wav', { formatId: 'wav', version: 'RF64', archival: true }],
    ['BW64', Buffer.concat([ascii('BW64'), wav(true).subarray(4)]), 'a.wav', { formatId: 'wav', version: 'BW64' }],
    ['MP3 frames', mp3Frames(6), 'a.mp3', { formatId: 'mp3', version: 'MPEG-1', archival: true, magic: 'fffb9064' }],
    ['MP3 with ID3v2', Buffer.concat([id3('录音'), mp3Frames(3)]), 'a.mp3', { formatId: 'mp3', version: 'MPEG-1', magic: '494433' }],
    ['MP4', ftyp('isom', ['isom', 'iso2', 'avc1', 'mp41']), 'a.mp4', { formatId: 'mp4', version: 'isom', archival: true, mime: 'video/mp4' }],
    ['MP4 (mp42)', ftyp('mp42', ['mp42', 'isom']), 'a.m4v', { formatId: 'mp4', version: 'mp42', archival: true }],
    ['MOV', ftyp('qt  ', ['qt  ']), 'a.mov', { formatId: 'mov', archival: false, mime: 'video/quicktime' }],
    ['M4A', ftyp('M4A ', ['M4A ', 'mp42', 'isom']), 'a.m4a', { formatId: 'm4a', archival: false }],
    ['3GP', ftyp('3gp4', ['3gp4', 'isom']), 'a.3gp', { formatId: '3gp', archival: false }],
    ['HEIC', ftyp('heic', ['mif1', 'heic']), 'a.heic', { formatId: 'heif', archival: false }],
    ['AVIF', ftyp('avif', ['avif', 'mif1', 'miaf']), 'a.avif', { formatId: 'avif', archival: false }],
    ['old QuickTime', Buffer.concat([box('moov', box('mvhd', Buffer.alloc(100)))]), 'a.mov', { formatId: 'mov' }],
    ['AVI', avi(), 'a.avi', { formatId: 'avi', archival: false }],
    ['FLAC', flac(), 'a.flac', { formatId: 'flac', archival: false }],
    ['Ogg Vorbis', ogg(vorbisId), 'a.ogg', { formatId: 'ogg', version: 'Vorbis', mime: 'audio/ogg' }],
    ['Ogg Opus', ogg(opusHead), 'a.opus', { formatId: 'ogg', version: 'Opus', mime: 'audio/ogg' }],
    ['Ogg Theora', ogg(theoraId), 'a.ogv', { formatId: 'ogg', version: 'Theora', mime: 'video/ogg' }],
  ] as const)('%s', (_, bytes, name, expected) => {
    expect(identifyBuffer(bytes, name)).toMatchObject({ ...expected, extensionMatches: true, encrypted: false });
  });

  it('uses the extension for an old movie file that says nothing of its brand', () => {
    const mdatFirst = Buffer.concat([box('mdat', Buffer.alloc(32)), box('moov', Buffer.alloc(8))]);
    expect(identifyBuffer(mdatFirst, 'a.mp4')).toMatchObject({ formatId: 'mp4', extensionMatches: true });
    expect(identifyBuffer(mdatFirst, 'a.mov')).toMatchObject({ formatId: 'mov', extensionMatches: true });
  });

  it('does not take an ISO media file for MP4 only because it lists "isom"', () => {
    const cameraRaw = ftyp('crx ', ['crx ', 'isom']);
    expect(identifyBuffer(cameraRaw, 'IMG_0001.CR3').formatId).toBe('unknown');
  });

  it('does not take a lone frame sync or atom-like text for media', () => {
    const noise = Buffer.concat([Buffer.from('fffb9064', 'hex'), Buffer.alloc(413), Buffer.from('00ff00ff', 'hex'), Buffer.alloc(500)]);
    expect(identifyBuffer(noise, 'a.mp3').formatId).toBe('unknown');
    expect(identifyBuffer(ascii("I'm free to go\n"), 'a.txt').formatId).toBe('txt');
  });

  it('notes that audio/video formats are listed from practice', () => {
    expect(identifyBuffer(wav(), 'a.wav').archivalNote.zh).toContain('通行做法');
    expect(identifyBuffer(flac(), 'a.flac').archivalNote.zh).toContain('WAV 或 MP3');
  });
});

// ---------- archives ----------

const vint = (n: number) => {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 0x80);
  } while (n > 0);
  return Buffer.from(out);
};

/** A RAR 5 block: CRC32 of (size + header), size as vint, then the header from its type on. */
function rar5Block(fields: Buffer): Buffer {
  const sized = Buffer.concat([vint(fields.length), fields]);
  return Buffer.concat([u32le(crc32(sized)), sized]);
}

function rar5(mode: 'plain' | 'file' | 'headers'): Buffer {
  const signature = Buffer.from('526172211a070100', 'hex');
  const main = rar5Block(Buffer.concat([vint(1), vint(0), vint(0)]));
  const data = Buffer.from('stored content');
  const name = Buffer.from('说明文件.txt', 'utf8');
  const encryption = Buffer.concat([vint(1), vint(0), vint(0), Buffer.from([15]), Buffer.alloc(16, 7), Buffer.alloc(16, 9)]);
  const extra = mode === 'file' ? Buffer.concat([vint(encryption.length), encryption]) : Buffer.alloc(0);
  const fileFields = Buffer.concat([
    vint(2),
    vint(extra.length ? 3 : 2),
    ...(extra.length ? [vint(extra.length)] : []),
    vint(data.length),
    vint(0),
    vint(data.length),
    vint(0x20),
    u32le(crc32(data)),
    vint(0),
    vint(0),
    vint(name.length),
    name,
    extra,
  ]);
  const endOfArchive = rar5Block(Buffer.concat([vint(5), vint(0), vint(0)]));
  if (mode === 'headers') {
    const archiveEncryption = rar5Block(Buffer.concat([vint(4), vint(0), vint(0), vint(0), Buffer.from([15]), Buffer.alloc(16, 3)]));
    return Buffer.concat([signature, archiveEncryption, Buffer.alloc(96, 0x5a)]);
  }
  return Buffer.concat([signature, main, rar5Block(fileFields), data, endOfArchive]);
}

/** RAR 4: marker, main header (type 0x73), one stored file header (type 0x74), end block. */
function rar4(encrypted: boolean): Buffer {
  const block = (type: number, flags: number, rest: Buffer) => {
    const fields = Buffer.concat([Buffer.from([type]), u16le(flags), u16le(rest.length + 7), rest]);
    return Buffer.concat([u16le(crc32(fields) & 0xffff), fields]);
  };
  const data = Buffer.from('stored content');
  const name = Buffer.from('readme.txt');
  const file = Buffer.concat([u32le(data.length), u32le(data.length), Buffer.from([2]), u32le(crc32(data)), u32le(0x5a210000), Buffer.from([29, 0x30]), u16le(name.length), u32le(0x20), name]);
  return Buffer.concat([
    Buffer.from('526172211a0700', 'hex'),
    block(0x73, 0, Buffer.alloc(6)),
    block(0x74, 0x8000 | (encrypted ? 0x0004 : 0), file),
    data,
    block(0x7b, 0x4000, Buffer.alloc(0)),
  ]);
}

/** An empty 7z archive: just the 32-byte signature header. */
function sevenZip(): Buffer {
  const startHeader = Buffer.alloc(20);
  return Buffer.concat([Buffer.from('377abcaf271c0004', 'hex'), u32le(crc32(startHeader)), startHeader]);
}

describe('archives', () => {
  it.each([
    ['RAR 5', rar5('plain'), 'a.rar', { formatId: 'rar', version: '5', encrypted: false }],
    ['RAR 5, encrypted file', rar5('file'), 'a.rar', { formatId: 'rar', version: '5', encrypted: true }],
    ['RAR 5, encrypted headers', rar5('headers'), 'a.rar', { formatId: 'rar', version: '5', encrypted: true }],
    ['RAR 4', rar4(false), 'a.rar', { formatId: 'rar', version: '4', encrypted: false }],
    ['RAR 4, encrypted file', rar4(true), 'a.rar', { formatId: 'rar', version: '4', encrypted: true }],
    ['7z', sevenZip(), 'a.7z', { formatId: '7z', version: '0.4', encrypted: false, magic: '377abcaf271c' }],
    ['gzip', gzipSync(Buffer.from('档案'.repeat(100))), 'a.tar.gz', { formatId: 'gzip', extension: 'gz', encrypted: false }],
  ] as const)('%s', (_, bytes, name, expected) => {
    expect(identifyBuffer(bytes, name)).toMatchObject({ ...expected, archival: false, extensionMatches: true });
  });
});
