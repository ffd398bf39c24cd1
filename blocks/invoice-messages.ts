import type { Button, KnownBlock, ModalView } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { formatHoursDecimal, formatMinutes } from '../src/domain/duration.js';
import type {
  DraftedInvoice,
  InvoiceListRow,
  InvoiceMessageModel,
  LeftUninvoiced,
  SkippedCustomer,
} from '../src/services/invoices.js';
import { ids } from './ids.js';
import type { SlackMessage } from './log-confirmation.js';
import { escapedWithin, escapeMrkdwn, linesWithin } from './mrkdwn.js';

/** An invoice's message in the finance channel, in whatever state it is now. */
export function invoiceMessage(m: InvoiceMessageModel): SlackMessage {
  const customer = `${escapeMrkdwn(m.customerName)} (${m.customerCode})`;
  const what = m.kind === 'topup' ? 'top-up invoice' : 'invoice';
  const heading =
    m.status === 'draft'
      ? `:memo: *Draft ${what}* for ${customer}`
      : m.status === 'discarded'
        ? `:wastebasket: ~Draft ${what} for ${customer}~ (discarded)`
        : m.status === 'void'
          ? `:no_entry_sign: *Invoice ${m.number}* for ${customer} is *void*`
          : `:receipt: *Invoice ${m.number}* for ${customer}`;
  const fields = [
    `*Period*\n${m.period}`,
    `*Hours*\n${formatHoursDecimal(m.minutes)}`,
    `*Total*\n${m.total}`,
    m.dueOn ? `*Issued / due*\n${m.issuedOn} / ${m.dueOn}` : '*Status*\nnot issued yet',
  ];
  const history = [
    m.draftedBy ? `Drafted by ${escapeMrkdwn(m.draftedBy)}` : 'Drafted automatically',
    m.issuedBy ? `issued by ${escapeMrkdwn(m.issuedBy)} on ${m.issuedOn}` : undefined,
    m.voidReason
      ? `${m.status === 'discarded' ? 'discarded' : 'voided'} by ${escapeMrkdwn(m.voidedBy ?? 'someone')}: ${escapedWithin(m.voidReason, 500)}`
      : undefined,
  ].filter(Boolean);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${history.join(', ')}. The PDF is in the thread.` }] },
  ];
  const buttons: Button[] = [];
  if (m.status === 'draft')
    buttons.push({
      type: 'button',
      action_id: ids.invoice.issue,
      style: 'primary',
      text: { type: 'plain_text', text: 'Issue' },
      value: String(m.invoiceId),
      confirm: {
        title: { type: 'plain_text', text: 'Issue this invoice?' },
        text: {
          type: 'mrkdwn',
          text: `Issue the ${what} for ${customer} over ${m.total}? It gets the next invoice number and a due date, and can then only be voided, never changed.`,
        },
        confirm: { type: 'plain_text', text: 'Issue' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  if (m.status === 'draft' || m.status === 'issued')
    buttons.push({
      type: 'button',
      action_id: ids.invoice.void,
      style: 'danger',
      text: { type: 'plain_text', text: 'Void' },
      value: String(m.invoiceId),
    });
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'invoice_actions', elements: buttons });
  const summary =
    m.status === 'draft' ? `Draft ${what} for ${m.customerName}` : `Invoice ${m.number} for ${m.customerName}`;
  return { text: `${escapeMrkdwn(summary)}: ${m.total} (${m.status})`, blocks };
}

/** Void asks for a reason, kept with the invoice. */
export function voidReasonModal(invoiceId: number): ModalView {
  return {
    type: 'modal',
    callback_id: ids.invoice.voidModal,
    title: { type: 'plain_text', text: 'Void invoice' },
    submit: { type: 'plain_text', text: 'Void' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ invoiceId }),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'A draft is discarded and its time can be drafted again. An issued invoice keeps its number, its PDF is re-posted marked VOID, and its time can be invoiced again.',
        },
      },
      {
        type: 'input',
        block_id: ids.invoice.reason.block,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: ids.invoice.reason.action,
          multiline: true,
          max_length: 500,
          placeholder: { type: 'plain_text', text: 'Kept with the invoice, e.g. wrong purchase order' },
        },
      },
    ],
  };
}

/**
 * The answer to `/invoice draft`: what was drafted with totals, what was skipped and why, and
 * approved time of earlier periods still on no invoice, with the command that drafts it.
 */
export function draftReply(
  periods: string,
  drafted: DraftedInvoice[],
  skipped: SkippedCustomer[],
  earlier: LeftUninvoiced[] = [],
): SlackMessage {
  const lines = drafted.map(
    (d) =>
      `• *${d.customerCode}*: ${d.lines} ${d.lines === 1 ? 'entry' : 'entries'}, ${formatHoursDecimal(d.minutes)} h, ${d.total}`,
  );
  const heading = drafted.length
    ? `Drafted ${drafted.length} ${drafted.length === 1 ? 'invoice' : 'invoices'} for ${periods}; each is posted with its PDF and Issue / Void buttons.`
    : `Nothing new to invoice for ${periods}.`;
  const skips = skipped.map((s) => `• ${s.customerCode}: ${escapeMrkdwn(s.reason)}`);
  const left = earlier.map(
    (e) =>
      `• ${formatDay(e.startsOn)} – ${formatDay(e.endsOn)}: ${formatMinutes(e.minutes)} (${e.customerCodes.map(escapeMrkdwn).join(', ')}): \`/invoice draft ${e.startsOn}\``,
  );
  const all = [
    heading,
    ...lines,
    ...(skips.length ? ['Skipped:', ...skips] : []),
    ...(left.length ? ['Approved after their period was drafted, and on no invoice yet:', ...left] : []),
  ];
  const shown = linesWithin(all, (n) => `and ${n} more lines: \`/invoice list\` lists every draft`);
  return { text: all.join('\n'), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: shown } }] };
}

/** `/invoice list`: one line per invoice with a button that sends its PDF (or posts a draft never posted, to act on). */
export function invoiceListMessage(rows: InvoiceListRow[], matched: number): SlackMessage {
  if (rows.length === 0)
    return {
      text: 'No invoices match.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'No invoices match.' } }],
    };
  const blocks: KnownBlock[] = rows.map((r) => ({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*${r.number ?? `Draft ${r.invoiceId}`}* · ${r.customerCode} · ${r.status}${r.kind === 'topup' ? ' · top-up' : ''} · ${r.total} · ${formatHoursDecimal(r.minutes)} h · ${r.period}${r.dueOn ? ` · due ${r.dueOn}` : ''}`,
    },
    accessory: {
      type: 'button',
      action_id: ids.invoice.repost,
      text: { type: 'plain_text', text: r.posted ? 'PDF' : 'Post to me' },
      value: String(r.invoiceId),
    },
  }));
  if (matched > rows.length)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `The newest ${rows.length} of ${matched}; name a status or customer to narrow the list.`,
        },
      ],
    });
  return { text: `${matched} ${matched === 1 ? 'invoice' : 'invoices'}`, blocks };
}
