import { type Failure, fail } from './result.js';

/**
 * Money is an integer count of its currency's minor unit: cents for USD, yen for JPY (no
 * decimals), fils for KWD (three). How many decimals a currency has comes from ISO 4217 through
 * `Intl.NumberFormat`, never from a table of our own. Amounts are read and written as decimal
 * text, digit by digit, so no float ever touches them.
 */

/** The most an hourly rate can be, in minor units: 100,000.00 an hour in a two-decimal currency. */
export const MAX_HOURLY_RATE_MINOR = 10_000_000;
/** The most one price (a prepaid package, an invoice line) can be: 1,000,000,000.00 in a two-decimal currency. */
export const MAX_PRICE_MINOR = 100_000_000_000;

export type ParsedAmount = { ok: true; minor: number } | { ok: false; error: Failure };

const digitsCache = new Map<string, number>();

/** How many decimals the currency's minor unit has: JPY 0, USD 2, KWD 3. */
export function minorUnitDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** Whether `code` is an ISO 4217 currency this runtime knows (USD, EUR, JPY, KWD, ...). */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code);
}

/**
 * Reads a non-negative decimal amount in `currency` ("140.10", 140.1, "15000" yen, "45.125" dinars)
 * as minor units, exactly. More decimals than the currency has, grouping ("1,000.00"), signs and
 * exponents are refused; so is anything above `max`, with a message that names the limit.
 */
export function parseAmount(
  input: string | number,
  currency: string,
  limit: { max: number; what: string },
  field?: string,
): ParsedAmount {
  const digits = minorUnitDigits(currency);
  const text = typeof input === 'number' ? numberToPlainText(input) : input.trim();
  const minor = text === undefined ? undefined : parseDecimal(text, digits);
  if (minor === undefined) {
    const decimals = digits === 0 ? 'no decimals' : `at most ${digits} ${digits === 1 ? 'decimal' : 'decimals'}`;
    return fail(
      'invalid_amount',
      `"${String(input)}" is not an amount in ${currency}: write a number with ${decimals}, like ${formatAmount(exampleMinor(digits), currency)}.`,
      field,
    );
  }
  if (minor > limit.max) {
    return fail(
      'amount_too_large',
      `${limit.what} can be at most ${formatMoney(limit.max, currency)}; ${formatAmount(minor, currency)} is more.`,
      field,
    );
  }
  return { ok: true, minor };
}

/** An hourly rate in `currency`, up to MAX_HOURLY_RATE_MINOR. */
export function parseRate(input: string | number, currency: string, field?: string): ParsedAmount {
  return parseAmount(input, currency, { max: MAX_HOURLY_RATE_MINOR, what: 'A rate per hour' }, field);
}

/** A rate that may be left empty (meaning "use the default"): empty text is null. */
export function parseOptionalRate(
  text: string,
  currency: string,
  field?: string,
): { ok: true; minor: number | null } | { ok: false; error: Failure } {
  return text.trim() ? parseRate(text, currency, field) : { ok: true, minor: null };
}

/**
 * Minor units as the plain decimal a form or a file holds: 14010 USD -> "140.10", 15000 JPY -> "15000",
 * 1301 KWD -> "1.301". Report sums may pass the bigint the database returns.
 */
export function formatAmount(minor: number | bigint, currency: string): string {
  const { sign, whole, fraction } = splitAmount(minor, currency);
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Like formatAmount, with thousands separators for people to read in tables: "12,345.60". */
export function groupedAmount(minor: number | bigint, currency: string): string {
  const { sign, whole, fraction } = splitAmount(minor, currency);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction === '' ? '' : `.${fraction}`}`;
}

function splitAmount(minor: number | bigint, currency: string) {
  const value = BigInt(minor);
  const digits = minorUnitDigits(currency);
  const absolute = (value < 0n ? -value : value).toString().padStart(digits + 1, '0');
  return {
    sign: value < 0n ? '-' : '',
    whole: absolute.slice(0, absolute.length - digits),
    fraction: absolute.slice(absolute.length - digits),
  };
}

/** Minor units for people to read: 14010 USD -> "$140.10", 15000 JPY -> "¥15,000", 45125 KWD -> "KWD 45.125" (a no-break space). */
export function formatMoney(minor: number, currency: string): string {
  // Intl reads a decimal string exactly; only grouping and the symbol come from it.
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(
    formatAmount(minor, currency) as unknown as number,
  );
}

/** Line amount = round_half_up(minutes * rate / 60), in integers (docs/ARCHITECTURE.md). */
export function amountForMinutes(minutes: number, ratePerHourMinor: number): number {
  const product = minutes * ratePerHourMinor;
  if (!Number.isSafeInteger(product)) throw new RangeError('amount out of range');
  const sign = product < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(product) + 30) / 60);
}

/**
 * "12.5" with 2 digits -> 1250: a non-negative decimal scaled to an integer, or undefined when it
 * has more decimals than `digits`, is not a plain decimal, or is too large to count exactly.
 */
export function parseDecimal(text: string, digits: number): number | undefined {
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const scaled = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(scaled) ? scaled : undefined;
}

/** 1250 with 2 digits -> "12.50"; 15000 with 0 digits -> "15000". */
export function formatDecimal(scaled: number, digits: number): string {
  const sign = scaled < 0 ? '-' : '';
  const absolute = String(Math.abs(scaled)).padStart(digits + 1, '0');
  if (digits === 0) return `${sign}${absolute}`;
  return `${sign}${absolute.slice(0, -digits)}.${absolute.slice(-digits)}`;
}

/** YAML and JSON hand us numbers; their shortest round-trip text is the decimal the user wrote. */
function numberToPlainText(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}

/** 140, 140.5, 45.125: an example written with the currency's decimals. */
function exampleMinor(digits: number): number {
  return [140, 1405, 14050, 45125][digits] ?? 140 * 10 ** digits;
}
