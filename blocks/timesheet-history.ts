import type { KnownBlock } from '@slack/types';
import { addDays, formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import { ids } from './ids.js';
import type { SlackMessage } from './log-confirmation.js';

export type HistoryRowView = {
  periodId: number;
  startsOn: string;
  endsOn: string;
  status: 'open' | 'submitted' | 'approved' | 'cancelled' | 'not started';
  totalMinutes: number;
  billableMinutes: number;
};

const STATUS: Record<HistoryRowView['status'], string> = {
  open: ':pencil2: open, not submitted',
  submitted: ':hourglass_flowing_sand: submitted',
  approved: ':white_check_mark: approved',
  cancelled: ':no_entry: cancelled',
  'not started': ':white_circle: no time logged',
};

/**
 * Earlier periods, newest first, each with its status, totals and a View button (read-only modal);
 * `more`: older periods exist than those given.
 */
export function timesheetHistoryMessage(rows: HistoryRowView[], more = false): SlackMessage {
  if (rows.length === 0) {
    return {
      text: 'No earlier periods yet.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'No earlier reporting periods yet.' } }],
    };
  }
  // A message holds 50 blocks: the heading plus one line per period.
  const shown = rows.slice(0, 40);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: '*Your earlier timesheets*' } }];
  for (const row of shown) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${formatDay(row.startsOn)} – ${formatDay(row.endsOn)}*\n${STATUS[row.status]} · ${formatMinutes(row.totalMinutes)} (${formatMinutes(row.billableMinutes)} billable)`,
      },
      accessory: {
        type: 'button',
        action_id: ids.timesheet.open,
        text: { type: 'plain_text', text: 'View' },
        value: String(row.periodId),
      },
    });
  }
  if (more || rows.length > shown.length)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Older periods are not shown: \`/timesheet ${addDays(shown.at(-1)!.startsOn, -1)}\` opens the one before these (any date opens the period holding it).`,
        },
      ],
    });
  return { text: `Your earlier timesheets: ${rows.length} periods`, blocks };
}
