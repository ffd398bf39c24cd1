import { describe, expect, it } from 'vitest';
import { generatePeriods } from '../../src/domain/periods.js';

describe('generatePeriods', () => {
  it('cuts months at their last day', () => {
    const result = generatePeriods('monthly', '2026-12-01', '2027-03-31');
    expect(result).toEqual({
      ok: true,
      periods: [
        { startsOn: '2026-12-01', endsOn: '2026-12-31' },
        { startsOn: '2027-01-01', endsOn: '2027-01-31' },
        { startsOn: '2027-02-01', endsOn: '2027-02-28' },
        { startsOn: '2027-03-01', endsOn: '2027-03-31' },
      ],
    });
  });

  it('cuts semi-monthly periods at the 15th and the month end', () => {
    const result = generatePeriods('semi-monthly', '2028-02-01', '2028-03-15');
    expect(result.ok && result.periods).toEqual([
      { startsOn: '2028-02-01', endsOn: '2028-02-15' },
      { startsOn: '2028-02-16', endsOn: '2028-02-29' },
      { startsOn: '2028-03-01', endsOn: '2028-03-15' },
    ]);
  });

  it('cuts weeks of seven days and ends on the last date asked for', () => {
    const result = generatePeriods('weekly', '2026-11-02', '2026-11-20');
    expect(result.ok && result.periods).toEqual([
      { startsOn: '2026-11-02', endsOn: '2026-11-08' },
      { startsOn: '2026-11-09', endsOn: '2026-11-15' },
      { startsOn: '2026-11-16', endsOn: '2026-11-20' },
    ]);
  });

  it('keeps a monthly series on its anchor day: from Jan 31, computed from the start, not the previous period', () => {
    const result = generatePeriods('monthly', '2027-01-31', '2027-06-30');
    expect(result.ok && result.periods).toEqual([
      { startsOn: '2027-01-31', endsOn: '2027-02-27' },
      { startsOn: '2027-02-28', endsOn: '2027-03-30' },
      { startsOn: '2027-03-31', endsOn: '2027-04-29' },
      { startsOn: '2027-04-30', endsOn: '2027-05-30' },
      { startsOn: '2027-05-31', endsOn: '2027-06-29' },
      { startsOn: '2027-06-30', endsOn: '2027-06-30' },
    ]);
  });

  it('keeps a semi-monthly series on its two anchor days, 15 days apart, through a short February', () => {
    expect(generatePeriods('semi-monthly', '2027-01-31', '2027-03-31')).toMatchObject({
      ok: true,
      periods: [
        { startsOn: '2027-01-31', endsOn: '2027-02-15' },
        { startsOn: '2027-02-16', endsOn: '2027-02-27' },
        { startsOn: '2027-02-28', endsOn: '2027-03-15' },
        { startsOn: '2027-03-16', endsOn: '2027-03-30' },
        { startsOn: '2027-03-31', endsOn: '2027-03-31' },
      ],
    });
    expect(generatePeriods('semi-monthly', '2027-01-10', '2027-02-24')).toMatchObject({
      ok: true,
      periods: [
        { startsOn: '2027-01-10', endsOn: '2027-01-24' },
        { startsOn: '2027-01-25', endsOn: '2027-02-09' },
        { startsOn: '2027-02-10', endsOn: '2027-02-24' },
      ],
    });
  });

  it('cuts the last month of the year 9999 like any other, each cadence', () => {
    expect(generatePeriods('weekly', '9999-12-01', '9999-12-31')).toEqual({
      ok: true,
      periods: [
        { startsOn: '9999-12-01', endsOn: '9999-12-07' },
        { startsOn: '9999-12-08', endsOn: '9999-12-14' },
        { startsOn: '9999-12-15', endsOn: '9999-12-21' },
        { startsOn: '9999-12-22', endsOn: '9999-12-28' },
        { startsOn: '9999-12-29', endsOn: '9999-12-31' },
      ],
    });
    expect(generatePeriods('monthly', '9999-12-01', '9999-12-31')).toEqual({
      ok: true,
      periods: [{ startsOn: '9999-12-01', endsOn: '9999-12-31' }],
    });
    expect(generatePeriods('semi-monthly', '9999-12-01', '9999-12-31')).toEqual({
      ok: true,
      periods: [
        { startsOn: '9999-12-01', endsOn: '9999-12-15' },
        { startsOn: '9999-12-16', endsOn: '9999-12-31' },
      ],
    });
  });

  it('refuses a series that ends before it starts', () => {
    expect(generatePeriods('weekly', '2026-11-20', '2026-11-01')).toMatchObject({
      ok: false,
      error: { code: 'period_order' },
    });
  });
});
