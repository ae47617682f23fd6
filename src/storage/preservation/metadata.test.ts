import { describe, expect, it } from 'vitest';
import { escapeXml } from './metadata.js';

describe('XML escaping of metadata', () => {
  it('escapes markup and drops characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`<题名 a="1">&'\u0001\uFFFF\uD800`)).toBe('&lt;题名 a=&quot;1&quot;&gt;&amp;&apos;');
    expect(escapeXml('𠀋峄\t\n')).toBe('𠀋峄\t\n');
  });
});
