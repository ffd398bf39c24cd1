import { type Failure } from './result.js';

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/**
 * Converts a decimal amount ("140.10", 140.1, "1,234.50" is refused) to integer cents, exactly:
 * the digits are read as text, never multiplied as a float.
 */
export function parseAmountToCents(
  input: string | number,
): { ok: true; cents: number } | { ok: false; error: Failure } {
  const text = typeof input === 'number' ? numberToPlainText(input) : input.trim();
  const match = text === undefined ? null : DECIMAL.exec(text);
  if (!match) {
    return {
      ok: false,
      error: {
        code: 'invalid_amount',
        message: `"${String(input)}" is not an amount: use a non-negative number with at most two decimals, like 140 or 140.50`,
      },
    };
  }
  const whole = Number(match[1]);
  const fraction = (match[2] ?? '').padEnd(2, '0');
  return { ok: true, cents: whole * 100 + Number(fraction) };
}

/** A rate that may be left empty (meaning "use the default"): empty text is null, anything else must be an amount. */
export function parseOptionalRate(text: string): { ok: true; cents: number | null } | { ok: false; error: Failure } {
  return text.trim() ? parseAmountToCents(text) : { ok: true, cents: null };
}

/** YAML and JSON hand us numbers; their shortest round-trip text is the decimal the user wrote. */
function numberToPlainText(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}

/** 14010 -> "140.10" */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const absolute = Math.abs(cents);
  const whole = Math.floor(absolute / 100);
  return `${sign}${whole}.${String(absolute % 100).padStart(2, '0')}`;
}

/** 14010, "USD" -> "$140.10"; grouping for readability, still no float arithmetic on the amount. */
export function formatMoney(cents: number, currency: string): string {
  const sign = cents < 0 ? '-' : '';
  const [whole, fraction] = formatCents(Math.abs(cents)).split('.') as [string, string];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const symbol = CURRENCY_SYMBOLS[currency];
  return symbol ? `${sign}${symbol}${grouped}.${fraction}` : `${sign}${grouped}.${fraction} ${currency}`;
}

const CURRENCY_SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£' };

/** Line amount = round_half_up(minutes * rate / 60), in integers (DESIGN.md "Domain"). */
export function amountForMinutes(minutes: number, rateCentsPerHour: number): number {
  const product = minutes * rateCentsPerHour;
  if (!Number.isSafeInteger(product)) throw new RangeError('amount out of range');
  const sign = product < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(product) + 30) / 60);
}
