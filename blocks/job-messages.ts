import type { KnownBlock } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { ApprovalNudgeModel } from '../src/services/approval-nudges.js';
import type { DeadLetterDigestModel } from '../src/services/dead-letters.js';
import type { MissingTimeNudgeModel } from '../src/services/missing-time-nudges.js';
import type { PeriodCloseModel } from '../src/services/period-close.js';
import type { PeriodReminderModel } from '../src/services/period-reminders.js';
import { undeliveredBlocks } from './home.js';
import { ids } from './ids.js';
import type { SlackMessage } from './log-confirmation.js';
import { escapeMrkdwn, linesWithin, truncate } from './mrkdwn.js';
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
    : `:spiral_calendar_pad: Today is the last working day of the period *${span(model.period)}*: please check your time and submit your timesheet.`;
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
          value: model.userId
            ? JSON.stringify({ periodId: model.period.id, for: model.userId })
            : String(model.period.id),
        },
        submitButton({ period: model.period, totals: model, consultantUserId: model.userId }),
      ],
    },
  ];
  return { text: `Your timesheet for ${span(model.period)} is not submitted yet`, blocks };
}

/** The missing-time nudge: the working day without time, and Log time opening the log form on it. */
export function missingTimeNudgeMessage(model: MissingTimeNudgeModel): SlackMessage {
  const day = formatDay(model.date);
  return {
    text: `No time logged for ${day}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:pencil: You have no time logged for *${day}*. If you worked that day, log it while you remember.`,
        },
      },
      {
        type: 'actions',
        block_id: 'missing_time_actions',
        elements: [
          {
            type: 'button',
            action_id: ids.home.logTime,
            style: 'primary',
            text: { type: 'plain_text', text: 'Log time' },
            value: model.date,
          },
        ],
      },
    ],
  };
}

/**
 * A morning digest: each waiting sheet with Approve and Open. A delegate's names the away manager
 * whose decision each sheet is.
 */
export function approvalNudgeMessage(model: ApprovalNudgeModel): SlackMessage {
  const count = model.sheets.length;
  const away = [...new Set(model.sheets.flatMap((sheet) => (sheet.forManager ? [sheet.forManager] : [])))];
  const own = model.sheets.some((sheet) => !sheet.forManager);
  const waited = `${count === 1 ? 'A timesheet has' : `${count} timesheets have`} waited more than a day for ${own ? 'your decision' : 'a decision'}`;
  const standIn = away.length
    ? ` ${own ? 'Some are' : count === 1 ? 'It is' : 'They are'} for ${away.map((name) => `*${escapeMrkdwn(name)}*`).join(', ')}, who ${away.length === 1 ? 'is' : 'are'} away: you are the delegate, so you can decide them.`
    : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`:hourglass_flowing_sand: ${waited}.${standIn}`, 3000) },
    },
  ];
  for (const sheet of model.sheets.slice(0, SHEETS_SHOWN)) {
    blocks.push(
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${escapeMrkdwn(sheet.consultantName)}* · ${span(sheet.period)} · ${formatMinutes(sheet.totalMinutes)}${sheet.forManager ? ` · for ${escapeMrkdwn(sheet.forManager)}` : ''}`,
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
  const forWhom = own ? 'your decision' : `a decision of ${away.map(escapeMrkdwn).join(', ')} (away)`;
  return { text: `${count} ${count === 1 ? 'timesheet waits' : 'timesheets wait'} for ${forWhom}`, blocks };
}

/** Undelivered messages listed in one digest (two blocks each, under the 50-block limit). */
const DEAD_SHOWN = 20;

/** The daily digest to an administrator of messages the outbox gave up on, each with Resend and Dismiss. */
export function deadLetterDigestMessage(model: DeadLetterDigestModel): SlackMessage {
  const { count, recent } = model;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:rotating_light: *${count} Slack ${count === 1 ? 'message was' : 'messages were'} not delivered.* Resend one once its cause is fixed (the app invited, the channel unarchived), or dismiss it.`,
      },
    },
    ...recent.slice(0, DEAD_SHOWN).flatMap((m) => undeliveredBlocks(m)),
  ];
  if (count > Math.min(recent.length, DEAD_SHOWN))
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `The ${Math.min(recent.length, DEAD_SHOWN)} newest are shown; App Home and \`consultracker outbox list\` show all.`,
        },
      ],
    });
  return { text: `${count} Slack ${count === 1 ? 'message was' : 'messages were'} not delivered`, blocks };
}

/** Names listed in a checklist line before "and N more" (a section holds 3,000 characters). */
const NAMES_SHOWN = 40;

const names = (list: string[]) =>
  list.length > NAMES_SHOWN
    ? `${list.slice(0, NAMES_SHOWN).map(escapeMrkdwn).join(', ')} and ${list.length - NAMES_SHOWN} more`
    : list.map(escapeMrkdwn).join(', ');

/** The period close in the finance channel: the checklist and the invoice drafts; the summaries follow in its thread. */
export function periodCloseMessage(model: PeriodCloseModel): SlackMessage {
  const { sheets } = model;
  const why =
    model.reason === 'decided'
      ? 'every timesheet is decided'
      : 'the days allowed after its end have passed (`/admin` > Settings, Period close after)';
  const checklist: string[] = [
    // Not submitted counts open sheets and consultants without one, as the line below lists them.
    `${sheets.approved} approved · ${sheets.submitted} waiting for a decision · ${model.notSubmitted.length} not submitted`,
    model.notSubmitted.length
      ? `:white_square: *Not submitted:* ${names(model.notSubmitted)}`
      : ':white_check_mark: Everyone has submitted.',
  ];
  const waiting = model.waiting
    .slice(0, NAMES_SHOWN)
    .map(
      (sheet) => `:white_square: ${escapeMrkdwn(sheet.consultantName)}’s timesheet waits for ${names(sheet.approvers)}`,
    );
  if (model.waiting.length > NAMES_SHOWN) waiting.push(`and ${model.waiting.length - NAMES_SHOWN} more timesheets`);
  checklist.push(...(waiting.length ? waiting : [':white_check_mark: No timesheet waits for a decision.']));

  const invoices =
    'refused' in model.invoices
      ? [`No invoices were drafted: ${escapeMrkdwn(model.invoices.refused)}`]
      : [
          model.invoices.drafted.length
            ? `*Invoice drafts* (each posted here to check and issue): ${model.invoices.drafted
                .map((d) => `${escapeMrkdwn(d.customerCode)} ${escapeMrkdwn(d.total)}`)
                .join(', ')}`
            : '*Invoice drafts:* none, no hourly customer has approved billable time left to invoice.',
          ...model.invoices.skipped.map(
            (s) => `_${escapeMrkdwn(s.customerCode)} not drafted: ${escapeMrkdwn(s.reason)}_`,
          ),
        ];
  const reportName = (kind: 'ar' | 'ap') => (kind === 'ar' ? 'Accounts Receivable' : 'Accounts Payable');
  const attached = model.reports.filter((r) => r.attached).map((r) => reportName(r.kind));
  const empty = model.reports.filter((r) => !r.attached).map((r) => reportName(r.kind));
  const files = [
    attached.length ? `The ${attached.join(' and ')} summaries (PDF and CSV) follow in the thread.` : '',
    empty.length ? `No approved time for the ${empty.join(' or ')} summary.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `:card_index_dividers: *Period close: ${span(model.period)}* — ${why}.` },
    },
    { type: 'section', text: { type: 'mrkdwn', text: linesWithin(checklist, (n) => `and ${n} more lines`) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: linesWithin(invoices, (n) => `and ${n} more: \`/invoice list\` lists every draft`),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: files }] },
  ];
  return { text: `Period close: ${span(model.period)}`, blocks };
}
