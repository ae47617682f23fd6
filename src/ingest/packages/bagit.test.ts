import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBag } from '../bagit/write.js';
import { addBagCatalogue } from '../transfer/transfer-testkit.js';
import { readPackage } from './model.js';

const PDF = Buffer.from('%PDF-1.7 通知');
const OFD = Buffer.from('OFD 纪要');
const STRAY = Buffer.from('多余');
const hash = (algorithm: string, b: Buffer) => createHash(algorithm).update(b).digest('hex');

const CATALOGUE = [
  {
    metadata: { 档号: 'Z109-WS·2011·Y·办公室-0001', 题名: '关于印发工作要点的通知', 责任者: '某某县人民政府', 日期: '20110105', 保管期限: '永久', 页数: '3' },
    fields: { title: '关于印发《工作要点》的通知' },
    files: ['2011/办公室/通知.pdf', { path: '2011/办公室/缺失.pdf' }],
  },
  { key: '会议纪要', fields: { title: '会议纪要', pages: 2 }, files: [{ path: '2011/纪要.ofd', name: '2011年第1次会议纪要.ofd', format: 'OFD' }] },
];

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lantai-bagpkg-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function makeBag(dir: string, catalogue: unknown, info: Array<[string, string]>): Promise<string> {
  await writeBag(
    dir,
    [
      { path: '2011/办公室/通知.pdf', body: PDF },
      { path: '2011/纪要.ofd', body: OFD },
      { path: '2011/多余.txt', body: STRAY },
    ],
    info,
    ['sha256', 'sm3'],
  );
  return catalogue === undefined ? dir : addBagCatalogue(dir, catalogue);
}

describe('BagIt packages with the lantai-transfer/1 profile', () => {
  it('reads items, declared digests from every manifest, missing and unreferenced payload files', async () => {
    const dir = await makeBag(join(work, 'bag'), CATALOGUE, [
      ['BagIt-Profile-Identifier', 'lantai-transfer/1'],
      ['Source-Organization', '某某县档案室'],
      ['External-Description', '2011年文书档案'],
      ['Lantai-Item-Count', '2'],
      ['Bagging-Date', '2026-11-21'],
    ]);
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.format).toBe('bagit');
    expect(pkg.root).toBe(dir);
    expect(pkg.declared).toMatchObject({ itemCount: 2, fileCount: 3, totalBytes: PDF.length + OFD.length + STRAY.length, sender: '某某县档案室', description: '2011年文书档案' });
    expect(pkg.declared.raw).toMatchObject({ 'BagIt-Profile-Identifier': 'lantai-transfer/1', 'Bagging-Date': '2026-11-21' });
    expect(pkg.items).toEqual([
      {
        key: 'item 1',
        metadata: CATALOGUE[0]!.metadata,
        fields: { archival_code: 'Z109-WS·2011·Y·办公室-0001', title: '关于印发《工作要点》的通知', responsible: '某某县人民政府', date: '20110105', retention: '永久', pages: 3 },
        files: [{ path: 'data/2011/办公室/通知.pdf', name: '通知.pdf', size: PDF.length, declaredDigests: [{ algorithm: 'sha256', value: hash('sha256', PDF) }, { algorithm: 'sm3', value: hash('sm3', PDF) }] }],
      },
      {
        key: '会议纪要',
        metadata: {},
        fields: { title: '会议纪要', pages: 2 },
        files: [{ path: 'data/2011/纪要.ofd', name: '2011年第1次会议纪要.ofd', size: OFD.length, declaredFormat: 'OFD', declaredDigests: [{ algorithm: 'sha256', value: hash('sha256', OFD) }, { algorithm: 'sm3', value: hash('sm3', OFD) }] }],
      },
    ]);
    expect(pkg.missingFiles).toEqual([{ item: 'item 1', path: 'data/2011/办公室/缺失.pdf' }]);
    expect(pkg.unreferencedFiles).toEqual(['data/2011/多余.txt']);
    expect(pkg.encodings).toEqual({ 'lantai-catalogue.json': 'UTF-8' });
    expect(pkg.findings).toEqual([]);
  });

  it("turns validateBag's errors into findings and reports a missing profile and catalogue", async () => {
    const dir = await makeBag(join(work, 'bad'), undefined, []);
    await appendFile(join(dir, 'data/2011/纪要.ofd'), '被篡改');
    const pkg = await readPackage(dir, { workDir: join(work, 'w'), format: 'bagit' });
    expect(pkg.items).toEqual([]);
    const codes = pkg.findings.map((f) => [f.code, f.severity]);
    expect(codes).toContainEqual(['BAG_PROFILE_UNKNOWN', 'warning']);
    expect(codes).toContainEqual(['BAG_CATALOGUE_MISSING', 'error']);
    const damaged = pkg.findings.filter((f) => f.path === 'data/2011/纪要.ofd');
    expect(damaged.length).toBeGreaterThan(0);
    expect(damaged.every((f) => f.severity === 'error' && /[\u4e00-\u9fff]/.test(f.message) && /[a-z]/.test(f.message_en))).toBe(true);
    expect(pkg.unreferencedFiles).toEqual(['data/2011/办公室/通知.pdf', 'data/2011/多余.txt', 'data/2011/纪要.ofd']);
  });

  it('reports a catalogue that is not an array of items', async () => {
    const dir = await makeBag(join(work, 'bad-json'), { items: [] }, [['BagIt-Profile-Identifier', 'lantai-transfer/1']]);
    const pkg = await readPackage(dir, { workDir: join(work, 'w') });
    expect(pkg.findings.map((f) => f.code)).toEqual(['BAG_CATALOGUE_INVALID']);
  });
});
