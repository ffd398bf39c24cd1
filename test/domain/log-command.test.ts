import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinutes, parseDuration } from '../../src/domain/duration.js';
import { parseLogCommand, parseLogRequest, resolveDateSpec } from '../../src/domain/log-command.js';

describe('parseDuration', () => {
  it.each([
    ['2h', 120],
    ['2h30m', 150],
    ['2h30', 150],
    ['2.5h', 150],
    ['2,5h', 150],
    ['0.25h', 15],
    ['1.33h', 80],
    ['150m', 150],
    ['90min', 90],
    ['1:30', 90],
    ['0:05', 5],
    ['2H', 120],
    ['2h 30m', 150],
    ['2h 5min', 125],
    ['2h30mins', 150],
  ])('%s is %i minutes', (token, minutes) => {
    expect(parseDuration(token)).toBe(minutes);
  });

  it.each(['90', 'h', '2x', '1:75', '2h75m', '', 'abc', '1.234h', '2h 30', '2h 75m', '2 h'])(
    '%j is not a duration',
    (token) => {
      expect(parseDuration(token)).toBeUndefined();
    },
  );

  it('round-trips any duration written as h and m', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 * 60 }), (minutes) => {
        expect(parseDuration(formatMinutes(minutes).replace(' ', ''))).toBe(minutes);
        expect(parseDuration(`${minutes}m`)).toBe(minutes);
        expect(parseDuration(`${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`)).toBe(minutes);
      }),
    );
  });
});

describe('parseLogCommand', () => {
  it.each([
    [
      '2h30m ACME-WEB design review',
      { minutes: 150, projectCode: 'ACME-WEB', description: 'design review', billable: true, meeting: false },
    ],
    [
      '1.5h acme-web yesterday fixed login',
      { minutes: 90, projectCode: 'ACME-WEB', date: { kind: 'days-ago', days: 1 }, description: 'fixed login' },
    ],
    [
      '9:00-11:30 ACME-WEB 2026-11-20 workshop',
      {
        minutes: 150,
        beginsAt: '09:00',
        endsAt: '11:30',
        date: { kind: 'iso', date: '2026-11-20' },
        description: 'workshop',
      },
    ],
    [
      'meeting 45m GLOBEX-OPS kickoff call',
      { minutes: 45, projectCode: 'GLOBEX-OPS', meeting: true, description: 'kickoff call' },
    ],
    ['9am-11:30am ACME-WEB planning', { minutes: 150, beginsAt: '09:00', endsAt: '11:30' }],
    ['13:15-14 ACME-WEB planning', { minutes: 45, beginsAt: '13:15', endsAt: '14:00' }],
    ['2h nb ACME-WEB internal sync', { billable: false, description: 'internal sync' }],
    ['2h ACME-WEB fri non-billable sync', { billable: false, date: { kind: 'weekday', day: 5 }, description: 'sync' }],
    ['2h ACME-WEB fixed 3 bugs in 2h', { description: 'fixed 3 bugs in 2h' }],
    // What replies print ("2h 30m") can be typed back.
    ['2h 30m ACME-WEB design review', { minutes: 150, description: 'design review' }],
    ['11-1pm ACME-WEB lunch talk', { minutes: 120, beginsAt: '11:00', endsAt: '13:00' }],
    ['9-11am ACME-WEB planning', { minutes: 120, beginsAt: '09:00', endsAt: '11:00' }],
    ['9-11pm ACME-WEB release', { minutes: 120, beginsAt: '21:00', endsAt: '23:00' }],
    ['9am-5 ACME-WEB workshop', { minutes: 480, beginsAt: '09:00', endsAt: '17:00' }],
    ['11pm-12am ACME-WEB release', { minutes: 60, beginsAt: '23:00', endsAt: '24:00' }],
    ['22:00-0:00 ACME-WEB release', { minutes: 120, beginsAt: '22:00', endsAt: '24:00' }],
    // An evening begin and a morning end run past midnight (the service saves one entry per day).
    ['22:00-01:30 ACME-WEB deploy', { minutes: 210, beginsAt: '22:00', endsAt: '01:30' }],
    ['11pm-1:30am ACME-WEB deploy', { minutes: 150, beginsAt: '23:00', endsAt: '01:30' }],
    // Past the project code nothing is a duration, so a range-like word starts the description.
    ['2h ACME-WEB 12-10 people in the room', { minutes: 120, description: '12-10 people in the room' }],
    ['2h ACME-WEB 25:00-26:00 log lines', { description: '25:00-26:00 log lines' }],
    // Words that are Object.prototype keys are words, not weekdays.
    ['2h ACME-WEB constructor review', { description: 'constructor review' }],
    ['1h STOP-1 start the migration', { projectCode: 'STOP-1', description: 'start the migration' }],
  ])('reads %j', (text, expected) => {
    const parsed = parseLogCommand(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.command).toMatchObject(expected);
  });

  it('has no date for a word that names an Object.prototype key', () => {
    const parsed = parseLogCommand('2h __proto__ ACME-WEB review');
    expect(parsed).toMatchObject({ ok: false, error: { code: 'invalid_project' } });
    expect(parseLogCommand('2h ACME-WEB constructor')).toEqual({
      ok: true,
      command: { minutes: 120, projectCode: 'ACME-WEB', description: 'constructor', billable: true, meeting: false },
    });
  });

  it.each([
    ['', 'empty'],
    ['ACME-WEB 2h review', 'duration_first'],
    ['2h', 'project_missing'],
    ['2h ACME-WEB', 'description_required'],
    ['2h 3h ACME-WEB x', 'two_durations'],
    ['11:30-9:00 ACME-WEB x', 'range_order'],
    ['2h ACME-WEB 20/11 x', 'ambiguous_date'],
    ['2h 11/20 ACME-WEB x', 'ambiguous_date'],
    ['2h ACME-WEB 2026-02-30 x', 'invalid_date'],
    ['9-5 ACME-WEB x', 'range_order'],
    ['9-12am ACME-WEB x', 'range_order'],
    ['2h 30m 15m ACME-WEB x', 'two_durations'],
    ['2h nb 30m ACME-WEB x', 'two_durations'],
    ['0h ACME-WEB x', 'invalid_duration'],
    ['25h ACME-WEB x', 'duration_too_long'],
  ])('refuses %j (%s) with a hint', (text, code) => {
    const parsed = parseLogCommand(text);
    expect(parsed).toMatchObject({ ok: false, error: { code } });
  });

  it('never throws, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const parsed = parseLogCommand(text);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps any description after the project verbatim', () => {
    const word = fc.stringMatching(/^[a-z]{1,10}$/).filter((w) => parseLogCommand(`1h ACME ${w}`).ok);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1440 }),
        fc.array(word, { minLength: 1, maxLength: 8 }),
        (minutes, words) => {
          const description = ['notes', ...words].join(' ');
          const parsed = parseLogCommand(`${minutes}m ACME-WEB ${description}`);
          expect(parsed).toMatchObject({ ok: true, command: { minutes, projectCode: 'ACME-WEB', description } });
        },
      ),
    );
  });
});

describe('resolveDateSpec', () => {
  // 2026-11-24 is a Tuesday.
  it.each([
    [{ kind: 'days-ago', days: 0 }, '2026-11-24'],
    [{ kind: 'days-ago', days: 1 }, '2026-11-23'],
    [{ kind: 'weekday', day: 2 }, '2026-11-24'],
    [{ kind: 'weekday', day: 5 }, '2026-11-20'],
    [{ kind: 'weekday', day: 1 }, '2026-11-23'],
    [{ kind: 'iso', date: '2026-11-02' }, '2026-11-02'],
  ] as const)('%j is %s', (spec, date) => {
    expect(resolveDateSpec(spec, '2026-11-24')).toBe(date);
  });
});

describe('parseLogRequest', () => {
  it('opens the modal on no text', () => {
    expect(parseLogRequest('   ')).toEqual({ kind: 'open-modal' });
    expect(parseLogRequest('')).toEqual({ kind: 'open-modal' });
  });

  it.each([
    [
      '2h30m ACME-WEB design review',
      { minutes: 150, projectCode: 'ACME-WEB', billable: true, meeting: false, description: 'design review' },
    ],
    [
      '1.5h acme-web yesterday fixed login',
      {
        minutes: 90,
        projectCode: 'ACME-WEB',
        date: { kind: 'days-ago', days: 1 },
        billable: true,
        meeting: false,
        description: 'fixed login',
      },
    ],
    [
      '9:00-11:30 ACME-WEB 2026-11-20 workshop',
      {
        minutes: 150,
        beginsAt: '09:00',
        endsAt: '11:30',
        projectCode: 'ACME-WEB',
        date: { kind: 'iso', date: '2026-11-20' },
        billable: true,
        meeting: false,
        description: 'workshop',
      },
    ],
    [
      'meeting 45m GLOBEX-OPS kickoff call',
      { minutes: 45, projectCode: 'GLOBEX-OPS', billable: true, meeting: true, description: 'kickoff call' },
    ],
  ])('reads the issue example %j exactly', (text, command) => {
    expect(parseLogRequest(text)).toEqual({ kind: 'log', command });
  });

  it.each([
    ['start ACME-WEB standup', { projectCode: 'ACME-WEB', description: 'standup', billable: true, meeting: false }],
    [
      'start ACME-WEB nb internal sync',
      { projectCode: 'ACME-WEB', description: 'internal sync', billable: false, meeting: false },
    ],
    [
      'start non-billable meeting acme-web',
      { projectCode: 'ACME-WEB', description: '', billable: false, meeting: true },
    ],
    [
      'START stop-1 stop the bleeding',
      { projectCode: 'STOP-1', description: 'stop the bleeding', billable: true, meeting: false },
    ],
    [
      'start ACME-WEB friday retro prep',
      { projectCode: 'ACME-WEB', description: 'friday retro prep', billable: true, meeting: false },
    ],
  ])('starts a timer from %j', (text, timer) => {
    expect(parseLogRequest(text)).toEqual({ kind: 'start-timer', ...timer });
  });

  it.each([
    ['start 2h ACME-WEB', 'timer_duration'],
    ['start 9:00-11:00 ACME-WEB', 'timer_duration'],
    ['start yesterday ACME-WEB', 'timer_date'],
    ['start 20/11 ACME-WEB', 'timer_date'],
    ['start nb', 'project_missing'],
  ])('refuses the timer text %j (%s) with a hint', (text, code) => {
    const request = parseLogRequest(text);
    expect(request).toMatchObject({ kind: 'invalid', error: { code } });
    if (request.kind === 'invalid') expect(request.error.message).toMatch(/`\/log /);
  });

  it('refuses a description over 500 characters wherever it is given, and takes 500', () => {
    const long = 'x'.repeat(501);
    for (const text of [`2h ACME-WEB ${long}`, `start ACME-WEB ${long}`, `stop ${long}`]) {
      expect(parseLogRequest(text)).toMatchObject({
        kind: 'invalid',
        error: { code: 'description_too_long', field: 'description' },
      });
    }
    expect(parseLogRequest(`stop ${long.slice(1)}`)).toMatchObject({ kind: 'stop-timer' });
    expect(parseLogRequest(`2h ACME-WEB ${'x'.repeat(500)}`)).toMatchObject({ kind: 'log' });
  });

  it('stops with "stop" in any case; words after it replace the description', () => {
    expect(parseLogRequest('  Stop  ')).toEqual({ kind: 'stop-timer' });
    expect(parseLogRequest('stop  wrote   the tests')).toEqual({ kind: 'stop-timer', description: 'wrote the tests' });
  });

  it('reads the timer: start with flags, project and description; stop with an optional new description', () => {
    expect(parseLogRequest('start acme-web standup')).toEqual({
      kind: 'start-timer',
      projectCode: 'ACME-WEB',
      description: 'standup',
      billable: true,
      meeting: false,
    });
    expect(parseLogRequest('Start meeting nb GLOBEX-OPS')).toEqual({
      kind: 'start-timer',
      projectCode: 'GLOBEX-OPS',
      description: '',
      billable: false,
      meeting: true,
    });
    expect(parseLogRequest('stop')).toEqual({ kind: 'stop-timer' });
    expect(parseLogRequest('STOP fixed the login')).toEqual({ kind: 'stop-timer', description: 'fixed the login' });
    expect(parseLogRequest('start')).toMatchObject({ kind: 'invalid', error: { code: 'project_missing' } });
    expect(parseLogRequest('start ~~ x')).toMatchObject({ kind: 'invalid', error: { code: 'invalid_project' } });
  });

  it('only the first word decides: "stop" later on is description', () => {
    expect(parseLogRequest('1h STOP-1 please stop the bleeding')).toMatchObject({
      kind: 'log',
      command: { projectCode: 'STOP-1', description: 'please stop the bleeding' },
    });
  });

  it('passes entries and their refusals through', () => {
    expect(parseLogRequest('2h30m ACME-WEB design review')).toMatchObject({ kind: 'log', command: { minutes: 150 } });
    expect(parseLogRequest('two ACME-WEB x')).toMatchObject({ kind: 'invalid', error: { code: 'duration_first' } });
  });
});
