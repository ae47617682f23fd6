import type { Label } from '../../domain/errors.js';
import { type Detection, FORMATS, type FormatId, hex } from './formats.js';
import { read, type Reads, scanChunks } from './reads.js';

const HEADER = /^%PDF-(\d+\.\d+)/;

/** The trailer, and with it the pointer to an xref stream, sits in the last bytes of a PDF. */
const TAIL = 64 * 1024;
const XREF_DICT_WINDOW = 4096;

/** Larger than any pdfaid property, so the scan never misses one cut at a chunk boundary. */
const SCAN_OVERLAP = 16 * 1024;

const PDFAID_NS = /xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']http:\/\/www\.aiim\.org\/pdfa\/ns\/id\/["']/g;
const XPACKET_BEGIN = '<?xpacket begin';

/** Conformance levels each PDF/A part defines ('' = none, as PDF/A-4 allows). */
const CONFORMANCE: Record<string, readonly string[]> = {
  '1': ['A', 'B'],
  '2': ['A', 'B', 'U'],
  '3': ['A', 'B', 'U'],
  '4': ['', 'E', 'F'],
};

/** A name token ends at white space or a delimiter, so /EncryptMetadata is not /Encrypt. */
const ENCRYPT_KEY = /\/Encrypt(?=[\s\0/<>[\]()%{}]|$)/;

export interface PdfaClaim {
  part: string;
  /** Upper case; '' when the packet has none. */
  conformance: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Collects pdfaid properties from XMP packets found by byte scanning (the xpacket wrapper exists so
 * that XMP can be found without parsing the container). Properties may be attributes or elements,
 * under any prefix bound to the PDF/A identification namespace. The last claim in the file wins,
 * because an incremental update appends its new metadata after the old.
 */
export class PdfaClaimScanner {
  private readonly prefixes = new Set(['pdfaid']);
  private readonly parts = new Map<number, string>();
  private readonly conformances = new Map<number, string>();
  private readonly packetStarts = new Set<number>();

  feed(window: Buffer, windowStart: number): void {
    const text = window.toString('latin1');
    for (let i = text.indexOf(XPACKET_BEGIN); i >= 0; i = text.indexOf(XPACKET_BEGIN, i + 1)) {
      this.packetStarts.add(windowStart + i);
    }
    for (const m of text.matchAll(PDFAID_NS)) this.prefixes.add(m[1]!);
    for (const prefix of this.prefixes) {
      if (!text.includes(`${prefix}:`)) continue;
      const p = escapeRegExp(prefix);
      const attribute = new RegExp(`(?<![\\w.:-])${p}:(part|conformance)\\s*=\\s*(["'])\\s*([^"'<>]*?)\\s*\\2`, 'g');
      const element = new RegExp(`<${p}:(part|conformance)(?:\\s[^>]*)?>\\s*([^<]*?)\\s*</${p}:\\1\\s*>`, 'g');
      for (const m of text.matchAll(attribute)) this.record(m[1]!, m[3]!, windowStart + m.index);
      for (const m of text.matchAll(element)) this.record(m[1]!, m[2]!, windowStart + m.index);
    }
  }

  private record(property: string, value: string, position: number): void {
    (property === 'part' ? this.parts : this.conformances).set(position, value);
  }

  /** The last part found, with the conformance from the same XMP packet. */
  result(): PdfaClaim | null {
    if (this.parts.size === 0) return null;
    let partAt = -1;
    for (const at of this.parts.keys()) partAt = Math.max(partAt, at);
    let from = -1;
    let to = Infinity;
    for (const s of this.packetStarts) {
      if (s <= partAt) from = Math.max(from, s);
      else to = Math.min(to, s);
    }
    let conformance = '';
    let distance = Infinity;
    for (const [at, value] of this.conformances) {
      if (at < from || at >= to || Math.abs(at - partAt) >= distance) continue;
      distance = Math.abs(at - partAt);
      conformance = value;
    }
    return { part: this.parts.get(partAt)!, conformance: conformance.toUpperCase() };
  }
}

function pdfaFormatId(claim: PdfaClaim): FormatId | null {
  if (!CONFORMANCE[claim.part]?.includes(claim.conformance)) return null;
  const id = `pdfa-${claim.part}${claim.conformance.toLowerCase()}`;
  return id in FORMATS ? (id as FormatId) : null;
}

function skipLiteralString(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return text.length;
}

/** The `<< … >>` dictionary starting at `from` (after white space), or null if there is none or it is cut off. */
export function dictionaryAt(text: string, from: number): string | null {
  const start = from + (/^[\s\0]*/.exec(text.slice(from, from + 256))?.[0].length ?? 0);
  if (!text.startsWith('<<', start)) return null;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '(') i = skipLiteralString(text, i);
    else if (c === '%') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol;
    } else if (c === '<' && text[i + 1] === '<') {
      depth++;
      i++;
    } else if (c === '<') {
      i = text.indexOf('>', i);
      if (i < 0) return null;
    } else if (c === '>' && text[i + 1] === '>') {
      i++;
      if (--depth === 0) return text.slice(start, i + 1);
    }
  }
  return null;
}

const ENCRYPTED: Label = {
  zh: 'PDF 含加密字典（/Encrypt）：打开需要口令或受权限口令限制',
  en: 'The PDF has an encryption dictionary (/Encrypt): it needs a password to open or is restricted by a permissions password',
};
const NOT_CHECKED: Label = {
  zh: '未找到 PDF 的 trailer 或交叉引用流字典，未能检查加密',
  en: 'No PDF trailer or cross-reference stream dictionary was found, so encryption was not checked',
};

/**
 * The file is encrypted when the dictionary of its last cross-reference section carries /Encrypt:
 * the classic `trailer` before the final startxref, or the xref stream that startxref points at.
 * A writer must repeat /Encrypt in every update's trailer, so the last section is enough.
 */
function* pdfEncryption(size: number): Reads<{ encrypted: boolean; note: Label } | undefined> {
  const tailStart = Math.max(0, size - TAIL);
  const tail = (yield* read(tailStart, size - tailStart)).toString('latin1');
  const dictionaries: string[] = [];
  const startxref = tail.lastIndexOf('startxref');
  const trailer = tail.lastIndexOf('trailer', startxref < 0 ? tail.length : startxref);
  if (trailer >= 0) {
    const dict = dictionaryAt(tail, trailer + 'trailer'.length);
    if (dict) dictionaries.push(dict);
  }
  const xrefAt = startxref < 0 ? NaN : Number(/^\s*(\d+)/.exec(tail.slice(startxref + 9, startxref + 40))?.[1]);
  if (xrefAt < size) {
    const window =
      xrefAt >= tailStart
        ? tail.slice(xrefAt - tailStart, xrefAt - tailStart + XREF_DICT_WINDOW)
        : (yield* read(xrefAt, XREF_DICT_WINDOW)).toString('latin1');
    const object = /^[\s\0]*\d+\s+\d+\s+obj\b/.exec(window);
    const dict = object && dictionaryAt(window, object[0].length);
    if (dict && /\/Type\s*\/XRef\b/.test(dict)) dictionaries.push(dict);
  }
  if (dictionaries.length === 0) return { encrypted: false, note: NOT_CHECKED };
  return dictionaries.some((d) => ENCRYPT_KEY.test(d)) ? { encrypted: true, note: ENCRYPTED } : undefined;
}

/**
 * PDF by its header; PDF/A by the pdfaid claim in XMP, found by scanning the whole file in chunks.
 * Only the claim is read: conformance needs a validator such as veraPDF.
 */
export function* detectPdf(head: Buffer, size: number): Reads<Detection | null> {
  const header = HEADER.exec(head.subarray(0, 16).toString('latin1'));
  if (!header) return null;
  const scanner = new PdfaClaimScanner();
  const whole = yield* scanChunks(size, SCAN_OVERLAP, (window, start) => {
    scanner.feed(window, start);
    return true;
  });
  if (!whole) {
    // A partial view: metadata of an incremental update sits at the end, so look there too.
    const tailStart = Math.max(0, size - TAIL);
    scanner.feed(yield* read(tailStart, size - tailStart), tailStart);
  }
  const encryption = yield* pdfEncryption(size);
  const found: Detection = { formatId: 'pdf', version: header[1]!, magic: hex(head, 0, header[0].length) };
  if (encryption) found.encryption = encryption;
  const claim = scanner.result();
  if (!claim) {
    if (!whole) {
      found.note = {
        zh: 'PDF，在已读取的部分中未发现 PDF/A 声明（未读取整个文件）',
        en: 'PDF with no PDF/A declaration in the part that was read (the whole file was not read)',
      };
    }
    return found;
  }
  const pdfa = pdfaFormatId(claim);
  const shown = `part=${claim.part}, conformance=${claim.conformance || '—'}`;
  if (!pdfa) {
    found.note = {
      zh: `XMP 中的 PDF/A 声明无效（${shown}），按普通 PDF 处理；长期保存应转换为 PDF/A 或 OFD`,
      en: `Invalid PDF/A declaration in XMP (${shown}); treated as plain PDF. Convert to PDF/A or OFD for long-term preservation`,
    };
    return found;
  }
  const result: Detection = { ...found, formatId: pdfa, version: `${claim.part}${claim.conformance}` };
  if (encryption?.encrypted) {
    result.problem = {
      zh: `声明为 ${FORMATS[pdfa].name}，但 PDF/A 不允许加密`,
      en: `Declares ${FORMATS[pdfa].name}, but PDF/A does not allow encryption`,
    };
  }
  return result;
}
