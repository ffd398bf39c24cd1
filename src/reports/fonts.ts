import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

/** DejaVu Sans (Latin with accents, Greek, Cyrillic and much more), embedded in every PDF. */
const fontsDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const FONT_FILES = {
  regular: join(fontsDir, 'DejaVuSans.ttf'),
  bold: join(fontsDir, 'DejaVuSans-Bold.ttf'),
} as const;

/** Shown instead of a character the font cannot draw, so the row prints and the gap is visible. */
const REPLACEMENT = '\uFFFD';

/**
 * Makes text safe to print: characters the font has no glyph for become U+FFFD (the CSV keeps
 * the exact text), and control characters other than line breaks become spaces.
 */
export function printableText(): (text: string) => string {
  const font = fontkit.openSync(FONT_FILES.regular) as fontkit.Font;
  const known = new Map<number, boolean>();
  const drawable = (codePoint: number) => {
    let has = known.get(codePoint);
    if (has === undefined) known.set(codePoint, (has = font.hasGlyphForCodePoint(codePoint)));
    return has;
  };
  return (text) => {
    // Fast path: plain ASCII prints as it is.
    if (/^[\x20-\x7e]*$/.test(text)) return text;
    let out = '';
    for (const character of text) {
      const codePoint = character.codePointAt(0)!;
      if (character === '\n') out += character;
      else if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) out += ' ';
      else out += drawable(codePoint) ? character : REPLACEMENT;
    }
    return out;
  };
}

let boldFont: fontkit.Font | undefined;

/** How wide `text` prints in bold DejaVu Sans at `fontSize`, in points. */
export function boldTextWidth(text: string, fontSize: number): number {
  boldFont ??= fontkit.openSync(FONT_FILES.bold) as fontkit.Font;
  return (boldFont.layout(text).advanceWidth / boldFont.unitsPerEm) * fontSize;
}
