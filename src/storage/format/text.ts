import { TextDecoder } from 'node:util';
import { type Detection, type FormatId, hex } from './formats.js';
import { type Reads, scanChunks } from './reads.js';

type TextEncoding = 'UTF-8' | 'GB18030' | 'UTF-16LE' | 'UTF-16BE';

const DECODER_LABELS: Record<TextEncoding, string> = {
  'UTF-8': 'utf-8',
  GB18030: 'gb18030',
  'UTF-16LE': 'utf-16le',
  'UTF-16BE': 'utf-16be',
};

const BOMS: Array<[Buffer, TextEncoding]> = [
  [Buffer.from('efbbbf', 'hex'), 'UTF-8'],
  [Buffer.from('84319533', 'hex'), 'GB18030'],
  [Buffer.from('fffe', 'hex'), 'UTF-16LE'],
  [Buffer.from('feff', 'hex'), 'UTF-16BE'],
];

/** Share of control characters above which a file is binary rather than text. */
const MAX_CONTROL_SHARE = 0.01;

function byteOrderMark(head: Buffer): { encoding: TextEncoding; length: number } | null {
  const bom = BOMS.find(([bytes]) => head.subarray(0, bytes.length).equals(bytes));
  return bom ? { encoding: bom[1], length: bom[0].length } : null;
}

/** Tab, line breaks, form feed, DOS end-of-file and escape are normal in text; other C0/C1 codes are not. */
function controlCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && !(c >= 0x09 && c <= 0x0d) && c !== 0x1a && c !== 0x1b) || (c >= 0x7f && c <= 0x9f)) n++;
  }
  return n;
}

/**
 * Which of `candidates` decode the whole file strictly, without NUL and with few control
 * characters. The file is read in chunks; the scan stops as soon as no candidate is left.
 */
function* validEncodings(size: number, candidates: readonly TextEncoding[]): Reads<TextEncoding[]> {
  const live = new Map(
    candidates.map((encoding) => [
      encoding,
      { decoder: new TextDecoder(DECODER_LABELS[encoding], { fatal: true }), chars: 0, controls: 0 },
    ]),
  );
  const decodes = (decoder: TextDecoder, chunk?: Buffer): string | null => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      return null;
    }
  };
  const whole = yield* scanChunks(size, 0, (chunk) => {
    for (const [encoding, state] of live) {
      const text = decodes(state.decoder, chunk);
      if (text === null || text.includes('\0')) {
        live.delete(encoding);
        continue;
      }
      state.chars += text.length;
      state.controls += controlCount(text);
      if (state.controls > state.chars * MAX_CONTROL_SHARE) live.delete(encoding);
    }
    return live.size > 0;
  });
  // A character cut off by the end of the file is an error; at a gap in a partial view it is not.
  return [...live].filter(([, state]) => !whole || decodes(state.decoder) !== null).map(([encoding]) => encoding);
}

/**
 * Whether most (80 %) double-byte characters fall in the GB2312 range (lead 0xA1–0xF7, trail
 * 0xA1–0xFE), where nearly all simplified-Chinese text lives. Big5, Shift-JIS or Latin-1 bytes
 * also decode as GB18030, but into rare characters, so their share stays far lower. Too few
 * characters to judge count as Chinese.
 */
function readsAsChinese(sample: Buffer): boolean {
  let pairs = 0;
  let common = 0;
  for (let i = 0; i + 1 < sample.length; i++) {
    const lead = sample[i]!;
    if (lead < 0x80) continue;
    const trail = sample[i + 1]!;
    pairs++;
    if (trail >= 0x30 && trail <= 0x39) {
      i += 3;
      continue;
    }
    if (lead >= 0xa1 && lead <= 0xf7 && trail >= 0xa1 && trail <= 0xfe) common++;
    i++;
  }
  return pairs < 8 || common / pairs >= 0.8;
}

/** The start of the file as text, for looking at declarations and the root element. */
const headText = (head: Buffer, encoding: TextEncoding) =>
  new TextDecoder(DECODER_LABELS[encoding]).decode(head.subarray(0, 4096));

/** Labels as written in declarations, mapped to the decoder that checks them; others are not checked. */
function declaredFamily(label: string): TextEncoding | 'UTF-16' | null {
  const key = label.toUpperCase().replace(/[-_]/g, '');
  if (key === 'UTF8') return 'UTF-8';
  if (['GB18030', 'GBK', 'GB2312', 'CP936', 'EUCCN', 'XGBK'].includes(key)) return 'GB18030';
  if (key === 'UTF16LE') return 'UTF-16LE';
  if (key === 'UTF16BE') return 'UTF-16BE';
  if (key === 'UTF16') return 'UTF-16';
  return null;
}

const XML_DECLARATION = /^<\?xml\s+version\s*=\s*["']([^"']*)["'](?:\s+encoding\s*=\s*["']([^"']*)["'])?/;

/** The XML signatures of XML 1.0 Appendix F, without a byte order mark. */
function xmlWithoutBom(head: Buffer): TextEncoding | null {
  if (/^<\?xml[ \t\r\n]/.test(head.toString('latin1', 0, 6))) return 'UTF-8';
  if (head.subarray(0, 4).equals(Buffer.from('3c003f00', 'hex'))) return 'UTF-16LE';
  if (head.subarray(0, 4).equals(Buffer.from('003c003f', 'hex'))) return 'UTF-16BE';
  return null;
}

/** The first element's local name: an XML file whose root is <svg> is SVG. */
function rootFormat(text: string): FormatId {
  const root = /<(?![?!])(?:[\w.-]+:)?([\w.-]+)/.exec(text);
  return root?.[1] === 'svg' ? 'svg' : 'xml';
}

function* detectXml(head: Buffer, size: number): Reads<Detection | null> {
  const bom = byteOrderMark(head);
  const afterBom = bom ? head.subarray(bom.length) : head;
  const implied = bom?.encoding ?? xmlWithoutBom(afterBom);
  if (!implied) return null;
  const text = headText(head, implied).replace(/^\uFEFF/, '');
  const declaration = XML_DECLARATION.exec(text);
  if (!declaration) return null;
  const declared = declaration[2];
  const family = declared ? declaredFamily(declared) : null;
  const magicLength = (bom?.length ?? 0) + (implied.startsWith('UTF-16') ? 10 : 5);
  const found: Detection = {
    formatId: rootFormat(text.slice(declaration[0].length)),
    version: declaration[1]!,
    magic: hex(head, 0, magicLength),
    charset: declared?.toUpperCase() ?? implied,
  };
  // The byte order mark or the 16-bit pattern fixes the encoding; the declaration must agree with it.
  const sixteen = implied.startsWith('UTF-16');
  const fits =
    !declared ||
    (sixteen ? !!family?.startsWith('UTF-16') : !family?.startsWith('UTF-16') && (!bom || family === bom.encoding));
  if (!fits) {
    found.problem = {
      zh: `XML 声明的编码 ${declared} 与字节顺序标记或文件开头不符`,
      en: `The XML declares encoding ${declared}, which contradicts its byte order mark or first bytes`,
    };
    return found;
  }
  // Labels with no checker here (ISO-8859-1 …) are taken on trust.
  const checked = sixteen || bom ? implied : declared ? (family as TextEncoding | null) : 'UTF-8';
  if (checked && (yield* validEncodings(size, [checked])).length === 0) {
    found.problem = {
      zh: `XML 内容不是有效的 ${checked} 文本（${declared ? `声明编码 ${declared}` : '未声明编码，默认 UTF-8'}）`,
      en: `The XML content is not valid ${checked} text (${declared ? `declared encoding ${declared}` : 'no encoding declared, so UTF-8'})`,
    };
  }
  return found;
}

const HTML_START = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html)\b/i;

function* detectPlainText(head: Buffer, size: number, extension: string | null): Reads<Detection | null> {
  const bom = byteOrderMark(head);
  const valid = yield* validEncodings(size, bom ? [bom.encoding] : ['UTF-8', 'GB18030']);
  const encoding = valid.find((e) => e !== 'GB18030' || bom || readsAsChinese(head));
  if (!encoding) return null;
  const text = headText(head, encoding).replace(/^\uFEFF/, '');
  const magic = bom ? hex(head, 0, bom.length) : '';
  if (HTML_START.test(text)) return { formatId: 'html', version: null, magic, charset: encoding };
  // Without a declaration only the name says XML; a declaration-less document is still well-formed XML.
  if ((extension === 'xml' || extension === 'svg') && text.trimStart().startsWith('<')) {
    return { formatId: rootFormat(text), version: null, magic, charset: encoding };
  }
  return { formatId: 'txt', version: encoding, magic, charset: encoding };
}

export function* detectText(head: Buffer, size: number, extension: string | null): Reads<Detection | null> {
  return (yield* detectXml(head, size)) ?? (yield* detectPlainText(head, size, extension));
}
