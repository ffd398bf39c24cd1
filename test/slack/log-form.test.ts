import { describe, expect, it } from 'vitest';
import { readLogForm } from '../../src/slack/log-form.js';
import { shortcutDescription } from '../../src/slack/log-modal.js';

const state = (fields: {
  project?: string;
  date?: string;
  begins?: string;
  ends?: string;
  duration?: string;
  description?: string;
  billable?: boolean;
  logFor?: string;
}) => ({
  ...(fields.logFor
    ? { log_for: { log_for_select: { type: 'static_select', selected_option: { value: fields.logFor } } } }
    : {}),
  project: {
    project_select: { type: 'static_select', selected_option: fields.project ? { value: fields.project } : null },
  },
  date: { date_pick: { type: 'datepicker', selected_date: fields.date ?? null } },
  begins: { begins_pick: { type: 'timepicker', selected_time: fields.begins ?? null } },
  ends: { ends_pick: { type: 'timepicker', selected_time: fields.ends ?? null } },
  duration: { duration_input: { type: 'plain_text_input', value: fields.duration ?? null } },
  description: { description_input: { type: 'plain_text_input', value: fields.description ?? null } },
  billable: {
    billable_check: { type: 'checkboxes', selected_options: fields.billable ? [{ value: 'billable' }] : [] },
  },
});

describe('reading the log-time modal', () => {
  it('reads a duration entry', () => {
    expect(
      readLogForm(
        state({
          project: 'ACME-WEB',
          date: '2026-11-20',
          duration: '2h30m',
          description: ' workshop ',
          billable: true,
        }),
      ),
    ).toEqual({
      ok: true,
      form: {
        fields: {
          projectCode: 'ACME-WEB',
          date: { kind: 'iso', date: '2026-11-20' },
          minutes: 150,
          description: 'workshop',
          billable: true,
        },
        forUserId: undefined,
      },
    });
  });

  it('fills the duration from begin and end, and reads whom to log for', () => {
    const read = readLogForm(
      state({
        project: 'ACME-WEB',
        date: '2026-11-20',
        begins: '09:00',
        ends: '11:30',
        description: 'x',
        logFor: 'UALICE',
      }),
    );
    expect(read).toMatchObject({
      ok: true,
      form: { fields: { minutes: 150, beginsAt: '09:00', endsAt: '11:30', billable: false }, forUserId: 'UALICE' },
    });
  });

  it('says on each field what is wrong', () => {
    expect(readLogForm(state({}))).toEqual({
      ok: false,
      errors: {
        project: 'Choose a project.',
        date: 'Choose a date.',
        description: 'Say what you worked on.',
        duration: 'Give a duration, or a begin and an end time.',
      },
    });
    expect(readLogForm(state({ project: 'P', date: '2026-11-20', description: 'x', duration: 'lots' }))).toMatchObject({
      ok: false,
      errors: { duration: expect.stringMatching(/"lots" is not a duration/) },
    });
    expect(
      readLogForm(state({ project: 'P', date: '2026-11-20', description: 'x', begins: '11:00', ends: '10:00' })),
    ).toMatchObject({ ok: false, errors: { ends: 'The end must be after the begin (11:00).' } });
    expect(readLogForm(state({ project: 'P', date: '2026-11-20', description: 'x', begins: '11:00' }))).toMatchObject({
      ok: false,
      errors: { ends: expect.stringMatching(/both/) },
    });
    // An end at 00:00 after a begin is midnight (Slack's timepicker has no 24:00).
    expect(
      readLogForm(state({ project: 'P', date: '2026-11-20', description: 'x', begins: '22:00', ends: '00:00' })),
    ).toMatchObject({ ok: true, form: { fields: { beginsAt: '22:00', endsAt: '24:00', minutes: 120 } } });
    // A duration typed with the range goes to the service, which knows the consultant's zone.
    expect(
      readLogForm(
        state({ project: 'P', date: '2026-11-20', description: 'x', begins: '09:00', ends: '10:00', duration: '2h' }),
      ),
    ).toMatchObject({ ok: true, form: { fields: { beginsAt: '09:00', endsAt: '10:00', statedMinutes: 120 } } });
  });
});

describe('a message as a description', () => {
  it('decodes entities, makes mentions and links readable, and keeps to 500 characters', () => {
    expect(
      shortcutDescription(
        'Fix &lt;b&gt; for <@U123> see <https://x.test/a|the spec> and <https://y.test>\n\nnow &amp; then',
      ),
    ).toBe('Fix <b> for @U123 see the spec and https://y.test now & then');
    expect(shortcutDescription('a'.repeat(800))).toHaveLength(500);
  });
});
