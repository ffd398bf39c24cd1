/**
 * Invoice numbers: a format setting with a year and a sequence token, filled in when an invoice is
 * issued from the year's counter row (gapless per year, so the format must name the year, or two
 * years would print the same number).
 */

export const DEFAULT_NUMBER_FORMAT = '{YYYY}-{NNNN}';

const TOKEN = /\{(YYYY|YY|N+)\}/g;

/** Why a format cannot number invoices, or undefined when it can. */
export function checkNumberFormat(format: string): string | undefined {
  if (format.length > 40) return 'must be at most 40 characters';
  const tokens = [...format.matchAll(TOKEN)].map((m) => m[1]!);
  const rest = format.replace(TOKEN, '');
  if (/[{}]/.test(rest))
    return `has a token it does not know; use {YYYY} or {YY} for the year and {NNNN} for the sequence, e.g. ${DEFAULT_NUMBER_FORMAT}`;
  if (!/^[A-Za-z0-9 ./_#-]*$/.test(rest))
    return 'may hold only letters, digits, spaces and . / _ # - besides its tokens';
  const sequences = tokens.filter((t) => t.startsWith('N'));
  if (sequences.length !== 1) return `needs exactly one sequence token like {NNNN}, e.g. ${DEFAULT_NUMBER_FORMAT}`;
  if (sequences[0]!.length > 9) return 'has a sequence token of at most 9 digits';
  if (!tokens.some((t) => t.startsWith('Y')))
    return `needs the year ({YYYY} or {YY}): numbers restart every year, e.g. ${DEFAULT_NUMBER_FORMAT}`;
  return undefined;
}

/** `{YYYY}-{NNNN}` with 2026 and 42 -> `2026-0042`; a sequence longer than its token prints in full. */
export function formatInvoiceNumber(format: string, year: number, sequence: number): string {
  return format.replace(TOKEN, (_, token: string) => {
    if (token === 'YYYY') return String(year).padStart(4, '0');
    if (token === 'YY') return String(year % 100).padStart(2, '0');
    return String(sequence).padStart(token.length, '0');
  });
}
