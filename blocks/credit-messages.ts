import type { ActionsBlock, Button, InputBlock, KnownBlock, ModalView } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatMinutes } from '../src/domain/duration.js';
import { formatAmount, formatMoney } from '../src/domain/money.js';
import { forecastWords } from '../src/domain/prepaid.js';
import type { CreditAlertModel } from '../src/services/credit-ledger.js';
import type { CreditMovement, CreditSettings, CustomerCredit } from '../src/services/credits.js';
import { ids } from './ids.js';
import { prepaidLine, type SlackMessage } from './log-confirmation.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

const f = ids.credits.field;

/** "12h 30m left" or, past the credit, "4h 30m over the prepaid credit". */
function leftWords(remainingMinutes: number): string {
  return remainingMinutes < 0
    ? `:red_circle: *${formatMinutes(-remainingMinutes)} over the prepaid credit*`
    : `${formatMinutes(remainingMinutes)} left`;
}

/** "Approving deducts 6h from Globex: 12h 30m left after" (on a manager's DM while the decision waits). */
export function deductionLine(p: {
  customerName: string;
  deductMinutes: number;
  remainingAfterMinutes: number;
  once?: boolean;
}): string {
  const deducts = `${formatMinutes(p.deductMinutes)} from ${escapeMrkdwn(p.customerName)}: ${leftWords(p.remainingAfterMinutes)} after`;
  return p.once ? `Once everyone has approved, this timesheet deducts ${deducts}` : `Approving deducts ${deducts}`;
}

/** Hours as a person writes them back into a form: "12.5" for 750 minutes, "-3" for -180, "0h 20m" for 20. */
export function hoursText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  const abs = Math.abs(minutes);
  // Not a whole number of hundredths of an hour: hours and minutes read back exactly.
  if ((abs * 100) % 60 !== 0) return `${sign}${Math.floor(abs / 60)}h ${abs % 60}m`;
  const hundredths = (abs * 100) / 60;
  const rest = hundredths % 100;
  const whole = `${sign}${Math.floor(hundredths / 100)}`;
  return rest === 0 ? whole : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
}

/** The low-credit or early alert, to the alert channel and each manager of the customer's projects. */
export function creditAlertMessage(model: CreditAlertModel): SlackMessage {
  const name = escapeMrkdwn(model.customerName);
  const balance = prepaidLine(model.customerName, model);
  const headline =
    model.kind === 'low_credit'
      ? `:warning: *${name}* (${escapeMrkdwn(model.customerCode)}) fell below its low-credit threshold of ${formatMinutes(model.thresholdMinutes ?? 0)}.`
      : model.forecast.kind === 'ran_out'
        ? `:hourglass: *${name}* (${escapeMrkdwn(model.customerCode)}): the prepaid credit is used up.`
        : `:hourglass: *${name}* (${escapeMrkdwn(model.customerCode)}) ${forecastWords(model.forecast)} at its recent pace.`;
  const text = `${headline}\n${balance} · ${forecastWords(model.forecast)}`;
  return {
    text: text.replace(/[*:]/g, ''),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `See \`/credits ${escapeMrkdwn(model.customerCode)}\`; an administrator adds credits there.`,
          },
        ],
      },
    ],
  };
}

/** One movement in words, for /credits. */
function movementLine(m: CreditMovement, currency: string): string {
  const signed = `${m.minutes < 0 ? '−' : '+'}${formatMinutes(Math.abs(m.minutes))}`;
  const day = formatDay(m.occurredOn);
  switch (m.kind) {
    case 'purchase':
      return `${day} · *${signed}* purchase${m.priceCents ? ` (${formatMoney(m.priceCents, currency)})` : ''}${m.note ? ` · ${escapeMrkdwn(truncate(m.note, 80))}` : ''}`;
    case 'adjustment':
      return `${day} · *${signed}* adjustment · ${escapeMrkdwn(truncate(m.note, 80))}`;
    case 'deduction':
    case 'reversal':
      return `${day} · *${signed}* ${m.kind === 'reversal' ? 'reversal of ' : ''}${escapeMrkdwn(m.entry?.consultantName ?? '')} on ${escapeMrkdwn(m.entry?.projectCode ?? '')} (${m.entry ? formatDay(m.entry.workDate) : ''}) · ${escapeMrkdwn(truncate(m.entry?.description ?? '', 60))}`;
  }
}

function adminButtons(code: string): ActionsBlock {
  const button = (action_id: string, text: string): Button => ({
    type: 'button',
    action_id,
    text: { type: 'plain_text', text },
    value: code,
  });
  return {
    type: 'actions',
    block_id: `credits_admin_${code}`,
    elements: [
      button(ids.credits.add, 'Add credits'),
      button(ids.credits.adjust, 'Adjust'),
      button(ids.credits.settings, 'Settings'),
      button(ids.credits.export, 'Export prepaid log'),
    ],
  };
}

/** The admin buttons alone, for a customer's page in /admin. */
export function creditAdminButtons(code: string): ActionsBlock {
  return adminButtons(code);
}

/** `/credits`: each customer's balance and forecast; for one customer its last movements; admin buttons for admins. */
export function creditsMessage(view: { customers: CustomerCredit[]; canManage: boolean }): SlackMessage {
  const blocks: KnownBlock[] = [];
  const single = view.customers.length === 1;
  for (const c of view.customers.slice(0, 20)) {
    const summary = `*${escapeMrkdwn(c.code)}* · ${prepaidLine(c.name, c)}\n_${forecastWords(c.forecast)}_`;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: summary },
      ...(single
        ? {}
        : {
            accessory: {
              type: 'button',
              action_id: ids.credits.open,
              text: { type: 'plain_text', text: 'Details' },
              value: c.code,
            },
          }),
    });
    if (single) {
      blocks.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: c.movements.length
            ? `*Last ${c.movements.length === 1 ? 'movement' : `${c.movements.length} movements`}*\n${c.movements.map((m) => movementLine(m, c.currency)).join('\n')}`
            : '_No movements yet._',
        },
      });
      if (view.canManage) blocks.push(adminButtons(c.code));
    }
  }
  if (view.customers.length > 20)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${view.customers.length - 20} more: name one with \`/credits CODE\`.` }],
    });
  return {
    text: view.customers
      .map(
        (c) =>
          `${c.code}: ${c.remainingMinutes < 0 ? `${formatMinutes(-c.remainingMinutes)} over the prepaid credit` : `${formatMinutes(c.remainingMinutes)} left`}`,
      )
      .join('; '),
    blocks,
  };
}

type CustomerRef = { code: string; name: string; currency: string };

function textInput(
  block: { block: string; action: string },
  label: string,
  options: { hint?: string; optional?: boolean; initial?: string; multiline?: boolean; placeholder?: string } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: block.block,
    optional: options.optional ?? false,
    label: { type: 'plain_text', text: label },
    ...(options.hint ? { hint: { type: 'plain_text', text: options.hint } } : {}),
    element: {
      type: 'plain_text_input',
      action_id: block.action,
      multiline: options.multiline ?? false,
      ...(options.initial ? { initial_value: options.initial } : {}),
      ...(options.placeholder ? { placeholder: { type: 'plain_text', text: options.placeholder } } : {}),
    },
  };
}

function modal(
  callbackId: string,
  title: string,
  customer: CustomerRef,
  submit: string,
  blocks: KnownBlock[],
): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify({ code: customer.code }),
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `*${escapeMrkdwn(customer.code)}* · ${escapeMrkdwn(customer.name)}` }],
      },
      ...blocks,
    ],
  };
}

export function addCreditsModal(customer: CustomerRef, today: string): ModalView {
  return modal(ids.credits.addModal, 'Add credits', customer, 'Add', [
    textInput(f.hours, 'Hours bought', { hint: 'e.g. 40, 12.5 or 2h 30m' }),
    textInput(f.price, `Price (${customer.currency})`, {
      optional: true,
      hint: `What the customer paid, e.g. ${formatAmount(400000, customer.currency)}`,
    }),
    {
      type: 'input',
      block_id: f.date.block,
      label: { type: 'plain_text', text: 'Date' },
      element: { type: 'datepicker', action_id: f.date.action, initial_date: today },
    },
    textInput(f.note, 'Note or PO number', { optional: true }),
  ]);
}

export function adjustCreditsModal(customer: CustomerRef): ModalView {
  return modal(ids.credits.adjustModal, 'Adjust credits', customer, 'Adjust', [
    textInput(f.hours, 'Hours (+ adds, − takes off)', { hint: 'e.g. -3h, +1.5 or 2h 30m' }),
    textInput(f.reason, 'Reason', { multiline: true, hint: 'Shown in the prepaid log the customer may read.' }),
  ]);
}

export function creditSettingsModal(customer: CustomerRef, settings: CreditSettings): ModalView {
  const check = (block: { block: string; action: string }, label: string, on: boolean): InputBlock => {
    const option = { text: { type: 'plain_text' as const, text: label }, value: 'on' };
    return {
      type: 'input',
      block_id: block.block,
      optional: true,
      label: { type: 'plain_text', text: label },
      element: {
        type: 'checkboxes',
        action_id: block.action,
        options: [option],
        ...(on ? { initial_options: [option] } : {}),
      },
    };
  };
  return modal(ids.credits.settingsModal, 'Credit settings', customer, 'Save', [
    textInput(f.threshold, 'Low-credit threshold (hours)', {
      optional: true,
      initial: settings.thresholdMinutes === null ? '' : hoursText(settings.thresholdMinutes),
      hint: 'An alert is posted once each time the credit falls below it. Empty: no alert.',
    }),
    {
      type: 'input',
      block_id: f.alertChannel.block,
      optional: true,
      label: { type: 'plain_text', text: 'Alert channel' },
      hint: { type: 'plain_text', text: 'Empty: the finance channel (FINANCE_CHANNEL).' },
      element: {
        type: 'conversations_select',
        action_id: f.alertChannel.action,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(settings.alertChannel ? { initial_conversation: settings.alertChannel } : {}),
      },
    },
    check(f.autoTopup, 'Automatic top-up', settings.autoTopup),
    textInput(f.topupHours, 'Top-up package (hours)', {
      optional: true,
      initial: settings.topupMinutes === null ? '' : hoursText(settings.topupMinutes),
    }),
    textInput(f.topupPrice, `Top-up package price (${customer.currency})`, {
      optional: true,
      initial: settings.topupPriceCents === null ? '' : formatAmount(settings.topupPriceCents, customer.currency),
    }),
    check(f.creditOnIssue, 'Credit on issue (issuing a top-up invoice adds its hours)', settings.creditOnIssue),
  ]);
}

export function prepaidLogModal(customer: CustomerRef, range: { from: string; to: string }): ModalView {
  const date = (block: { block: string; action: string }, label: string, initial: string): InputBlock => ({
    type: 'input',
    block_id: block.block,
    label: { type: 'plain_text', text: label },
    element: { type: 'datepicker', action_id: block.action, initial_date: initial },
  });
  return modal(ids.credits.exportModal, 'Export prepaid log', customer, 'Export', [
    date(f.from, 'From', range.from),
    date(f.to, 'To', range.to),
    {
      type: 'input',
      block_id: f.channel.block,
      optional: true,
      label: { type: 'plain_text', text: 'Post to' },
      hint: { type: 'plain_text', text: 'Empty: a direct message to you. PDF and CSV come in one message.' },
      element: {
        type: 'conversations_select',
        action_id: f.channel.action,
        filter: { include: ['public', 'private', 'im'], exclude_bot_users: true },
      },
    },
  ]);
}

/** What a saved credit change shows in place of its form. */
export function creditDoneModal(title: string, message: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: message } }],
  };
}
