import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, PDFName } from 'pdf-lib';
import { type TreeFile, walkTree } from '../src/ingest/checks/files.js';
import { writeTestSignatures } from '../src/ingest/checks/test-fixtures.js';
import type { CheckReport, VirusScanner } from '../src/ingest/checks/types.js';
import { ClamscanScanner, findScanner } from '../src/ingest/checks/virus.js';
import { acceptTransfer, checkTransfer, receiveTransfer } from '../src/ingest/transfer/transfer.service.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { digestStream } from '../src/storage/digests.js';
import { closeLocations } from '../src/storage/preservation/locations.js';
import { seededRandom } from '../src/test-support/random.js';
import { benchArchive } from './setup.js';
import { fmt, timeMs } from './stats.js';

/**
 * `npm run bench -- ingest`: a carrier transfer (说明文件.txt, 文件目录.xml with SM3 digests,
 * 电子档案/) of 10,000 files, about 1 GB: per item an XML metadata file and either a PDF/A of
 * 1–4 scanned pages (0.2–2 MB) or 2–10 page scans (JPEG 50–100 KB, some TIFF 150–300 KB).
 * It is received, checked (virus scan timed on its own) and accepted through the transfer
 * service; the floor in the same run is copying the files once and hashing them with `sha256sum`
 * and SM3 (`openssl dgst -sm3`). A transfer a tenth the size goes through first, so that the peak
 * memory of the two can be compared. BENCH_FILES scales the file count (and so the bytes).
 */
const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const OUT = join(PROJECT_ROOT, 'bench/out');
// Per run: two runs at once must not delete each other's files.
const work = (name: string) => join(OUT, `ingest-${name}-${process.pid}`);
const KB = 1024;
const MB = 1024 * KB;
const SENDER = '峄城区人民政府办公室';
/** SM3("abc") from GB/T 32905, to tell whether this OpenSSL has SM3. */
const SM3_ABC = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';

type Kind = 'PDF/A' | 'JPEG' | 'TIFF' | 'XML';

interface Transfer {
  dir: string;
  items: number;
  /** Content files under 电子档案/, and their bytes. */
  files: number;
  bytes: number;
  kinds: Record<Kind, number>;
}

const between = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** A baseline greyscale A4 page at 300 dpi as the readability probe reads a JPEG: JFIF, frame header, scan, end marker. */
function jpeg(scan: Buffer): Buffer {
  const [w, h] = [2480, 3508];
  const head = Buffer.from([
    0xff, 0xd8,
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, 0x01, 0x2c, 0x01, 0x2c, 0x00, 0x00,
    0xff, 0xc0, 0x00, 0x0b, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x01, 0x01, 0x11, 0x00,
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00,
  ]);
  return Buffer.concat([head, scan, Buffer.from([0xff, 0xd9])]);
}

const TIFF_HEAD = 174;
const TIFF_WIDTH = 1000;

/** An uncompressed 8-bit grey TIFF in one strip: `pixels` must be TIFF_WIDTH × rows long. */
function tiff(pixels: Buffer): Buffer {
  const b = Buffer.alloc(TIFF_HEAD);
  b.write('II*\0', 0, 'latin1');
  b.writeUInt32LE(8, 4);
  const tags: Array<[tag: number, type: number, value: number]> = [
    [256, 4, TIFF_WIDTH], [257, 4, pixels.length / TIFF_WIDTH], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, TIFF_HEAD],
    [277, 3, 1], [278, 4, pixels.length / TIFF_WIDTH], [279, 4, pixels.length], [282, 5, 158], [283, 5, 166], [296, 3, 2],
  ];
  b.writeUInt16LE(tags.length, 8);
  tags.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(1, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8);
    else b.writeUInt32LE(value, at + 8);
  });
  for (const at of [158, 166]) {
    b.writeUInt32LE(300, at);
    b.writeUInt32LE(1, at + 4);
  }
  return Buffer.concat([b, pixels]);
}

/** The pdfaid claim that makes identification call the file PDF/A-2b, an archival format, as a transfer's PDFs should be. */
const XMP = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>' +
  '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>';

/** A scanned document: one JPEG per page, drawn full page, as a scanner's PDF/A holds them. */
async function pdf(scans: Buffer[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (const scan of scans) {
    const image = await doc.embedJpg(new Uint8Array(jpeg(scan)));
    doc.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  }
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(doc.context.stream(Buffer.from(XMP), { Type: 'Metadata', Subtype: 'XML' })));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

const elements = (values: Record<string, string>) => Object.entries(values).map(([k, v]) => `<${k}>${v}</${k}>`).join('');

/** Writes the carrier of `fileCount` content files to `dir`, every file declared with its size, format and SM3 digest. */
async function generate(dir: string, fileCount: number, seed: number): Promise<Transfer> {
  rmSync(dir, { recursive: true, force: true });
  const r = seededRandom(seed);
  // Random bytes: scans do not compress, and identical files would be reported as duplicates. No
  // 0xFF, so a JPEG's scan data holds no stray marker.
  const noise = Buffer.alloc(16 * MB);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(r() * 255);
  const random = (size: number) => {
    const start = Math.floor(r() * (noise.length - size));
    return noise.subarray(start, start + size);
  };
  const out: Transfer = { dir, items: 0, files: 0, bytes: 0, kinds: { 'PDF/A': 0, JPEG: 0, TIFF: 0, XML: 0 } };
  const records: string[] = [];
  while (out.files < fileCount) {
    const n = ++out.items;
    const stem = String(n).padStart(4, '0');
    const folder = `2023/${stem}`;
    const room = fileCount - out.files - 1;
    const files: Array<{ name: string; body: Buffer; format: Kind }> = [];
    let pages: number;
    // No item is left with its metadata file alone: the last one takes what room remains.
    if (room > 0 && room !== 2 && r() < 0.25) {
      pages = between(r, 1, 4);
      const size = 200 * KB + Math.floor(1.8 * MB * r() ** 3);
      files.push({ name: `${stem}.pdf`, body: await pdf(Array.from({ length: pages }, () => random(Math.floor(size / pages)))), format: 'PDF/A' });
    } else {
      pages = Math.min(room, between(r, 2, 10));
      if (room - pages === 1) pages += 1;
      for (let page = 1; page <= pages; page++) {
        // Page images named by their sequence number, as DA/T 31 names them.
        const name = String(page).padStart(4, '0');
        if (r() < 0.1) files.push({ name: `${name}.tif`, body: tiff(random(between(r, 150, 300) * TIFF_WIDTH)), format: 'TIFF' });
        else files.push({ name: `${name}.jpg`, body: jpeg(random(between(r, 50 * KB, 100 * KB))), format: 'JPEG' });
      }
    }
    const code = `Z109-WS·2023·Y·办公室-${stem}`;
    const metadata = {
      档号: code, 件号: stem, 题名: `关于第${n}号事项的通知`, 责任者: SENDER, 日期: '20230315', 年度: '2023', 保管期限: '永久', 密级: '公开', 机构或问题: '办公室',
      页数: String(pages),
    };
    files.push({ name: '元数据.xml', body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<文件元数据>${elements(metadata)}<电子文件>${files.map((f) => f.name).join('；')}</电子文件></文件元数据>\n`), format: 'XML' });
    mkdirSync(join(dir, '电子档案', folder), { recursive: true });
    const described = files.map((f) => {
      writeFileSync(join(dir, '电子档案', folder, f.name), f.body);
      out.files += 1;
      out.bytes += f.body.length;
      out.kinds[f.format] += 1;
      const sm3 = createHash('sm3').update(f.body).digest('hex');
      return `<电子文件><路径>${folder}</路径><电子档案名称>${f.name}</电子档案名称><计算机文件大小>${f.body.length}</计算机文件大小><格式>${f.format}</格式><校验码 算法="SM3">${sm3}</校验码></电子文件>`;
    });
    records.push(`<文件><顺序号>${n}</顺序号>${elements(metadata)}${described.join('')}</文件>`);
  }
  writeFileSync(join(dir, '文件目录.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<文件目录>\n${records.join('\n')}\n</文件目录>\n`);
  writeFileSync(join(dir, '说明文件.txt'), `移交单位：${SENDER}\n接收单位：峄城区档案馆\n归档文件数量：${out.items}\n原文数量：${out.files}\n总字节数：${out.bytes}\n`);
  return out;
}

const sh = (command: string, args: string[], input?: string) => {
  const r = spawnSync(command, args, { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.error}`);
  return r.stdout.toString('utf8');
};

interface Floor {
  copyMs: number;
  sha256Ms: number;
  sm3Ms: number;
  sm3Tool: string;
}

/** The floor: copy every file of the transfer once, then hash the copies with `sha256sum` and with SM3. */
async function floor(files: TreeFile[]): Promise<Floor> {
  const dir = work('copy');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The generator's writes are flushed first, so the copy pays for its own only.
  sh('sync', []);
  const t0 = performance.now();
  const copies = files.map((f, i) => {
    const to = join(dir, String(i));
    copyFileSync(f.absolute, to);
    return to;
  });
  sh('sync', []);
  const t1 = performance.now();
  sh('xargs', ['-0', 'sha256sum'], copies.join('\0'));
  const t2 = performance.now();
  const openssl = spawnSync('openssl', ['dgst', '-sm3'], { input: 'abc', encoding: 'utf8' }).stdout?.includes(SM3_ABC);
  if (openssl) sh('xargs', ['-0', 'openssl', 'dgst', '-sm3'], copies.join('\0'));
  else for (const copy of copies) await digestStream(createReadStream(copy), ['sm3']);
  const t3 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  return { copyMs: t1 - t0, sha256Ms: t2 - t1, sm3Ms: t3 - t2, sm3Tool: openssl ? 'openssl dgst -sm3' : "Node createHash('sm3'), streamed (this OpenSSL has no SM3)" };
}

/**
 * The installed scanner, timed on its own since it is not part of the goals. A clamscan without
 * signatures (stack-notes F11) gets a one-signature database: that times its reading and parsing
 * of the files, not matching real signatures.
 */
async function virusScanner(probe: string): Promise<{ scanner: VirusScanner; note: string } | null> {
  const found = await findScanner();
  if (!found) return null;
  const [verdict] = await found.scan([probe]);
  if (!verdict || !('error' in verdict) || !(found instanceof ClamscanScanner)) return { scanner: found, note: '' };
  const db = await writeTestSignatures(work('clamav'));
  return {
    scanner: new ClamscanScanner('clamscan', db),
    note: `clamscan has no signature database here (${verdict.error.slice(0, 80)}), so it scanned with a one-signature database: this times reading the files, not real signatures`,
  };
}

/** Peak RSS while `fn` runs, sampled every 100 ms; a long synchronous stretch can hide a peak from the samples, not from the high-water mark. */
async function sampled<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
  try {
    const { ms, value } = await timeMs(fn);
    return { ms, value, peakRss: Math.max(peakRss, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

interface Phases {
  receiveMs: number;
  checkMs: number;
  /** checkTransfer up to the first file examined (reading the package and 文件目录.xml), the files, and the rest (judging, recording). */
  readMs: number;
  examineMs: number;
  judgeMs: number;
  acceptMs: number;
  checkRss: number;
  acceptRss: number;
  /** The process's RSS high-water mark after the run (getrusage). */
  maxRss: number;
  report: CheckReport;
}

async function receiveCheckAccept(t: Transfer): Promise<Phases> {
  const dataDir = work('data');
  rmSync(dataDir, { recursive: true, force: true });
  const archive = await benchArchive('sqlite', dataDir);
  const { ctx, actor } = archive;
  try {
    const { categoryId } = await archive.fondsWithCategory('Z109');
    const received = await timeMs(() => receiveTransfer(ctx, actor, { path: t.dir, fileName: 'carrier-001', categoryId }));
    const id = received.value.id;
    const marks: number[] = [];
    const checkStart = performance.now();
    const check = await sampled(() => checkTransfer(ctx, actor, id, {
      scanner: null,
      onProgress: (done, total) => {
        if (done === 1 || done === total) marks.push(performance.now());
      },
    }));
    const report = check.value.report!;
    if (report.blocking) {
      const failed = report.checks.filter((c) => c.result === 'fail' && c.severity === 'blocking');
      throw new Error(`the generated transfer failed blocking checks: ${JSON.stringify(failed.map((c) => ({ id: c.id, offending: c.offending.slice(0, 3) })))}`);
    }
    const accept = await sampled(() => acceptTransfer(ctx, actor, id));
    if (accept.value.acceptedCount !== t.items) throw new Error(`accepted ${accept.value.acceptedCount} of ${t.items} items`);
    const [first = checkStart, last = first] = marks;
    return {
      receiveMs: received.ms, checkMs: check.ms, readMs: first - checkStart, examineMs: last - first, judgeMs: checkStart + check.ms - last, acceptMs: accept.ms,
      checkRss: check.peakRss, acceptRss: accept.peakRss, maxRss: process.resourceUsage().maxRSS * 1024, report,
    };
  } finally {
    await closeLocations(ctx);
    await archive.t.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const line = (s: string) => process.stdout.write(`${s}\n`);
const mb = (bytes: number) => `${fmt(bytes / 1e6, 0)} MB`;

function describe(t: Transfer): string {
  const kinds = Object.entries(t.kinds).map(([k, n]) => `${n.toLocaleString()} ${k}`).join(', ');
  return `${t.files.toLocaleString()} files in ${t.items.toLocaleString()} items, ${mb(t.bytes)} (${kinds})`;
}

function phase(name: string, ms: number, t: Transfer, extra = ''): void {
  const s = ms / 1000;
  line(`  ${name.padEnd(12)} ${fmt(s, 1).padStart(7)} s ${fmt(t.files / s, 0).padStart(8)} files/s ${fmt(t.bytes / 1e6 / s, 0).padStart(6)} MB/s${extra}`);
}

function phases(p: Phases, t: Transfer): void {
  const { summary } = p.report;
  const failed = p.report.checks.filter((c) => c.result === 'fail').map((c) => `${c.id} (${c.severity}, ${c.offending.length} × "${c.offending[0]?.reason_en}")`);
  phase('receive', p.receiveMs, t, '   copy into the archive');
  phase('check', p.checkMs, t, `   no virus scan; read package ${fmt(p.readMs / 1000, 1)} s, examine files ${fmt(p.examineMs / 1000, 1)} s, judge and record ${fmt(p.judgeMs / 1000, 1)} s`);
  phase('accept', p.acceptMs, t, `   ${fmt(p.acceptMs / t.items, 1)} ms per item`);
  phase('total', p.receiveMs + p.checkMs + p.acceptMs, t);
  line(`  checks: ${summary.pass} pass, ${summary.fail} fail${failed.length ? ` (${failed.join(', ')})` : ''}, ${summary.manual} manual, ${summary.na} n/a; blocking: ${p.report.blocking ? 'yes' : 'no'}`);
}

export async function run(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  try {
    // Both are generated before either runs, so that both runs start from the generator's
    // leftovers; the smaller runs first, so that what V8 keeps after it can only raise the larger one's peak.
    const small = await generate(work('small'), Math.max(10, Math.round(FILES / 10)), 1894);
    const t = await generate(work('src'), FILES, 1895);
    line(`smaller transfer for the memory comparison: ${describe(small)}`);
    const smallRun = await receiveCheckAccept(small);
    phases(smallRun, small);

    line(`\n${describe(t)}`);
    const tree = await walkTree(t.dir);
    const base = await floor(tree);
    const floorMs = base.copyMs + base.sha256Ms + base.sm3Ms;
    phase('floor', floorMs, t, `   copy ${fmt(base.copyMs / 1000, 1)} s + sha256sum ${fmt(base.sha256Ms / 1000, 1)} s + SM3 ${fmt(base.sm3Ms / 1000, 1)} s (${base.sm3Tool})`);

    const p = await receiveCheckAccept(t);
    phases(p, t);
    // What runChecks hands the scanner: every file of the package, the same bytes as the received copy.
    const found = await virusScanner(tree[0]!.absolute);
    if (!found) line('  virus scan: no scanner installed (neither clamd nor clamscan), not measured');
    else {
      const { ms, value } = await timeMs(() => found.scanner.scan(tree.map((f) => f.absolute)));
      const errors = value.filter((v) => 'error' in v).length;
      const infected = value.filter((v) => 'infected' in v && v.infected).length;
      phase('virus scan', ms, t, `   ${found.scanner.name}: ${infected} infected, ${errors} not scanned${found.note ? `; ${found.note}` : ''}`);
    }
    line(`\ncheck ÷ floor: ${fmt(p.checkMs / floorMs, 2)} (goal ≤ 2); (check + accept) ÷ floor: ${fmt((p.checkMs + p.acceptMs) / floorMs, 2)} (goal ≤ 3); receive + check + accept ÷ floor: ${fmt((p.receiveMs + p.checkMs + p.acceptMs) / floorMs, 2)}`);
    line(`peak RSS, sampled every 100 ms: check ${mb(smallRun.checkRss)} → ${mb(p.checkRss)}, accept ${mb(smallRun.acceptRss)} → ${mb(p.acceptRss)} ` +
      `for ${small.files.toLocaleString()} → ${t.files.toLocaleString()} files; process high-water mark, generating included, ${mb(smallRun.maxRss)} → ${mb(p.maxRss)} (goal: independent of the transfer's size)`);
    line('reference: a published Archivematica run spent 4 m 15 s on checksums and 2 m 23 s on virus scanning for 10,006 files');
  } finally {
    for (const name of ['small', 'src', 'copy', 'data', 'clamav']) rmSync(work(name), { recursive: true, force: true });
  }
}
