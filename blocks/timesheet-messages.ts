import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { TimeRemovedModel } from '../src/services/approval-messages.js';
import type { SlackMessage } from './log-confirmation.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { submitButton } from './timesheet-modal.js';

/** The answer to a submitted timesheet. */
export function timesheetSubmittedMessage(submitted: {
  period: { startsOn: string; endsOn: string };
  totalMinutes: number;
  entryCount: number;
}): SlackMessage {
  const span = `${formatDay(submitted.period.startsOn)} – ${formatDay(submitted.period.endsOn)}`;
  const what =
    submitted.entryCount === 0
      ? 'with no time'
      : `with ${formatMinutes(submitted.totalMinutes)} in ${submitted.entryCount} ${submitted.entryCount === 1 ? 'entry' : 'entries'}`;
  const text = `Submitted your timesheet for ${span} ${what}. Its entries are locked until it is approved or sent back.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:outbox_tray: ${text}` } }] };
}

/** An empty sheet is only submitted after the user confirms there was no time. */
export function confirmEmptySubmitMessage(
  periodId: number,
  period: { startsOn: string; endsOn: string },
  consultantUserId: string,
  message: string,
): SlackMessage {
  return {
    text: escapeMrkdwn(message),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:grey_question: ${escapeMrkdwn(message)}` } },
      {
        type: 'actions',
        block_id: 'confirm_empty',
        elements: [
          submitButton({
            period: { id: periodId, ...period },
            consultantUserId,
            totals: { totalMinutes: 0, entryCount: 0 },
          }),
        ],
      },
    ],
  };
}

/** To the consultant: removed projects took time off their open or submitted timesheet, and what is left of it. */
export function timeRemovedMessage(model: TimeRemovedModel): SlackMessage {
  const span = `${formatDay(model.period.startsOn)} – ${formatDay(model.period.endsOn)}`;
  const what = model.removed.map((r) => `${escapeMrkdwn(r.code)} (${formatMinutes(r.minutes)})`).join(', ');
  const now = {
    open: 'The timesheet stays open for the rest of your time.',
    deleted: 'Nothing else was on it, so the timesheet is gone.',
    approved: 'Everything left on it is approved.',
    submitted: 'The rest still waits for approval.',
  }[model.sheetNow];
  const text = `An administrator removed ${what} and the time on ${model.removed.length === 1 ? 'it' : 'them'} from your ${model.sheetNow === 'open' ? '' : 'submitted '}timesheet for ${span}. ${now}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:scissors: ${text}` } }] };
}
