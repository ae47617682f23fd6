import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { identifyBuffer } from './identify.js';
import { SCAN_CHUNK } from './reads.js';

const CHINESE = '本EEP根据中华人民共和国档案行业标准生成。归档文件整理规则：件号、题名、责任者、日期、页数、备注。\r\n';
const gb = (text: string) => iconv.encode(text, 'gb18030');
const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('plain text', () => {
  it('identifies UTF-8, with and without BOM', () => {
    expect(identifyBuffer(Buffer.from(CHINESE.repeat(20)), '说明文件.TXT')).toMatchObject({
      formatId: 'txt',
      version: 'UTF-8',
      charset: 'UTF-8',
      mime: 'text/plain',
      extension: 'txt',
      extensionMatches: true,
      archival: true,
      encrypted: false,
      magic: '',
    });
    expect(identifyBuffer(Buffer.concat([Buffer.from('efbbbf', 'hex'), Buffer.from(CHINESE)]), 'a.txt')).toMatchObject({
      formatId: 'txt',
      version: 'UTF-8',
      magic: 'efbbbf',
    });
  });

  it('identifies GB18030 (GBK) Chinese text', () => {
    expect(identifyBuffer(gb(CHINESE.repeat(20)), 'a.txt')).toMatchObject({ formatId: 'txt', version: 'GB18030', archival: true });
  });

  it('identifies UTF-16 text by its BOM', () => {
    expect(identifyBuffer(utf16le(CHINESE), 'a.txt')).toMatchObject({ formatId: 'txt', version: 'UTF-16LE', magic: 'fffe' });
  });

  it('accepts CSV as plain text', () => {
    expect(identifyBuffer(Buffer.from('档号,题名\nJ001-WS·2024-Y-0001,关于…的通知\n'), 'a.csv')).toMatchObject({
      formatId: 'txt',
      extensionMatches: true,
    });
  });

  it('refuses binary content and stray control characters', () => {
    expect(identifyBuffer(Buffer.from('abc\0def'), 'a.txt').formatId).toBe('unknown');
    expect(identifyBuffer(Buffer.from('a\x01b\x02c\x03d\x04e\x05f'), 'a.txt').formatId).toBe('unknown');
    expect(identifyBuffer(Buffer.from([0x81, 0x20, 0xff, 0x41]), 'a.txt').formatId).toBe('unknown');
  });

  it('refuses Big5 and Shift-JIS, which decode as GB18030 but not as simplified Chinese', () => {
    const big5 = iconv.encode('檔案館藏資料數位化與長期保存，應符合國家標準之規定。'.repeat(3), 'big5');
    const shiftJis = iconv.encode('シフトJISの日本語テキストです。アーカイブ。'.repeat(3), 'shift_jis');
    expect(new TextDecoder('gb18030', { fatal: true }).decode(big5)).toBeTruthy();
    expect(identifyBuffer(big5, 'a.txt').formatId).toBe('unknown');
    expect(identifyBuffer(shiftJis, 'a.txt').formatId).toBe('unknown');
  });

  it('checks the whole file, not only the head', () => {
    const text = Buffer.from('a'.repeat(200_000));
    const broken = Buffer.concat([text, Buffer.from([0xff, 0xfe, 0x00])]);
    expect(identifyBuffer(broken, 'a.txt').formatId).toBe('unknown');
    // Given only the head, the verdict rests on what was seen.
    expect(identifyBuffer(broken.subarray(0, 64 * 1024), 'a.txt', { size: broken.length }).formatId).toBe('txt');
  });

  it('keeps a character cut by a chunk boundary whole', () => {
    const text = Buffer.from('档'.repeat(Math.ceil((SCAN_CHUNK * 1.5) / 3)));
    expect(SCAN_CHUNK % 3).not.toBe(0);
    expect(identifyBuffer(text, 'a.txt')).toMatchObject({ formatId: 'txt', version: 'UTF-8' });
  });

  it('rejects a character cut by the end of the file', () => {
    expect(identifyBuffer(Buffer.from('档案').subarray(0, 5), 'a.txt').formatId).toBe('unknown');
  });

  it('identifies HTML', () => {
    expect(identifyBuffer(Buffer.from('<!DOCTYPE html>\n<html><body>兰台</body></html>'), 'a.html')).toMatchObject({
      formatId: 'html',
      archival: false,
      extensionMatches: true,
    });
  });
});

describe('XML', () => {
  const declaration = (encoding: string) => `<?xml version="1.0" encoding="${encoding}"?>\n`;
  const catalogue = '<文件目录><文件><档号>J001-WS·2024-Y-0001</档号><题名>关于开展档案工作的通知</题名></文件></文件目录>\n';

  it('identifies UTF-8 XML with its declaration', () => {
    expect(identifyBuffer(Buffer.from(declaration('UTF-8') + catalogue), '文件目录.XML')).toMatchObject({
      formatId: 'xml',
      version: '1.0',
      charset: 'UTF-8',
      mime: 'application/xml',
      extension: 'xml',
      extensionMatches: true,
      archival: true,
      magic: Buffer.from('<?xml').toString('hex'),
    });
  });

  it('identifies XML after a BOM and without an encoding declaration', () => {
    const record = identifyBuffer(Buffer.from(`\uFEFF<?xml version="1.0"?>\n${catalogue}`), 'a.xml');
    expect(record).toMatchObject({ formatId: 'xml', charset: 'UTF-8', archival: true, magic: 'efbbbf3c3f786d6c' });
  });

  it('checks GB2312 and GB18030 declarations against the bytes', () => {
    expect(identifyBuffer(gb(declaration('GB2312') + catalogue), 'a.xml')).toMatchObject({
      formatId: 'xml',
      charset: 'GB2312',
      archival: true,
    });
    expect(identifyBuffer(gb(declaration('gb18030') + catalogue), 'a.xml').charset).toBe('GB18030');
  });

  it('rejects XML whose bytes do not match the declared encoding', () => {
    const record = identifyBuffer(gb(declaration('UTF-8') + catalogue), 'a.xml');
    expect(record).toMatchObject({ formatId: 'xml', archival: false, charset: 'UTF-8' });
    expect(record.archivalNote.zh).toContain('不是有效的 UTF-8');
    expect(identifyBuffer(gb(`<?xml version="1.0"?>\n${catalogue}`), 'a.xml').archival).toBe(false);
  });

  it('rejects a declaration that contradicts the byte order mark', () => {
    const record = identifyBuffer(Buffer.from(`\uFEFF${declaration('GBK')}${catalogue}`), 'a.xml');
    expect(record).toMatchObject({ formatId: 'xml', archival: false });
    expect(record.archivalNote.en).toContain('contradicts');
  });

  it('identifies UTF-16 XML with and without BOM', () => {
    expect(identifyBuffer(utf16le(declaration('UTF-16') + catalogue), 'a.xml')).toMatchObject({
      formatId: 'xml',
      charset: 'UTF-16',
      archival: true,
      magic: 'fffe3c003f0078006d006c00',
    });
    expect(identifyBuffer(Buffer.from(`<?xml version="1.0"?>${catalogue}`, 'utf16le'), 'a.xml')).toMatchObject({
      formatId: 'xml',
      charset: 'UTF-16LE',
      archival: true,
    });
  });

  it('takes other declared encodings on trust', () => {
    const record = identifyBuffer(Buffer.from(`${declaration('ISO-8859-1')}<a>caf\xe9</a>`, 'latin1'), 'a.xml');
    expect(record).toMatchObject({ formatId: 'xml', charset: 'ISO-8859-1', archival: true });
  });

  it('uses the extension only for XML without a declaration', () => {
    expect(identifyBuffer(Buffer.from(catalogue), 'a.xml')).toMatchObject({ formatId: 'xml', version: null, archival: true });
    expect(identifyBuffer(Buffer.from(catalogue), 'a.txt')).toMatchObject({ formatId: 'txt' });
    expect(identifyBuffer(Buffer.from(declaration('UTF-8') + catalogue), 'a.txt')).toMatchObject({
      formatId: 'xml',
      extensionMatches: false,
    });
  });

  it('identifies SVG by its root element', () => {
    const svg = `${declaration('UTF-8')}<!-- drawing -->\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`;
    expect(identifyBuffer(Buffer.from(svg), 'a.svg')).toMatchObject({ formatId: 'svg', archival: false, extensionMatches: true });
  });
});
