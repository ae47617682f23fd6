import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVAL_FORMATS, extensionOf, identifyBuffer, identifyFile } from './identify.js';

describe('ARCHIVAL_FORMATS', () => {
  it('lists the Lantai archival formats and no office or compressed formats', () => {
    const ids = ARCHIVAL_FORMATS.map((f) => f.formatId);
    expect(ids).toEqual(
      expect.arrayContaining(['pdfa-1b', 'pdfa-2b', 'pdfa-3a', 'ofd', 'tiff', 'jpeg', 'jp2', 'png', 'xml', 'txt', 'wav', 'mp3', 'mp4']),
    );
    for (const id of ['pdf', 'docx', 'doc', 'xlsx', 'zip', 'rar', 'gif']) expect(ids).not.toContain(id);
    expect(ARCHIVAL_FORMATS.find((f) => f.formatId === 'pdfa-2b')?.name).toBe('PDF/A-2b');
  });
});

describe('edge cases', () => {
  it('reports an empty file', () => {
    expect(identifyBuffer(Buffer.alloc(0), 'a.pdf')).toMatchObject({
      formatId: 'empty',
      mime: 'application/octet-stream',
      extension: 'pdf',
      extensionMatches: false,
      archival: false,
      encrypted: false,
      magic: '',
    });
  });

  it('handles one-byte files', () => {
    expect(identifyBuffer(Buffer.from('A'), 'a.txt')).toMatchObject({ formatId: 'txt', version: 'UTF-8' });
    expect(identifyBuffer(Buffer.from('%'), 'a.pdf')).toMatchObject({ formatId: 'txt', extensionMatches: false });
    expect(identifyBuffer(Buffer.from([0]), 'a.bin')).toMatchObject({ formatId: 'unknown', archival: false });
    expect(identifyBuffer(Buffer.from([0xff]), 'a.jpg')).toMatchObject({ formatId: 'unknown', extensionMatches: false });
  });

  it('reports unknown binary content', () => {
    const record = identifyBuffer(Buffer.concat([Buffer.from([0, 1, 2, 3]), randomBytes(1000)]), 'data.dat');
    expect(record).toMatchObject({
      formatId: 'unknown',
      name: 'Unknown',
      version: null,
      mime: 'application/octet-stream',
      extension: 'dat',
      extensionMatches: false,
      archival: false,
      magic: '',
    });
    expect(record.archivalNote.en).toBe('The file format was not recognised');
  });

  it('takes the extension from the last dot only', () => {
    expect(extensionOf('档案.TAR.GZ')).toBe('gz');
    expect(extensionOf('README')).toBeNull();
    expect(extensionOf('.bashrc')).toBeNull();
    expect(extensionOf('trailing.')).toBeNull();
    expect(extensionOf(undefined)).toBeNull();
  });

  it('refuses a view whose size does not cover its parts', () => {
    expect(() => identifyBuffer(Buffer.alloc(10), 'a', { size: 5 })).toThrow(RangeError);
    expect(() => identifyBuffer(Buffer.alloc(10), 'a', { tail: Buffer.alloc(4) })).toThrow(RangeError);
  });
});

describe('archival list configuration', () => {
  const text = Buffer.from('说明');

  it('lets an archive replace the list', () => {
    const custom = { archivalFormatIds: ['txt', 'docx'] };
    expect(identifyBuffer(text, 'a.txt', custom)).toMatchObject({ archival: true });
    expect(identifyBuffer(text, 'a.txt', custom).archivalNote.zh).toContain('TXT');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const excluded = identifyBuffer(png, 'a.png', custom);
    expect(excluded).toMatchObject({ formatId: 'png', archival: false });
    expect(excluded.archivalNote.zh).toBe('不在本馆配置的归档格式清单中');
  });
});

describe('identifyFile', () => {
  let dir: string;
  let pdf: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lantai-format-'));
    const doc = await PDFDocument.create();
    doc.addPage();
    pdf = Buffer.from(await doc.save());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the extension from the path, or from the name given', async () => {
    const path = join(dir, 'stored-object');
    await writeFile(path, pdf);
    expect(await identifyFile(path)).toMatchObject({ formatId: 'pdf', extension: null, extensionMatches: false });
    expect(await identifyFile(path, '扫描件.jpg')).toMatchObject({ formatId: 'pdf', extension: 'jpg', extensionMatches: false });
    expect(await identifyFile(path, '报告.PDF')).toMatchObject({ formatId: 'pdf', extension: 'pdf', extensionMatches: true });
  });

  it('handles empty and one-byte files', async () => {
    await writeFile(join(dir, 'empty.txt'), Buffer.alloc(0));
    await writeFile(join(dir, 'one.txt'), Buffer.from('x'));
    expect(await identifyFile(join(dir, 'empty.txt'))).toMatchObject({ formatId: 'empty', extension: 'txt' });
    expect(await identifyFile(join(dir, 'one.txt'))).toMatchObject({ formatId: 'txt', version: 'UTF-8', archival: true });
  });

  it('rejects a missing file', async () => {
    await expect(identifyFile(join(dir, 'missing.pdf'))).rejects.toThrow(/ENOENT/);
  });
});
