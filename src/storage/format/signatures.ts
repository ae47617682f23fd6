import { type Detection, type FormatId, hex } from './formats.js';

const ascii = (head: Buffer, at: number, text: string) => head.toString('latin1', at, at + text.length) === text;
const bytes = (head: Buffer, at: number, hexBytes: string) =>
  head.subarray(at, at + hexBytes.length / 2).equals(Buffer.from(hexBytes, 'hex'));
const simple = (formatId: FormatId, head: Buffer, magicLength: number, version: string | null = null): Detection => ({
  formatId,
  version,
  magic: hex(head, 0, magicLength),
});

function tiff(head: Buffer): Detection | null {
  if (bytes(head, 0, '49492a00') || bytes(head, 0, '4d4d002a')) return simple('tiff', head, 4);
  if (bytes(head, 0, '49492b00') || bytes(head, 0, '4d4d002b')) return simple('tiff', head, 4, 'BigTIFF');
  return null;
}

function jpeg(head: Buffer): Detection | null {
  if (!bytes(head, 0, 'ffd8ff')) return null;
  if (bytes(head, 2, 'ffe0') && ascii(head, 6, 'JFIF\0') && head.length >= 13) {
    return simple('jpeg', head, 3, `JFIF ${head[11]}.${String(head[12]).padStart(2, '0')}`);
  }
  if (bytes(head, 2, 'ffe1') && ascii(head, 6, 'Exif\0')) return simple('jpeg', head, 3, 'Exif');
  return simple('jpeg', head, 3);
}

/** JP2 family: the signature box, then a ftyp box whose brand tells JP2, JPM and Motion JPEG 2000 apart. */
function jpeg2000(head: Buffer): Detection | null {
  if (bytes(head, 0, 'ff4fff51')) return simple('j2c', head, 4);
  if (!bytes(head, 0, '0000000c6a5020200d0a870a')) return null;
  const brand = ascii(head, 16, 'ftyp') ? head.toString('latin1', 20, 24) : '';
  if (brand === 'jpm ') return simple('jpm', head, 12);
  if (brand === 'mjp2') return simple('mj2', head, 12);
  const found = simple('jp2', head, 12, brand.trim() || null);
  // JPX files (Part 2) share the JP2 layout and most declare JP2 compatibility.
  if (brand === 'jpx ') found.mime = 'image/jpx';
  return found;
}

const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

function image(head: Buffer): Detection | null {
  if (bytes(head, 0, '89504e470d0a1a0a')) return simple('png', head, 8);
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return simple('gif', head, 6, head.toString('latin1', 3, 6));
  // "BM" alone is too common at the start of text; the DIB header size makes it specific.
  if (ascii(head, 0, 'BM') && head.length >= 18 && BMP_HEADER_SIZES.has(head.readUInt32LE(14))) return simple('bmp', head, 2);
  return null;
}

function riff(head: Buffer): Detection | null {
  const container = head.toString('latin1', 0, 4);
  if (!['RIFF', 'RF64', 'BW64'].includes(container)) return null;
  const form = head.toString('latin1', 8, 12);
  // RF64 and BW64 (ITU-R BS.2088) are WAVE with 64-bit sizes.
  if (form === 'WAVE') return simple('wav', head, 12, container === 'RIFF' ? null : container);
  if (form === 'AVI ') return simple('avi', head, 12);
  if (form === 'WEBP') return simple('webp', head, 12);
  return null;
}

const MP3_BITRATES = {
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const MPEG_VERSIONS: Record<number, string> = { 3: 'MPEG-1', 2: 'MPEG-2', 0: 'MPEG-2.5' };

/** An MPEG audio Layer III frame header at `at`: its version and length, or null. */
function mp3Frame(b: Buffer, at: number): { version: string; length: number } | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null;
  const versionBits = (b[at + 1]! >> 3) & 3;
  const layerBits = (b[at + 1]! >> 1) & 3;
  const bitrateIndex = b[at + 2]! >> 4;
  const rate = SAMPLE_RATES[versionBits]?.[(b[at + 2]! >> 2) & 3];
  if (layerBits !== 1 || !rate || bitrateIndex === 0 || bitrateIndex === 15) return null;
  const mpeg1 = versionBits === 3;
  const kbps = (mpeg1 ? MP3_BITRATES.v1 : MP3_BITRATES.v2)[bitrateIndex]!;
  const padding = (b[at + 2]! >> 1) & 1;
  return { version: MPEG_VERSIONS[versionBits]!, length: Math.floor(((mpeg1 ? 144000 : 72000) * kbps) / rate) + padding };
}

function mp3(head: Buffer, size: number): Detection | null {
  // ID3v2: "ID3", major version 2–4, then a 28-bit syncsafe size.
  const id3 = ascii(head, 0, 'ID3') && head.length >= 10 && head[3]! >= 2 && head[3]! <= 4;
  if (id3 && [6, 7, 8, 9].every((i) => head[i]! < 0x80)) {
    const tagEnd = 10 + ((head[6]! << 21) | (head[7]! << 14) | (head[8]! << 7) | head[9]!) + (head[5]! & 0x10 ? 10 : 0);
    let version: string | null = null;
    // Encoders may pad after the tag; look a little further for the first frame.
    for (let at = tagEnd; at <= Math.min(head.length - 4, tagEnd + 4096) && !version; at++) {
      version = mp3Frame(head, at)?.version ?? null;
    }
    return simple('mp3', head, 3, version);
  }
  const frame = mp3Frame(head, 0);
  if (!frame) return null;
  // A lone sync word is weak evidence: the next frame must follow unless this one ends the visible bytes.
  const next = frame.length;
  if (next + 4 <= head.length) {
    if (!mp3Frame(head, next) && !ascii(head, next, 'TAG')) return null;
  } else if (head.length === size && next !== size) return null;
  return simple('mp3', head, 4, frame.version);
}

const BRANDS: Record<string, FormatId> = {
  'qt  ': 'mov',
  'M4A ': 'm4a',
  'M4B ': 'm4a',
  heic: 'heif',
  heix: 'heif',
  mif1: 'heif',
  msf1: 'heif',
  avif: 'avif',
  avis: 'avif',
};
const MP4_BRAND = /^(iso[m2-9]|mp4[12]|avc1|M4V |M4VH|mmp4|dash|MSNV|XAVC|f4v )$/;
/** Brands that mark MP4 among the compatible ones; "isom" alone does not (camera raw files list it). */
const MP4_COMPATIBLE = /^(iso[2-9]|mp4[12]|avc1)$/;

/** ISO base media (MP4, MOV, 3GP, HEIF): a ftyp box first, its major brand naming the format. */
function isoMedia(head: Buffer, size: number, extension: string | null): Detection | null {
  if (head.length < 12) return null;
  const box = head.toString('latin1', 4, 8);
  const boxSize = head.readUInt32BE(0);
  if (box !== 'ftyp') {
    // Old QuickTime files start with other atoms (MP4 writers of that era too); the size keeps text out.
    const plausible = boxSize <= 1 || (boxSize >= 8 && boxSize <= size);
    if (!['moov', 'mdat', 'wide', 'free', 'pnot'].includes(box) || !plausible) return null;
    return simple(extension === 'mp4' ? 'mp4' : 'mov', head, 8);
  }
  if (boxSize < 16 || boxSize > size) return null;
  const major = head.toString('latin1', 8, 12);
  const boxEnd = Math.min(head.length, boxSize);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= boxEnd; at += 4) compatible.push(head.toString('latin1', at, at + 4));
  if (major === 'mif1' && compatible.includes('avif')) return simple('avif', head, 12, major);
  const branded = BRANDS[major];
  if (branded) return simple(branded, head, 12, branded === 'mov' ? null : major.trim());
  if (major.startsWith('3gp') || major.startsWith('3g2')) return simple('3gp', head, 12, major.trim());
  if (MP4_BRAND.test(major) || compatible.some((b) => MP4_COMPATIBLE.test(b))) return simple('mp4', head, 12, major.trim());
  return null;
}

const OGG_CODECS: Array<[string, string, string]> = [
  ['\x01vorbis', 'Vorbis', 'audio/ogg'],
  ['OpusHead', 'Opus', 'audio/ogg'],
  ['\x7fFLAC', 'FLAC', 'audio/ogg'],
  ['Speex   ', 'Speex', 'audio/ogg'],
  ['\x80theora', 'Theora', 'video/ogg'],
];

function audio(head: Buffer): Detection | null {
  if (ascii(head, 0, 'fLaC')) return simple('flac', head, 4);
  if (!ascii(head, 0, 'OggS')) return null;
  const found = simple('ogg', head, 4);
  // The first page's first packet names the codec: header (27) + segment table.
  const packet = 27 + (head[26] ?? 0);
  const codec = OGG_CODECS.find(([id]) => ascii(head, packet, id));
  if (codec) {
    found.version = codec[1];
    found.mime = codec[2];
  }
  return found;
}

/** RAR 5 variable-length integer: 7 bits per byte, high bit set on all but the last. */
function vint(b: Buffer, at: number): [value: number, next: number] | null {
  let value = 0;
  for (let i = 0; i < 10 && at + i < b.length; i++) {
    value += (b[at + i]! & 0x7f) * 2 ** (7 * i);
    if (!(b[at + i]! & 0x80)) return [value, at + i + 1];
  }
  return null;
}

/** RAR 5: an archive encryption header (type 4), or an encryption record in the first file header. */
function rar5Encrypted(head: Buffer): boolean {
  for (let at = 8, n = 0; at < head.length && n < 16; n++) {
    const size = vint(head, at + 4);
    if (!size) return false;
    const end = size[1] + size[0];
    const type = vint(head, size[1]);
    const flags = type && vint(head, type[1]);
    if (!type || !flags) return false;
    if (type[0] === 4) return true;
    const extra = flags[0] & 1 ? vint(head, flags[1]) : null;
    const data = flags[0] & 2 ? vint(head, extra ? extra[1] : flags[1]) : null;
    if (type[0] === 2) {
      for (let r = end - (extra?.[0] ?? 0); extra && r < end; ) {
        const recordSize = vint(head, r);
        const recordType = recordSize && vint(head, recordSize[1]);
        if (!recordSize || !recordType) return false;
        if (recordType[0] === 1) return true;
        r = recordSize[1] + recordSize[0];
      }
      return false;
    }
    at = end + (data?.[0] ?? 0);
  }
  return false;
}

/** RAR 4: the main header's "block headers encrypted" flag, or the first file header's password flag. */
function rar4Encrypted(head: Buffer): boolean {
  if (head.length < 14 || head[9] !== 0x73) return false;
  if (head.readUInt16LE(10) & 0x0080) return true;
  const next = 7 + head.readUInt16LE(12);
  return next + 5 <= head.length && head[next + 2] === 0x74 && (head.readUInt16LE(next + 3) & 0x0004) !== 0;
}

const RAR_ENCRYPTED = {
  encrypted: true,
  note: { zh: 'RAR 文件头或文件数据已加密', en: 'The RAR headers or file data are encrypted' },
};

function archive(head: Buffer): Detection | null {
  if (bytes(head, 0, '526172211a070100')) {
    return { ...simple('rar', head, 8, '5'), ...(rar5Encrypted(head) ? { encryption: RAR_ENCRYPTED } : {}) };
  }
  if (bytes(head, 0, '526172211a0700')) {
    return { ...simple('rar', head, 7, '4'), ...(rar4Encrypted(head) ? { encryption: RAR_ENCRYPTED } : {}) };
  }
  if (bytes(head, 0, '377abcaf271c') && head.length >= 8) return simple('7z', head, 6, `${head[6]}.${head[7]}`);
  if (bytes(head, 0, '1f8b08')) return simple('gzip', head, 3);
  return null;
}

/** Formats recognised from the head alone; the weak MP3 frame sync comes last. */
export function detectBySignature(head: Buffer, size: number, extension: string | null): Detection | null {
  return (
    tiff(head) ??
    jpeg(head) ??
    jpeg2000(head) ??
    image(head) ??
    riff(head) ??
    isoMedia(head, size, extension) ??
    audio(head) ??
    archive(head) ??
    mp3(head, size)
  );
}
