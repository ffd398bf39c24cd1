/** /report's text, the periods a report covers and how they read, and amounts in minor units. */
import { describe, expect, it } from 'vitest';
import { formatAmount, groupedAmount, minorUnitDigits } from '../../src/domain/money.js';
import { describePeriods, selectPeriods } from '../../src/domain/report-periods.js';
import { parseReportRequest } from '../../src/domain/report-request.js';

describe('parseReportRequest', () => {
  it('reads kind, level, periods and repeatable filters in any order', () => {
    expect(
      parseReportRequest(
        'AR detail 2026-10-01..2026-11-16 last customer:acme project:ACME-WEB,acme-app consultant:<@U01ALICE|alice> consultant:U03ZOE this',
      ),
    ).toEqual({
      ok: true,
      request: {
        kind: 'ar',
        level: 'detail',
        periods: [{ kind: 'range', from: '2026-10-01', to: '2026-11-16' }, { kind: 'last' }, { kind: 'this' }],
        customerCodes: ['ACME'],
        projectCodes: ['ACME-WEB', 'ACME-APP'],
        consultantUserIds: ['U01ALICE', 'U03ZOE'],
      },
    });
    expect(parseReportRequest('summary ap consultant: <@U01ALICE>')).toMatchObject({
      ok: true,
      request: { kind: 'ap', level: 'summary', periods: [], consultantUserIds: ['U01ALICE'] },
    });
  });

  it('says what is wrong with bad text', () => {
    const message = (text: string) => {
      const parsed = parseReportRequest(text);
      return parsed.ok ? '' : parsed.error.message;
    };
    expect(message('detail')).toContain('Say which report: `ar` (Accounts Receivable) or `ap` (Accounts Payable)');
    expect(message('ar')).toContain('Say `summary` or `detail` after `ar`');
    expect(message('ar ap summary')).toContain('Ask for one report at a time');
    expect(message('ar summary 2026-02-30')).toBe('“2026-02-30” is not a date; write it as YYYY-MM-DD.');
    expect(message('ar summary 2026-11-16..2026-11-01')).toContain('starts after it ends');
    expect(message('ar summary consultant:alice')).toContain('“alice” is not a person');
    expect(message('ar summary customer:')).toContain('Put a value after `customer:`');
    expect(message('ar summary customer:AC ME!')).toContain('I did not understand “ME!”');
  });
});

const periods = [
  { id: 1, startsOn: '2026-11-01', endsOn: '2026-11-15' },
  { id: 2, startsOn: '2026-11-16', endsOn: '2026-11-30' },
  { id: 3, startsOn: '2026-12-01', endsOn: '2026-12-15' },
];

describe('selectPeriods', () => {
  it('last is the period before the current one, or the latest ended one when today is in none', () => {
    expect(selectPeriods([], periods, '2026-12-05')).toMatchObject({ ok: true, periods: [{ id: 2 }] });
    expect(selectPeriods([{ kind: 'last' }], periods, '2027-01-10')).toMatchObject({ ok: true, periods: [{ id: 3 }] });
    expect(selectPeriods([{ kind: 'this' }], periods, '2027-01-10')).toMatchObject({
      ok: false,
      error: {
        message: 'No reporting period holds today (2027-01-10). Periods start on 2026-11-01, 2026-11-16, 2026-12-01.',
      },
    });
    expect(selectPeriods([{ kind: 'last' }], periods, '2026-11-03')).toMatchObject({
      ok: false,
      error: { code: 'no_last_period' },
    });
  });

  it('a list of selectors covers each period once, in order', () => {
    const chosen = selectPeriods(
      [
        { kind: 'starts', on: '2026-12-01' },
        { kind: 'range', from: '2026-11-01', to: '2026-12-01' },
      ],
      periods,
      '2026-12-05',
    );
    expect(chosen.ok && chosen.periods.map((p) => p.id)).toEqual([1, 2, 3]);
  });
});

describe('describePeriods', () => {
  it('joins back-to-back periods and lists the others', () => {
    expect(describePeriods([periods[0]!])).toBe('1–15 Nov 2026');
    expect(describePeriods([periods[1]!, periods[0]!])).toBe('1–30 Nov 2026');
    expect(describePeriods([periods[0]!, periods[2]!])).toBe('1–15 Nov 2026, 1–15 Dec 2026');
    expect(describePeriods([{ startsOn: '2026-10-01', endsOn: '2026-11-16' }])).toBe('1 Oct – 16 Nov 2026');
    expect(describePeriods([{ startsOn: '2026-12-16', endsOn: '2027-01-15' }])).toBe('16 Dec 2026 – 15 Jan 2027');
  });
});

describe('amounts in minor units', () => {
  it('place the point by the currency’s digits, exactly, also past what a float holds', () => {
    expect([minorUnitDigits('JPY'), minorUnitDigits('USD'), minorUnitDigits('KWD')]).toEqual([0, 2, 3]);
    expect(formatAmount(13010, 'USD')).toBe('130.10');
    expect(formatAmount(1301, 'JPY')).toBe('1301');
    expect(formatAmount(1301, 'KWD')).toBe('1.301');
    expect(formatAmount(5, 'KWD')).toBe('0.005');
    expect(formatAmount(0, 'USD')).toBe('0.00');
    expect(formatAmount(-1518n, 'USD')).toBe('-15.18');
    expect(formatAmount(123_456_789_012_345_678_901n, 'USD')).toBe('1234567890123456789.01');
    expect(groupedAmount(2_400_001_494n, 'USD')).toBe('24,000,014.94');
    expect(groupedAmount(1_234_567n, 'JPY')).toBe('1,234,567');
    expect(groupedAmount(1_234_567n, 'KWD')).toBe('1,234.567');
  });
});
