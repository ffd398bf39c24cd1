/**
 * User text laid out in a PDF table cell. The CSV files keep the exact text; a PDF shows it so that
 * every row prints whole, on the page.
 */

/**
 * Line breaks become " · ": a description of a hundred short lines would make its row taller than
 * a page, and pdfmake then leaves the row out (pdfkit breaks the page inside it).
 */
export function oneParagraph(text: string): string {
  return text.trim().replace(/\s*[\r\n]+\s*/g, ' · ');
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Longer runs than this get break opportunities. */
const LONGEST_UNBROKEN = 24;

/**
 * A zero-width space every LONGEST_UNBROKEN characters of a longer run without spaces (a pasted
 * link): pdfmake widens a column to its longest word and pushes the columns after it off the page.
 * The fonts draw U+200B as nothing.
 */
export function breakableWords(text: string): string {
  return text.replace(new RegExp(`\\S{${LONGEST_UNBROKEN + 1},}`, 'g'), (run) => {
    // Cut between whole characters as a reader sees them, never between a letter and its accent.
    const characters = [...graphemes.segment(run)].map((part) => part.segment);
    const pieces: string[] = [];
    for (let i = 0; i < characters.length; i += LONGEST_UNBROKEN)
      pieces.push(characters.slice(i, i + LONGEST_UNBROKEN).join(''));
    return pieces.join('\u200B');
  });
}
