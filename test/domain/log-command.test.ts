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
  ])('%s is %i minutes', (token, minutes) => {
    expect(parseDuration(token)).toBe(minutes);
  });

  it.each(['90', 'h', '2x', '1:75', '2h75m', '', 'abc', '1.234h'])('%j is not a duration', (token) => {
    expect(parseDuration(token)).toBeUndefined();
  });

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
    ['2h30m ACME-WEB design review', { minutes: 150, projectCode: 'ACME-WEB', description: 'design review', billable: true, meeting: false }],
    ['1.5h acme-web yesterday fixed login', { minutes: 90, projectCode: 'ACME-WEB', date: { kind: 'days-ago', days: 1 }, description: 'fixed login' }],
    ['9:00-11:30 ACME-WEB 2026-11-20 workshop', { minutes: 150, beginsAt: '09:00', endsAt: '11:30', date: { kind: 'iso', date: '2026-11-20' }, description: 'workshop' }],
    ['meeting 45m GLOBEX-OPS kickoff call', { minutes: 45, projectCode: 'GLOBEX-OPS', meeting: true, description: 'kickoff call' }],
    ['9am-11:30am ACME-WEB planning', { minutes: 150, beginsAt: '09:00', endsAt: '11:30' }],
    ['13:15-14 ACME-WEB planning', { minutes: 45, beginsAt: '13:15', endsAt: '14:00' }],
    ['2h nb ACME-WEB internal sync', { billable: false, description: 'internal sync' }],
    ['2h ACME-WEB fri non-billable sync', { billable: false, date: { kind: 'weekday', day: 5 }, description: 'sync' }],
    ['2h ACME-WEB fixed 3 bugs in 2h', { description: 'fixed 3 bugs in 2h' }],
  ])('reads %j', (text, expected) => {
    const parsed = parseLogCommand(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.command).toMatchObject(expected);
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
      fc.property(fc.integer({ min: 1, max: 1440 }), fc.array(word, { minLength: 1, maxLength: 8 }), (minutes, words) => {
        const description = ['notes', ...words].join(' ');
        const parsed = parseLogCommand(`${minutes}m ACME-WEB ${description}`);
        expect(parsed).toMatchObject({ ok: true, command: { minutes, projectCode: 'ACME-WEB', description } });
      }),
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
  });

  it('reads the timer: start with flags, project and description; stop with an optional new description', () => {
    expect(parseLogRequest('start acme-web standup')).toEqual({ kind: 'start-timer', projectCode: 'ACME-WEB', description: 'standup', billable: true, meeting: false });
    expect(parseLogRequest('Start meeting nb GLOBEX-OPS')).toEqual({ kind: 'start-timer', projectCode: 'GLOBEX-OPS', description: '', billable: false, meeting: true });
    expect(parseLogRequest('stop')).toEqual({ kind: 'stop-timer' });
    expect(parseLogRequest('STOP fixed the login')).toEqual({ kind: 'stop-timer', description: 'fixed the login' });
    expect(parseLogRequest('start')).toMatchObject({ kind: 'invalid', error: { code: 'project_missing' } });
    expect(parseLogRequest('start ~~ x')).toMatchObject({ kind: 'invalid', error: { code: 'invalid_project' } });
  });

  it('only the first word decides: "stop" later on is description', () => {
    expect(parseLogRequest('1h STOP-1 please stop the bleeding')).toMatchObject({ kind: 'log', command: { projectCode: 'STOP-1', description: 'please stop the bleeding' } });
  });

  it('passes entries and their refusals through', () => {
    expect(parseLogRequest('2h30m ACME-WEB design review')).toMatchObject({ kind: 'log', command: { minutes: 150 } });
    expect(parseLogRequest('two ACME-WEB x')).toMatchObject({ kind: 'invalid', error: { code: 'duration_first' } });
  });
});
