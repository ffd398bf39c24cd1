/** Properties of the /log grammar over generated input: every valid form round-trips, nothing throws. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinutes } from '../../src/domain/duration.js';
import { parseLogCommand, parseLogRequest, resolveDateSpec } from '../../src/domain/log-command.js';

const minutesInADay = fc.integer({ min: 1, max: 24 * 60 });
const pad = (n: number) => String(n).padStart(2, '0');

/** Every way the grammar lets a user write `minutes`. */
function writtenForms(minutes: number): string[] {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const forms = [`${minutes}m`, `${minutes}min`, `${hours}:${pad(rest)}`, formatMinutes(minutes).replace(' ', '')];
  if (rest === 0) forms.push(`${hours}h`);
  // Decimal hours where they are exact: quarter hours and tenths of an hour (6 minutes).
  if (minutes % 6 === 0) {
    const tenths = minutes / 6;
    const decimal = `${Math.floor(tenths / 10)}.${tenths % 10}h`;
    forms.push(decimal, decimal.replace('.', ','));
  }
  if (minutes % 15 === 0 && minutes % 6 !== 0) forms.push(`${Math.floor(minutes / 60)}.${String(((minutes % 60) / 60) * 100).padStart(2, '0')}h`);
  return forms;
}

describe('/log grammar properties', () => {
  it('reads any duration back in every form it can be written', () => {
    fc.assert(
      fc.property(minutesInADay, fc.boolean(), (minutes, upper) => {
        for (const form of writtenForms(minutes)) {
          const text = `${upper ? form.toUpperCase() : form} acme-web did things`;
          expect(parseLogCommand(text)).toMatchObject({ ok: true, command: { minutes, projectCode: 'ACME-WEB', description: 'did things' } });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads any time range as its span, in 24-hour and am/pm forms', () => {
    const range = fc.tuple(fc.integer({ min: 0, max: 24 * 60 - 1 }), fc.integer({ min: 1, max: 24 * 60 })).filter(([begin, end]) => begin < end && end < 24 * 60);
    fc.assert(
      fc.property(range, ([begin, end]) => {
        const clock = (m: number) => `${Math.floor(m / 60)}:${pad(m % 60)}`;
        const twelve = (m: number) => {
          const h = Math.floor(m / 60);
          return `${h % 12 === 0 ? 12 : h % 12}:${pad(m % 60)}${h < 12 ? 'am' : 'pm'}`;
        };
        const expected = { minutes: end - begin, beginsAt: `${pad(Math.floor(begin / 60))}:${pad(begin % 60)}`, endsAt: `${pad(Math.floor(end / 60))}:${pad(end % 60)}` };
        expect(parseLogCommand(`${clock(begin)}-${clock(end)} ACME-WEB x`)).toMatchObject({ ok: true, command: expected });
        expect(parseLogCommand(`${twelve(begin)}-${twelve(end)} ACME-WEB x`)).toMatchObject({ ok: true, command: expected });
        // Backwards is refused, never read as crossing midnight.
        expect(parseLogCommand(`${clock(end)}-${clock(begin)} ACME-WEB x`)).toMatchObject({ ok: false });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and always explains a refusal, for any text or any mix of grammar words', () => {
    const grammarWord = fc.constantFrom('2h', '1:30', '9:00-11:30', '9am-5pm', 'today', 'yesterday', 'fri', '2026-11-20', '20/11', 'meeting', 'nb', 'start', 'stop', 'ACME-WEB', '-', ':', '0h', '25:00', '99999m');
    const input = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.array(fc.oneof(grammarWord, fc.string({ maxLength: 8 })), { maxLength: 12 }).map((w) => w.join(' ')));
    fc.assert(
      fc.property(input, (text) => {
        const request = parseLogRequest(text);
        if (request.kind === 'invalid') expect(request.error.message.length).toBeGreaterThan(10);
        const entry = parseLogCommand(text);
        if (!entry.ok) expect(entry.error.message.length).toBeGreaterThan(10);
        else {
          expect(entry.command.minutes).toBeGreaterThan(0);
          expect(entry.command.minutes).toBeLessThanOrEqual(24 * 60);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('resolves a weekday to the latest such day not after today', () => {
    const day = fc.integer({ min: 0, max: 3650 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 6 }), (today, weekday) => {
        const resolved = resolveDateSpec({ kind: 'weekday', day: weekday }, today);
        const back = (Date.parse(today) - Date.parse(resolved)) / 86_400_000;
        expect(back).toBeGreaterThanOrEqual(0);
        expect(back).toBeLessThan(7);
        expect(new Date(resolved).getUTCDay()).toBe(weekday);
      }),
    );
  });
});
