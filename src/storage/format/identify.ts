import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Label } from '../../domain/errors.js';
import { ARCHIVAL_FORMATS, type Detection, FORMATS, type FormatRecord } from './formats.js';
import { detectOle2 } from './ole2.js';
import { detectPdf } from './pdf.js';
import { type RandomAccessSource, read, type Reads, runAsync, runSync } from './reads.js';
import { detectBySignature } from './signatures.js';
import { detectText } from './text.js';
import { detectZip } from './zip.js';

/*
 * Known limits (a record is a first-line preservation check, not a validator):
 * - PDF/A is the XMP pdfaid claim, not conformance (that needs veraPDF or similar). XMP in a
 *   compressed or encrypted stream, or encoded as UTF-16/32, is not seen, so such a file reads as
 *   plain PDF. The last claim in the file wins, which may be an embedded file's own packet.
 * - PDF encryption is /Encrypt in the last trailer or xref stream dictionary; a file whose
 *   startxref and trailer are damaged gets a "not checked" note instead. The catalog /Version
 *   override of the header version is not read.
 * - Zip: entries come from the central directory (first 16 MiB of it), or from the local
 *   headers when there is none. Encryption defined inside an OFD package rather than by zip
 *   entry flags is not detected.
 * - OLE2: doc (FIB) and xls (FILEPASS) encryption are read only when the stream lives in regular
 *   sectors (≥ 4096 bytes, as Office writes them); PowerPoint and 7z encryption are not detected;
 *   RAR encryption is read from the first file header only.
 * - Text is UTF-8, GB18030 (judged Chinese by the GB2312 share of the head) or UTF-16 with a BOM;
 *   other encodings (Big5, Latin-1, UTF-16 without BOM) read as unknown. PDF and text files are
 *   read whole, in chunks; a caller that cannot afford that can pass head and tail to identifyBuffer.
 */

export { ARCHIVAL_FORMATS, type FormatRecord } from './formats.js';
export type { RandomAccessSource } from './reads.js';

/** Covers every signature, the OLE2 header, zip local headers and the text heuristics. */
const HEAD = 64 * 1024;

export interface IdentifyOptions {
  /**
   * Format ids that count as archival, replacing ARCHIVAL_FORMATS: parts of the default list rest
   * on unconfirmed sources, so an archive may set its own.
   */
  archivalFormatIds?: Iterable<string>;
}

/** What identifyBuffer knows of the file besides its first bytes. */
export interface BufferView extends IdentifyOptions {
  /** Size of the whole file when `head` is only its start; defaults to head.length. */
  size?: number;
  /** The last bytes of the file, when `head` does not reach them (PDF trailer, zip directory). */
  tail?: Buffer;
}

const DEFAULT_ARCHIVAL: ReadonlySet<string> = new Set(ARCHIVAL_FORMATS.map((f) => f.formatId));
const CONFIGURED_IN: Label = { zh: '在本馆配置的归档格式清单中', en: "On this archive's configured archival format list" };
const CONFIGURED_OUT: Label = { zh: '不在本馆配置的归档格式清单中', en: "Not on this archive's configured archival format list" };
const UNKNOWN: Detection = { formatId: 'unknown', version: null, magic: '' };

export function extensionOf(fileName: string | undefined): string | null {
  const extension = extname(fileName ?? '');
  return extension.length > 1 ? extension.slice(1).toLowerCase() : null;
}

/** Signature first: containers and strong signatures, then weak ones (MP3 frame sync), then text. */
function* identify(size: number, extension: string | null): Reads<Detection> {
  if (size === 0) return { formatId: 'empty', version: null, magic: '' };
  const head = yield* read(0, Math.min(HEAD, size));
  return (
    (yield* detectPdf(head, size)) ??
    (yield* detectZip(head, size)) ??
    (yield* detectOle2(head, size, extension)) ??
    detectBySignature(head, size, extension) ??
    (yield* detectText(head, size, extension)) ??
    UNKNOWN
  );
}

function toRecord(found: Detection, extension: string | null, options: IdentifyOptions | undefined): FormatRecord {
  const info = FORMATS[found.formatId];
  const archivalIds = options?.archivalFormatIds ? new Set(options.archivalFormatIds) : DEFAULT_ARCHIVAL;
  const listed = archivalIds.has(found.formatId);
  const listedByDefault = DEFAULT_ARCHIVAL.has(found.formatId);
  const record: FormatRecord = {
    formatId: found.formatId,
    name: info.name,
    version: found.version ?? null,
    mime: found.mime ?? info.mime,
    extension,
    extensionMatches: extension !== null && (info.extensions as readonly string[]).includes(extension),
    archival: listed && !found.problem,
    archivalNote:
      found.problem ??
      (listed === listedByDefault ? (found.note ?? info.note) : listed ? CONFIGURED_IN : CONFIGURED_OUT),
    encrypted: found.encryption?.encrypted ?? false,
    magic: found.magic,
  };
  if (found.encryption) record.encryptionNote = found.encryption.note;
  if (found.charset) record.charset = found.charset;
  return record;
}

/**
 * Identifies a file from bytes in memory: `head` is the whole file, or its start with `more.size`
 * (and optionally `more.tail`). Facts that need unseen bytes are then judged on what is there.
 */
export function identifyBuffer(head: Buffer, fileName: string, more: BufferView = {}): FormatRecord {
  const size = more.size ?? head.length;
  const tail = more.tail;
  if (size < head.length || (tail && (more.size === undefined || tail.length > size))) {
    throw new RangeError('identifyBuffer: size must cover head, and a tail needs the size of the file');
  }
  const tailStart = size - (tail?.length ?? 0);
  const readAt = (offset: number, length: number): Buffer => {
    const end = Math.min(offset + length, size);
    if (offset < head.length) return head.subarray(offset, Math.min(end, head.length));
    if (tail && offset >= tailStart) return tail.subarray(offset - tailStart, Math.max(0, end - tailStart));
    return Buffer.alloc(0);
  };
  const extension = extensionOf(fileName);
  return toRecord(runSync(identify(size, extension), readAt), extension, more);
}

/** Identifies a file in any random-access store (a local file, an object store with range reads). */
export async function identifySource(
  source: RandomAccessSource,
  fileName?: string,
  options?: IdentifyOptions,
): Promise<FormatRecord> {
  const extension = extensionOf(fileName);
  return toRecord(await runAsync(identify(source.size, extension), source), extension, options);
}

async function readRange(handle: FileHandle, size: number, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * Identifies a stored file, reading only what the format needs: the head, the tail or zip
 * directory, and for PDF and text a chunked pass over the whole file (never all of it at once).
 */
export async function identifyFile(path: string, fileName?: string, options?: IdentifyOptions): Promise<FormatRecord> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const source: RandomAccessSource = { size, read: (offset, length) => readRange(handle, size, offset, length) };
    return await identifySource(source, fileName ?? basename(path), options);
  } finally {
    await handle.close();
  }
}
