/**
 * User text laid out in a PDF table cell. The CSV files keep the exact text; a PDF shows it so that
 * every row prints whole, on the page.
 */

/**
 * Line breaks become " · ": a description of a hundred short lines would make its row taller than
 * a page, and pdfmake then leaves the row out (pdfkit breaks the page inside it).
 */
export function oneParagraph(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' · ');
}

/** Longer runs than this get break opportunities. */
const LONGEST_UNBROKEN = 24;

/**
 * A zero-width space every LONGEST_UNBROKEN characters of a longer run without spaces (a pasted
 * link): pdfmake widens a column to its longest word and pushes the columns after it off the page.
 * The fonts draw U+200B as nothing.
 */
export function breakableWords(text: string): string {
  return text.replace(new RegExp(`\\S{${LONGEST_UNBROKEN + 1},}`, 'g'), (run) =>
    (run.match(new RegExp(`.{1,${LONGEST_UNBROKEN}}`, 'gu')) ?? [run]).join('\u200B'),
  );
}
