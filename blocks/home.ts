import type { ActionsBlock, Button, HomeView, KnownBlock } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import type { RecentEntry } from '../src/services/home-page.js';
import type { PendingView } from './approval-message.js';
import { ids } from './ids.js';
import { prepaidLine } from './log-confirmation.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import { submitButton, type TimesheetView } from './timesheet-modal.js';
import type { TimerView } from './timer-messages.js';

export type HomeModel =
  | {
      kind: 'consultant';
      name: string;
      timesheet: TimesheetView | null;
      noPeriodReason: string | null;
      timer: TimerView | null;
      recent: RecentEntry[];
      prepaid: {
        customerName: string;
        remainingMinutes: number;
        pendingMinutes: number;
        lowCreditThresholdMinutes: number | null;
      }[];
    }
  | { kind: 'not-a-consultant'; name: string | null; reason: string };

export type HomeDutiesView = {
  approvals: PendingView[];
  /** For managers: whether they are marked away, and their delegates (who get the digests meanwhile). */
  away?: { away: boolean; delegates: string[] } | null;
  /** For administrators: dead messages and those pending for over an hour. */
  undelivered: {
    count: number;
    recent: { id: number; ref: string; status: 'pending' | 'dead'; attempts: number; lastError: string | null }[];
  } | null;
  /** Holders of the Accounts Receivable or Payable right get a Reports button. */
  reports?: boolean;
};

/** A delegate's principals, and whom App Home (and /log, /timesheet, the log modal) acts for now. */
export type ActingAsView = {
  principals: { userId: string; name: string }[];
  current: { userId: string; name: string } | null;
};

/** The value of the acting-as menu's "myself" option. */
export const ACT_AS_MYSELF = 'myself';

/** The App Home tab. */
export function homeView(
  model: HomeModel,
  duties: HomeDutiesView = { approvals: [], undelivered: null },
  actingAs: ActingAsView = { principals: [], current: null },
): HomeView {
  const main =
    model.kind === 'consultant' ? consultantBlocks(model) : welcomeBlocks(model, duties.approvals.length > 0);
  return { type: 'home', blocks: [...actingAsBlocks(actingAs), ...main, ...dutyBlocks(duties)] };
}

/** For delegates: the switch, and while acting, a line that says for whom everything here is done. */
function actingAsBlocks(actingAs: ActingAsView): KnownBlock[] {
  if (actingAs.principals.length === 0) return [];
  const options = [
    { text: { type: 'plain_text' as const, text: 'Myself' }, value: ACT_AS_MYSELF },
    ...actingAs.principals.slice(0, 99).map((p) => ({
      text: { type: 'plain_text' as const, text: truncate(p.name, 75) },
      value: p.userId,
    })),
  ];
  const current = actingAs.current;
  const selected = options.find((o) => o.value === (current?.userId ?? ACT_AS_MYSELF));
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: current
          ? `:busts_in_silhouette: *Acting for ${escapeMrkdwn(current.name)}*: App Home, \`/log\`, \`/timesheet\` and the log form work on their time until you switch back.`
          : 'You are a delegate: act for someone here, and App Home, `/log`, `/timesheet` and the log form work on their time.',
      },
      accessory: {
        type: 'static_select',
        action_id: ids.home.actAs,
        options,
        ...(selected ? { initial_option: selected } : {}),
      },
    },
    { type: 'divider' },
  ];
}

/** Pending approvals (each with Approve, Reject, View) and, for administrators, undelivered messages. */
function dutyBlocks(duties: HomeDutiesView): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (duties.approvals.length > 0) {
    blocks.push(
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: `*Waiting for your decision* (${duties.approvals.length})` } },
    );
    const shown = duties.approvals.slice(0, 15);
    for (const [index, pending] of shown.entries()) {
      const forWhom = pending.onBehalf ? ` · for ${escapeMrkdwn(pending.approverName)}` : '';
      blocks.push(
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `*${escapeMrkdwn(pending.consultantName)}* · ${formatDay(pending.period.startsOn)} – ${formatDay(pending.period.endsOn)} · ${formatMinutes(pending.totalMinutes)}${forWhom}`,
          },
        },
        {
          type: 'actions',
          block_id: `home_approval_${index}`,
          elements: [
            {
              type: 'button',
              action_id: ids.approval.approve,
              style: 'primary',
              text: { type: 'plain_text', text: 'Approve' },
              value: String(pending.approvalId),
            },
            {
              type: 'button',
              action_id: ids.approval.reject,
              text: { type: 'plain_text', text: 'Reject…' },
              value: String(pending.approvalId),
            },
            {
              type: 'button',
              action_id: ids.approval.view,
              text: { type: 'plain_text', text: 'View' },
              value: String(pending.timesheetId),
            },
          ],
        },
      );
    }
    if (duties.approvals.length > shown.length)
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${duties.approvals.length - shown.length} more: use \`/approvals\` to decide in bulk.`,
          },
        ],
      });
  }
  if (duties.away) blocks.push(...awayBlocks(duties.away));
  if (duties.reports) {
    blocks.push(
      { type: 'divider' },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Accounting*\nAccounts Receivable and Payable reports as PDF and CSV.' },
        accessory: {
          type: 'button',
          action_id: ids.reports.open,
          text: { type: 'plain_text', text: 'Reports' },
          value: 'reports',
        },
      },
    );
  }
  if (duties.undelivered && duties.undelivered.count > 0) {
    const { count, recent } = duties.undelivered;
    blocks.push(
      { type: 'divider' },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:rotating_light: *${count} Slack ${count === 1 ? 'message' : 'messages'} not delivered*
Resend one once its cause is fixed (the app invited, the channel unarchived), or dismiss it.${recent.length < count ? ` The ${recent.length} newest are shown; \`consultracker outbox list\` shows all.` : ''}`,
        },
      },
      ...recent.flatMap((m) => undeliveredBlocks(m)),
    );
  }
  return blocks;
}

/** A manager's away switch: I'm away / I'm back, and who gets their morning approval digests meanwhile. */
function awayBlocks(state: { away: boolean; delegates: string[] }): KnownBlock[] {
  const names = state.delegates.slice(0, 10).map(escapeMrkdwn);
  if (state.delegates.length > names.length) names.push(`${state.delegates.length - names.length} more`);
  const delegates = `your ${names.length === 1 ? 'delegate' : 'delegates'} (${names.join(', ')})`;
  const get = state.delegates.length === 1 ? 'gets' : 'get';
  const addThem = 'an administrator adds delegates in `/admin` > Users';
  const text = state.away
    ? names.length
      ? `:palm_tree: *You are marked away*: ${delegates} ${get} your morning approval digests instead of you. Mark yourself back when you return.`
      : `:palm_tree: *You are marked away*, but you have no delegate, so your morning approval digests still come to you (${addThem}).`
    : names.length
      ? `*Going away?* Mark yourself away and ${delegates} ${get} your morning approval digests instead of you until you are back.`
      : `*Going away?* While you are marked away, your morning approval digests go to your delegates; you have none yet (${addThem}).`;
  return [
    { type: 'divider' },
    {
      type: 'section',
      block_id: 'home_away',
      text: { type: 'mrkdwn', text: truncate(text, 3000) },
      accessory: {
        type: 'button',
        action_id: ids.home.away,
        text: { type: 'plain_text', text: state.away ? "I'm back" : "I'm away" },
        value: state.away ? 'back' : 'away',
      },
    },
  ];
}

export type UndeliveredView = NonNullable<HomeDutiesView['undelivered']>['recent'][number];

/** One undelivered message with Resend (when dead) and Dismiss: App Home's list and the dead-letter digest. */
export function undeliveredBlocks(m: UndeliveredView): KnownBlock[] {
  const state =
    m.status === 'dead'
      ? `gave up after ${m.attempts} ${m.attempts === 1 ? 'attempt' : 'attempts'}`
      : `still trying (${m.attempts} ${m.attempts === 1 ? 'attempt' : 'attempts'} so far)`;
  const buttons: Button[] = [
    ...(m.status === 'dead'
      ? [
          {
            type: 'button' as const,
            action_id: ids.home.resendMessage,
            text: { type: 'plain_text' as const, text: 'Resend' },
            value: String(m.id),
          },
        ]
      : []),
    {
      type: 'button',
      action_id: ids.home.dismissMessage,
      text: { type: 'plain_text', text: 'Dismiss' },
      value: String(m.id),
      confirm: {
        title: { type: 'plain_text', text: 'Dismiss this message?' },
        text: { type: 'plain_text', text: 'It will not be sent, and leaves this list.' },
        confirm: { type: 'plain_text', text: 'Dismiss' },
        deny: { type: 'plain_text', text: 'Keep' },
      },
    },
  ];
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `\`${escapeMrkdwn(truncate(m.ref, 100))}\` ${state}: ${escapeMrkdwn(truncate(m.lastError ?? 'no error recorded', 200))}`,
      },
    },
    { type: 'actions', elements: buttons },
  ];
}

function consultantBlocks(model: Extract<HomeModel, { kind: 'consultant' }>): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Hi ${model.name}`, 150) } },
  ];

  if (model.timer) {
    const what = model.timer.description ? `: ${escapeMrkdwn(truncate(model.timer.description, 200))}` : '';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:stopwatch: Timer on *${escapeMrkdwn(model.timer.projectCode)}*${what} · running ${formatMinutes(model.timer.elapsedMinutes)}`,
      },
      accessory: {
        type: 'button',
        action_id: ids.timer.stop,
        style: 'primary',
        text: { type: 'plain_text', text: 'Stop' },
        value: 'stop',
      },
    });
  }

  const sheet = model.timesheet;
  if (sheet) {
    const statusText = {
      open: 'open',
      submitted: 'submitted, waiting for approval',
      approved: 'approved',
      cancelled: 'cancelled',
    }[sheet.status];
    blocks.push(
      { type: 'divider' },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*This period: ${formatDay(sheet.period.startsOn)} – ${formatDay(sheet.period.endsOn)}*\n${formatMinutes(sheet.totals.totalMinutes)} logged (${formatMinutes(sheet.totals.billableMinutes)} billable) · ${statusText}`,
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: dayTotals(sheet) }] },
    );
    const buttons: Button[] = [
      { type: 'button', action_id: ids.home.logTime, text: { type: 'plain_text', text: 'Log time' }, value: 'log' },
      {
        type: 'button',
        action_id: ids.timesheet.open,
        text: { type: 'plain_text', text: 'Open timesheet' },
        value: String(sheet.period.id),
      },
    ];
    if (sheet.editable) buttons.push(submitButton(sheet));
    blocks.push({ type: 'actions', block_id: 'home_actions', elements: buttons } satisfies ActionsBlock);
  } else {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: escapeMrkdwn(model.noPeriodReason ?? 'No reporting period yet.') },
    });
  }

  if (model.recent.length > 0) {
    blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: '*Your last entries*' } });
    for (const entry of model.recent) {
      const icon = entry.source === 'meeting' ? ':calendar: ' : '';
      const text = `${icon}${formatDay(entry.workDate)} · *${formatMinutes(entry.minutes)}* on *${escapeMrkdwn(entry.projectCode)}*${entry.billable ? '' : ' · _non-billable_'}\n${escapeMrkdwn(truncate(entry.description, 200))}`;
      blocks.push(
        entry.editable
          ? {
              type: 'section',
              text: { type: 'mrkdwn', text },
              accessory: {
                type: 'button',
                action_id: ids.entry.edit,
                text: { type: 'plain_text', text: 'Edit' },
                value: String(entry.entryId),
              },
            }
          : { type: 'section', text: { type: 'mrkdwn', text } },
      );
    }
  }

  if (model.prepaid.length > 0) {
    blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: '*Prepaid customers*' } });
    for (const balance of model.prepaid.slice(0, 20)) {
      const low =
        balance.lowCreditThresholdMinutes !== null && balance.remainingMinutes < balance.lowCreditThresholdMinutes
          ? ' :warning: low'
          : '';
      blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: prepaidLine(balance.customerName, balance) + low }],
      });
    }
  }
  return blocks;
}

/** "Mon 23: 8h · Tue 24: 7h 30m" for every day of the period that has time. */
function dayTotals(sheet: TimesheetView): string {
  if (sheet.days.length === 0) return 'No time logged yet. Type `/log 2h PROJECT what you did`, or press Log time.';
  const parts = sheet.days.map(
    (day) => `${formatDay(day.date).split(' ').slice(0, 2).join(' ')}: ${formatMinutes(day.totalMinutes)}`,
  );
  return truncate(parts.join(' · '), 3000);
}

function welcomeBlocks(model: Extract<HomeModel, { kind: 'not-a-consultant' }>, hasDuties: boolean): KnownBlock[] {
  if (hasDuties)
    return [
      {
        type: 'header',
        text: { type: 'plain_text', text: model.name ? truncate(`Hi ${model.name}`, 150) : 'ConsulTracker' },
      },
    ];
  return [
    {
      type: 'header',
      text: { type: 'plain_text', text: model.name ? truncate(`Hi ${model.name}`, 150) : 'Welcome to ConsulTracker' },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'ConsulTracker keeps your firm’s time, approvals and billing in Slack. Consultants log time with `/log 2h ACME-WEB what you did` and submit a timesheet each period; managers approve from a DM.',
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(model.reason) }] },
  ];
}
