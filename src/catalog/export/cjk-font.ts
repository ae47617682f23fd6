import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import subsetFont from 'subset-font';

const require = createRequire(import.meta.url);
let cached: Promise<Uint8Array> | null = null;

/**
 * Noto Sans SC Regular, a TrueType font with CJK and Latin glyphs that pdf-lib can embed
 * (stack-notes F7: it cannot embed .ttc). Resolved through the package, read once per process.
 */
export function cjkFontBytes(): Promise<Uint8Array> {
  cached ??= readFile(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf')).catch((e: unknown) => {
    cached = null;
    throw e;
  });
  return cached;
}

/**
 * The CJK font cut down to the characters of one document, with HarfBuzz's subsetter. pdf-lib's
 * own subsetting (fontkit) drops most glyphs of this font: the text extracts but does not render.
 */
export async function cjkFontFor(text: string): Promise<Uint8Array> {
  return subsetFont(await cjkFontBytes(), text, { targetFormat: 'sfnt' });
}
