import { describe, expect, it } from 'vitest';
import { checkSettings } from '../../src/domain/settings.js';
import { lastWorkingDay, nextWorkingDay, previousWorkingDay, workCalendar } from '../../src/domain/working-days.js';
import { instantAt } from '../../src/domain/zoned-time.js';

describe('the work calendar settings', () => {
  it('tidies what admins type and says what is wrong with the rest', () => {
    expect(
      checkSettings({
        working_days: 'mon-wed, Friday',
        holidays: '2026-12-26 2026-12-25\n2026-12-25',
        reminder_time: '9:05',
      }),
    ).toEqual({
      ok: true,
      settings: { working_days: 'Mon,Tue,Wed,Fri', holidays: '2026-12-25\n2026-12-26', reminder_time: '09:05' },
    });
    expect(checkSettings({ working_days: 'Mon-Fru' })).toEqual({
      ok: false,
      errors: [
        {
          key: 'working_days',
          message: 'Working days has "Mon-Fru", which is not a day or a range of days like Mon-Fri',
        },
      ],
    });
    expect(checkSettings({ holidays: '2026-12-32' })).toMatchObject({
      errors: [{ message: 'Firm holidays has "2026-12-32", which is not a date; write YYYY-MM-DD' }],
    });
    expect(checkSettings({ morning_time: '25:00' })).toMatchObject({
      errors: [{ message: 'Morning nudge time must be a time of day like 16:00, not "25:00"' }],
    });
  });

  it('keeps the holidays to what the settings form can show again: 3,000 characters', () => {
    const days = (count: number) =>
      Array.from({ length: count }, (_, i) => new Date(Date.UTC(2020, 0, 1 + 7 * i)).toISOString().slice(0, 10));
    expect(checkSettings({ holidays: days(272).join('\n') })).toMatchObject({ ok: true });
    expect(checkSettings({ holidays: days(300).join('\n') })).toMatchObject({
      errors: [{ message: 'Firm holidays must be at most 3000 characters; remove holidays of years gone by' }],
    });
  });

  it('finds the last working day of a period and the next working morning, around weekends and holidays', () => {
    const calendar = workCalendar({
      working_days: '',
      holidays: '2026-12-24\n2026-12-25',
      reminder_time: '',
      morning_time: '',
    });
    expect(calendar).toMatchObject({ reminderTime: '16:00', morningTime: '09:00' });
    expect(lastWorkingDay(calendar, '2026-12-21', '2026-12-27')).toBe('2026-12-23');
    expect(nextWorkingDay(calendar, '2026-12-23')).toBe('2026-12-28');
    expect(previousWorkingDay(calendar, '2026-12-28')).toBe('2026-12-23');
    expect(previousWorkingDay(calendar, '2026-12-23')).toBe('2026-12-22');
    expect(lastWorkingDay(calendar, '2026-12-26', '2026-12-27')).toBeUndefined();
  });

  it('reads the missing-time nudge switch as on or off, off when empty', () => {
    expect(checkSettings({ missing_time_nudge: ' Yes ' })).toMatchObject({ settings: { missing_time_nudge: 'on' } });
    expect(checkSettings({ missing_time_nudge: true })).toMatchObject({ settings: { missing_time_nudge: 'on' } });
    expect(checkSettings({ missing_time_nudge: '' })).toMatchObject({ settings: { missing_time_nudge: 'off' } });
    expect(checkSettings({ missing_time_nudge: 'sometimes' })).toMatchObject({
      errors: [{ key: 'missing_time_nudge', message: 'Missing-time nudge must be on or off, not "sometimes"' }],
    });
  });
});

describe('instantAt', () => {
  it('resolves skipped and repeated wall times the same way every time', () => {
    // Berlin springs from 02:00 to 03:00 on 29 Mar 2026: 02:30 reads as 03:30 CEST.
    expect(instantAt('2026-03-29', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // and falls back from 03:00 to 02:00 on 25 Oct 2026: 02:30 happens twice; the first (CEST) counts.
    expect(instantAt('2026-10-25', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});
