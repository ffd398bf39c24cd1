import type { KnownBlock } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { ApprovalNudgeModel } from '../src/services/approval-nudges.js';
import type { PeriodReminderModel } from '../src/services/period-reminders.js';
import { ids } from './ids.js';
import type { SlackMessage } from './log-confirmation.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { submitButton } from './timesheet-modal.js';

/** Days listed in a reminder before "and N more days" (a section holds 3,000 characters). */
const DAYS_SHOWN = 31;
/** Sheets listed in a digest: each is a section and an actions block, and a message holds 50 blocks. */
const SHEETS_SHOWN = 20;

const span = (period: { startsOn: string; endsOn: string }) =>
  `${formatDay(period.startsOn)} – ${formatDay(period.endsOn)}`;

/** The period-end reminder: hours per day so far, and Open timesheet / Submit. */
export function periodReminderMessage(model: PeriodReminderModel): SlackMessage {
  const lead = model.last
    ? `:alarm_clock: Last reminder: your timesheet for *${span(model.period)}* is not submitted yet.`
    : `:spiral_calendar_pad: The period *${span(model.period)}* ends today: please check your time and submit your timesheet.`;
  const dayLines = model.days
    .slice(0, DAYS_SHOWN)
    .map((day) => `${formatDay(day.date)}  *${formatMinutes(day.minutes)}*`);
  if (model.days.length > DAYS_SHOWN) dayLines.push(`and ${model.days.length - DAYS_SHOWN} more days`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: lead } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: model.days.length
          ? `${dayLines.join('\n')}\nTotal *${formatMinutes(model.totalMinutes)}*`
          : 'No time logged in this period yet. Log some with `/log`.',
      },
    },
    {
      type: 'actions',
      block_id: 'period_reminder_actions',
      elements: [
        {
          type: 'button',
          action_id: ids.timesheet.open,
          text: { type: 'plain_text', text: 'Open timesheet' },
          value: String(model.period.id),
        },
        submitButton({ period: model.period, totals: model }),
      ],
    },
  ];
  return { text: `Your timesheet for ${span(model.period)} is not submitted yet`, blocks };
}

/** A manager's morning digest: each waiting sheet with Approve and Open. */
export function approvalNudgeMessage(model: ApprovalNudgeModel): SlackMessage {
  const count = model.sheets.length;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:hourglass_flowing_sand: ${count === 1 ? 'A timesheet has' : `${count} timesheets have`} waited more than a day for your decision.`,
      },
    },
  ];
  for (const sheet of model.sheets.slice(0, SHEETS_SHOWN)) {
    blocks.push(
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${escapeMrkdwn(sheet.consultantName)}* · ${span(sheet.period)} · ${formatMinutes(sheet.totalMinutes)}`,
        },
      },
      {
        type: 'actions',
        block_id: `nudge_${sheet.approvalId}`,
        elements: [
          {
            type: 'button',
            action_id: ids.approval.approve,
            style: 'primary',
            text: { type: 'plain_text', text: 'Approve' },
            value: String(sheet.approvalId),
          },
          {
            type: 'button',
            action_id: ids.approval.view,
            text: { type: 'plain_text', text: 'Open' },
            value: String(sheet.timesheetId),
          },
        ],
      },
    );
  }
  if (count > SHEETS_SHOWN) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `and ${count - SHEETS_SHOWN} more: \`/approvals\` lists them all.` }],
    });
  }
  return { text: `${count} ${count === 1 ? 'timesheet waits' : 'timesheets wait'} for your decision`, blocks };
}
