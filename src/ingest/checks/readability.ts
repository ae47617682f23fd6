/**
 * Whether a content file opens (DA/T 70 GD-3-4). PDFs are loaded with pdf-lib, which is already a
 * dependency and refuses broken cross-reference tables and objects. Images are checked for
 * structure rather than decoded, so no native image library is needed: a JPEG must have its
 * frame header, scan and end marker (a cut-off scan loses EOI); a PNG's chunks must all be in the
 * file with good CRCs and its image data must inflate; a TIFF's first IFD and its strips or tiles
 * must lie inside the file. An OFD must be a readable zip with OFD.xml at its root (GB/T 33190).
 * Other formats are identified only and reported as not probed.
 */
import { readFile } from 'node:fs/promises';
import { crc32, inflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import yauzl from 'yauzl';
import type { Label } from '../../domain/errors.js';
import type { FormatRecord } from '../../storage/format/identify.js';

/**
 * `signed`: the file embeds a signature or seal (PDF /ByteRange, OFD Signatures.xml) for the manual
 * signature review. `pages`: the pages counted in the file, for comparison with the declared 页数.
 */
export type Readability = { probed: false } | { probed: true; problem: Label | null; signed?: boolean; pages?: number };

const ok: Readability = { probed: true, problem: null };
const bad = (zh: string, en: string): Readability => ({ probed: true, problem: { zh, en } });

async function probePdf(path: string): Promise<Readability> {
  try {
    // Encryption is its own check (GD-3-8); here only the structure counts.
    const bytes = await readFile(path);
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
    const pages = doc.getPageCount();
    if (pages === 0) return bad('PDF 没有页面', 'the PDF has no pages');
    return { probed: true, problem: null, signed: bytes.includes('/ByteRange'), pages };
  } catch (e) {
    const detail = e instanceof Error ? e.message.slice(0, 200) : String(e);
    return bad(`PDF 无法解析：${detail}`, `the PDF does not parse: ${detail}`);
  }
}

function zipEntryNames(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function probeOfd(path: string): Promise<Readability> {
  try {
    const names = await zipEntryNames(path);
    if (!names.some((n) => n.toLowerCase() === 'ofd.xml')) return bad('OFD 包根目录中没有 OFD.xml', 'the OFD package has no OFD.xml at its root');
    return { probed: true, problem: null, signed: names.some((n) => /(^|\/)signatures\.xml$/i.test(n)) };
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return bad(`OFD 不是可读的 ZIP 包：${detail}`, `the OFD is not a readable zip: ${detail}`);
  }
}

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function probeJpeg(b: Buffer): Readability {
  let at = 2;
  let frame = false;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return bad(`JPEG 在偏移 ${at} 处的段结构损坏`, `JPEG segment structure broken at offset ${at}`);
    const marker = b[at + 1] ?? 0;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9) return bad('JPEG 在图像数据之前结束', 'the JPEG ends before any image data');
    const length = b.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > b.length) return bad('JPEG 段长度超出文件（文件被截断）', 'a JPEG segment runs past the end of the file (truncated)');
    if (SOF.has(marker)) frame = true;
    if (marker === 0xda) {
      if (!frame) return bad('JPEG 缺少帧头（SOF）', 'the JPEG has no frame header (SOF)');
      // Writers may pad after EOI, so look for it near the end rather than at the last byte.
      const tail = b.subarray(Math.max(at, b.length - 64 * 1024));
      return tail.includes(Buffer.from([0xff, 0xd9])) ? ok : bad('JPEG 缺少结束标记（文件被截断）', 'the JPEG has no end marker (truncated)');
    }
    at += 2 + length;
  }
  return bad('JPEG 没有图像数据（文件被截断）', 'the JPEG has no image data (truncated)');
}

function probePng(b: Buffer): Readability {
  let at = 8;
  const idat: Buffer[] = [];
  let first = true;
  let header: { width: number; height: number; depth: number; colour: number; interlace: number } | null = null;
  while (at + 12 <= b.length) {
    const length = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > b.length) return bad(`PNG 块 ${type} 超出文件（文件被截断）`, `PNG chunk ${type} runs past the end of the file (truncated)`);
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== b.readUInt32BE(at + 8 + length)) {
      return bad(`PNG 块 ${type} 的 CRC 校验失败`, `CRC mismatch in PNG chunk ${type}`);
    }
    const data = b.subarray(at + 8, at + 8 + length);
    if (first && type !== 'IHDR') return bad('PNG 第一个块不是 IHDR', 'the first PNG chunk is not IHDR');
    first = false;
    if (type === 'IHDR') header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8] ?? 0, colour: data[9] ?? 0, interlace: data[12] ?? 0 };
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') break;
    at += 12 + length;
  }
  if (at + 12 > b.length) return bad('PNG 缺少 IEND（文件被截断）', 'the PNG has no IEND chunk (truncated)');
  if (!header || idat.length === 0) return bad('PNG 没有图像数据', 'the PNG has no image data');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    return bad('PNG 图像数据无法解压', 'the PNG image data does not inflate');
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[header.colour] ?? 0;
  const expected = header.height * (1 + Math.ceil((header.width * channels * header.depth) / 8));
  if (header.interlace === 0 && channels > 0 && raw.length < expected) {
    return bad('PNG 图像数据不完整', 'the PNG image data is incomplete');
  }
  return ok;
}

function probeTiff(b: Buffer): Readability {
  const little = b.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (b.length < 8 || u16(2) !== 42) return { probed: false };
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > b.length) return bad('TIFF 的首个 IFD 不在文件内', 'the TIFF’s first IFD is outside the file');
  const count = u16(ifd);
  if (ifd + 2 + count * 12 + 4 > b.length) return bad('TIFF 的 IFD 超出文件（文件被截断）', 'the TIFF IFD runs past the end of the file (truncated)');
  const values = (entry: number): number[] | null => {
    const type = u16(entry + 2);
    const n = u32(entry + 4);
    const width = type === 3 ? 2 : type === 4 ? 4 : 0;
    if (width === 0) return null;
    const start = n * width <= 4 ? entry + 8 : u32(entry + 8);
    if (start + n * width > b.length) return null;
    return Array.from({ length: n }, (_, i) => (width === 2 ? u16(start + i * 2) : u32(start + i * 4)));
  };
  const tags = new Map<number, number[] | null>();
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    tags.set(u16(entry), values(entry));
  }
  const offsets = tags.get(273) ?? tags.get(324);
  const lengths = tags.get(279) ?? tags.get(325);
  if (!offsets || !lengths || offsets.length !== lengths.length) return bad('TIFF 缺少完整的图像数据位置（条带或瓦片）', 'the TIFF lacks complete strip or tile locations');
  for (let i = 0; i < offsets.length; i++) {
    if ((offsets[i] ?? 0) + (lengths[i] ?? 0) > b.length) return bad('TIFF 图像数据超出文件（文件被截断）', 'TIFF image data runs past the end of the file (truncated)');
  }
  return ok;
}

/** Probes the formats Lantai can open without a renderer; `record` is the file's identification. */
export async function probeReadability(path: string, record: FormatRecord): Promise<Readability> {
  const id = record.formatId;
  if (id === 'pdf' || id.startsWith('pdfa-')) return probePdf(path);
  if (id === 'ofd') return probeOfd(path);
  if (id === 'jpeg') return probeJpeg(await readFile(path));
  if (id === 'png') return probePng(await readFile(path));
  if (id === 'tiff') return probeTiff(await readFile(path));
  return { probed: false };
}
