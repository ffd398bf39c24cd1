import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountForMinutes, formatCents, formatMoney, parseAmountToCents } from '../../src/domain/money.js';

describe('parseAmountToCents', () => {
  it.each([
    ['140.10', 14010],
    [140.1, 14010],
    ['0.07', 7],
    [19.99, 1999],
    ['2000', 200000],
    [0, 0],
    ['  12.5 ', 1250],
  ])('reads %j as %i cents exactly', (input, cents) => {
    expect(parseAmountToCents(input)).toEqual({ ok: true, cents });
  });

  it.each(['1.005', -5, 'abc', '', '1,000.00', '1e3', Number.NaN, 1e21])('refuses %j with a hint', (input) => {
    const result = parseAmountToCents(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/at most two decimals/);
  });

  it('round-trips every cent value through its text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (cents) => {
        expect(parseAmountToCents(formatCents(cents))).toEqual({ ok: true, cents });
      }),
    );
  });
});

describe('amounts', () => {
  it('rounds half up per line, in integers', () => {
    expect(amountForMinutes(60, 14000)).toBe(14000);
    expect(amountForMinutes(1, 14010)).toBe(234); // 233.5 -> 234
    expect(amountForMinutes(1, 100)).toBe(2); // 1.67
    expect(amountForMinutes(7, 1)).toBe(0); // 0.117
    expect(amountForMinutes(30, 1)).toBe(1); // 0.5 -> 1
  });

  it('formats money with grouping and the currency', () => {
    expect(formatMoney(123456789, 'USD')).toBe('$1,234,567.89');
    expect(formatMoney(-5, 'EUR')).toBe('-€0.05');
    expect(formatMoney(100, 'CHF')).toBe('1.00 CHF');
  });
});
