import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { Findings } from './findings.js';
import { child, children, decodeXml, parseXml, text } from './xml.js';

const XXE = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE 文件目录 [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<文件目录><文件><题名>&xxe;</题名></文件></文件目录>`;

const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`;

describe('parseXml', () => {
  it('refuses an XXE payload before parsing, naming the file', () => {
    const found = new Findings();
    expect(parseXml(XXE, '文件目录.xml', found)).toBeNull();
    expect(found.list).toEqual([
      expect.objectContaining({ code: 'XML_DTD_REFUSED', severity: 'error', path: '文件目录.xml' }),
    ]);
    expect(found.list[0]!.message).toContain('“文件目录.xml”含有 <!DOCTYPE> 声明');
    expect(found.list[0]!.message_en).toContain('"文件目录.xml" contains a <!DOCTYPE> declaration');
  });

  it('refuses a billion-laughs payload', () => {
    const found = new Findings();
    expect(parseXml(LAUGHS, 'lolz.xml', found)).toBeNull();
    expect(found.list.map((f) => f.code)).toEqual(['XML_DTD_REFUSED']);
  });

  it('refuses an entity declaration even without a DOCTYPE, in any letter case', () => {
    const found = new Findings();
    expect(parseXml('<a><!entity x "y"></a>', 'a.xml', found)).toBeNull();
    expect(found.list[0]!.code).toBe('XML_DTD_REFUSED');
  });

  it('decodes only predefined entities and character references, keeps values as text', () => {
    const found = new Findings();
    const doc = parseXml('<r xmlns:e="urn:x"><e:件号>0001</e:件号><题名>A&amp;B &lt;通知&gt; &#x4E2D;&#25991; &unknown;</题名><题名>二</题名></r>', 'r.xml', found)!;
    const r = doc['r']![0]!;
    expect(text(child(r, '件号'))).toBe('0001');
    expect(children(r, '题名').map(text)).toEqual(['A&B <通知> 中文 &unknown;', '二']);
    expect(found.list).toEqual([]);
  });

  it('reports malformed XML with its line', () => {
    const found = new Findings();
    expect(parseXml('<a>\n<b></a>', 'bad.xml', found)).toBeNull();
    expect(found.list[0]).toMatchObject({ code: 'XML_MALFORMED', path: 'bad.xml', details: { line: 2 } });
  });
});

describe('decodeXml', () => {
  const body = '<文件目录><文件><题名>关于印发工作要点的通知</题名></文件></文件目录>';

  it.each(['GB18030', 'GB2312', 'GBK'])('decodes a file declared %s', (label) => {
    const found = new Findings();
    const encodings: Record<string, string> = {};
    const bytes = iconv.encode(`<?xml version="1.0" encoding="${label.toLowerCase()}"?>${body}`, 'gb18030');
    expect(decodeXml(bytes, 'f.xml', found, encodings)).toContain('关于印发工作要点的通知');
    expect(encodings).toEqual({ 'f.xml': label });
    expect(found.list).toEqual([]);
  });

  it('reads UTF-8 with a BOM', () => {
    const encodings: Record<string, string> = {};
    const text = decodeXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]), 'f.xml', new Findings(), encodings);
    expect(text).toBe(body);
    expect(encodings['f.xml']).toBe('UTF-8');
  });

  it('reads undeclared GBK as GB18030 with a warning', () => {
    const found = new Findings();
    const encodings: Record<string, string> = {};
    expect(decodeXml(iconv.encode(body, 'gbk'), 'f.xml', found, encodings)).toBe(body);
    expect(encodings['f.xml']).toBe('GB18030');
    expect(found.list).toEqual([expect.objectContaining({ code: 'XML_ENCODING_MISMATCH', severity: 'warning', details: { declared: null, detected: 'GB18030' } })]);
  });

  it('refuses an unknown declared encoding', () => {
    const found = new Findings();
    expect(decodeXml(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><a/>'), 'f.xml', found, {})).toBeNull();
    expect(found.list[0]).toMatchObject({ code: 'XML_ENCODING_UNSUPPORTED', path: 'f.xml' });
  });
});
