import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifyBuffer, identifyFile, identifySource } from './identify.js';
import { dictionaryAt, PdfaClaimScanner } from './pdf.js';
import { SCAN_CHUNK } from './reads.js';

const PDFA_NS = 'http://www.aiim.org/pdfa/ns/id/';

function xmpPacket(description: string): string {
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    description,
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

const asAttributes = (part: string, conformance?: string, prefix = 'pdfaid') =>
  xmpPacket(
    `<rdf:Description rdf:about="" xmlns:${prefix}="${PDFA_NS}" ${prefix}:part="${part}"` +
      (conformance ? ` ${prefix}:conformance="${conformance}"` : '') +
      '/>',
  );

const asElements = (part: string, conformance: string) =>
  xmpPacket(
    `<rdf:Description rdf:about="" xmlns:pdfaid="${PDFA_NS}">\n` +
      `  <pdfaid:part>${part}</pdfaid:part>\n  <pdfaid:conformance>${conformance}</pdfaid:conformance>\n` +
      '</rdf:Description>',
  );

interface PdfOptions {
  xmp?: string;
  /** An uncompressed stream of this many random bytes, written before the metadata. */
  filler?: number;
  useObjectStreams?: boolean;
}

async function makePdf({ xmp, filler, useObjectStreams }: PdfOptions = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]).drawText('Lantai', { x: 20, y: 100, size: 12 });
  if (filler) doc.context.register(doc.context.stream(randomBytes(filler)));
  if (xmp) {
    const metadata = doc.context.stream(Buffer.from(xmp, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
    doc.catalog.set(PDFName.of('Metadata'), doc.context.register(metadata));
  }
  return Buffer.from(await doc.save({ useObjectStreams: useObjectStreams ?? true }));
}

/** Adds /Encrypt to the last trailer or xref stream dictionary, as an encrypting writer would. */
function withEncrypt(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const at = Math.max(text.lastIndexOf('trailer\n<<'), text.lastIndexOf('/Type /XRef'));
  expect(at).toBeGreaterThan(0);
  const insertAt = text.startsWith('trailer', at) ? at + 'trailer\n<<'.length : at;
  return Buffer.concat([pdf.subarray(0, insertAt), Buffer.from('\n/Encrypt 99 0 R '), pdf.subarray(insertAt)]);
}

describe('PdfaClaimScanner', () => {
  const scan = (...packets: string[]) => {
    const scanner = new PdfaClaimScanner();
    scanner.feed(Buffer.from(packets.join('\n%filler\n'), 'utf8'), 0);
    return scanner.result();
  };

  it('reads attribute and element forms', () => {
    expect(scan(asAttributes('2', 'B'))).toEqual({ part: '2', conformance: 'B' });
    expect(scan(asElements('1', 'a'))).toEqual({ part: '1', conformance: 'A' });
  });

  it('follows a prefix bound to the PDF/A namespace', () => {
    expect(scan(asAttributes('3', 'U', 'id'))).toEqual({ part: '3', conformance: 'U' });
  });

  it('takes the last packet, and its own conformance only', () => {
    expect(scan(asAttributes('1', 'B'), asAttributes('2', 'U'))).toEqual({ part: '2', conformance: 'U' });
    // PDF/A-4 has no conformance; the older packet's "B" must not leak into it.
    expect(scan(asAttributes('2', 'B'), asAttributes('4'))).toEqual({ part: '4', conformance: '' });
  });

  it('finds a claim cut by a chunk boundary', () => {
    const text = Buffer.from(`${'x'.repeat(1000)}${asAttributes('2', 'A')}`);
    const cut = text.indexOf('part=') + 3;
    const scanner = new PdfaClaimScanner();
    scanner.feed(text.subarray(0, cut), 0);
    // The next window repeats the overlap, as scanChunks does.
    scanner.feed(text.subarray(cut - 500), cut - 500);
    expect(scanner.result()).toEqual({ part: '2', conformance: 'A' });
  });

  it('ignores other namespaces', () => {
    expect(scan(xmpPacket('<rdf:Description xmlns:x2="urn:other" x2:part="2"/>'))).toBeNull();
  });
});

describe('dictionaryAt', () => {
  it('balances nested dictionaries and skips strings and hex strings', () => {
    const text = 'trailer\n<< /Size 5 /ID [<ab12><cd34>] /Info << /T (a >> b \\) c) >> /Encrypt 9 0 R >>\nstartxref';
    expect(dictionaryAt(text, 7)).toBe('<< /Size 5 /ID [<ab12><cd34>] /Info << /T (a >> b \\) c) >> /Encrypt 9 0 R >>');
    expect(dictionaryAt('trailer\n<< /Size 5', 7)).toBeNull();
  });
});

describe('PDF identification', () => {
  it('identifies a plain PDF as not archival', async () => {
    const record = identifyBuffer(await makePdf(), 'report.pdf');
    expect(record).toMatchObject({
      formatId: 'pdf',
      name: 'PDF',
      version: '1.7',
      mime: 'application/pdf',
      extension: 'pdf',
      extensionMatches: true,
      archival: false,
      encrypted: false,
      magic: Buffer.from('%PDF-1.7').toString('hex'),
    });
    expect(record.archivalNote.zh).toContain('未声明 PDF/A');
    expect(record.encryptionNote).toBeUndefined();
  });

  it('identifies PDF/A from XMP attributes and elements', async () => {
    const pdfa2b = identifyBuffer(await makePdf({ xmp: asAttributes('2', 'B') }), 'a.pdf');
    expect(pdfa2b).toMatchObject({ formatId: 'pdfa-2b', name: 'PDF/A-2b', version: '2B', archival: true });
    expect(pdfa2b.archivalNote.en).toContain('PDF/A-2b');
    const pdfa1a = identifyBuffer(await makePdf({ xmp: asElements('1', 'A'), useObjectStreams: false }), 'a.pdf');
    expect(pdfa1a).toMatchObject({ formatId: 'pdfa-1a', version: '1A', archival: true });
  });

  it('treats an invalid PDF/A claim as plain PDF and says why', async () => {
    const record = identifyBuffer(await makePdf({ xmp: asAttributes('2', 'X') }), 'a.pdf');
    expect(record).toMatchObject({ formatId: 'pdf', archival: false });
    expect(record.archivalNote.en).toContain('Invalid PDF/A declaration in XMP (part=2, conformance=X)');
  });

  it('detects /Encrypt in a classic trailer and in an xref stream', async () => {
    const classic = identifyBuffer(withEncrypt(await makePdf({ useObjectStreams: false })), 'a.pdf');
    expect(classic).toMatchObject({ formatId: 'pdf', encrypted: true });
    expect(classic.encryptionNote?.zh).toContain('/Encrypt');
    const xrefStream = identifyBuffer(withEncrypt(await makePdf({ useObjectStreams: true })), 'a.pdf');
    expect(xrefStream.encrypted).toBe(true);
  });

  it('does not mistake /EncryptMetadata for /Encrypt', async () => {
    const pdf = (await makePdf({ useObjectStreams: false })).toString('latin1').replace('trailer\n<<', 'trailer\n<< /EncryptMetadata false');
    expect(identifyBuffer(Buffer.from(pdf, 'latin1'), 'a.pdf').encrypted).toBe(false);
  });

  it('does not let an encrypted file pass as PDF/A', async () => {
    const record = identifyBuffer(withEncrypt(await makePdf({ xmp: asAttributes('2', 'B') })), 'a.pdf');
    expect(record).toMatchObject({ formatId: 'pdfa-2b', encrypted: true, archival: false });
    expect(record.archivalNote.zh).toContain('PDF/A 不允许加密');
  });

  it('says when no trailer could be found', () => {
    const record = identifyBuffer(Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n'), 'broken.pdf');
    expect(record).toMatchObject({ formatId: 'pdf', version: '1.4', encrypted: false });
    expect(record.encryptionNote?.en).toContain('not checked');
  });

  it('flags a PDF named .jpg', async () => {
    expect(identifyBuffer(await makePdf(), 'scan.JPG')).toMatchObject({
      formatId: 'pdf',
      extension: 'jpg',
      extensionMatches: false,
    });
  });
});

describe('a 20 MB PDF with its XMP near the end', () => {
  let dir: string;
  let path: string;
  let pdf: Buffer;

  beforeAll(async () => {
    pdf = await makePdf({ xmp: asAttributes('2', 'U'), filler: 20 << 20 });
    dir = await mkdtemp(join(tmpdir(), 'lantai-format-'));
    path = join(dir, 'big.pdf');
    await writeFile(path, pdf);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the claim past the first 20 MB', () => {
    expect(pdf.length).toBeGreaterThan(20 << 20);
    expect(pdf.indexOf('pdfaid:part')).toBeGreaterThan(20 << 20);
  });

  it('identifies it from the file', async () => {
    expect(await identifyFile(path)).toMatchObject({ formatId: 'pdfa-2u', extension: 'pdf', archival: true });
  });

  it('reads it in bounded chunks', async () => {
    const requests: number[] = [];
    const record = await identifySource(
      {
        size: pdf.length,
        read: async (offset, length) => {
          requests.push(length);
          return pdf.subarray(offset, offset + length);
        },
      },
      'big.pdf',
    );
    expect(record.formatId).toBe('pdfa-2u');
    expect(Math.max(...requests)).toBeLessThanOrEqual(SCAN_CHUNK);
    expect(requests.reduce((a, b) => a + b, 0)).toBeLessThan(pdf.length + 2 * SCAN_CHUNK);
  });

  it('identifies it from head and tail alone', () => {
    const record = identifyBuffer(pdf.subarray(0, 64 * 1024), 'big.pdf', {
      size: pdf.length,
      tail: pdf.subarray(pdf.length - 256 * 1024),
    });
    expect(record).toMatchObject({ formatId: 'pdfa-2u', encrypted: false });
  });

  it('says the scan was partial when head and tail do not show a claim', async () => {
    const plain = await makePdf({ filler: 200 * 1024 });
    const record = identifyBuffer(plain.subarray(0, 1024), 'a.pdf', { size: plain.length });
    expect(record.formatId).toBe('pdf');
    expect(record.archivalNote.en).toContain('the whole file was not read');
    expect(record.encryptionNote?.en).toContain('not checked');
  });
});
