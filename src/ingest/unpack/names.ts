import { TextDecoder } from 'node:util';
import { crc32 } from 'node:zlib';
import iconv from 'iconv-lite';
import type { ExtraField } from 'yauzl';

/**
 * How an entry's name was read:
 * - `utf-8`: the zip says so (general purpose bit 11);
 * - `unicode-path-field`: from the Info-ZIP Unicode Path extra field (0x7075), which Info-ZIP
 *   `zip` and 7-Zip add beside a legacy-encoded name;
 * - `ascii`: no flag, but plain ASCII reads the same in every encoding;
 * - `utf-8-unflagged`: no flag, but the bytes are valid UTF-8 (macOS, Linux tools);
 * - `gb18030`: no flag and not UTF-8: what Chinese Windows tools (Explorer, WinRAR, 360压缩,
 *   older 7-Zip) write in the system code page, GBK, of which GB18030 is a superset.
 */
export type NameEncoding = 'utf-8' | 'unicode-path-field' | 'ascii' | 'utf-8-unflagged' | 'gb18030';

const UTF8_FLAG = 0x800;
const UNICODE_PATH_FIELD = 0x7075;

function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The Unicode Path field is trusted only when its CRC matches the header's name bytes: a tool
 * that renamed the entry without updating the field leaves a stale name, which the spec says to
 * ignore.
 */
function unicodePathField(raw: Buffer, extraFields: readonly ExtraField[]): string | null {
  const field = extraFields.find((f) => f.id === UNICODE_PATH_FIELD);
  if (!field || field.data.length < 5 || field.data[0] !== 1) return null;
  if (field.data.readUInt32LE(1) !== crc32(raw)) return null;
  return strictUtf8(field.data.subarray(5));
}

/**
 * The entry's name as the sender meant it, or null when the bytes fit no encoding we can name.
 * Names are returned exactly as decoded: no Unicode normalisation, no separator rewriting.
 */
export function decodeEntryName(
  raw: Buffer,
  generalPurposeBitFlag: number,
  extraFields: readonly ExtraField[],
): { name: string; encoding: NameEncoding } | null {
  const fromField = unicodePathField(raw, extraFields);
  if (fromField !== null) return { name: fromField, encoding: 'unicode-path-field' };
  if (generalPurposeBitFlag & UTF8_FLAG) {
    const name = strictUtf8(raw);
    return name === null ? null : { name, encoding: 'utf-8' };
  }
  if (raw.every((b) => b < 0x80)) return { name: raw.toString('latin1'), encoding: 'ascii' };
  // Valid UTF-8 is very unlikely to be GBK by chance beyond a few characters, so it wins.
  const utf8 = strictUtf8(raw);
  if (utf8 !== null) return { name: utf8, encoding: 'utf-8-unflagged' };
  const gb = iconv.decode(raw, 'gb18030');
  // iconv-lite replaces bad bytes instead of throwing; a lossless round trip proves the decoding.
  return iconv.encode(gb, 'gb18030').equals(raw) ? { name: gb, encoding: 'gb18030' } : null;
}
