/** Customer and project codes: 2 to 20 capitals A–Z, digits or dashes, starting with a letter or digit. */
export const CODE = /^[A-Z0-9][A-Z0-9-]{1,19}$/;

/**
 * A code as typed, in capitals. Only a–z are raised: JavaScript's upper case spells ß, ligatures
 * and the dotless ı as A–Z letters, so "straße" would be saved as STRASSE instead of refused.
 */
export function typedCode(text: string): string {
  return text.trim().replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
