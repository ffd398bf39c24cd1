import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { describePeriods } from '../src/domain/report-periods.js';
import type { ReportKind } from '../src/domain/report-request.js';
import type { ReportFormChoices } from '../src/services/reports.js';
import { ids } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { type Choice, recordMultiSelect } from './record-select.js';

const KIND_LABELS: Record<ReportKind, string> = {
  ar: 'Accounts Receivable (what customers owe, at price rates)',
  ap: 'Accounts Payable (what consultants are owed, at cost rates)',
};

/** Values the form carries: codes and member ids, as `/report` takes them. */
export const periodChoice = (p: { startsOn: string; endsOn: string }): Choice => ({
  label: describePeriods([p]),
  value: p.startsOn,
});
export const reportCustomerChoice = (c: { code: string; name: string }): Choice => ({
  label: `${c.code} · ${c.name}`,
  value: c.code,
});
export const reportProjectChoice = reportCustomerChoice;
export const reportConsultantChoice = (c: { userId: string; name: string }): Choice => ({
  label: c.name,
  value: c.userId,
});

/** The Reports form: which report, which periods, filters, and where to post it. */
export function reportsModal(choices: ReportFormChoices, options: { defaultChannel: string | undefined }): ModalView {
  const radio = (
    block: string,
    action: string,
    label: string,
    items: { value: string; text: string }[],
  ): InputBlock => {
    const radioOptions = items.map((item): PlainTextOption => ({
      text: { type: 'plain_text', text: item.text },
      value: item.value,
    }));
    return {
      type: 'input',
      block_id: block,
      label: { type: 'plain_text', text: label },
      element: { type: 'radio_buttons', action_id: action, options: radioOptions, initial_option: radioOptions[0]! },
    };
  };
  const filter = (
    id: { block: string; action: string },
    label: string,
    placeholder: string,
    list: Choice[],
    hint: string,
  ): InputBlock[] =>
    list.length === 0
      ? []
      : [
          {
            type: 'input',
            block_id: id.block,
            optional: true,
            label: { type: 'plain_text', text: label },
            hint: { type: 'plain_text', text: hint },
            element: recordMultiSelect(id.action, placeholder, list),
          },
        ];
  // The latest periods first: that is what finance usually wants.
  const periods = [...choices.periods].reverse().map(periodChoice);
  const blocks: KnownBlock[] = [
    radio(
      ids.reports.kind.block,
      ids.reports.kind.action,
      'Report',
      choices.kinds.map((kind) => ({ value: kind, text: KIND_LABELS[kind] })),
    ),
    radio(ids.reports.level.block, ids.reports.level.action, 'Level', [
      { value: 'summary', text: 'Summary: hours and amounts per project' },
      { value: 'detail', text: 'Detail: every entry, with subtotals' },
    ]),
    ...filter(
      ids.reports.periods,
      'Reporting periods',
      'The last period',
      periods,
      'By their first day. Empty means the last period before the current one.',
    ),
    ...filter(
      ids.reports.customers,
      'Customers',
      'All customers',
      choices.customers.map(reportCustomerChoice),
      'Empty means all.',
    ),
    ...filter(
      ids.reports.projects,
      'Projects',
      'All projects',
      choices.projects.map(reportProjectChoice),
      'Empty means all.',
    ),
    ...filter(
      ids.reports.consultants,
      'Consultants',
      'All consultants',
      choices.consultants.map(reportConsultantChoice),
      'Empty means all. Only time matching every filter is included.',
    ),
    {
      type: 'input',
      block_id: ids.reports.channel.block,
      optional: true,
      label: { type: 'plain_text', text: 'Post to' },
      hint: {
        type: 'plain_text',
        text: 'A PDF and a CSV go there in one message. Empty means a direct message to you.',
      },
      element: {
        type: 'conversations_select',
        action_id: ids.reports.channel.action,
        placeholder: { type: 'plain_text', text: 'A direct message to you' },
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(options.defaultChannel ? { initial_conversation: options.defaultChannel } : {}),
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: ids.reports.modal,
    title: { type: 'plain_text', text: 'Reports' },
    submit: { type: 'plain_text', text: 'Build report' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** What the form shows once a report is on its way. */
export function reportStartedModal(text: string): ModalView {
  return {
    type: 'modal',
    callback_id: ids.reports.modal,
    title: { type: 'plain_text', text: 'Reports' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } }],
  };
}
