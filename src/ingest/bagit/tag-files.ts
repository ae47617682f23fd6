/** Line-level syntax of BagIt tag files (RFC 8493 §2): manifests, bag-info.txt, fetch.txt. */

/** RFC 8493 allows LF, CR and CRLF line endings, even mixed. A final line break ends the last line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * In manifest and fetch paths, CR, LF and % (and only those) are percent-encoded (RFC 8493
 * §2.1.3). Any other `%` sequence is malformed: a literal % would have been written as %25.
 * Returns null for a malformed path.
 */
export function decodeManifestPath(encoded: string): string | null {
  let bad = false;
  const decoded = encoded.replace(/%(..)?/g, (_, hex: string | undefined) => {
    switch (hex?.toUpperCase()) {
      case '0A':
        return '\n';
      case '0D':
        return '\r';
      case '25':
        return '%';
      default:
        bad = true;
        return '';
    }
  });
  return bad ? null : decoded;
}

export const encodeManifestPath = (path: string) => path.replace(/%/g, '%25').replace(/\n/g, '%0A').replace(/\r/g, '%0D');

export interface ManifestLine {
  lineNo: number;
  digest: string;
  /** As written, still percent-encoded: for messages. */
  rawPath: string;
}

/** Manifest lines are `digest<whitespace>path`; blank lines are skipped. */
export function parseManifest(text: string): { lines: ManifestLine[]; malformed: number[] } {
  const lines: ManifestLine[] = [];
  const malformed: number[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9A-Fa-f]+)[ \t]+(.+)$/.exec(line);
    if (m) lines.push({ lineNo: i + 1, digest: m[1]!.toLowerCase(), rawPath: m[2]! });
    else malformed.push(i + 1);
  });
  return { lines, malformed };
}

/**
 * bag-info.txt: `Label: value` lines; a line starting with a space or tab continues the previous
 * value and is unfolded as in RFC 5322 (the line break goes, the leading whitespace stays).
 * Labels may repeat; order is kept.
 */
export function parseBagInfo(text: string): { info: Array<[string, string]>; malformed: number[] } {
  const info: Array<[string, string]> = [];
  const malformed: number[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const last = info.at(-1);
    if (/^[ \t]/.test(line)) {
      if (last) last[1] += line;
      else malformed.push(i + 1);
      return;
    }
    const colon = line.indexOf(':');
    const label = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (label === '') malformed.push(i + 1);
    else info.push([label, line.slice(colon + 1)]);
  });
  return { info: info.map(([label, value]) => [label, value.trim()]), malformed };
}

export interface FetchLine {
  lineNo: number;
  url: string;
  /** Declared octets, or null for `-` (unknown). */
  length: number | null;
  rawPath: string;
}

/** fetch.txt lines are `url<ws>length<ws>path`, length being a number of octets or `-`. */
export function parseFetch(text: string): { lines: FetchLine[]; malformed: number[] } {
  const lines: FetchLine[] = [];
  const malformed: number[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^(\S+)[ \t]+(\d+|-)[ \t]+(.+)$/.exec(line);
    if (m) lines.push({ lineNo: i + 1, url: m[1]!, length: m[2] === '-' ? null : Number(m[2]), rawPath: m[3]! });
    else malformed.push(i + 1);
  });
  return { lines, malformed };
}
