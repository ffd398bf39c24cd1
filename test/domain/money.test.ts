import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountForMinutes,
  formatAmount,
  formatDecimal,
  formatMoney,
  MAX_HOURLY_RATE_MINOR,
  minorUnitDigits,
  parseAmount,
  parseRate,
} from '../../src/domain/money.js';

const anyAmount = { max: Number.MAX_SAFE_INTEGER, what: 'An amount' };

describe('minor units follow each currency (ISO 4217 through Intl.NumberFormat)', () => {
  it('knows JPY has none, USD two and KWD three decimals', () => {
    expect([minorUnitDigits('JPY'), minorUnitDigits('USD'), minorUnitDigits('EUR'), minorUnitDigits('KWD')]).toEqual([
      0, 2, 2, 3,
    ]);
  });

  it.each([
    ['140.10', 'USD', 14010],
    [140.1, 'USD', 14010],
    ['0.07', 'USD', 7],
    [19.99, 'USD', 1999],
    ['2000', 'USD', 200000],
    [0, 'USD', 0],
    ['  12.5 ', 'USD', 1250],
    ['15000', 'JPY', 15000],
    [15000, 'JPY', 15000],
    ['45.125', 'KWD', 45125],
    ['45.1', 'KWD', 45100],
    ['7', 'KWD', 7000],
  ])('reads %j %s as %i minor units exactly', (input, currency, minor) => {
    expect(parseAmount(input, currency, anyAmount)).toEqual({ ok: true, minor });
  });

  it.each([
    ['1.005', 'USD', /at most 2 decimals, like 140.50/],
    ['15000.5', 'JPY', /with no decimals, like 140\b/],
    ['45.1255', 'KWD', /at most 3 decimals, like 45.125/],
    [-5, 'USD', /not an amount in USD/],
    ['abc', 'USD', /not an amount/],
    ['', 'USD', /not an amount/],
    ['1,000.00', 'USD', /not an amount/],
    ['1e3', 'USD', /not an amount/],
    [Number.NaN, 'USD', /not an amount/],
    [1e21, 'USD', /not an amount/],
    ['1.12345', 'CLF', /at most 4 decimals, like 140.0000/],
  ])('refuses %j %s with a hint in its currency', (input, currency, hint) => {
    const result = parseAmount(input, currency, anyAmount, 'price');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_amount', field: 'price' } });
    if (!result.ok) expect(result.error.message).toMatch(hint);
  });

  it('round-trips every amount through its text, in every kind of currency', () => {
    for (const currency of ['JPY', 'USD', 'KWD']) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (minor) => {
          expect(parseAmount(formatAmount(minor, currency), currency, anyAmount)).toEqual({ ok: true, minor });
        }),
      );
    }
  });

  it('formats for people with grouping and the currency, from the exact digits', () => {
    expect(formatMoney(123456789, 'USD')).toBe('$1,234,567.89');
    expect(formatMoney(-5, 'EUR')).toBe('-€0.05');
    expect(formatMoney(100, 'CHF')).toBe('CHF\u00a01.00'); // Intl keeps the code and the amount together with a no-break space;
    expect(formatMoney(1500000, 'JPY')).toBe('¥1,500,000');
    expect(formatMoney(45125, 'KWD')).toBe('KWD\u00a045.125');
    expect(formatMoney(9007199254740991, 'USD')).toBe('$90,071,992,547,409.91');
    expect([formatAmount(15000, 'JPY'), formatAmount(5, 'KWD'), formatAmount(5, 'USD')]).toEqual([
      '15000',
      '0.005',
      '0.05',
    ]);
  });
});

describe('scaled decimals as text', () => {
  it.each([
    [1250, 2, '12.50'],
    [5, 2, '0.05'],
    [-5, 2, '-0.05'],
    [15000, 0, '15000'],
    [-15000, 0, '-15000'],
  ])('writes %i with %i digits as %s', (scaled, digits, text) => {
    expect(formatDecimal(scaled, digits)).toBe(text);
  });
});

describe('amounts past the limits', () => {
  it('refuses a rate above the stated maximum with a field error naming it, in the currency', () => {
    expect(MAX_HOURLY_RATE_MINOR).toBe(10_000_000);
    expect(parseRate('100000.00', 'USD')).toEqual({ ok: true, minor: 10_000_000 });
    expect(parseRate('30000000', 'USD', 'price')).toEqual({
      ok: false,
      error: {
        code: 'amount_too_large',
        field: 'price',
        message: 'A rate per hour can be at most $100,000.00; 30000000.00 is more.',
      },
    });
    expect(parseRate('10000001', 'JPY')).toMatchObject({
      ok: false,
      error: { message: 'A rate per hour can be at most ¥10,000,000; 10000001 is more.' },
    });
  });
});

describe('line amounts', () => {
  it('rounds half up per line, in integers, whatever the currency', () => {
    expect(amountForMinutes(60, 14000)).toBe(14000);
    expect(amountForMinutes(1, 14010)).toBe(234); // 233.5 -> 234
    expect(amountForMinutes(1, 100)).toBe(2); // 1.67
    expect(amountForMinutes(7, 1)).toBe(0); // 0.117
    expect(amountForMinutes(30, 1)).toBe(1); // 0.5 -> 1
    expect(amountForMinutes(90, 15000)).toBe(22500); // 1.5 h at ¥15,000
    expect(amountForMinutes(20, 45125)).toBe(15042); // 15.041666 KWD -> 15.042
  });
});
