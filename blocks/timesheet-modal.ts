import type { ActionsBlock, Button, KnownBlock, ModalView } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { TimesheetEntry, TimesheetOverview } from '../src/services/timesheets.js';
import { ids } from './ids.js';
import { escapeMrkdwn, readersDay, truncate } from './mrkdwn.js';

/** The service's view of one period's sheet (type only: blocks stay pure). */
export type TimesheetView = TimesheetOverview;
export type TimesheetEntryView = TimesheetEntry;

/** Where the modal is: which period and page; kept in private_metadata. */
export type TimesheetPosition = { periodId: number; page: number };

/** Entries per page: with a heading per day and the controls, a page stays under Slack's 100 blocks. */
export const ENTRIES_PER_PAGE = 40;

const STATUS_LABEL: Record<TimesheetView['status'], string> = {
  open: ':pencil2: Open',
  submitted: ':hourglass_flowing_sand: Submitted, waiting for approval',
  approved: ':white_check_mark: Approved',
  cancelled: ':no_entry: Cancelled',
};

/** The consultant's timesheet for one period, one page of entries at a time. */
export function timesheetModal(
  sheet: TimesheetView,
  page: number,
  notice?: string,
  options: { forApprover?: { timesheetId: number }; actingForName?: string | null } = {},
): ModalView {
  const pages = Math.max(1, Math.ceil(sheet.totals.entryCount / ENTRIES_PER_PAGE));
  const current = Math.min(Math.max(page, 0), pages - 1);
  const first = current * ENTRIES_PER_PAGE;
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(notice)}` } });
  if (options.actingForName)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `:busts_in_silhouette: Acting for *${escapeMrkdwn(options.actingForName)}* · switch back in App Home`,
        },
      ],
    });

  if (options.forApprover) {
    // An approver reads every entry, page by page; the buttons name the sheet and the page.
    blocks.push(...sheetBlocks(sheet, first, false));
    const turn = (actionId: string, text: string, to: number) =>
      button(actionId, text, JSON.stringify({ timesheetId: options.forApprover!.timesheetId, page: to }));
    const paging: Button[] = [];
    if (current > 0)
      paging.push(turn(ids.approval.viewPageBack, `← Entries ${first - ENTRIES_PER_PAGE + 1}–${first}`, current - 1));
    if (current < pages - 1)
      paging.push(
        turn(
          ids.approval.viewPageOn,
          `Entries ${first + ENTRIES_PER_PAGE + 1}–${Math.min(first + 2 * ENTRIES_PER_PAGE, sheet.totals.entryCount)} →`,
          current + 1,
        ),
      );
    if (paging.length) blocks.push({ type: 'actions', block_id: 'approver_sheet_pages', elements: paging });
    return {
      type: 'modal',
      title: { type: 'plain_text', text: truncate(sheet.consultantName, 24) },
      close: { type: 'plain_text', text: 'Close' },
      blocks,
    };
  }
  blocks.push(...sheetBlocks(sheet, first, sheet.editable));

  const navigation: Button[] = [];
  const position = (periodId: number, p: number) => JSON.stringify({ periodId, page: p } satisfies TimesheetPosition);
  if (current > 0)
    navigation.push(
      button(
        ids.timesheet.pageBack,
        `← Entries ${first - ENTRIES_PER_PAGE + 1}–${first}`,
        position(sheet.period.id, current - 1),
      ),
    );
  if (current < pages - 1) {
    const last = Math.min(first + 2 * ENTRIES_PER_PAGE, sheet.totals.entryCount);
    navigation.push(
      button(
        ids.timesheet.pageOn,
        `Entries ${first + ENTRIES_PER_PAGE + 1}–${last} →`,
        position(sheet.period.id, current + 1),
      ),
    );
  }
  if (sheet.previousPeriodId !== null)
    navigation.push(button(ids.timesheet.previous, '« Previous period', position(sheet.previousPeriodId, 0)));
  if (sheet.nextPeriodId !== null)
    navigation.push(button(ids.timesheet.next, 'Next period »', position(sheet.nextPeriodId, 0)));
  if (sheet.editable) navigation.push(submitButton(sheet));
  if (navigation.length > 0)
    blocks.push({ type: 'actions', block_id: 'timesheet_actions', elements: navigation } satisfies ActionsBlock);

  return {
    type: 'modal',
    callback_id: ids.timesheet.callbackId,
    title: { type: 'plain_text', text: 'Timesheet' },
    close: { type: 'plain_text', text: 'Close' },
    private_metadata: JSON.stringify({ periodId: sheet.period.id, page: current } satisfies TimesheetPosition),
    blocks,
  };
}

/** Someone else's view of a sheet (an approver, an administrator): the first page, without entry menus. */
export function readOnlySheetBlocks(sheet: TimesheetView): KnownBlock[] {
  const blocks = sheetBlocks(sheet, 0, false);
  const hidden = sheet.totals.entryCount - Math.min(sheet.totals.entryCount, ENTRIES_PER_PAGE);
  if (hidden > 0)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${hidden} more ${hidden === 1 ? 'entry' : 'entries'} not shown here.` }],
    });
  return blocks;
}

/** Period, status, totals, and one page of entries by day from the `first` entry on. */
function sheetBlocks(sheet: TimesheetView, first: number, editable: boolean): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${formatDay(sheet.period.startsOn)} – ${formatDay(sheet.period.endsOn)}`, 150),
      },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${STATUS_LABEL[sheet.status]}${submittedLine(sheet)}` },
        {
          type: 'mrkdwn',
          text: `*Total ${formatMinutes(sheet.totals.totalMinutes)}*\n${formatMinutes(sheet.totals.billableMinutes)} billable · ${formatMinutes(sheet.totals.nonBillableMinutes)} non-billable`,
        },
      ],
    },
  ];
  if (sheet.totals.entryCount === 0) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: editable ? 'No time yet in this period. Log some with `/log`.' : 'No time was logged in this period.',
        },
      ],
    });
  }
  let index = 0;
  for (const day of sheet.days) {
    const shown = day.entries.filter(() => {
      const inPage = index >= first && index < first + ENTRIES_PER_PAGE;
      index++;
      return inPage;
    });
    if (shown.length === 0) continue;
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `*${formatDay(day.date)}* · ${formatMinutes(day.totalMinutes)}` }],
    });
    for (const entry of shown) blocks.push(entrySection(entry, editable));
  }
  return blocks;
}

/** Submit, with a dialog that says what is being sent (and, for an empty sheet, that it is empty). */
export function submitButton(
  sheet: Pick<TimesheetView, 'period'> &
    Partial<Pick<TimesheetView, 'consultantUserId'>> & {
      totals: Pick<TimesheetView['totals'], 'totalMinutes' | 'entryCount'>;
    },
): Button {
  const empty = sheet.totals.entryCount === 0;
  return {
    type: 'button',
    action_id: ids.timesheet.submit,
    style: 'primary',
    text: { type: 'plain_text', text: empty ? 'Submit with no time' : 'Submit timesheet' },
    // Whose sheet: the click submits it, whomever App Home acts for by then.
    value: JSON.stringify({ periodId: sheet.period.id, empty, for: sheet.consultantUserId }),
    confirm: {
      title: { type: 'plain_text', text: 'Submit this timesheet?' },
      text: {
        type: 'plain_text',
        text: empty
          ? `No time this period: submit an empty timesheet for ${formatDay(sheet.period.startsOn)} – ${formatDay(sheet.period.endsOn)}?`
          : `Submit ${formatMinutes(sheet.totals.totalMinutes)} in ${sheet.totals.entryCount} ${sheet.totals.entryCount === 1 ? 'entry' : 'entries'} for approval? The entries lock until a manager decides.`,
      },
      confirm: { type: 'plain_text', text: 'Submit' },
      deny: { type: 'plain_text', text: 'Not yet' },
    },
  };
}

/** The pushed dialog before an entry is deleted: exactly what goes. */
export function deleteEntryModal(
  entry: { entryId: number; projectCode: string; workDate: string; minutes: number; description: string },
  returnTo: TimesheetPosition & { viewId: string },
): ModalView {
  return {
    type: 'modal',
    callback_id: ids.timesheet.deleteConfirm,
    title: { type: 'plain_text', text: 'Delete entry' },
    submit: { type: 'plain_text', text: 'Delete' },
    close: { type: 'plain_text', text: 'Keep it' },
    private_metadata: JSON.stringify({ entryId: entry.entryId, returnTo }),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Delete *${formatMinutes(entry.minutes)}* on *${escapeMrkdwn(entry.projectCode)}*, ${formatDay(entry.workDate)}: ${escapeMrkdwn(truncate(entry.description, 500))}?`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'This removes the entry from your timesheet. It cannot be undone.' }],
      },
    ],
  };
}

function entrySection(entry: TimesheetEntryView, editable: boolean): KnownBlock {
  const icon = entry.source === 'meeting' ? ':calendar: ' : '';
  const times = entry.beginsAt && entry.endsAt ? ` ${entry.beginsAt}–${entry.endsAt}` : '';
  const billing = entry.billable ? '' : ' · _non-billable_';
  const text = `${icon}*${formatMinutes(entry.minutes)}*${times} · *${escapeMrkdwn(entry.projectCode)}* ${escapeMrkdwn(truncate(entry.projectName, 60))}${billing}\n${escapeMrkdwn(truncate(entry.description, 500))}`;
  if (!editable) return { type: 'section', text: { type: 'mrkdwn', text } };
  return {
    type: 'section',
    block_id: `entry_${entry.entryId}`,
    text: { type: 'mrkdwn', text },
    accessory: {
      type: 'overflow',
      action_id: ids.timesheet.entryMenu,
      options: [
        { text: { type: 'plain_text', text: 'Edit' }, value: `edit:${entry.entryId}` },
        { text: { type: 'plain_text', text: 'Delete…' }, value: `delete:${entry.entryId}` },
      ],
    },
  };
}

function submittedLine(sheet: TimesheetView): string {
  if (!sheet.submittedAt) return '';
  const by =
    sheet.submittedByName && sheet.submittedByName !== sheet.consultantName
      ? ` by ${escapeMrkdwn(sheet.submittedByName)}`
      : '';
  return `\nsince ${readersDay(sheet.submittedAt, formatDay(sheet.submittedAt.toISOString().slice(0, 10)))}${by}`;
}

function button(actionId: string, text: string, value: string): Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value };
}
