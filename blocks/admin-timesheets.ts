import type { ActionsBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { TimesheetOverview } from '../src/services/timesheets.js';
import { checkboxGroups } from './checkbox-groups.js';
import { ids } from './ids.js';
import { escapedWithin, escapeMrkdwn, joinWithin, SECTION_TEXT_LIMIT, truncate } from './mrkdwn.js';
import { readOnlySheetBlocks } from './timesheet-modal.js';
import { MAX_MENU_OPTIONS } from './record-select.js';

export type AdminSheetView = {
  timesheetId: number;
  consultantName: string;
  period: { startsOn: string; endsOn: string };
  status: TimesheetOverview['status'];
  totalMinutes: number;
  entryCount: number;
};
/** Approved sheets in a send-back or delete dialog: those that go, the prepaid time they give back, those a live invoice holds. */
export type ApprovedInDialog = {
  removable: number[];
  creditBack: { customerName: string; minutes: number }[];
  held: { consultantName: string; label: string; customerCode: string }[];
};
/** Where a decision dialog returns: the filtered list, or the one sheet's page it was opened from. */
export type SheetsBack = { filter: SheetFilter; timesheetId?: number };
export type SheetFilter = {
  consultantUserId?: string;
  periodStartsOn?: string;
  projectCode?: string;
  customerCode?: string;
};

/** What a filter of the timesheets list chooses among. */
type FilterKind = 'period' | 'project' | 'customer';

/** How a period reads in the filter's menu. */
const periodFilterLabel = (startsOn: string): string => `Period from ${formatDay(startsOn)}`;

/** A filter's menu options: all of them, or past 100 those found for what the administrator typed. */
export function filterOptions(kind: FilterKind, values: string[]): PlainTextOption[] {
  const label = kind === 'period' ? periodFilterLabel : (code: string) => code;
  return values.map((v) => ({ text: { type: 'plain_text', text: truncate(label(v), 75) }, value: v }));
}

/** Timesheets for administrators: filters, the matching sheets to mark, and Approve / Reject / Delete marked. */
export function adminTimesheetsModal(
  sheets: AdminSheetView[],
  choices: { periods: string[]; projects: string[]; customers: string[] },
  filter: SheetFilter,
  notice?: string,
  more = false,
): ModalView {
  const select = (
    actionId: string,
    placeholder: string,
    kind: FilterKind,
    values: string[],
    initial: string | undefined,
  ) => {
    // More than a menu holds: a search as the administrator types (the filter's options route).
    if (values.length > MAX_MENU_OPTIONS)
      return {
        type: 'external_select' as const,
        action_id: actionId,
        min_query_length: 0,
        placeholder: { type: 'plain_text' as const, text: `${placeholder} (type to search)` },
        ...(initial ? { initial_option: filterOptions(kind, [initial])[0]! } : {}),
      };
    const options = filterOptions(kind, values);
    const chosen = options.find((o) => o.value === initial);
    return {
      type: 'static_select' as const,
      action_id: actionId,
      placeholder: { type: 'plain_text' as const, text: placeholder },
      options: options.length ? options : [{ text: { type: 'plain_text' as const, text: 'none yet' }, value: '-' }],
      ...(chosen ? { initial_option: chosen } : {}),
    };
  };
  const blocks: KnownBlock[] = [];
  if (notice)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapedWithin(notice, SECTION_TEXT_LIMIT) } });
  blocks.push({
    type: 'actions',
    block_id: 'admin_ts_filters',
    elements: [
      {
        type: 'users_select',
        action_id: ids.admin.filterConsultant,
        placeholder: { type: 'plain_text', text: 'Any consultant' },
        ...(filter.consultantUserId ? { initial_user: filter.consultantUserId } : {}),
      },
      select(ids.admin.filterPeriod, 'Any period', 'period', choices.periods, filter.periodStartsOn),
      select(ids.admin.filterProject, 'Any project', 'project', choices.projects, filter.projectCode),
      select(ids.admin.filterCustomer, 'Any customer', 'customer', choices.customers, filter.customerCode),
    ],
  });
  const shown = sheets.slice(0, 100);
  blocks.push(
    ...checkboxGroups(ids.admin.markedSheets, shown, (s) => ({ label: sheetLabel(s), value: s.timesheetId })),
  );
  if (more || sheets.length > shown.length)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `More timesheets match: these are the newest ${shown.length}. Narrow the list by consultant, period, project or customer.`,
        },
      ],
    });
  if (sheets.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No timesheets match.' } });
  else {
    blocks.push({
      type: 'actions',
      block_id: 'admin_ts_actions',
      elements: [
        {
          type: 'button',
          action_id: ids.admin.approveSheets,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve marked' },
          value: 'approve',
        },
        {
          type: 'button',
          action_id: ids.admin.rejectSheets,
          text: { type: 'plain_text', text: 'Reject marked…' },
          value: 'reject',
        },
        {
          type: 'button',
          action_id: ids.admin.deleteSheets,
          style: 'danger',
          text: { type: 'plain_text', text: 'Delete marked…' },
          value: 'delete',
        },
        {
          type: 'static_select',
          action_id: ids.admin.openSheet,
          placeholder: { type: 'plain_text', text: 'Open…' },
          options: shown.map((s) => ({
            text: { type: 'plain_text', text: truncate(sheetLabel(s), 75) },
            value: String(s.timesheetId),
          })),
        },
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: ids.admin.timesheetsModal,
    title: { type: 'plain_text', text: 'Timesheets' },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify(filter),
    blocks,
  };
}

function sheetLabel(s: AdminSheetView): string {
  return `${s.consultantName} · ${formatDay(s.period.startsOn).slice(0, -5)} · ${s.status} · ${formatMinutes(s.totalMinutes)}`;
}

/** One sheet for an administrator: its entries, and Approve / Reject / Delete as its state allows. */
export function adminSheetModal(
  sheet: TimesheetOverview,
  timesheetId: number,
  filter: SheetFilter,
  notice?: string,
): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapedWithin(notice, SECTION_TEXT_LIMIT) } });
  blocks.push(
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(sheet.consultantName)}*` } },
    ...readOnlySheetBlocks(sheet),
  );
  const value = String(timesheetId);
  const elements: ActionsBlock['elements'] = [];
  if (sheet.status === 'approved')
    elements.push({
      type: 'button',
      action_id: ids.admin.sheetReject,
      text: { type: 'plain_text', text: 'Send back…' },
      value,
    });
  if (sheet.status === 'submitted') {
    elements.push(
      {
        type: 'button',
        action_id: ids.admin.sheetApprove,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value,
        confirm: {
          title: { type: 'plain_text', text: 'Approve over the managers?' },
          text: {
            type: 'plain_text',
            text: truncate(
              `Approve ${sheet.consultantName}'s ${formatMinutes(sheet.totals.totalMinutes)} fully, without waiting for the managers' decisions?`,
              300,
            ),
          },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Not yet' },
        },
      },
      { type: 'button', action_id: ids.admin.sheetReject, text: { type: 'plain_text', text: 'Reject…' }, value },
    );
  }
  if (sheet.status === 'open' || sheet.status === 'submitted' || sheet.status === 'approved')
    elements.push({
      type: 'button',
      action_id: ids.admin.sheetDelete,
      style: 'danger',
      text: { type: 'plain_text', text: 'Delete…' },
      value,
    });
  elements.push({
    type: 'button',
    action_id: ids.admin.backToSheets,
    text: { type: 'plain_text', text: '← All timesheets' },
    value: 'timesheets',
  });
  blocks.push({ type: 'actions', block_id: 'admin_ts_sheet_actions', elements });
  return {
    type: 'modal',
    callback_id: ids.admin.sheetPage,
    title: { type: 'plain_text', text: truncate(sheet.consultantName, 24) },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify({ timesheetId, filter }),
    blocks,
  };
}

/** Approved sheets held by live invoices named one by one; the rest are counted (`moreHeld`). */
export const HELD_SHOWN = 10;

/** The sentence for approved sheets held by invoices beyond those named. */
export function moreHeld(count: number): string {
  return `${count} more approved ${count === 1 ? 'timesheet has' : 'timesheets have'} time on live invoices and ${count === 1 ? 'is' : 'are'} left as ${count === 1 ? 'it is' : 'they are'}: void those invoices first.`;
}

/**
 * Reject (asks a reason) or delete (says what goes, with counts) the marked sheets. Approved ones
 * among them: the dialog says their approved time is removed or sent back and the prepaid time
 * credited back, and which are held by a live invoice (left out).
 */
export function sheetsDecisionModal(
  decision: 'reject' | 'delete',
  marked: AdminSheetView[],
  skipped: number,
  parentViewId: string,
  back: SheetsBack,
  approved: ApprovedInDialog = { removable: [], creditBack: [], held: [] },
): ModalView {
  const minutes = marked.reduce((sum, s) => sum + s.totalMinutes, 0);
  const entries = marked.reduce((sum, s) => sum + s.entryCount, 0);
  const sheets = `${marked.length} ${marked.length === 1 ? 'timesheet' : 'timesheets'}`;
  const text = [
    decision === 'delete'
      ? `Delete ${sheets} (${entries} ${entries === 1 ? 'entry' : 'entries'}, ${formatMinutes(minutes)})? Their entries go with them.`
      : `Send back ${sheets}? Each consultant gets the reason and an open copy to fix.`,
  ];
  const removing = marked.filter((s) => approved.removable.includes(s.timesheetId));
  if (removing.length) {
    const time = formatMinutes(removing.reduce((sum, s) => sum + s.totalMinutes, 0));
    const which = removing.length === 1 ? '1 of them is' : `${removing.length} of them are`;
    text.push(
      decision === 'delete'
        ? `${which} *approved*: the approval is withdrawn and ${time} of approved time is removed from pay, reports and invoicing (kept only as the record of what was approved).`
        : `${which} *approved*: the approval is withdrawn and ${time} of approved time is sent back, out of pay, reports and invoicing until it is approved again.`,
    );
    if (approved.creditBack.length)
      text.push(
        `Prepaid hours are credited back: ${approved.creditBack.map((c) => `${formatMinutes(c.minutes)} to ${escapeMrkdwn(c.customerName)}`).join(', ')}${decision === 'reject' ? ' (deducted again when approved again)' : ''}.`,
      );
  }
  if (skipped > 0) {
    const kept =
      decision === 'delete'
        ? 'cancelled: kept as the record of a rejection'
        : 'not submitted or approved: nothing to send back';
    text.push(`${skipped} other marked ${skipped === 1 ? 'timesheet is' : 'timesheets are'} ${kept}.`);
  }
  for (const held of approved.held.slice(0, HELD_SHOWN))
    text.push(
      `${escapeMrkdwn(held.consultantName)}'s approved timesheet is left as it is: its time is on ${escapeMrkdwn(held.label)} (${escapeMrkdwn(held.customerCode)}); void that invoice first.`,
    );
  if (approved.held.length > HELD_SHOWN) text.push(moreHeld(approved.held.length - HELD_SHOWN));
  const said = joinWithin(
    text,
    ' ',
    SECTION_TEXT_LIMIT,
    (left) => `(${left} more ${left === 1 ? 'line' : 'lines'} not shown.)`,
  );
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: said } }];
  if (decision === 'reject') {
    blocks.push({
      type: 'input',
      block_id: ids.approval.reason.block,
      label: { type: 'plain_text', text: 'Reason' },
      element: { type: 'plain_text_input', action_id: ids.approval.reason.action, multiline: true, max_length: 500 },
    });
  }
  return {
    type: 'modal',
    callback_id: ids.admin.sheetsDecision,
    title: { type: 'plain_text', text: decision === 'delete' ? 'Delete timesheets' : 'Send back' },
    submit: { type: 'plain_text', text: decision === 'delete' ? 'Delete' : 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ decision, timesheetIds: marked.map((s) => s.timesheetId), parentViewId, back }),
    blocks,
  };
}
