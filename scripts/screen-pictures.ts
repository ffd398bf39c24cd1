/**
 * Plays the demo (`npm run demo`) and draws the main screens it showed (a `/log` answer, the log
 * form, a manager's approval DM, App Home) into docs/, from the Block Kit the app really sent.
 *
 *   npm run docs:pictures
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mupdf from 'mupdf';
import { runDemo } from '../demo/run-demo.js';
import { drawScreen } from './block-kit-picture.js';

const outputDir = mkdtempSync(join(tmpdir(), 'consultracker-screens-'));
try {
  const { screens, names } = await runDemo(outputDir);
  for (const screen of screens) {
    if (screen.blocks.length === 0) throw new Error(`the demo showed no blocks for ${screen.name}`);
    const pdf = await drawScreen(screen, names);
    const page = mupdf.Document.openDocument(pdf, 'application/pdf').loadPage(0);
    const file = `docs/screen-${screen.name}.png`;
    writeFileSync(
      new URL(`../${file}`, import.meta.url),
      page.toPixmap(mupdf.Matrix.scale(1.5, 1.5), mupdf.ColorSpace.DeviceRGB, false, true).asPNG(),
    );
    console.log(`${file}: ${screen.caption}`);
  }
} finally {
  rmSync(outputDir, { recursive: true, force: true });
}
