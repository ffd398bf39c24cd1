/**
 * Draws Block Kit as Slack lays it out, closely enough for the README's pictures of the main
 * screens: a message, a form (modal) or App Home, from the blocks the app really sent. Covers the
 * blocks and elements the app uses; mrkdwn keeps its bold, quotes, code and mentions.
 */
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { type Block, type Element, plain } from '../demo/transcript.js';
import { FONT_FILES } from '../src/reports/fonts.js';

export type Screen = { frame: 'message' | 'modal' | 'home'; title: string; blocks: unknown[] };

const WIDTH = 520;
const PAD = 20;
const SIZE = 10;
const GREY = '#616061';
const LINE = '#dddddd';
const GREEN = '#007a5a';
const RED = '#e01e5a';

/** Slack's emoji the app uses, as the font's symbols; the others are left out. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✔',
  ballot_box_with_check: '☑',
  warning: '⚠',
  x: '✘',
  no_entry: '⛔',
  no_entry_sign: '⛔',
  hourglass: '⌛',
  hourglass_flowing_sand: '⌛',
  calendar: '▦',
  spiral_calendar_pad: '▦',
  white_square: '☐',
  red_circle: '●',
  white_circle: '○',
  scissors: '✂',
  pencil: '✎',
  memo: '✎',
  heavy_minus_sign: '−',
  leftwards_arrow_with_hook: '↩',
  outbox_tray: '↗',
};

const font = fontkit.openSync(FONT_FILES.regular) as fontkit.Font;

function emoji(text: string): string {
  return (
    text
      .replace(/:([a-z0-9_+-]+):/g, (_, name: string) => {
        const symbol = EMOJI[name];
        return symbol && font.hasGlyphForCodePoint(symbol.codePointAt(0)!) ? symbol : '';
      })
      // An emoji left out at the start of a line leaves its space behind.
      .replace(/^ +/gm, '')
  );
}

/** One page as tall as the screen, in a PDF (the caller rasterises it). */
export async function drawScreen(screen: Screen, names: ReadonlyMap<string, string>): Promise<Buffer> {
  // Laid out once on a throwaway page to learn the height, then drawn on a page of that height.
  const height = layOut(new PDFDocument({ size: [WIDTH, 5000], margin: 0 }), screen, names);
  const doc = new PDFDocument({ size: [WIDTH, height], margin: 0, font: FONT_FILES.regular });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  layOut(doc, screen, names);
  doc.end();
  return done;
}

/** Draws the screen and returns its height. */
function layOut(doc: PDFKit.PDFDocument, screen: Screen, names: ReadonlyMap<string, string>): number {
  doc.rect(0, 0, WIDTH, 5000).fill('white');
  let y = PAD;
  let left = PAD;
  if (screen.frame === 'message') {
    doc.roundedRect(PAD, y, 36, 36, 6).fill('#4a154b');
    doc
      .font(FONT_FILES.bold)
      .fontSize(13)
      .fillColor('white')
      .text('CT', PAD, y + 11, { width: 36, align: 'center' });
    doc
      .font(FONT_FILES.bold)
      .fontSize(11)
      .fillColor('black')
      .text('ConsulTracker', PAD + 46, y, { lineBreak: false });
    const after = PAD + 46 + doc.widthOfString('ConsulTracker') + 6;
    doc.roundedRect(after, y + 1, 26, 12, 2).fill('#e8e8e8');
    doc
      .font(FONT_FILES.bold)
      .fontSize(7)
      .fillColor(GREY)
      .text('APP', after, y + 3.5, { width: 26, align: 'center' });
    doc
      .font(FONT_FILES.regular)
      .fontSize(8)
      .fillColor(GREY)
      .text(screen.title, after + 32, y + 2.5, { lineBreak: false });
    left = PAD + 46;
    y += 18;
  } else {
    doc
      .font(FONT_FILES.bold)
      .fontSize(14)
      .fillColor('black')
      .text(screen.frame === 'home' ? 'ConsulTracker · Home' : screen.title, PAD, y);
    if (screen.frame === 'modal')
      doc
        .font(FONT_FILES.regular)
        .fontSize(14)
        .fillColor(GREY)
        .text('×', WIDTH - PAD - 10, y);
    y += 26;
    doc.moveTo(0, y).lineTo(WIDTH, y).lineWidth(0.7).strokeColor(LINE).stroke();
    y += 12;
  }
  const width = WIDTH - left - PAD;
  for (const block of screen.blocks as Block[]) y = drawBlock(doc, block, left, y, width, names) + 8;
  if (screen.frame === 'modal') {
    doc.moveTo(0, y).lineTo(WIDTH, y).lineWidth(0.7).strokeColor(LINE).stroke();
    y += 12;
    const submit = button(doc, WIDTH - PAD, y, 'Save', 'primary', 'right');
    button(doc, submit - 8, y, 'Cancel', undefined, 'right');
    y += 26;
  }
  return y + PAD;
}

function drawBlock(
  doc: PDFKit.PDFDocument,
  block: Block,
  x: number,
  y: number,
  width: number,
  names: ReadonlyMap<string, string>,
): number {
  switch (block.type) {
    case 'header':
      doc.font(FONT_FILES.bold).fontSize(13).fillColor('black');
      doc.text(emoji(plain(block.text?.text, names)), x, y, { width });
      return doc.y;
    case 'divider':
      doc
        .moveTo(x, y + 4)
        .lineTo(x + width, y + 4)
        .lineWidth(0.7)
        .strokeColor(LINE)
        .stroke();
      return y + 8;
    case 'context': {
      const text = (block.elements ?? []).map((element) => element.text ?? '').join('   ');
      return mrkdwn(doc, text, x, y, width, names, 8.5, GREY);
    }
    case 'section': {
      const accessory = block.accessory ? controlWidth(doc, block.accessory) : 0;
      const textWidth = width - (accessory ? accessory + 10 : 0);
      let bottom = block.text ? mrkdwn(doc, block.text.text ?? '', x, y, textWidth, names) : y;
      const fields = block.fields ?? [];
      for (let i = 0; i < fields.length; i += 2) {
        const top = bottom + (i === 0 && !block.text ? 0 : 4);
        const half = (textWidth - 10) / 2;
        const leftBottom = mrkdwn(doc, fields[i]!.text ?? '', x, top, half, names);
        const rightBottom = fields[i + 1]
          ? mrkdwn(doc, fields[i + 1]!.text ?? '', x + half + 10, top, half, names)
          : top;
        bottom = Math.max(leftBottom, rightBottom);
      }
      if (block.accessory) bottom = Math.max(bottom, control(doc, block.accessory, x + width - accessory, y) + 2);
      return bottom;
    }
    case 'actions': {
      let cursor = x;
      let top = y + 2;
      for (const element of block.elements ?? []) {
        const need = controlWidth(doc, element);
        if (cursor > x && cursor + need > x + width) {
          cursor = x;
          top += 30;
        }
        control(doc, element, cursor, top);
        cursor += need + 8;
      }
      return top + 26;
    }
    case 'input': {
      doc.font(FONT_FILES.bold).fontSize(SIZE).fillColor('black');
      const label = emoji(plain(block.label?.text, names));
      doc.text(label, x, y, { continued: Boolean(block.optional) });
      if (block.optional) doc.font(FONT_FILES.regular).fillColor(GREY).text('  (optional)');
      return inputElement(doc, block.element ?? {}, x, doc.y + 4, width);
    }
    default:
      return y;
  }
}

/** mrkdwn with bold, code, quotes and line breaks; returns the bottom. */
function mrkdwn(
  doc: PDFKit.PDFDocument,
  source: string,
  x: number,
  y: number,
  width: number,
  names: ReadonlyMap<string, string>,
  size = SIZE,
  color = 'black',
): number {
  let top = y;
  for (const rawLine of emoji(plain(source, names)).split('\n')) {
    const quoted = rawLine.startsWith('>');
    const line = quoted ? rawLine.slice(1) : rawLine;
    const left = quoted ? x + 10 : x;
    const runs = line.split(/(\*[^*\n]+\*|`[^`\n]+`)/).filter(Boolean);
    const start = top;
    if (runs.length === 0) {
      doc.font(FONT_FILES.regular).fontSize(size);
      top += doc.currentLineHeight(true);
      continue;
    }
    doc.x = left;
    doc.y = top;
    runs.forEach((run, i) => {
      const bold = run.startsWith('*') && run.endsWith('*');
      const code = run.startsWith('`') && run.endsWith('`');
      doc
        .font(bold ? FONT_FILES.bold : FONT_FILES.regular)
        .fontSize(size)
        .fillColor(code ? RED : color);
      const text = (bold || code ? run.slice(1, -1) : run).replace(/_([^_\n]+)_/g, '$1').replace(/~([^~\n]+)~/g, '$1');
      if (i === 0) doc.text(text, left, top, { width: width - (left - x), continued: i < runs.length - 1 });
      else doc.text(text, { continued: i < runs.length - 1 });
    });
    top = doc.y;
    if (quoted) doc.rect(x, start, 3, top - start).fill('#dddddd');
  }
  return top;
}

function label(element: Element): string {
  switch (element.type) {
    case 'button':
      return plain(element.text?.text);
    case 'overflow':
      return '⋯';
    case 'datepicker':
      return `${element.initial_date ?? (plain(element.placeholder?.text) || 'Select a date')}  ▾`;
    default:
      return `${plain(element.initial_option?.text?.text) || plain(element.placeholder?.text) || 'Choose'}  ▾`;
  }
}

function controlWidth(doc: PDFKit.PDFDocument, element: Element): number {
  if (element.type === 'checkboxes' || element.type === 'radio_buttons')
    return Math.max(...(element.options ?? []).map((o) => doc.widthOfString(plain(o.text?.text)) + 20), 0);
  doc.font(FONT_FILES.bold).fontSize(SIZE);
  return Math.max(doc.widthOfString(emoji(label(element))) + 20, element.type === 'button' ? 0 : 120);
}

/** A button, select, date or overflow at (x, y); returns its bottom. */
function control(doc: PDFKit.PDFDocument, element: Element, x: number, y: number): number {
  if (element.type === 'checkboxes' || element.type === 'radio_buttons') return choices(doc, element, x, y, 400);
  if (element.type === 'button') {
    button(doc, x, y, emoji(label(element)), element.style, 'left');
    return y + 24;
  }
  const width = controlWidth(doc, element);
  doc.roundedRect(x, y, width, 24, 4).lineWidth(0.8).strokeColor('#bbbbbb').stroke();
  doc
    .font(FONT_FILES.regular)
    .fontSize(SIZE)
    .fillColor(element.initial_option || element.initial_date ? 'black' : GREY)
    .text(label(element), x + 10, y + 6, { width: width - 14, lineBreak: false });
  return y + 24;
}

function button(
  doc: PDFKit.PDFDocument,
  at: number,
  y: number,
  text: string,
  style: Element['style'],
  anchor: 'left' | 'right',
): number {
  doc.font(FONT_FILES.bold).fontSize(SIZE);
  const width = doc.widthOfString(text) + 20;
  const x = anchor === 'left' ? at : at - width;
  if (style === 'primary') doc.roundedRect(x, y, width, 24, 4).fill(GREEN);
  else doc.roundedRect(x, y, width, 24, 4).lineWidth(0.8).strokeColor('#bbbbbb').stroke();
  doc.fillColor(style === 'primary' ? 'white' : style === 'danger' ? RED : 'black');
  doc.text(text, x + 10, y + 6.5, { lineBreak: false });
  return x;
}

function inputElement(doc: PDFKit.PDFDocument, element: Element, x: number, y: number, width: number): number {
  if (element.type === 'plain_text_input') {
    const height = element.multiline ? 56 : 28;
    doc.roundedRect(x, y, width, height, 4).lineWidth(0.8).strokeColor('#bbbbbb').stroke();
    const value = element.initial_value ?? plain(element.placeholder?.text);
    doc
      .font(FONT_FILES.regular)
      .fontSize(SIZE)
      .fillColor(element.initial_value ? 'black' : GREY)
      .text(value, x + 10, y + 8, { width: width - 20, height: height - 10 });
    return y + height;
  }
  if (element.type === 'checkboxes' || element.type === 'radio_buttons') return choices(doc, element, x, y, width);
  doc.font(FONT_FILES.regular).fontSize(SIZE);
  doc.roundedRect(x, y, width, 28, 4).lineWidth(0.8).strokeColor('#bbbbbb').stroke();
  doc
    .fillColor(element.initial_option || element.initial_date ? 'black' : GREY)
    .text(label(element), x + 10, y + 8, { width: width - 20, lineBreak: false });
  return y + 28;
}

function choices(doc: PDFKit.PDFDocument, element: Element, x: number, y: number, width: number): number {
  const chosen = new Set(
    [...(element.initial_options ?? []), ...(element.initial_option ? [element.initial_option] : [])].map(
      (o) => o.value,
    ),
  );
  let top = y;
  for (const option of element.options ?? []) {
    const on = chosen.has(option.value);
    if (on) doc.roundedRect(x, top + 1, 11, 11, 2).fill('#1264a3');
    else
      doc
        .roundedRect(x, top + 1, 11, 11, 2)
        .lineWidth(0.8)
        .strokeColor('#999999')
        .stroke();
    if (on)
      doc
        .font(FONT_FILES.bold)
        .fontSize(8)
        .fillColor('white')
        .text('✔', x + 2, top + 2.5, { lineBreak: false });
    doc
      .font(FONT_FILES.regular)
      .fontSize(SIZE)
      .fillColor('black')
      .text(plain(option.text?.text), x + 18, top, { width: width - 18 });
    top = doc.y + 4;
  }
  return top;
}
