/**
 * Invoice rules without I/O: rounding of billed minutes, line amounts, what an accounting import
 * gets as quantity and unit price, and the `/invoice` command's grammar.
 */
import { amountForMinutes, formatAmount } from './money.js';
import { readPeriod, type PeriodSelector } from './report-request.js';
import { fail, type Failure } from './result.js';
import { CODE, typedCode } from './codes.js';

export const ROUNDING_INCREMENTS = [0, 6, 15] as const;
export const INVOICE_STATUSES = ['draft', 'issued', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Minutes rounded up to the customer's increment (0: exact). 7 -> 15, 15 -> 15, 16 -> 30. */
export function roundUpMinutes(minutes: number, increment: number): number {
  if (increment <= 0) return minutes;
  return Math.ceil(minutes / increment) * increment;
}

/** A line's billed minutes and amount: rounded minutes x frozen price rate, rounded half up once. */
export function invoiceLine(minutes: number, increment: number, rate: number): { rounded: number; amount: number } {
  const rounded = roundUpMinutes(minutes, increment);
  return { rounded, amount: amountForMinutes(rounded, rate) };
}

/** What the invoice says about rounding, or nothing when time is billed to the minute. */
export function roundingNote(increment: number): string | undefined {
  return increment > 0 ? `Time rounded up to ${increment}-minute increments.` : undefined;
}

/** "Net 30" style terms as a sentence for the invoice. */
export function paymentTermsNote(days: number, dueOn: string | null): string {
  if (days === 0) return `Payment due on receipt${dueOn ? ` (${dueOn})` : ''}.`;
  return `Payment due within ${days} days of the issue date${dueOn ? `, by ${dueOn}` : ''}.`;
}

/**
 * Quantity and unit price for an accounting import, whose systems multiply the two: hours and the
 * hourly rate when that product is the line amount exactly (hours written in at most 4 decimals),
 * else one unit at the line amount, so the imported invoice adds up to the cent either way.
 */
export function accountingQuantity(
  line: { minutes: number | null; rate: number | null; amount: number },
  currency: string,
): { quantity: string; unitAmount: string; exact: boolean } {
  const { minutes, rate, amount } = line;
  // Hours have at most 4 decimals when minutes are a multiple of 3; the product is exact when minutes x rate divides by 60.
  if (
    minutes !== null &&
    rate !== null &&
    minutes % 3 === 0 &&
    (minutes * rate) % 60 === 0 &&
    (minutes * rate) / 60 === amount
  )
    return { quantity: hoursText(minutes), unitAmount: formatAmount(rate, currency), exact: true };
  return { quantity: '1', unitAmount: formatAmount(amount, currency), exact: false };
}

/** Hours as a plain decimal: 90 -> "1.5", 45 -> "0.75", 6 -> "0.1", 120 -> "2". */
function hoursText(minutes: number): string {
  const tenThousandths = (minutes * 10_000) / 60;
  const whole = Math.floor(tenThousandths / 10_000);
  const fraction = String(tenThousandths % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

export type InvoiceCommand =
  | { action: 'draft'; periods: PeriodSelector[]; customerCodes: string[] }
  | { action: 'list'; status: InvoiceStatus | undefined; customerCodes: string[] }
  | { action: 'export'; periods: PeriodSelector[] };

export const INVOICE_USAGE =
  '`/invoice draft [periods] [customer:CODE]` drafts invoices from approved time (default period: `last`), `/invoice list [draft|issued|void] [customer:CODE]` lists them, `/invoice export [periods]` uploads the issued ones as CSV for Xero, QuickBooks and your own records. Periods: `last`, `this`, a first day like `2026-11-01`, or a range `2026-10-01..2026-11-16`.';

/** Reads `/invoice draft|list|export …`. */
export function parseInvoiceCommand(
  text: string,
): { ok: true; command: InvoiceCommand } | { ok: false; error: Failure } {
  const [first, ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const action = first?.toLowerCase();
  if (action !== 'draft' && action !== 'list' && action !== 'export')
    return fail('invalid_invoice_command', `Say what to do with invoices: ${INVOICE_USAGE}`);
  const periods: PeriodSelector[] = [];
  const customerCodes: string[] = [];
  let status: InvoiceStatus | undefined;
  for (let i = 0; i < rest.length; i++) {
    let token = rest[i]!;
    // `customer: ACME` (a space after the colon) reads like `customer:ACME`.
    if (/^customers?:$/i.test(token) && rest[i + 1] !== undefined) token += rest[++i];
    const lower = token.toLowerCase();
    if (action !== 'list' && (lower === 'this' || lower === 'last')) {
      periods.push({ kind: lower });
      continue;
    }
    if (action !== 'list') {
      const period = readPeriod(token);
      if (period) {
        if (!period.ok) return period;
        periods.push(period.selector);
        continue;
      }
    }
    if (action === 'list' && (INVOICE_STATUSES as readonly string[]).includes(lower)) {
      if (status && status !== lower) return problem('List one status at a time: `draft`, `issued` or `void`.');
      status = lower as InvoiceStatus;
      continue;
    }
    const filter = /^customers?:(.*)$/i.exec(token);
    if (filter && action !== 'export') {
      const codes = filter[1]!.split(',').filter(Boolean);
      if (codes.length === 0) return problem('Put a customer code after `customer:`, e.g. `customer:ACME`.');
      for (const code of codes.map(typedCode)) {
        if (!CODE.test(code)) return problem(`“${code}” is not a customer code; codes look like \`ACME\`.`);
        if (!customerCodes.includes(code)) customerCodes.push(code);
      }
      continue;
    }
    return problem(`I did not understand “${token}” after \`/invoice ${action}\`. ${INVOICE_USAGE}`);
  }
  if (action === 'list') return { ok: true, command: { action, status, customerCodes } };
  if (action === 'export') return { ok: true, command: { action, periods } };
  return { ok: true, command: { action, periods, customerCodes } };
}

function problem(message: string): { ok: false; error: Failure } {
  return fail('invalid_invoice_command', message);
}

export type InvoiceKind = 'hourly' | 'topup';

/** The invoice as it stands after the change. */
export type InvoiceEvent = {
  invoiceId: number;
  kind: InvoiceKind;
  customerId: number;
  number: string;
  /** The issue day (org time zone), the day a purchase counts from. */
  issuedOn: string;
  /** Minutes on the invoice's lines (a top-up: the package's minutes). */
  minutes: number;
};
