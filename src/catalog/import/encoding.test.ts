import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { detectEncoding } from './encoding.js';
import { sniffFormat } from './file-type.js';

const TEXT = '档号,题名,责任者,日期\nZ109-WS·2011·Y·办公室-0001,关于峄城区做好档案工作的通知（第一批）,峄城区人民政府办公室,20110315\n';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as AppError).code;
  }
  return null;
};

describe('CSV encoding detection', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(detectEncoding(Buffer.from(TEXT, 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('a,b,c\n1,2,3\n'))).toBe('utf-8');
  });

  it('tolerates a sample cut in the middle of a character', () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    expect(detectEncoding(bytes.subarray(0, 8))).toBe('utf-8');
  });

  it('finds GBK and GB18030 from the bytes alone', () => {
    expect(detectEncoding(iconv.encode(TEXT, 'gbk'))).toBe('gb18030');
    expect(detectEncoding(iconv.encode(TEXT + '䶮𠀀', 'gb18030'))).toBe('gb18030');
    expect(detectEncoding(Buffer.concat([Buffer.from([0x84, 0x31, 0x95, 0x33]), iconv.encode(TEXT, 'gb18030')]))).toBe('gb18030');
  });

  it('refuses UTF-16, Big5 and bytes that are no text', () => {
    expect(code(() => detectEncoding(iconv.encode(TEXT, 'utf16le', { addBOM: true } as never)))).toBe('IMPORT_ENCODING');
    expect(code(() => detectEncoding(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')])))).toBe('IMPORT_ENCODING');
    expect(code(() => detectEncoding(iconv.encode('檔號,題名,責任者\n關於進一步加強檔案工作的通知,嶧城區人民政府辦公室,臺灣檔案館藏資料彙編說明\n', 'big5')))).toBe('IMPORT_ENCODING');
    expect(code(() => detectEncoding(Buffer.from([0x81, 0x20, 0xff, 0x41, 0x80, 0x80, 0x80])))).toBe('IMPORT_ENCODING');
  });

  it('names the error in both languages', () => {
    try {
      detectEncoding(Buffer.from([0xff, 0xfe, 0x41, 0x00]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).message).toContain('UTF-8');
      expect((e as AppError).message).toContain('GBK');
      expect((e as AppError).message_en).toContain('UTF-8');
    }
  });
});

describe('file kind from its first bytes', () => {
  it('takes a ZIP for .xlsx and text for CSV, whatever the name', () => {
    expect(sniffFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe('xlsx');
    expect(sniffFormat(Buffer.from(TEXT))).toBe('csv');
    expect(sniffFormat(iconv.encode(TEXT, 'gbk'))).toBe('csv');
  });

  it('refuses PDFs, legacy .xls, images and other binaries, saying what they are', () => {
    for (const [bytes, what] of [
      [Buffer.from('%PDF-1.7\n'), 'PDF'],
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), '.xls'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), 'PNG'],
      [Buffer.from([0x01, 0x00, 0x02, 0x03]), '二进制'],
    ] as const) {
      try {
        sniffFormat(bytes);
        expect.unreachable();
      } catch (e) {
        expect((e as AppError).code).toBe('IMPORT_FILE_TYPE');
        expect((e as AppError).message).toContain(what);
      }
    }
  });
});
