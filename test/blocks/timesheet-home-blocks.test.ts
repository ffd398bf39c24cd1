import { describe, expect, it } from 'vitest';
import { homeView, type HomeModel } from '../../blocks/home.js';
import { ids } from '../../blocks/ids.js';
import { timesheetHistoryMessage } from '../../blocks/timesheet-history.js';
import { confirmEmptySubmitMessage, timesheetSubmittedMessage } from '../../blocks/timesheet-messages.js';
import {
  deleteEntryModal,
  ENTRIES_PER_PAGE,
  timesheetModal,
  type TimesheetView,
} from '../../blocks/timesheet-modal.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

/** A month with `count` entries spread over its days, three a day. */
function month(count: number, overrides: Partial<TimesheetView> = {}): TimesheetView {
  const days: TimesheetView['days'] = [];
  for (let i = 0; i < count; i++) {
    const date = `2026-11-${String(1 + Math.floor(i / 3)).padStart(2, '0')}`;
    if (days[days.length - 1]?.date !== date) days.push({ date, totalMinutes: 0, entries: [] });
    const day = days[days.length - 1]!;
    day.entries.push({
      entryId: i + 1,
      projectCode: 'ACME-WEB',
      projectName: 'Website '.repeat(20),
      customerName: 'Acme',
      minutes: 60,
      beginsAt: null,
      endsAt: null,
      description: `entry ${i + 1} ${'x'.repeat(480)}`,
      billable: i % 2 === 0,
      source: i % 5 === 0 ? 'meeting' : 'command',
    });
    day.totalMinutes += 60;
  }
  return {
    consultantName: 'Alice',
    consultantUserId: 'UALICE',
    period: { id: 11, startsOn: '2026-11-01', endsOn: '2026-11-30' },
    previousPeriodId: 10,
    nextPeriodId: 12,
    status: 'open',
    submittedAt: null,
    submittedByName: null,
    editable: true,
    days,
    totals: {
      billableMinutes: Math.ceil(count / 2) * 60,
      nonBillableMinutes: Math.floor(count / 2) * 60,
      totalMinutes: count * 60,
      entryCount: count,
    },
    ...overrides,
  };
}
const json = (value: unknown) => JSON.stringify(value);

describe('timesheet modal', () => {
  it('shows status, totals, days with their totals, entries with Edit/Delete, period navigation and Submit', () => {
    const view = timesheetModal(month(4), 0);
    expectWithinSlackLimits('modal', view);
    expect(json(view)).toContain('*Total 4h*\\n2h billable · 2h non-billable');
    expect(json(view)).toContain('*Sun 1 Nov 2026* · 3h');
    expect(json(view)).toContain(':calendar: *1h*');
    expect(json(view)).toContain('"value":"edit:1"');
    expect(json(view)).toContain('"value":"delete:4"');
    const actions = view.blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      ids.timesheet.previous,
      ids.timesheet.next,
      ids.timesheet.submit,
    ]);
    expect(JSON.parse(view.private_metadata!)).toEqual({ periodId: 11, page: 0 });
  });

  it('pages a long month within Slack’s 100 blocks, keeping each day’s full total', () => {
    const sheet = month(90);
    const first = timesheetModal(sheet, 0);
    const second = timesheetModal(sheet, 1);
    const third = timesheetModal(sheet, 2);
    for (const view of [first, second, third]) expectWithinSlackLimits('modal', view);
    expect(json(first)).toContain(`Entries ${ENTRIES_PER_PAGE + 1}–80 →`);
    expect(json(second)).toContain('← Entries 1–40');
    expect(json(third)).toContain('"value":"edit:90"');
    expect(json(third)).not.toContain('"value":"edit:80"');
    // Entry 41 is the middle entry of 14 Nov; the day still shows 3h.
    expect(json(second)).toContain('*Sat 14 Nov 2026* · 3h');
  });

  it('is read-only once submitted: no Edit, Delete or Submit', () => {
    const view = timesheetModal(
      month(3, {
        status: 'submitted',
        editable: false,
        submittedAt: new Date('2026-11-30T10:00:00Z'),
        submittedByName: 'Bob',
      }),
      0,
    );
    expect(json(view)).not.toContain(ids.timesheet.entryMenu);
    expect(json(view)).not.toContain(ids.timesheet.submit);
    // The day it was submitted as each reader's Slack shows it in their zone (UTC's where it cannot).
    expect(json(view)).toContain(
      `since <!date^${Date.parse('2026-11-30T10:00:00Z') / 1000}^{date_short}|Mon 30 Nov 2026> by Bob`,
    );
  });

  it('asks before submitting, and says so when the sheet is empty', () => {
    const empty = timesheetModal(month(0), 0);
    expect(json(empty)).toContain('No time this period: submit an empty timesheet');
    expect(json(timesheetModal(month(2), 0))).toContain('Submit 2h in 2 entries for approval?');
    expectWithinSlackLimits(
      'message',
      confirmEmptySubmitMessage(11, { startsOn: '2026-11-01', endsOn: '2026-11-30' }, 'UALICE', 'No time. Submit?'),
    );
  });

  it('escapes descriptions and names', () => {
    const sheet = month(1);
    sheet.days[0]!.entries[0]!.description = '<!channel> & co';
    expect(json(timesheetModal(sheet, 0))).toContain('&lt;!channel&gt; &amp; co');
    const confirm = deleteEntryModal(
      { entryId: 1, projectCode: 'ACME-WEB', workDate: '2026-11-25', minutes: 120, description: '<!here>' },
      { viewId: 'V1', periodId: 11, page: 0 },
    );
    expectWithinSlackLimits('modal', confirm);
    expect(json(confirm)).toContain('Delete *2h* on *ACME-WEB*, Wed 25 Nov 2026: &lt;!here&gt;?');
  });
});

describe('history and submitted messages', () => {
  it('lists earlier periods within a message’s 50 blocks', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({
      periodId: i,
      startsOn: '2026-01-01',
      endsOn: '2026-01-31',
      status: 'approved' as const,
      totalMinutes: 600,
      billableMinutes: 540,
    }));
    const message = timesheetHistoryMessage(rows);
    expectWithinSlackLimits('message', message);
    expect(json(message)).toContain('Older periods are not shown: `/timesheet 2025-12-31` opens the one before these');
    expect(json(message)).toContain(':white_check_mark: approved · 10h (9h billable)');
    expect(
      json(
        timesheetSubmittedMessage({
          period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
          totalMinutes: 150,
          entryCount: 2,
        }),
      ),
    ).toContain('with 2h 30m in 2 entries');
  });
});

describe('App Home', () => {
  const consultant = (overrides: Partial<Extract<HomeModel, { kind: 'consultant' }>> = {}): HomeModel => ({
    kind: 'consultant',
    name: 'Alice <Doe>',
    timesheet: month(6),
    noPeriodReason: null,
    timer: {
      projectCode: 'ACME-WEB',
      projectName: 'Web',
      description: 'standup',
      billable: true,
      meeting: false,
      elapsedMinutes: 25,
    },
    recent: Array.from({ length: 5 }, (_, i) => ({
      entryId: i + 1,
      workDate: '2026-11-25',
      projectCode: 'ACME-WEB',
      minutes: 30,
      description: `recent ${i} <!here>`,
      billable: true,
      source: 'command',
      editable: i > 0,
    })),
    prepaid: [{ customerName: 'Globex', remainingMinutes: 200, pendingMinutes: 60, lowCreditThresholdMinutes: 300 }],
    ...overrides,
  });

  it('shows the timer with Stop, the period per day with Submit, the last entries with Edit, and prepaid hours left', () => {
    const view = homeView(consultant());
    expectWithinSlackLimits('home', view);
    const text = json(view);
    expect(text).toContain('Timer on *ACME-WEB*: standup · running 25m');
    expect(text).toContain(ids.timer.stop);
    expect(text).toContain('6h logged (3h billable) · open');
    expect(text).toContain('Sun 1: 3h · Mon 2: 3h');
    expect(text).toContain(ids.timesheet.submit);
    expect(text.match(/"action_id":"entry_edit"/g)).toHaveLength(4);
    expect(text).toContain('recent 0 &lt;!here&gt;');
    expect(text).toContain('Globex: 3h 20m of prepaid time left (1h pending approval) :warning: low');
  });

  it('welcomes someone who is not set up as a consultant', () => {
    const view = homeView({
      kind: 'not-a-consultant',
      name: null,
      reason: 'ConsulTracker does not know you yet. Ask an administrator to add you.',
    });
    expectWithinSlackLimits('home', view);
    expect(json(view)).toContain('Welcome to ConsulTracker');
    expect(json(view)).toContain('does not know you yet');
  });
});
