/** Hand-built transfer packages over real files, for the check tests (like ingest/unpack/zip-fixtures.ts). */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import type { TransferFile, TransferItem, TransferPackage } from '../packages/model.js';
import type { CheckEnv, CheckReport, CheckResult } from './types.js';

export async function makePdf(text = 'Lantai', pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let n = 0; n < pages; n++) doc.addPage([200, 200]).drawText(text, { x: 20, y: 100, size: 12 });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** /Encrypt in the trailer, as an encrypting writer leaves it (see storage/format/pdf.test.ts). */
export function withEncrypt(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('trailer\n<<');
  if (at < 0) throw new Error('no trailer');
  const insertAt = at + 'trailer\n<<'.length;
  return Buffer.concat([pdf.subarray(0, insertAt), Buffer.from('\n/Encrypt 99 0 R '), pdf.subarray(insertAt)]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real 4×4 grey PNG. */
export function makePng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(4, 4);
  header[8] = 8;
  header[9] = 0;
  const rows = Buffer.concat(Array.from({ length: 4 }, () => Buffer.from([0, 10, 80, 160, 240])));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

export const sha = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

export async function put(root: string, path: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), data);
}

/** A file entry declaring SM3, SHA-256 and MD5 of `data`, as a sender would. */
export function fileEntry(path: string, data: Buffer, extra: Partial<TransferFile> = {}): TransferFile {
  return {
    path,
    name: path.split('/').pop() ?? path,
    size: data.length,
    declaredSize: data.length,
    declaredFormat: 'PDF',
    declaredDigests: [
      { algorithm: 'sm3', value: sha('sm3', data) },
      { algorithm: 'sha256', value: sha('sha256', data) },
      { algorithm: 'md5', value: sha('md5', data).toUpperCase() },
    ],
    ...extra,
  };
}

export function itemEntry(n: number, files: TransferFile[], fields: Record<string, string | number> = {}): TransferItem {
  const no = String(n).padStart(4, '0');
  return {
    key: `row ${n}`,
    metadata: { 题名: `关于第${n}号事项的通知`, 档号: `0001-WS·2023·Y·BGS-${no}` },
    fields: {
      archival_code: `0001-WS·2023·Y·BGS-${no}`,
      item_no: n,
      title: `关于第${n}号事项的通知`,
      responsible: '某县人民政府办公室',
      doc_number: `县政办发〔2023〕${n}号`,
      date: '20230105',
      year: 2023,
      retention: 'Y',
      classification: '公开',
      pages: 1,
      ...fields,
    },
    files,
  };
}

/** Three items of one PDF each under `root`, declared completely and correctly. */
export async function cleanPackage(root: string): Promise<TransferPackage> {
  const items: TransferItem[] = [];
  let bytes = 0;
  for (const n of [1, 2, 3]) {
    const pdf = await makePdf(`item ${n}`);
    const path = `电子档案/2023/000${n}.pdf`;
    await put(root, path, pdf);
    bytes += pdf.length;
    items.push(itemEntry(n, [fileEntry(path, pdf)]));
  }
  return {
    format: 'carrier',
    root,
    declared: { itemCount: 3, fileCount: 3, totalBytes: bytes },
    items,
    unreferencedFiles: [],
    missingFiles: [],
    findings: [],
    encodings: { '文件目录.XML': 'UTF-8' },
  };
}

/** A project marker instead of EICAR (stack-notes F11): ClamAV ships no signatures offline. */
export const VIRUS_MARKER = 'LANTAI-TEST-VIRUS-SIGNATURE';
export const VIRUS_SIGNATURE = 'Lantai.Test.Marker.UNOFFICIAL';

/** Writes a ClamAV signature database that detects VIRUS_MARKER into `dir`, for `clamscan -d dir`. */
export async function writeTestSignatures(dir: string): Promise<string> {
  await put(dir, 'lantai-test.ndb', `Lantai.Test.Marker:0:*:${Buffer.from(VIRUS_MARKER).toString('hex')}\n`);
  return dir;
}

export const noCatalogue: CheckEnv['existingCodes'] = async () => new Set();

/** The clean fixture is plain PDF, which the default list leaves off; the archive may list it. */
export const ARCHIVAL_WITH_PDF = ['pdf', 'pdfa-2b', 'ofd', 'png', 'jpeg', 'tiff', 'xml', 'txt'];

export function result(report: CheckReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in the report`);
  return found;
}
