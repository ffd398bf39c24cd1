/** Invoice rules without I/O: the /invoice grammar and its refusals, terms and rounding notes, accounting quantities, number formats. */
import { describe, expect, it } from 'vitest';
import { checkNumberFormat, formatInvoiceNumber } from '../../src/domain/invoice-numbers.js';
import {
  accountingQuantity,
  INVOICE_USAGE,
  parseInvoiceCommand,
  paymentTermsNote,
  roundingNote,
  roundUpMinutes,
} from '../../src/domain/invoices.js';

const refused = (message: string | RegExp) => ({
  ok: false,
  error: {
    code: 'invalid_invoice_command',
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  },
});

describe('/invoice', () => {
  it('asks what to do, with the usage, when the first word is not draft, list or export', () => {
    expect(parseInvoiceCommand('')).toEqual(refused(`Say what to do with invoices: ${INVOICE_USAGE}`));
    expect(parseInvoiceCommand('send ACME')).toEqual(refused(`Say what to do with invoices: ${INVOICE_USAGE}`));
  });

  it('reads draft with periods and customers, a space after the colon and repeated codes once', () => {
    expect(
      parseInvoiceCommand('Draft last 2026-11-01 2026-10-01..2026-10-15 customer: acme,beta customers:ACME'),
    ).toEqual({
      ok: true,
      command: {
        action: 'draft',
        periods: [
          { kind: 'last' },
          { kind: 'starts', on: '2026-11-01' },
          { kind: 'range', from: '2026-10-01', to: '2026-10-15' },
        ],
        customerCodes: ['ACME', 'BETA'],
      },
    });
  });

  it('reads list with one status and export with periods only', () => {
    expect(parseInvoiceCommand('list issued ISSUED customer:ACME')).toEqual({
      ok: true,
      command: { action: 'list', status: 'issued', customerCodes: ['ACME'] },
    });
    expect(parseInvoiceCommand('export this')).toEqual({
      ok: true,
      command: { action: 'export', periods: [{ kind: 'this' }] },
    });
  });

  it('refuses a second status, an empty or malformed customer filter, and a period that is not a date', () => {
    expect(parseInvoiceCommand('list draft void')).toEqual(
      refused('List one status at a time: `draft`, `issued` or `void`.'),
    );
    expect(parseInvoiceCommand('draft customer:')).toEqual(
      refused('Put a customer code after `customer:`, e.g. `customer:ACME`.'),
    );
    expect(parseInvoiceCommand('draft customer:A')).toEqual(
      refused('“A” is not a customer code; codes look like `ACME`.'),
    );
    expect(parseInvoiceCommand('draft 2026-02-30')).toMatchObject({
      ok: false,
      error: { code: 'invalid_date', message: '“2026-02-30” is not a date; write it as YYYY-MM-DD.' },
    });
  });

  it('refuses what does not belong after each action, naming the word', () => {
    expect(parseInvoiceCommand('export customer:ACME')).toEqual(
      refused(`I did not understand “customer:ACME” after \`/invoice export\`. ${INVOICE_USAGE}`),
    );
    expect(parseInvoiceCommand('list last')).toEqual(
      refused(`I did not understand “last” after \`/invoice list\`. ${INVOICE_USAGE}`),
    );
    expect(parseInvoiceCommand('draft soon')).toEqual(refused(/^I did not understand “soon” after `\/invoice draft`/));
  });
});

describe('terms, rounding and accounting quantities', () => {
  it('rounds up to the increment, or not at all with none', () => {
    expect([7, 15, 16].map((m) => roundUpMinutes(m, 15))).toEqual([15, 15, 30]);
    expect(roundUpMinutes(7, 0)).toBe(7);
    expect(roundingNote(6)).toBe('Time rounded up to 6-minute increments.');
    expect(roundingNote(0)).toBeUndefined();
  });

  it('says when payment is due, with and without a due date', () => {
    expect(paymentTermsNote(0, '2026-12-01')).toBe('Payment due on receipt (2026-12-01).');
    expect(paymentTermsNote(0, null)).toBe('Payment due on receipt.');
    expect(paymentTermsNote(30, '2026-12-31')).toBe('Payment due within 30 days of the issue date, by 2026-12-31.');
    expect(paymentTermsNote(14, null)).toBe('Payment due within 14 days of the issue date.');
  });

  it('gives hours and the rate when their product is the amount, else one unit at the amount', () => {
    expect(accountingQuantity({ minutes: 90, rate: 12000, amount: 18000 }, 'USD')).toEqual({
      quantity: '1.5',
      unitAmount: '120.00',
      exact: true,
    });
    expect(accountingQuantity({ minutes: 120, rate: 10000, amount: 20000 }, 'USD')).toMatchObject({
      quantity: '2',
      exact: true,
    });
    // 7 minutes is not a whole number of ten-thousandths of an hour.
    expect(accountingQuantity({ minutes: 7, rate: 6000, amount: 700 }, 'USD')).toEqual({
      quantity: '1',
      unitAmount: '7.00',
      exact: false,
    });
    // A top-up line has no minutes or rate.
    expect(accountingQuantity({ minutes: null, rate: null, amount: 50000 }, 'USD')).toEqual({
      quantity: '1',
      unitAmount: '500.00',
      exact: false,
    });
  });
});

describe('invoice number formats', () => {
  it.each([
    ['x'.repeat(41), 'must be at most 40 characters'],
    ['{YYYY}-{SEQ}', /has a token it does not know/],
    ['{YYYY}:{NNNN}', 'may hold only letters, digits, spaces and . / _ # - besides its tokens'],
    ['{YYYY}', /needs exactly one sequence token/],
    ['{YYYY}-{N}-{NN}', /needs exactly one sequence token/],
    ['{YYYY}-{NNNNNNNNNN}', 'has a sequence token of at most 9 digits'],
    ['INV-{NNNN}', /needs the year/],
  ])('refuses %s', (format, why) => {
    expect(checkNumberFormat(format)).toEqual(typeof why === 'string' ? why : expect.stringMatching(why));
  });

  it('accepts a format with a year and a sequence, and fills both in', () => {
    expect(checkNumberFormat('INV/{YY}/{NNN}')).toBeUndefined();
    expect(formatInvoiceNumber('INV/{YY}/{NNN}', 2027, 5)).toBe('INV/27/005');
    expect(formatInvoiceNumber('{YYYY}-{NN}', 2026, 1234)).toBe('2026-1234');
  });
});
