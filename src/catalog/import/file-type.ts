import { wrongFileType } from './import-errors.js';

export type SheetFormat = 'xlsx' | 'csv';

const startsWith = (head: Uint8Array, bytes: number[]) => bytes.every((b, i) => head[i] === b);

/** Signatures of files people upload by mistake, named so the error says what was sent. */
const NOT_SHEETS: Array<{ bytes: number[]; zh: string; en: string }> = [
  { bytes: [0x25, 0x50, 0x44, 0x46], zh: '这是 PDF 文件', en: 'this is a PDF file' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], zh: '这是旧版 .xls/.doc 文件，请另存为 .xlsx', en: 'this is a legacy .xls/.doc file; save it as .xlsx' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], zh: '这是 PNG 图片', en: 'this is a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], zh: '这是 JPEG 图片', en: 'this is a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], zh: '这是 GIF 图片', en: 'this is a GIF image' },
  { bytes: [0x49, 0x49, 0x2a, 0x00], zh: '这是 TIFF 图片', en: 'this is a TIFF image' },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], zh: '这是 TIFF 图片', en: 'this is a TIFF image' },
  { bytes: [0x1f, 0x8b], zh: '这是 gzip 压缩文件', en: 'this is a gzip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], zh: '这是 RAR 压缩文件', en: 'this is a RAR archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], zh: '这是 7z 压缩文件', en: 'this is a 7z archive' },
];

const UTF16_BOMS = [[0xff, 0xfe], [0xfe, 0xff]];

/**
 * What a file is, from its first bytes rather than its name: a ZIP container is read as .xlsx,
 * text as CSV, and anything else is refused naming what it is.
 */
export function sniffFormat(head: Uint8Array): SheetFormat {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'xlsx';
  if (head.length === 0) return 'csv';
  for (const sig of NOT_SHEETS) if (startsWith(head, sig.bytes)) throw wrongFileType(sig);
  // UTF-16 text has NUL bytes too; the encoding check names it more helpfully.
  if (UTF16_BOMS.some((bom) => startsWith(head, bom))) return 'csv';
  if (head.includes(0)) throw wrongFileType({ zh: '这是二进制文件，不是文本或 .xlsx', en: 'this is a binary file, neither text nor .xlsx' });
  return 'csv';
}
