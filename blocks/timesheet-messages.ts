import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { SlackMessage } from './log-confirmation.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { submitButton } from './timesheet-modal.js';

/** The answer to a submitted timesheet. */
export function timesheetSubmittedMessage(submitted: { period: { startsOn: string; endsOn: string }; totalMinutes: number; entryCount: number }): SlackMessage {
  const span = `${formatDay(submitted.period.startsOn)} – ${formatDay(submitted.period.endsOn)}`;
  const what = submitted.entryCount === 0 ? 'with no time' : `with ${formatMinutes(submitted.totalMinutes)} in ${submitted.entryCount} ${submitted.entryCount === 1 ? 'entry' : 'entries'}`;
  const text = `Submitted your timesheet for ${span} ${what}. Its entries are locked until it is approved or sent back.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:outbox_tray: ${text}` } }] };
}

/** An empty sheet is only submitted after the user confirms there was no time. */
export function confirmEmptySubmitMessage(periodId: number, period: { startsOn: string; endsOn: string }, message: string): SlackMessage {
  return {
    text: escapeMrkdwn(message),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:grey_question: ${escapeMrkdwn(message)}` } },
      { type: 'actions', block_id: 'confirm_empty', elements: [submitButton({ period: { id: periodId, ...period }, totals: { billableMinutes: 0, nonBillableMinutes: 0, totalMinutes: 0, entryCount: 0 } })] },
    ],
  };
}

export const TIMESHEET_HELP =
  '`/timesheet` opens this period’s timesheet · `/timesheet submit` submits it · `/timesheet history` lists earlier periods.';
