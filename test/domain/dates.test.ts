import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { addDays, dateInZone, formatDay, isIsoDate } from '../../src/domain/dates.js';

const ZONES = [
  'Pacific/Auckland',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Asia/Kolkata',
  'UTC',
];

describe('dateInZone', () => {
  it('gives the calendar date on either side of the date line at one instant', () => {
    const instant = new Date('2026-11-30T11:30:00Z');
    expect(dateInZone(instant, 'Pacific/Kiritimati')).toBe('2026-12-01');
    expect(dateInZone(instant, 'Pacific/Auckland')).toBe('2026-12-01');
    expect(dateInZone(instant, 'UTC')).toBe('2026-11-30');
    expect(dateInZone(instant, 'Pacific/Pago_Pago')).toBe('2026-11-30');
  });

  it('turns the day at local midnight through a DST change, not at a UTC hour', () => {
    // Berlin leaves summer time on 25 Oct 2026: midnight is 22:00 UTC before, 23:00 UTC after.
    expect(dateInZone(new Date('2026-10-24T21:59:59Z'), 'Europe/Berlin')).toBe('2026-10-24');
    expect(dateInZone(new Date('2026-10-24T22:00:00Z'), 'Europe/Berlin')).toBe('2026-10-25');
    expect(dateInZone(new Date('2026-10-25T22:59:59Z'), 'Europe/Berlin')).toBe('2026-10-25');
    expect(dateInZone(new Date('2026-10-25T23:00:00Z'), 'Europe/Berlin')).toBe('2026-10-26');
  });

  it('turns the day at the first millisecond of local midnight right after an answer in the second before', () => {
    expect(dateInZone(new Date('2026-10-24T21:59:59.998Z'), 'Europe/Berlin')).toBe('2026-10-24');
    expect(dateInZone(new Date('2026-10-24T21:59:59.999Z'), 'Europe/Berlin')).toBe('2026-10-24');
    expect(dateInZone(new Date('2026-10-24T22:00:00.000Z'), 'Europe/Berlin')).toBe('2026-10-25');
    expect(dateInZone(new Date('2026-10-24T21:59:59.999Z'), 'Europe/Berlin')).toBe('2026-10-24');
  });

  it('agrees with Temporal for instants a few milliseconds to seconds apart, asked one after the other', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.array(fc.integer({ min: -1500, max: 1500 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...ZONES),
        (epochMs, steps, zone) => {
          for (const step of steps) {
            const at = epochMs + step;
            const expected = Temporal.Instant.fromEpochMilliseconds(at)
              .toZonedDateTimeISO(zone)
              .toPlainDate()
              .toString();
            expect(dateInZone(new Date(at), zone)).toBe(expected);
          }
        },
      ),
    );
  });

  it('agrees with Temporal for any instant in 1970–2100 in any of the zones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...ZONES), (epochMs, zone) => {
        const expected = Temporal.Instant.fromEpochMilliseconds(epochMs)
          .toZonedDateTimeISO(zone)
          .toPlainDate()
          .toString();
        expect(dateInZone(new Date(epochMs), zone)).toBe(expected);
      }),
      { seed: 16, numRuns: 2_000 },
    );
  });
});

describe('isIsoDate', () => {
  it('knows the real dates of every year from 0001 to 9999, those before 0100 too, and no others', () => {
    expect(['0099-05-01', '0001-01-01', '2024-02-29', '9999-12-31'].map(isIsoDate)).toEqual([true, true, true, true]);
    expect(['2026-02-30', '2025-02-29', '2026-13-01', '26-11-01', '+10000-01-01'].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('formatDay', () => {
  it('names the weekday, day, month and year, the same when asked again and after a thousand other days', () => {
    expect(formatDay('2026-11-24')).toBe('Tue 24 Nov 2026');
    expect(formatDay('2026-11-24')).toBe('Tue 24 Nov 2026');
    const days = Array.from({ length: 1000 }, (_, i) => addDays('2024-01-01', i));
    const names = days.map(formatDay);
    expect(names[0]).toBe('Mon 1 Jan 2024');
    expect(names[999]).toBe('Sat 26 Sept 2026');
    expect(days.map(formatDay)).toEqual(names);
    expect(formatDay('2026-11-24')).toBe('Tue 24 Nov 2026');
  });
});
