/** Properties of the /log grammar over generated input: every valid form round-trips, nothing throws. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlCharacterIn } from '../../src/domain/control-characters.js';
import { formatMinutes, parseDuration } from '../../src/domain/duration.js';
import { type DateSpec, parseLogCommand, parseLogRequest, resolveDateSpec } from '../../src/domain/log-command.js';

const RUNS = { numRuns: 300 };
const DAY = 24 * 60;
const pad = (n: number) => String(n).padStart(2, '0');
const minutesInADay = fc.integer({ min: 1, max: DAY });

/** Every way the grammar lets a user write `minutes` as one word (formatMinutes's "2h 30m" is two). */
function writtenForms(minutes: number): string[] {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const forms = [
    `${minutes}m`,
    `${minutes}min`,
    `${hours}:${pad(rest)}`,
    `${hours}h${rest}m`,
    `${hours}h${pad(rest)}m`,
    formatMinutes(minutes),
  ];
  if (rest === 0) forms.push(`${hours}h`);
  // Decimal hours are exact when minutes / 60 has at most two decimals, i.e. minutes is a multiple of 3.
  if (minutes % 3 === 0) {
    const hundredths = (minutes * 5) / 3;
    const decimal = `${Math.floor(hundredths / 100)}.${pad(hundredths % 100)}`;
    for (const written of [decimal, decimal.replace(/0$/, '')])
      forms.push(`${written}h`, `${written.replace('.', ',')}h`);
  }
  return forms;
}

const clock24 = (m: number) => `${Math.floor(m / 60)}:${pad(m % 60)}`;
const hhmm = (m: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
const twelveHour = (m: number) => {
  const h = Math.floor(m / 60) % 24;
  return `${h % 12 === 0 ? 12 : h % 12}:${pad(m % 60)}`;
};
const half = (m: number) => (m < 12 * 60 ? 'am' : 'pm');

/** A word the parser reads as grammar (a date, a flag or a refused date) where a description could start. */
const GRAMMAR_WORD =
  /^(meeting|nb|non-?billable|today|yesterday|(sun|mon|tues?|wed|thu|thurs?|fri|sat)(day)?|wednesday|saturday|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}([/.]\d{2,4})?)$/i;

const whitespace = fc.constantFrom(' ', '  ', '\t', '\n', ' \u00a0 ');
const descriptionWord = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('a', 'Z', '3', '-', ':', '/', '.', 'é', '💡', '`', '*'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 12,
  })
  .filter((w) => !/\s/.test(w) && controlCharacterIn(w) === undefined);
const description = fc
  .tuple(
    descriptionWord.filter((w) => !GRAMMAR_WORD.test(w)),
    fc.array(descriptionWord, { maxLength: 10 }),
    fc.array(whitespace, { minLength: 11, maxLength: 11 }),
  )
  .map(([first, rest, gaps]) => ({
    words: [first, ...rest],
    text: [first, ...rest].map((w, i) => (i === 0 ? w : gaps[i]! + w)).join(''),
  }));
const projectCode = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9]{1,6}(-[A-Za-z0-9]{1,6})?$/)
  .filter(
    (code) =>
      !GRAMMAR_WORD.test(code) && !['start', 'stop'].includes(code.toLowerCase()) && parseDuration(code) === undefined,
  );

describe('/log durations', () => {
  it('reads any duration back in every form it can be written, any case', () => {
    fc.assert(
      fc.property(minutesInADay, fc.boolean(), projectCode, (minutes, upper, code) => {
        for (const form of writtenForms(minutes)) {
          const text = `${upper ? form.toUpperCase() : form} ${code} did things`;
          expect(parseLogRequest(text), text).toEqual({
            kind: 'log',
            command: {
              minutes,
              projectCode: code.toUpperCase(),
              description: 'did things',
              billable: true,
              meeting: false,
            },
          });
        }
      }),
      RUNS,
    );
  });

  it('reads back what formatMinutes writes, as a token and inside /log', () => {
    fc.assert(
      fc.property(minutesInADay, (minutes) => {
        expect(parseDuration(formatMinutes(minutes))).toBe(minutes);
        expect(parseLogCommand(`${formatMinutes(minutes)} ACME-WEB review`)).toMatchObject({
          ok: true,
          command: { minutes },
        });
      }),
      RUNS,
    );
  });

  it('refuses any duration of more than a day', () => {
    fc.assert(
      fc.property(fc.integer({ min: DAY + 1, max: 9999 }), (minutes) => {
        expect(parseLogCommand(`${minutes}m ACME-WEB review`)).toMatchObject({
          ok: false,
          error: { code: 'duration_too_long' },
        });
      }),
      RUNS,
    );
  });
});

describe('/log time ranges', () => {
  const range = fc
    .tuple(fc.integer({ min: 0, max: DAY }), fc.integer({ min: 0, max: DAY }))
    .filter(([begin, end]) => begin < end && begin < DAY);

  it('reads any range within a day as its span, in 24-hour and am/pm forms', () => {
    fc.assert(
      fc.property(range, ([begin, end]) => {
        const expected = { minutes: end - begin, beginsAt: hhmm(begin), endsAt: hhmm(end) };
        // Midnight closes the day as 24:00, 0:00 or 12am, except after a begin of midnight itself.
        const midnightEnd = end === DAY && begin > 0;
        const forms = [`${clock24(begin)}-${clock24(end)}`, `${hhmm(begin)}-${hhmm(end)}`];
        if (end < DAY || midnightEnd)
          forms.push(`${twelveHour(begin)}${half(begin)}-${twelveHour(end)}${half(end % DAY)}`);
        if (midnightEnd) forms.push(`${clock24(begin)}-0:00`, `${hhmm(begin)}-00:00`);
        if (begin % 60 === 0 && end % 60 === 0) {
          forms.push(`${begin / 60}-${end / 60}`);
          if (end < DAY || midnightEnd)
            forms.push(
              `${twelveHour(begin).slice(0, -3)}${half(begin)}-${twelveHour(end).slice(0, -3)}${half(end % DAY)}`,
            );
        }
        for (const form of forms) {
          expect(parseLogCommand(`${form} ACME-WEB x`), form).toEqual({
            ok: true,
            command: { ...expected, projectCode: 'ACME-WEB', description: 'x', billable: true, meeting: false },
          });
        }
      }),
      RUNS,
    );
  });

  it("lets one side borrow the other side's am/pm when that reads forwards", () => {
    fc.assert(
      fc.property(
        range.filter(([, end]) => end < DAY),
        ([begin, end]) => {
          const expected = { minutes: end - begin, beginsAt: hhmm(begin), endsAt: hhmm(end) };
          const sameHalf = half(begin) === half(end);
          // A bare begin takes the end's half, or am when that half would put it after the end.
          if (sameHalf || begin + 12 * 60 >= end) {
            expect(parseLogCommand(`${twelveHour(begin)}-${twelveHour(end)}${half(end)} ACME-WEB x`)).toMatchObject({
              ok: true,
              command: expected,
            });
          }
          // A bare end takes the begin's half, or pm when that half would put it before the begin.
          if (sameHalf || end - 12 * 60 <= begin) {
            expect(parseLogCommand(`${twelveHour(begin)}${half(begin)}-${twelveHour(end)} ACME-WEB x`)).toMatchObject({
              ok: true,
              command: expected,
            });
          }
        },
      ),
      RUNS,
    );
  });

  it('refuses a range written backwards rather than reading it across midnight, unless it runs from evening to morning', () => {
    fc.assert(
      // A begin of 0:00 is excluded: "9:00-0:00" ends at midnight, which is forwards.
      fc.property(
        range.filter(
          ([begin, end]) =>
            begin > 0 && end < DAY && !(end >= 12 * 60 && begin < 12 * 60 && DAY - end + begin <= 12 * 60),
        ),
        ([begin, end]) => {
          expect(parseLogCommand(`${clock24(end)}-${clock24(begin)} ACME-WEB x`)).toMatchObject({
            ok: false,
            error: { code: 'range_order' },
          });
        },
      ),
      RUNS,
    );
  });
});

describe('/log refusals', () => {
  it('never throws, and answers every text with a known kind and a refusal that explains itself', () => {
    const grammarWord = fc.constantFrom(
      '2h',
      '30m',
      '1:30',
      '2.5h',
      '2,5h',
      '9:00-11:30',
      '9am-5pm',
      '11-1pm',
      '12-10',
      '25:00-26:00',
      'today',
      'yesterday',
      'fri',
      'Monday',
      '2026-11-20',
      '2026-02-30',
      '20/11',
      '11/20',
      'meeting',
      'nb',
      'non-billable',
      'start',
      'stop',
      'START',
      'ACME-WEB',
      'STOP-1',
      '-',
      ':',
      '0h',
      '24:00',
      '99999m',
    );
    const input = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc
        .array(fc.oneof(grammarWord, grammarWord, fc.string({ maxLength: 8 })), { maxLength: 12 })
        .chain((words) =>
          fc
            .array(whitespace, { minLength: words.length, maxLength: words.length })
            .map((gaps) => words.map((w, i) => gaps[i] + w).join('')),
        ),
      fc.string({ maxLength: 600 }).map((long) => `2h ACME-WEB ${long}`),
    );
    const explains = (error: { code: string; message: string }) => {
      expect(typeof error.code).toBe('string');
      expect(error.code.length).toBeGreaterThan(0);
      expect(error.message.trim().length).toBeGreaterThan(10);
    };
    fc.assert(
      fc.property(input, (text) => {
        const request = parseLogRequest(text);
        expect(['open-modal', 'log', 'start-timer', 'stop-timer', 'invalid']).toContain(request.kind);
        if (request.kind === 'invalid') explains(request.error);
        if (request.kind === 'start-timer') expect(request.projectCode).toMatch(/^[A-Z0-9][A-Z0-9-]{1,19}$/);
        if (request.kind === 'stop-timer' && request.description !== undefined)
          expect(request.description.length).toBeGreaterThan(0);

        const entry = parseLogCommand(text);
        if (!entry.ok) explains(entry.error);
        else {
          expect(entry.command.minutes).toBeGreaterThan(0);
          expect(entry.command.minutes).toBeLessThanOrEqual(DAY);
          expect(entry.command.projectCode).toMatch(/^[A-Z0-9][A-Z0-9-]{1,19}$/);
          expect(entry.command.description).toBe(entry.command.description.trim());
          expect(entry.command.description.length).toBeGreaterThan(0);
          expect(entry.command.description.length).toBeLessThanOrEqual(500);
          // A range runs forwards, or from an afternoon or evening begin past midnight into the morning.
          if (entry.command.beginsAt !== undefined)
            expect(
              entry.command.endsAt! > entry.command.beginsAt ||
                (entry.command.beginsAt >= '12:00' && entry.command.endsAt! < '12:00'),
            ).toBe(true);
        }
        // Only the first word decides: anything not starting with start/stop reads as an entry.
        if (request.kind === 'log') expect(entry).toEqual({ ok: true, command: request.command });
      }),
      { numRuns: 1500 },
    );
  });
});

describe('/log descriptions', () => {
  it('keeps the description word for word, whitespace collapsed to single spaces', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('2h', '1:30', '9:00-11:30', '45m'),
        fc.constantFrom('', 'meeting ', 'nb ', 'yesterday ', '2026-11-20 nb '),
        projectCode,
        description,
        (amount, before, code, { words, text }) => {
          expect(parseLogCommand(`  ${amount} ${before}${code}\t${text}\n`)).toMatchObject({
            ok: true,
            command: { projectCode: code.toUpperCase(), description: words.join(' ') },
          });
        },
      ),
      RUNS,
    );
  });

  it('refuses any description holding a control character other than a tab or newline, naming the character', () => {
    const control = fc
      .integer({ min: 0, max: 0x9f })
      .filter((c) => c < 0x20 || c >= 0x7f)
      .filter((c) => c !== 0x09 && c !== 0x0a)
      .map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(projectCode, description, control, (code, { text }, character) => {
        const parsed = parseLogRequest(`1h ${code} ${text}${character}x`);
        const named = `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
        expect(parsed).toMatchObject({ kind: 'invalid', error: { message: expect.stringContaining(named) } });
      }),
      RUNS,
    );
  });

  it('keeps a timer description the same way, at start and at stop', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('start', 'Start', 'START'),
        fc.constantFrom('', 'nb ', 'meeting '),
        projectCode,
        description,
        (start, flag, code, { words, text }) => {
          expect(parseLogRequest(`${start} ${flag}${code} ${text}`)).toEqual({
            kind: 'start-timer',
            projectCode: code.toUpperCase(),
            description: words.join(' '),
            billable: flag !== 'nb ',
            meeting: flag === 'meeting ',
          });
          expect(parseLogRequest(`stop ${text}`)).toEqual({ kind: 'stop-timer', description: words.join(' ') });
        },
      ),
      RUNS,
    );
  });
});

describe('resolveDateSpec', () => {
  const today = fc
    .integer({ min: 0, max: 3650 })
    .map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
  const daysBefore = (today: string, date: string) => (Date.parse(today) - Date.parse(date)) / 86_400_000;

  it('resolves a weekday to the latest such day not after today, within six days', () => {
    fc.assert(
      fc.property(today, fc.integer({ min: 0, max: 6 }), (today, weekday) => {
        const resolved = resolveDateSpec({ kind: 'weekday', day: weekday }, today);
        expect(resolved <= today).toBe(true);
        expect(daysBefore(today, resolved)).toBeGreaterThanOrEqual(0);
        expect(daysBefore(today, resolved)).toBeLessThanOrEqual(6);
        expect(new Date(`${resolved}T00:00:00Z`).getUTCDay()).toBe(weekday);
      }),
      RUNS,
    );
  });

  it('resolves every weekday word the parser knows the same way', () => {
    const words = [
      'sun',
      'mon',
      'tue',
      'wed',
      'thu',
      'fri',
      'sat',
      'sunday',
      'monday',
      'tuesday',
      'wednesday',
      'thursday',
      'friday',
      'saturday',
      'today',
      'yesterday',
    ];
    fc.assert(
      fc.property(today, fc.constantFrom(...words), (today, word) => {
        const parsed = parseLogCommand(`1h ACME-WEB ${word.toUpperCase()} review`);
        expect(parsed.ok).toBe(true);
        const spec = (parsed.ok && parsed.command.date) as DateSpec;
        const back = daysBefore(today, resolveDateSpec(spec, today));
        expect(back).toBeGreaterThanOrEqual(0);
        expect(back).toBeLessThanOrEqual(6);
        if (word === 'today') expect(back).toBe(0);
        if (word === 'yesterday') expect(back).toBe(1);
      }),
      RUNS,
    );
  });
});
