import type { Button, KnownBlock, ModalView } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import { checkboxGroups } from './checkbox-groups.js';
import { deductionLine } from './credit-messages.js';
import { ids } from './ids.js';
import type { ApprovalRequestModel, TimesheetDecidedModel } from '../src/services/approval-messages.js';
import type { SlackMessage } from './log-confirmation.js';
import { escapeMrkdwn, readersDay, SECTION_TEXT_LIMIT, truncate } from './mrkdwn.js';
import { describePeriods } from '../src/domain/report-periods.js';

/** The service's model of one approver's message (type only: blocks stay pure). */
export type ApprovalRequestView = ApprovalRequestModel;

/** Entries listed in a DM before "N more" (a message holds 50 blocks and 3,000 characters per section). */
export const ENTRIES_SHOWN = 25;
/** Projects shown with their entries; more fold into one line (a message holds 50 blocks). */
const PROJECTS_SHOWN = 30;

/** One manager's DM about one timesheet, in whatever state it is now. */
export function approvalRequestMessage(view: ApprovalRequestView): SlackMessage {
  const span = `${formatDay(view.period.startsOn)} – ${formatDay(view.period.endsOn)}`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:clipboard: *${escapeMrkdwn(view.consultantName)}* submitted a timesheet for *${span}*`,
      },
    },
  ];
  if (view.selfApproval) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: ':warning: This is your own timesheet. You are the firm’s only administrator, so you decide it yourself; the audit trail records it as a self-approval.',
        },
      ],
    });
  } else if (view.route === 'admin_fallback') {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'You get this as an administrator: these projects have no other manager to approve them. One administrator’s approval is enough.',
        },
      ],
    });
  }

  let shown = 0;
  let hidden = 0;
  // A message holds 50 blocks: past PROJECTS_SHOWN projects, the rest are one line.
  const rest = view.projects.slice(PROJECTS_SHOWN);
  for (const project of view.projects.slice(0, PROJECTS_SHOWN)) {
    const lines: string[] = [];
    for (const entry of project.entries) {
      if (shown + lines.length >= ENTRIES_SHOWN) {
        hidden++;
        continue;
      }
      lines.push(
        `${formatDay(entry.date).slice(0, -5)} · ${formatMinutes(entry.minutes)} · ${escapeMrkdwn(truncate(entry.description, 80))}${entry.billable ? '' : ' _(non-billable)_'}`,
      );
    }
    const heading = `*${escapeMrkdwn(project.code)}* ${escapeMrkdwn(truncate(project.name, 60))} · *${formatMinutes(project.totalMinutes)}*`;
    // Whole lines while the section holds them (escaping lengthens a description); the rest count as not shown.
    const kept: string[] = [];
    let length = heading.length;
    for (const line of lines) {
      length += 1 + line.length;
      if (length > SECTION_TEXT_LIMIT) break;
      kept.push(line);
    }
    shown += kept.length;
    hidden += lines.length - kept.length;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: [heading, ...kept].join('\n') } });
  }
  const more = [
    ...(hidden > 0 ? [`${hidden} more ${hidden === 1 ? 'entry' : 'entries'}`] : []),
    ...(rest.length > 0
      ? [
          `${rest.length} more ${rest.length === 1 ? 'project' : 'projects'} (${formatMinutes(rest.reduce((sum, p) => sum + p.totalMinutes, 0))})`,
        ]
      : []),
  ];
  if (more.length > 0)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${more.join(' and ')}: press View timesheet to see them all.` }],
    });
  if (view.projects.length === 0)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'No time this period: the consultant submitted an empty timesheet.' },
    });
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `Whole timesheet: *${formatMinutes(view.sheetTotalMinutes)}* · ${decisionsLine(view)}` },
    ],
  });

  const myTurn = view.sheetStatus === 'submitted' && view.myStatus === 'pending';
  if (myTurn && view.prepaid?.length)
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: view.prepaid.map((p) => `:hourglass_flowing_sand: ${deductionLine(p)}`).join('\n') },
      ],
    });

  const state = stateLine(view);
  if (state) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: state } });
  const buttons: Button[] = [];
  if (myTurn) {
    buttons.push(
      {
        type: 'button',
        action_id: ids.approval.approve,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value: String(view.approvalId),
      },
      {
        type: 'button',
        action_id: ids.approval.reject,
        style: 'danger',
        text: { type: 'plain_text', text: 'Reject…' },
        value: String(view.approvalId),
      },
    );
  }
  if (view.sheetStatus !== 'deleted' && view.myStatus !== 'withdrawn')
    buttons.push({
      type: 'button',
      action_id: ids.approval.view,
      text: { type: 'plain_text', text: 'View timesheet' },
      value: String(view.timesheetId),
    });
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'approval_actions', elements: buttons });

  return {
    // Written plain and escaped once: the state line's mrkdwn has its user text escaped already.
    text: escapeMrkdwn(
      `${view.consultantName} submitted a timesheet for ${span}: ${stateLine(view, PLAIN) ?? 'waiting for your decision'}`,
    ),
    blocks,
  };
}

/** After a decision, the consultant hears the outcome; a rejection says why and offers the sheet. */
export function timesheetDecidedMessage(view: TimesheetDecidedModel): SlackMessage {
  const span = `${formatDay(view.period.startsOn)} – ${formatDay(view.period.endsOn)}`;
  if (view.outcome === 'approved') {
    const self = view.selfDecided
      ? ' You approved it yourself, as the firm’s only administrator; it is recorded as a self-approval.'
      : '';
    const text = `Your timesheet for ${span} is approved: ${formatMinutes(view.totalMinutes)} (${formatMinutes(view.billableMinutes)} billable).${self}`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: ${text}` } }] };
  }
  const time = `${formatMinutes(view.totalMinutes)} (${formatMinutes(view.billableMinutes)} billable)`;
  if (view.outcome === 'deleted') {
    const text = view.afterApproval
      ? `${view.byName}, an administrator, deleted your approved timesheet for ${span}: its ${time} was removed and no longer counts for pay or invoices.`
      : `${view.byName}, an administrator, deleted your timesheet for ${span}: its ${time} was removed.`;
    return {
      text: escapeMrkdwn(text),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ${escapeMrkdwn(text)}` } }],
    };
  }
  const who = view.afterApproval ? `${view.byName}, an administrator,` : view.byName;
  const what = view.afterApproval ? 'your approved timesheet' : 'your timesheet';
  const text = `${who} sent back ${what} for ${span}: ${view.reason ?? ''}`;
  return {
    text: escapeMrkdwn(text),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:leftwards_arrow_with_hook: *${escapeMrkdwn(view.byName)}*${view.afterApproval ? ', an administrator,' : ''} sent back ${what} for *${span}*:\n>${escapeMrkdwn(view.reason ?? '')}`,
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: view.afterApproval
              ? `Its approval is withdrawn: its ${time} no longer counts until it is approved again. Your entries are open again: fix them and submit once more.`
              : 'Your entries are open again: fix them and submit once more.',
          },
        ],
      },
      {
        type: 'actions',
        block_id: 'decided_actions',
        elements: [
          {
            type: 'button',
            action_id: ids.timesheet.open,
            style: 'primary',
            text: { type: 'plain_text', text: 'Open timesheet' },
            value: view.consultantUserId
              ? JSON.stringify({ periodId: view.periodId, for: view.consultantUserId })
              : String(view.periodId),
          },
        ],
      },
    ],
  };
}

/** Asks why the timesheet(s) are sent back; a reason is required. */
export function rejectReasonModal(approvalIds: number[], what: string): ModalView {
  return {
    type: 'modal',
    callback_id: ids.approval.rejectModal,
    title: { type: 'plain_text', text: 'Send back' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ approvalIds }),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Send back ${escapeMrkdwn(truncate(what, 500))}? The consultant gets the reason and can fix and resubmit.`,
        },
      },
      {
        type: 'input',
        block_id: ids.approval.reason.block,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: ids.approval.reason.action,
          multiline: true,
          max_length: 500,
          placeholder: { type: 'plain_text', text: 'What should be fixed?' },
        },
      },
    ],
  };
}

export type PendingView = {
  approvalId: number;
  timesheetId: number;
  consultantName: string;
  period: { startsOn: string; endsOn: string };
  totalMinutes: number;
  approverName: string;
  onBehalf: boolean;
};

/** `/approvals`: my pending decisions with checkboxes, and Approve / Reject all marked. */
export function approvalsModal(pending: PendingView[], notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  if (pending.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ':tada: Nothing is waiting for your decision.' } });
  } else {
    // Checkbox groups hold ten options each; 90 groups leave room for the rest of the modal.
    const shown = pending.slice(0, 900);
    blocks.push(
      ...checkboxGroups(ids.approval.marked, shown, (p) => ({
        // An option's text is cut at 75 characters: whose decision it is goes first, so a long name cannot hide it.
        label: `${p.onBehalf ? `For ${truncate(p.approverName, 20)}: ` : ''}${truncate(p.consultantName, 25)} · ${describePeriods([p.period])} · ${formatMinutes(p.totalMinutes)}`,
        value: p.approvalId,
      })),
    );
    blocks.push({
      type: 'actions',
      block_id: 'approvals_bulk',
      elements: [
        {
          type: 'button',
          action_id: ids.approval.approveMarked,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve all marked' },
          value: 'approve',
        },
        {
          type: 'button',
          action_id: ids.approval.rejectMarked,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reject all marked…' },
          value: 'reject',
        },
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: ids.approval.listModal,
    title: { type: 'plain_text', text: 'Approvals' },
    close: { type: 'plain_text', text: 'Close' },
    blocks,
  };
}

function decisionsLine(view: ApprovalRequestView): string {
  return view.decisions
    .map((d) => {
      if (d.status === 'pending') return `:hourglass_flowing_sand: ${escapeMrkdwn(d.approverName)} pending`;
      const icon = d.status === 'approved' ? ':white_check_mark:' : ':x:';
      const when = d.decidedAt
        ? ` ${readersDay(new Date(d.decidedAt), formatDay(d.decidedAt.slice(0, 10)).slice(0, -5))}`
        : '';
      const by = d.decidedByName && d.decidedByName !== d.approverName ? ` (by ${escapeMrkdwn(d.decidedByName)})` : '';
      return `${icon} ${escapeMrkdwn(d.approverName)} ${d.status}${when}${by}`;
    })
    .join(' · ');
}

/** How a state line is written: mrkdwn (user text escaped, bold, emoji) or plain (the notification text, escaped once as a whole). */
type Style = { text: (t: string) => string; bold: (t: string) => string; icon: (name: string) => string };
const MRKDWN: Style = { text: escapeMrkdwn, bold: (t) => `*${t}*`, icon: (name) => `:${name}: ` };
const PLAIN: Style = { text: (t) => t, bold: (t) => t, icon: () => '' };

/** The prepaid time removing approved time gave back, as a sentence (empty when none). */
function creditedBackLine(creditedBack: { customerName: string; minutes: number }[], style: Style): string {
  if (creditedBack.length === 0) return '';
  return ` Prepaid hours credited back: ${creditedBack.map((c) => `${formatMinutes(c.minutes)} to ${style.text(c.customerName)}`).join(', ')}.`;
}

function stateLine(view: ApprovalRequestView, style: Style = MRKDWN): string | undefined {
  const { text, bold, icon } = style;
  const removed = view.removedAfterApproval;
  if (removed?.action === 'deleted')
    return `${icon('wastebasket')}${bold(`Deleted by ${text(removed.byName)}`)}, an administrator, after it was approved: its time no longer counts for pay, reports or invoices.${creditedBackLine(removed.creditedBack, style)}`;
  if (removed?.action === 'sent_back')
    return `${icon('leftwards_arrow_with_hook')}${bold(`Sent back by ${text(removed.byName)}`)}, an administrator, after it was approved: ${text(truncate(removed.reason ?? '', 500))} — its time no longer counts until it is approved again; a resubmitted version comes as a new message.${creditedBackLine(removed.creditedBack, style)}`;
  if (view.sheetStatus === 'approved')
    return `${icon('white_check_mark')}${bold('Approved')} by everyone. Nothing more to do.`;
  if (view.sheetStatus === 'deleted')
    return `${icon('wastebasket')}${bold('Deleted')} by an administrator. Nothing to decide.`;
  if (view.myStatus === 'withdrawn')
    return view.withdrawnBecause === 'no_longer_approver'
      ? `${icon('heavy_minus_sign')}You no longer decide this timesheet: an administrator changed who approves its projects, and its time now waits for them. Nothing for you to decide.`
      : `${icon('heavy_minus_sign')}The time on your projects was removed from this timesheet with its project. Nothing for you to decide.`;
  if (view.sheetStatus === 'cancelled' && view.rejection) {
    return `${icon('x')}${bold(`Rejected by ${text(view.rejection.byName)}`)}: ${text(truncate(view.rejection.reason, 500))} — nothing to do.`;
  }
  if (view.sheetStatus === 'submitted' && view.myStatus === 'approved')
    return `${icon('ballot_box_with_check')}You approved. Waiting for the others.`;
  return undefined;
}
