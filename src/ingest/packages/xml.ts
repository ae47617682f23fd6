/**
 * Reading the XML that transfers carry (文件目录.xml, 案卷目录.xml, EEPs) safely: the encoding
 * comes from the BOM or the declaration, anything with a DTD or entity declaration is refused
 * before a parser sees it, and fast-xml-parser runs with entity processing off. Only the five
 * predefined entities and character references are decoded, by us, after parsing: they cannot
 * expand or reach outside the document.
 */
import { TextDecoder } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import type { Findings } from './findings.js';

/** What the decoder uses, and the name to report (the declared one when it was honoured). */
interface XmlEncoding {
  /** iconv-lite name. GB2312 and GBK are decoded as GB18030, their superset. */
  decoder: string;
  label: string;
}

const GB_FAMILY = new Set(['GB2312', 'GBK', 'GB18030', 'CP936', 'X-GBK', 'EUC-CN']);

/** `encoding="…"` of the XML declaration, read from the first bytes as ASCII. */
function declaredEncoding(head: Buffer): string | null {
  const text = head.subarray(0, 512).toString('latin1');
  const m = /^\s*<\?xml[^?]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(text.replace(/^\uFEFF|^\xEF\xBB\xBF/, ''));
  return m ? m[1]!.toUpperCase() : null;
}

/**
 * The encoding to decode `head` with, by the XML rules: a BOM wins, then the declaration, then
 * UTF-8. Returns null when the declaration names an encoding we cannot decode.
 */
export function xmlEncoding(head: Buffer): XmlEncoding | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { decoder: 'utf-8', label: 'UTF-8' };
  if (head[0] === 0xff && head[1] === 0xfe) return { decoder: 'utf-16le', label: 'UTF-16LE' };
  if (head[0] === 0xfe && head[1] === 0xff) return { decoder: 'utf-16be', label: 'UTF-16BE' };
  const declared = declaredEncoding(head);
  if (declared === null || declared === 'UTF-8' || declared === 'UTF8') return { decoder: 'utf-8', label: 'UTF-8' };
  if (GB_FAMILY.has(declared)) return { decoder: 'gb18030', label: declared === 'CP936' || declared === 'X-GBK' ? 'GBK' : declared };
  return iconv.encodingExists(declared) ? { decoder: declared.toLowerCase(), label: declared } : null;
}

const strictly = (encoding: string, bytes: Buffer): string | null => {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
};

/**
 * The text of an XML file, or null (with a finding) when it cannot be decoded. A file that says
 * UTF-8 (or nothing) but is not, and reads as GB18030, is decoded as GB18030 with a warning:
 * Windows tools often write GBK without declaring it.
 */
export function decodeXml(bytes: Buffer, file: string, found: Findings, encodings: Record<string, string>): string | null {
  const enc = xmlEncoding(bytes);
  if (!enc) {
    const declared = declaredEncoding(bytes);
    found.error('XML_ENCODING_UNSUPPORTED', `“${file}”声明的字符编码“${declared}”无法识别，应为 GB18030、GB2312 或 UTF-8`, `"${file}" declares the character encoding "${declared}", which is not supported; use GB18030, GB2312 or UTF-8`, { path: file, details: { declared } });
    return null;
  }
  const body = enc.decoder === 'utf-8' && bytes[0] === 0xef ? bytes.subarray(3) : bytes;
  if (enc.decoder === 'utf-8') {
    const text = strictly('utf-8', body);
    if (text !== null) {
      encodings[file] = 'UTF-8';
      return text;
    }
    const gb = strictly('gb18030', body);
    const declared = declaredEncoding(bytes);
    if (gb !== null) {
      encodings[file] = 'GB18030';
      found.warn(
        'XML_ENCODING_MISMATCH',
        `“${file}”${declared ? `声明为 ${declared}` : '未声明编码（按规定应为 UTF-8）'}，实际是 GB18030/GBK 编码，已按 GB18030 读取；请在 XML 声明中写明 encoding="GB18030"`,
        `"${file}" ${declared ? `declares ${declared}` : 'declares no encoding (so UTF-8 by the XML rules)'} but is GB18030/GBK; it was read as GB18030. Declare encoding="GB18030" in the XML declaration`,
        { path: file, details: { declared, detected: 'GB18030' } },
      );
      return gb;
    }
    found.error('XML_ENCODING_INVALID', `“${file}”不是有效的 UTF-8，也不是 GB18030 编码，无法读取`, `"${file}" is neither valid UTF-8 nor GB18030 and cannot be read`, { path: file });
    return null;
  }
  const text = enc.decoder === 'gb18030' ? strictly('gb18030', bytes) : iconv.decode(bytes, enc.decoder);
  if (text === null) {
    found.error('XML_ENCODING_INVALID', `“${file}”含有不符合所声明编码 ${enc.label} 的字节，无法读取`, `"${file}" holds bytes that are not valid ${enc.label}, its declared encoding, and cannot be read`, { path: file, details: { declared: enc.label } });
    return null;
  }
  encodings[file] = enc.label;
  return text.replace(/^\uFEFF/, '');
}

const DTD = /<!\s*(DOCTYPE|ENTITY)/i;

/** True (with finding XML_DTD_REFUSED) when the text declares a DTD or entities: XXE and billion-laughs need one. */
export function refusesDtd(text: string, file: string, found: Findings): boolean {
  const m = DTD.exec(text);
  if (!m) return false;
  found.error(
    'XML_DTD_REFUSED',
    `“${file}”含有 <!${m[1]!.toUpperCase()}> 声明。为防止外部实体注入（XXE）和实体膨胀攻击，系统不接受带 DTD 或实体声明的 XML，请去掉后重新移交`,
    `"${file}" contains a <!${m[1]!.toUpperCase()}> declaration. XML with a DTD or entity declarations is refused to prevent external entity (XXE) and entity-expansion attacks; remove it and transfer again`,
    { path: file },
  );
  return true;
}

/** Parsed XML: every element is an array (repetition never changes the shape), leaves are strings, attributes are `@_name`. */
export type XmlNode = { [name: string]: XmlNode[] | string } | string;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref]!;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function decodeTree(node: unknown): XmlNode {
  if (typeof node === 'string') return decodeEntities(node);
  if (typeof node !== 'object' || node === null) return String(node ?? '');
  const out: Record<string, XmlNode[] | string> = {};
  for (const [k, v] of Object.entries(node)) out[k] = Array.isArray(v) ? v.map(decodeTree) : decodeEntities(String(v));
  return out;
}

/**
 * The document's elements, or null with a finding: XML_DTD_REFUSED for any DTD or entity
 * declaration, XML_MALFORMED for text that is not well-formed.
 */
export function parseXml(text: string, file: string, found: Findings): Record<string, XmlNode[]> | null {
  if (refusesDtd(text, file, found)) return null;
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    found.error('XML_MALFORMED', `“${file}”不是格式正确的 XML（第 ${line} 行第 ${col} 列：${msg}）`, `"${file}" is not well-formed XML (line ${line}, column ${col}: ${msg})`, { path: file, details: { line, col, reason: msg } });
    return null;
  }
  return decodeTree(parser.parse(text)) as Record<string, XmlNode[]>;
}

/** Child elements named `name` (any namespace prefix was removed by the parser). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const v = node[name];
  return Array.isArray(v) ? v : [];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** The text of a leaf element (or of an element's `#text` beside attributes); '' for none. */
export function text(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  const t = node['#text'];
  return typeof t === 'string' ? t : Array.isArray(t) ? t.map(text).join('') : '';
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** Element names of a node's children, attributes and text left out. */
export function elementNames(node: XmlNode | undefined): string[] {
  if (node === undefined || typeof node === 'string') return [];
  return Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text');
}

/** True for an element holding only text (and maybe attributes). */
export function isLeaf(node: XmlNode): boolean {
  return typeof node === 'string' || elementNames(node).length === 0;
}
