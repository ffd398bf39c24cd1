import { describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  actingForNotice,
  entryDeletedMessage,
  type LoggedEntryView,
  logConfirmation,
  problemMessage,
} from '../../blocks/log-confirmation.js';
import { logTimeModal, type LogModalModel, projectOptions } from '../../blocks/log-modal.js';
import { timerDecisionMessage, timerStartedMessage } from '../../blocks/timer-messages.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

const entry = (overrides: Partial<LoggedEntryView> = {}): LoggedEntryView => ({
  entryId: 42,
  projectCode: 'ACME-WEB',
  projectName: 'Website relaunch',
  customerName: 'Acme Corp',
  workDate: '2026-11-25',
  minutes: 150,
  beginsAt: null,
  endsAt: null,
  description: 'design review',
  billable: true,
  source: 'command',
  actingFor: null,
  actingForName: null,
  prepaid: null,
  repeated: false,
  ...overrides,
});

const texts = (message: object) => JSON.stringify(message);

describe('log confirmation', () => {
  it('shows project, date, duration, billing and description, with Edit and Undo for that entry', () => {
    const message = logConfirmation([entry()]);
    expectWithinSlackLimits('message', message);
    expect(texts(message)).toContain('*2h 30m* on *ACME-WEB* Website relaunch (Acme Corp)');
    expect(texts(message)).toContain('Wed 25 Nov 2026 · billable');
    const actions = message.blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: ids.entry.edit, value: '42', text: { text: 'Edit' } },
        { action_id: ids.entry.undo, value: '42', text: { text: 'Undo' } },
      ],
    });
  });

  it('after an edit offers Edit alone: Undo would delete the entry, not give back what it was before', () => {
    const message = logConfirmation([entry()], 'Updated');
    expect(texts(message)).toContain('Updated *2h 30m*');
    expect(message.blocks.find((block) => block.type === 'actions')).toMatchObject({
      elements: [{ action_id: ids.entry.edit, value: '42', text: { text: 'Edit' } }],
    });
    expect(texts(message)).not.toContain(ids.entry.undo);
  });

  it('shows meetings with a calendar, times, non-billable, the principal and the prepaid hours left', () => {
    const message = logConfirmation([
      entry({
        source: 'meeting',
        beginsAt: '09:00',
        endsAt: '11:30',
        billable: false,
        actingForName: 'Alice',
        prepaid: { remainingMinutes: 2310, pendingMinutes: 120 },
      }),
    ]);
    expect(texts(message)).toContain(':calendar:');
    expect(texts(message)).toContain('for Alice on');
    expect(texts(message)).toContain(
      '(09:00–11:30) · non-billable · meeting · Acme Corp: 38h 30m of prepaid time left (2h pending approval)',
    );
    expect(texts(logConfirmation([entry({ prepaid: { remainingMinutes: -90, pendingMinutes: 0 } })]))).toContain(
      '1h 30m over the prepaid credit',
    );
  });

  it('escapes user text, so a description cannot mention the channel', () => {
    const message = logConfirmation([
      entry({ description: 'ping <!channel> & <@U1>', projectName: '<b>', customerName: 'A&B' }),
    ]);
    expect(texts(message)).not.toContain('<!channel>');
    expect(texts(message)).toContain('ping &lt;!channel&gt; &amp; &lt;@U1&gt;');
    expect(texts(message)).toContain('&lt;b&gt; (A&amp;B)');
    expect(texts(problemMessage('no <!here>'))).toContain('no &lt;!here&gt;');
    // A refusal quoting a 3,500-character word still fits Slack's section.
    expectWithinSlackLimits('message', problemMessage(`“${'&'.repeat(3500)}” is not a project`));
    expect(
      texts(
        entryDeletedMessage([{ projectCode: 'X', workDate: '2026-11-25', minutes: 5, description: '<!everyone>' }]),
      ),
    ).toContain('&lt;!everyone&gt;');
  });

  it('says time past midnight was saved as one entry per day, with Edit for each and one Undo for both', () => {
    const message = logConfirmation([
      entry({ entryId: 7, workDate: '2026-11-20', beginsAt: '22:00', endsAt: '24:00', minutes: 120 }),
      entry({ entryId: 8, workDate: '2026-11-21', beginsAt: '00:00', endsAt: '01:30', minutes: 90 }),
    ]);
    expectWithinSlackLimits('message', message);
    expect(texts(message)).toContain('Logged *3h 30m* on *ACME-WEB*');
    expect(texts(message)).toContain('Past midnight, so saved as one entry per day:');
    expect(message.blocks.filter((block) => block.type === 'section').slice(1)).toMatchObject([
      {
        text: { text: 'Fri 20 Nov 2026 (22:00–24:00) · *2h*' },
        accessory: { action_id: ids.entry.edit, value: '7' },
      },
      {
        text: { text: 'Sat 21 Nov 2026 (00:00–01:30) · *1h 30m*' },
        accessory: { action_id: ids.entry.edit, value: '8' },
      },
    ]);
    expect(message.blocks.find((block) => block.type === 'actions')).toMatchObject({
      elements: [{ action_id: ids.entry.undo, value: '7,8' }],
    });
  });

  it('says for whom a reply acted, when a delegate acts for a principal', () => {
    expect(texts(actingForNotice(problemMessage('No timer is running.'), 'Dana <Lee>'))).toContain(
      ':busts_in_silhouette: Acting for *Dana &lt;Lee&gt;* · switch back in App Home',
    );
    expect(actingForNotice(problemMessage('x'), null)).toEqual(problemMessage('x'));
  });

  it('stays within Slack’s limits with a 500-character description', () => {
    expectWithinSlackLimits(
      'message',
      logConfirmation([
        entry({ description: 'x'.repeat(500), projectName: 'p'.repeat(200), customerName: 'c'.repeat(200) }),
      ]),
    );
  });
});

describe('log-time modal', () => {
  const model = (overrides: Partial<LogModalModel> = {}): LogModalModel => ({
    projects: [
      { code: 'ACME-WEB', name: 'Website relaunch', customerName: 'Acme Corp' },
      { code: 'GLOBEX-OPS', name: 'Operations', customerName: 'Globex' },
    ],
    logFor: [{ userId: 'UALICE', name: 'Alice' }],
    forUserId: 'UALICE',
    values: { date: '2026-11-25', billable: true },
    metadata: { source: 'modal' },
    ...overrides,
  });

  it('offers the consultant’s projects, today, optional times, duration, description and billable (checked)', () => {
    const view = logTimeModal(model());
    expectWithinSlackLimits('modal', view);
    expect(view).toMatchObject({ callback_id: ids.logModal.callbackId, title: { text: 'Log time' } });
    const blockIds = view.blocks.map((block) => block.block_id);
    expect(blockIds).toEqual(['project', 'date', 'begins', 'ends', 'duration', 'description', 'billable']);
    expect(texts(view)).toContain('ACME-WEB · Website relaunch (Acme Corp)');
    expect(texts(view)).toContain('"initial_date":"2026-11-25"');
    expect(view.blocks.find((block) => block.block_id === 'billable')).toMatchObject({
      element: { initial_options: [{ value: 'billable' }] },
    });
  });

  it('prefills every field to edit an entry: a range by its times, a duration written so it reads back', () => {
    const view = logTimeModal(
      model({
        values: {
          projectCode: 'GLOBEX-OPS',
          date: '2026-11-20',
          beginsAt: '09:00',
          endsAt: '11:30',
          minutes: 150,
          description: 'workshop',
          billable: false,
        },
        metadata: { source: 'modal', entryId: 7 },
      }),
    );
    expect(view.title.text).toBe('Edit entry');
    expect(JSON.parse(view.private_metadata!)).toEqual({ source: 'modal', entryId: 7 });
    expect(texts(view)).toContain('"initial_time":"09:00"');
    expect(texts(view)).toContain('"initial_time":"11:30"');
    expect(texts(view)).not.toContain('"initial_value":"2h30m"');
    const untimed = logTimeModal(
      model({
        values: { projectCode: 'GLOBEX-OPS', date: '2026-11-20', minutes: 150, description: 'x', billable: true },
      }),
    );
    expect(texts(untimed)).toContain('"initial_value":"2h30m"');
    expect(view.blocks.find((block) => block.block_id === 'project')).toMatchObject({
      element: { initial_option: { value: 'GLOBEX-OPS' } },
    });
    expect(view.blocks.find((block) => block.block_id === 'billable')).not.toHaveProperty('element.initial_options');
  });

  it('asks whom to log for when the user is someone’s delegate', () => {
    const view = logTimeModal(
      model({
        logFor: [
          { userId: 'UBOB', name: 'Bob' },
          { userId: 'UALICE', name: 'Alice' },
        ],
      }),
    );
    expect(view.blocks[0]).toMatchObject({
      block_id: 'log_for',
      dispatch_action: true,
      element: { initial_option: { value: 'UALICE' } },
    });
  });

  it('switches to a searchable menu past 100 projects, and stays within the limits', () => {
    const projects = Array.from({ length: 250 }, (_, i) => ({
      code: `P-${i}`,
      name: `Project ${i} ${'n'.repeat(90)}`,
      customerName: 'Big',
    }));
    const view = logTimeModal(model({ projects }));
    expectWithinSlackLimits('modal', view);
    expect(view.blocks[0]).toMatchObject({ element: { type: 'external_select', min_query_length: 0 } });
    expect(projectOptions(projects, 'p-24')).toHaveLength(11);
    expect(projectOptions(projects, '')).toHaveLength(100);
  });
});

describe('timer messages', () => {
  const timer = {
    projectCode: 'ACME-WEB',
    projectName: 'Website',
    description: 'standup <!here>',
    billable: true,
    meeting: false,
    elapsedMinutes: 665,
  };

  it('shows the running timer with Stop, and what the previous timer saved', () => {
    const message = timerStartedMessage(timer, [entry({ source: 'timer' })]);
    expectWithinSlackLimits('message', message);
    expect(texts(message)).toContain(ids.timer.stop);
    expect(texts(message)).toContain('standup &lt;!here&gt;');
    expect(texts(message)).toContain(ids.entry.undo);
  });

  it('asks how much of a long timer to keep; all of it only if it fits one day', () => {
    const asked = timerDecisionMessage(timer, 600);
    expectWithinSlackLimits('message', asked);
    expect(texts(asked)).toContain('Save 11h 5m');
    expect(texts(asked)).toContain('Save 10h');
    expect(texts(timerDecisionMessage({ ...timer, elapsedMinutes: 1500 }, 600))).not.toContain(ids.timer.saveElapsed);
  });
});
