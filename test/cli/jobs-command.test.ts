/** `consultracker jobs`: what the command line refuses before opening the database, and the run list in words. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobsCommand, runJobsCommand } from '../../src/cli/jobs.js';
import { jobRuns } from '../../src/db/schema.js';
import { JOBS } from '../../src/jobs/registry.js';
import { silentLogger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClock } from '../support/test-clock.js';

const names = JOBS.map((job) => job.name).join(', ');
/** When the command is typed. */
const NOW = new Date('2026-12-08T10:00:00Z');

describe('parsing jobs', () => {
  it.each([
    [[], 'jobs needs list or run, e.g. consultracker jobs list or consultracker jobs run period-reminder'],
    [['start'], 'jobs needs list or run, e.g. consultracker jobs list or consultracker jobs run period-reminder'],
    [['list', 'period-reminder', 'extra'], 'jobs list takes at most a job name, e.g. consultracker jobs list'],
    [
      ['list', 'payroll'],
      `There is no job named "payroll"; the jobs are: ${names} (consultracker jobs list shows their runs).`,
    ],
    [['run'], `jobs run needs a job name: ${names}`],
    [
      ['run', 'payroll'],
      `There is no job named "payroll"; the jobs are: ${names} (consultracker jobs list shows their runs).`,
    ],
    [
      ['run', 'period-reminder', '--at', '2026-11-30T16:00:00'],
      'jobs run takes --at with an instant, e.g. --at 2026-11-30T16:00:00+01:00 or --at 2026-11-30T15:00Z (got "--at 2026-11-30T16:00:00")',
    ],
    [
      ['run', 'period-reminder', '--at', 'tomorrowZ'],
      'jobs run takes --at with an instant, e.g. --at 2026-11-30T16:00:00+01:00 or --at 2026-11-30T15:00Z (got "--at tomorrowZ")',
    ],
    [
      ['run', 'period-close', '--at', '2026-12-31T23:00Z'],
      'jobs run --at 2026-12-31T23:00Z is later than now: a job does at most what fell due by now. Give an instant up to now.',
    ],
    [
      ['run', 'period-reminder', '--when', '2026-11-30T15:00Z'],
      'jobs run takes --at with an instant, e.g. --at 2026-11-30T16:00:00+01:00 or --at 2026-11-30T15:00Z (got "--when 2026-11-30T15:00Z")',
    ],
  ])('refuses jobs %j with what to type instead', (args, message) => {
    expect(parseJobsCommand(args, NOW)).toEqual({ ok: false, message });
  });

  it('reads list with and without a job, and run with and without an instant', () => {
    expect(parseJobsCommand(['list'], NOW)).toEqual({ ok: true, command: { verb: 'list' } });
    expect(parseJobsCommand(['list', 'period-close'], NOW)).toEqual({
      ok: true,
      command: { verb: 'list', job: 'period-close' },
    });
    expect(parseJobsCommand(['run', 'period-close'], NOW)).toEqual({
      ok: true,
      command: { verb: 'run', job: 'period-close' },
    });
    expect(parseJobsCommand(['run', 'period-close', '--at', '2026-11-30T16:00:00+01:00'], NOW)).toEqual({
      ok: true,
      command: { verb: 'run', job: 'period-close', at: new Date('2026-11-30T15:00:00Z') },
    });
  });
});

describe('jobs list', () => {
  let database: TestDatabase;
  let ctx: ServiceContext;
  const now = '2026-11-30T12:00:00Z';
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    database = await createTestDatabase();
    ctx = {
      db: database.db,
      actor: { kind: 'system', name: 'cli' },
      clock: new TestClock(now),
      log: silentLogger,
      org: { timeZone: 'UTC', currency: 'USD' },
    };
  });
  afterAll(async () => database.drop());

  const listed = async (job?: string) => {
    const lines: string[] = [];
    await runJobsCommand(ctx, job ? { verb: 'list', job } : { verb: 'list' }, (line) => lines.push(line));
    return lines;
  };

  it('says there are no runs yet', async () => {
    expect((await listed()).slice(1)).toEqual(['No runs yet.']);
  });

  it('names the state of each run: done, skipped, gave up, failed, running and waiting', async () => {
    const started = at('2026-11-30T11:00:00Z');
    await database.db.insert(jobRuns).values([
      { job: 'period-close', slot: 'a-done', startedAt: started, finishedAt: started, attempts: 1, result: 'closed' },
      { job: 'period-close', slot: 'b-skipped', startedAt: started, finishedAt: started, result: 'skipped: too late' },
      { job: 'period-close', slot: 'c-gave-up', startedAt: started, finishedAt: started, attempts: 5, error: 'boom' },
      { job: 'period-close', slot: 'd-failed', startedAt: started, attempts: 1, error: 'timeout' },
      {
        job: 'period-close',
        slot: 'e-running',
        startedAt: started,
        attempts: 1,
        leaseUntil: at('2026-11-30T12:05:00Z'),
      },
      {
        job: 'period-close',
        slot: 'f-waiting',
        startedAt: started,
        attempts: 1,
        leaseUntil: at('2026-11-30T11:05:00Z'),
      },
      { job: 'credit-check', slot: 'other', startedAt: started, finishedAt: started, result: 'fine' },
    ]);
    const lines = await listed('period-close');
    expect(lines[1]).toBe('job\tkey\tstate\tattempts\tstarted\tfinished\tresult');
    expect(lines.slice(2).sort()).toEqual([
      'period-close\ta-done\tdone\t1\t2026-11-30T11:00:00Z\t2026-11-30T11:00:00Z\tclosed',
      'period-close\tb-skipped\tskipped\t0\t2026-11-30T11:00:00Z\t2026-11-30T11:00:00Z\tskipped: too late',
      'period-close\tc-gave-up\tgave-up\t5\t2026-11-30T11:00:00Z\t2026-11-30T11:00:00Z\terror: boom',
      'period-close\td-failed\tfailed\t1\t2026-11-30T11:00:00Z\t-\terror: timeout',
      'period-close\te-running\trunning\t1\t2026-11-30T11:00:00Z\t-\t',
      'period-close\tf-waiting\twaiting\t1\t2026-11-30T11:00:00Z\t-\t',
    ]);
  });
});
