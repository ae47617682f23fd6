import type { Label } from '../../domain/errors.js';

/** The format record kept for every stored file (preservation metadata, DA/T 70 GD-3-3 / GD-3-8). */
export interface FormatRecord {
  formatId: string;
  name: string;
  /** Format version or variant: PDF '1.7', PDF/A part + conformance '2B', text encoding 'GB18030' … */
  version: string | null;
  mime: string;
  /** Lower-case extension of the file name, without the dot; null when the name has none. */
  extension: string | null;
  extensionMatches: boolean;
  /** Whether the file is a conforming instance of a format on the archival list. */
  archival: boolean;
  archivalNote: Label;
  encrypted: boolean;
  /** Why the file counts as encrypted, or why that could not be checked. */
  encryptionNote?: Label;
  /** Hex of the leading bytes that identified the format; '' when no signature did. */
  magic: string;
  /** Character encoding of text formats (declared for XML, detected for plain text). */
  charset?: string;
}

interface FormatInfo {
  name: string;
  mime: string;
  extensions: readonly string[];
  /** For archival formats: the basis of the listing. For the others: what to do instead. */
  note: Label;
}

const PDFA_NOTE = (name: string): Label => ({
  zh: `版式文件（${name}），可长期保存；依据 XMP 元数据中的 PDF/A 声明，未做合规性校验`,
  en: `Fixed-layout document (${name}) suitable for long-term preservation; based on the PDF/A declaration in the XMP metadata, conformance not validated`,
});

const OFFICE: Label = {
  zh: '办公文档不是长期保存格式，归档时应转换为版式文件（OFD 或 PDF/A）',
  en: 'Office documents are not a long-term preservation format; convert to a fixed-layout format (OFD or PDF/A) for archiving',
};
const ARCHIVE: Label = {
  // 《电子档案移交与接收办法》: compressed items are decompressed before transfer (domain.md §4.7).
  zh: '压缩包不是归档格式，应解压后逐个文件归档',
  en: 'Compressed archives are not an archival format; unpack them and archive each file',
};
const IMAGE: Label = {
  zh: '该图像格式不在归档格式清单中，应转换为 TIFF、JPEG、JPEG 2000 或 PNG',
  en: 'This image format is not on the archival list; convert to TIFF, JPEG, JPEG 2000 or PNG',
};
const AUDIO: Label = {
  zh: '该音频格式不在归档格式清单中，应转换为 WAV 或 MP3',
  en: 'This audio format is not on the archival list; convert to WAV or MP3',
};
const VIDEO: Label = {
  zh: '该视频格式不在归档格式清单中，应转换为 MP4',
  en: 'This video format is not on the archival list; convert to MP4',
};
const NOT_LISTED: Label = { zh: '该格式不在归档格式清单中', en: 'This format is not on the archival format list' };
/**
 * GB/T 18894-2016's rows for 录音 and 录像 were not found (domain.md §4.4 and §10 item 5); WAV, MP3
 * and MP4 are listed from common Chinese archival practice, not from a confirmed clause.
 */
const AV_PRACTICE: Label = {
  zh: '本系统音视频归档格式（按通行做法列入）',
  en: "On Lantai's audio/video archival list (common practice)",
};

const pdfa = (part: string, conformance: string): FormatInfo => {
  const name = `PDF/A-${part}${conformance}`;
  return { name, mime: 'application/pdf', extensions: ['pdf'], note: PDFA_NOTE(name) };
};

export const FORMATS = {
  'pdfa-1a': pdfa('1', 'a'),
  'pdfa-1b': pdfa('1', 'b'),
  'pdfa-2a': pdfa('2', 'a'),
  'pdfa-2b': pdfa('2', 'b'),
  'pdfa-2u': pdfa('2', 'u'),
  'pdfa-3a': pdfa('3', 'a'),
  'pdfa-3b': pdfa('3', 'b'),
  'pdfa-3u': pdfa('3', 'u'),
  'pdfa-4': pdfa('4', ''),
  'pdfa-4e': pdfa('4', 'e'),
  'pdfa-4f': pdfa('4', 'f'),
  pdf: {
    name: 'PDF',
    mime: 'application/pdf',
    extensions: ['pdf'],
    note: {
      zh: 'PDF 但未声明 PDF/A（XMP 元数据中没有 pdfaid 标识），长期保存应转换为 PDF/A 或 OFD',
      en: 'PDF without a PDF/A declaration (no pdfaid in the XMP metadata); convert to PDF/A or OFD for long-term preservation',
    },
  },
  ofd: {
    name: 'OFD',
    mime: 'application/ofd',
    extensions: ['ofd'],
    note: { zh: '版式文件（OFD，GB/T 33190-2016）', en: 'Fixed-layout document (OFD, GB/T 33190-2016)' },
  },
  tiff: {
    name: 'TIFF',
    mime: 'image/tiff',
    extensions: ['tif', 'tiff'],
    note: {
      zh: 'TIFF：归档格式表列有 TIF，DA/T 31-2017 规定的长期保存格式',
      en: 'TIFF: listed in the archival format table and a DA/T 31-2017 long-term format',
    },
  },
  jpeg: {
    name: 'JPEG',
    mime: 'image/jpeg',
    extensions: ['jpg', 'jpeg', 'jpe', 'jfif'],
    note: {
      zh: 'JPEG：归档格式表列有 JPG，DA/T 31-2017 规定的长期保存格式',
      en: 'JPEG: listed in the archival format table and a DA/T 31-2017 long-term format',
    },
  },
  jp2: {
    name: 'JPEG 2000 (JP2)',
    mime: 'image/jp2',
    extensions: ['jp2', 'jpx', 'jpf'],
    note: { zh: 'JPEG 2000：DA/T 31-2017 规定的长期保存格式', en: 'JPEG 2000: a DA/T 31-2017 long-term format' },
  },
  j2c: {
    name: 'JPEG 2000 codestream',
    mime: 'image/j2c',
    extensions: ['j2c', 'j2k', 'jpc'],
    note: { zh: 'JPEG 2000：DA/T 31-2017 规定的长期保存格式', en: 'JPEG 2000: a DA/T 31-2017 long-term format' },
  },
  jpm: { name: 'JPEG 2000 compound image (JPM)', mime: 'image/jpm', extensions: ['jpm'], note: IMAGE },
  mj2: { name: 'Motion JPEG 2000', mime: 'video/mj2', extensions: ['mj2', 'mjp2'], note: VIDEO },
  png: {
    name: 'PNG',
    mime: 'image/png',
    extensions: ['png'],
    note: { zh: 'PNG：归档格式表列有 PNG', en: 'PNG: listed in the archival format table' },
  },
  gif: { name: 'GIF', mime: 'image/gif', extensions: ['gif'], note: IMAGE },
  bmp: { name: 'BMP', mime: 'image/bmp', extensions: ['bmp', 'dib'], note: IMAGE },
  webp: { name: 'WebP', mime: 'image/webp', extensions: ['webp'], note: IMAGE },
  heif: { name: 'HEIF', mime: 'image/heif', extensions: ['heic', 'heif'], note: IMAGE },
  avif: { name: 'AVIF', mime: 'image/avif', extensions: ['avif'], note: IMAGE },
  xml: {
    name: 'XML',
    mime: 'application/xml',
    extensions: ['xml'],
    note: {
      zh: 'XML：归档格式表列有 XML，移交目录文件也使用 XML',
      en: 'XML: listed in the archival format table and used for transfer catalogue files',
    },
  },
  svg: { name: 'SVG', mime: 'image/svg+xml', extensions: ['svg'], note: NOT_LISTED },
  html: { name: 'HTML', mime: 'text/html', extensions: ['html', 'htm'], note: NOT_LISTED },
  txt: {
    name: 'Plain text',
    mime: 'text/plain',
    extensions: ['txt', 'text', 'csv', 'tsv', 'log', 'md', 'json'],
    note: {
      zh: '纯文本：移交载体的说明文件使用 TXT',
      en: 'Plain text: used for the description file on transfer carriers',
    },
  },
  wav: { name: 'WAV', mime: 'audio/wav', extensions: ['wav', 'wave', 'bwf'], note: AV_PRACTICE },
  mp3: { name: 'MP3', mime: 'audio/mpeg', extensions: ['mp3'], note: AV_PRACTICE },
  mp4: { name: 'MP4', mime: 'video/mp4', extensions: ['mp4', 'm4v'], note: AV_PRACTICE },
  m4a: { name: 'MPEG-4 audio (M4A)', mime: 'audio/mp4', extensions: ['m4a', 'm4b'], note: AUDIO },
  mov: { name: 'QuickTime', mime: 'video/quicktime', extensions: ['mov', 'qt'], note: VIDEO },
  '3gp': { name: '3GPP', mime: 'video/3gpp', extensions: ['3gp', '3g2'], note: VIDEO },
  avi: { name: 'AVI', mime: 'video/x-msvideo', extensions: ['avi'], note: VIDEO },
  flac: { name: 'FLAC', mime: 'audio/flac', extensions: ['flac'], note: AUDIO },
  ogg: { name: 'Ogg', mime: 'application/ogg', extensions: ['ogg', 'oga', 'ogv', 'opus', 'spx'], note: AUDIO },
  zip: { name: 'ZIP', mime: 'application/zip', extensions: ['zip'], note: ARCHIVE },
  rar: { name: 'RAR', mime: 'application/vnd.rar', extensions: ['rar'], note: ARCHIVE },
  '7z': { name: '7-Zip', mime: 'application/x-7z-compressed', extensions: ['7z'], note: ARCHIVE },
  gzip: { name: 'gzip', mime: 'application/gzip', extensions: ['gz', 'tgz'], note: ARCHIVE },
  docx: {
    name: 'Word (DOCX)',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx', 'docm', 'dotx', 'dotm'],
    note: OFFICE,
  },
  xlsx: {
    name: 'Excel (XLSX)',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['xlsx', 'xlsm', 'xltx', 'xltm'],
    note: OFFICE,
  },
  pptx: {
    name: 'PowerPoint (PPTX)',
    mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    extensions: ['pptx', 'pptm', 'potx', 'ppsx'],
    note: OFFICE,
  },
  'ooxml-encrypted': {
    name: 'Encrypted Office document',
    mime: 'application/x-ole-storage',
    // With a docx/xlsx/pptx name the record takes that format id instead, so no extension fits this one.
    extensions: [],
    note: OFFICE,
  },
  doc: { name: 'Word 97-2003 (DOC)', mime: 'application/msword', extensions: ['doc', 'dot'], note: OFFICE },
  xls: { name: 'Excel 97-2003 (XLS)', mime: 'application/vnd.ms-excel', extensions: ['xls', 'xlt'], note: OFFICE },
  ppt: {
    name: 'PowerPoint 97-2003 (PPT)',
    mime: 'application/vnd.ms-powerpoint',
    extensions: ['ppt', 'pps', 'pot'],
    note: OFFICE,
  },
  msg: { name: 'Outlook message (MSG)', mime: 'application/vnd.ms-outlook', extensions: ['msg'], note: NOT_LISTED },
  ole2: {
    name: 'OLE2 compound file',
    mime: 'application/x-ole-storage',
    extensions: [],
    note: NOT_LISTED,
  },
  empty: {
    name: 'Empty file',
    mime: 'application/octet-stream',
    extensions: [],
    note: { zh: '空文件，没有可保存的内容', en: 'Empty file: there is no content to preserve' },
  },
  unknown: {
    name: 'Unknown',
    mime: 'application/octet-stream',
    extensions: [],
    note: { zh: '无法识别文件格式', en: 'The file format was not recognised' },
  },
} as const satisfies Record<string, FormatInfo>;

export type FormatId = keyof typeof FORMATS;

/**
 * Lantai's archival (long-term preservation) formats. Sources in /work/shared/domain.md:
 * - §4.4 GB/T 18894-2016 archival format table [I]: 版式文件 for official documents; JPG, TIF and
 *   PNG for other files and photos; XML for database-formed files. The same table also names RTF,
 *   WPS, DOCX, ET, XLS and DBF; Lantai leaves office and database formats off its list and asks
 *   for conversion to a 版式 format (or XML) instead.
 * - The 版式 formats: OFD is GB/T 33190-2016, which DA/T 70 GD-3-3 checks against (§2.3). domain.md
 *   does not name PDF/A; it is listed from common practice as the other 版式 long-term format.
 * - §4.8 DA/T 31-2017: TIFF, JPEG or JPEG 2000 for long-term storage of scans.
 * - §4.7 移交办法 carrier layout: 说明文件.TXT, catalogues in XML.
 * - Audio/video: domain.md has no confirmed rows (§10 item 5); WAV, MP3 and MP4 follow common practice.
 * Because parts of this list are [I] or unconfirmed, callers may replace it (`archivalFormatIds`).
 */
export const ARCHIVAL_FORMATS: ReadonlyArray<{ formatId: FormatId; name: string }> = (
  [
    'pdfa-1a',
    'pdfa-1b',
    'pdfa-2a',
    'pdfa-2b',
    'pdfa-2u',
    'pdfa-3a',
    'pdfa-3b',
    'pdfa-3u',
    'pdfa-4',
    'pdfa-4e',
    'pdfa-4f',
    'ofd',
    'tiff',
    'jpeg',
    'jp2',
    'j2c',
    'png',
    'xml',
    'txt',
    'wav',
    'mp3',
    'mp4',
  ] as const
).map((formatId) => ({ formatId, name: FORMATS[formatId].name }));

/** What a probe found; the record adds the name, extension check and archival verdict. */
export interface Detection {
  formatId: FormatId;
  version?: string | null;
  magic: string;
  charset?: string;
  /** When the format's usual MIME type is too general (Ogg audio vs video, JPX). */
  mime?: string;
  encryption?: { encrypted: boolean; note: Label };
  /** A defect that makes the file a non-conforming instance: it is then not archival. */
  problem?: Label;
  /** Replaces the format's note with something more specific. */
  note?: Label;
}

export const hex = (bytes: Buffer, start: number, end: number): string => bytes.subarray(start, end).toString('hex');
