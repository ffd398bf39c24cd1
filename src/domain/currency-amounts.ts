/**
 * Amounts in a currency's minor units (cents for USD, yen for JPY, fils for KWD) written as
 * decimals. The number of digits after the point is the one Intl knows for the currency; the
 * point is placed with integer arithmetic, never through a float.
 */

const digitsByCurrency = new Map<string, number>();

/** JPY 0, USD 2, KWD 3. */
export function minorUnitDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** 13010 USD -> "130.10", 1301 JPY -> "1301", 1301 KWD -> "1.301": exact, for CSV files. */
export function decimalAmount(minorUnits: bigint | number, currency: string): string {
  const { sign, whole, fraction } = splitAmount(minorUnits, currency);
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Like decimalAmount, with thousands separators for people to read: "12,345.60". */
export function groupedAmount(minorUnits: bigint | number, currency: string): string {
  const { sign, whole, fraction } = splitAmount(minorUnits, currency);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction === '' ? '' : `.${fraction}`}`;
}

function splitAmount(minorUnits: bigint | number, currency: string) {
  const value = BigInt(minorUnits);
  const digits = minorUnitDigits(currency);
  const absolute = (value < 0n ? -value : value).toString().padStart(digits + 1, '0');
  return {
    sign: value < 0n ? '-' : '',
    whole: absolute.slice(0, absolute.length - digits),
    fraction: absolute.slice(absolute.length - digits),
  };
}
