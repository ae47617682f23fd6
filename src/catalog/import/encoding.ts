import { TextDecoder } from 'node:util';
import { badEncoding } from './import-errors.js';

/** GBK is a subset of GB18030, so one decoder serves both. */
export type TextEncoding = 'utf-8' | 'gb18030';

const decodes = (encoding: TextEncoding, bytes: Uint8Array) => {
  try {
    // stream: a sample cut in the middle of a character is not an error.
    new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
};

/**
 * Share of double-byte characters that fall in GB2312 (lead 0xA1–0xF7, trail 0xA1–0xFE), where
 * nearly all of a simplified-Chinese text lives. Big5, Shift-JIS or Latin-1 bytes also decode as
 * GB18030, but into rare characters: their share stays far lower.
 */
function gb2312Share(bytes: Uint8Array): { pairs: number; share: number } {
  let pairs = 0;
  let common = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const t = bytes[i + 1];
    if (t === undefined) break;
    // A four-byte GB18030 sequence has a digit as its second byte.
    if (t >= 0x30 && t <= 0x39) {
      i += 3;
      pairs++;
      continue;
    }
    pairs++;
    if (b >= 0xa1 && b <= 0xf7 && t >= 0xa1 && t <= 0xfe) common++;
    i++;
  }
  return { pairs, share: pairs ? common / pairs : 1 };
}

/**
 * The encoding of a CSV, from a sample of its first bytes: UTF-8 (with or without BOM) when the
 * bytes are valid UTF-8, otherwise GBK/GB18030 when they decode and read like Chinese text.
 * Anything else (UTF-16, Big5, Latin-1 …) is refused with a bilingual error.
 */
export function detectEncoding(sample: Uint8Array): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0x84 && sample[1] === 0x31 && sample[2] === 0x95 && sample[3] === 0x33) return 'gb18030';
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) throw badEncoding(null);
  if (decodes('utf-8', sample)) return 'utf-8';
  if (decodes('gb18030', sample)) {
    const { pairs, share } = gb2312Share(sample);
    if (pairs < 8 || share >= 0.8) return 'gb18030';
  }
  throw badEncoding(null);
}

/** Decoding that throws on bytes that are not valid in the encoding, so no row is silently garbled. */
export function strictDecoder(encoding: TextEncoding): TextDecoder {
  return new TextDecoder(encoding, { fatal: true });
}
