import type { ActionsBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { CustomerDeletion, CustomerProjectRow } from '../src/services/customers.js';
import type { PrepaidBalance } from '../src/services/prepaid-balance.js';
import type { OpenTimeImpact } from '../src/services/open-time.js';
import type { ProjectDeletion } from '../src/services/projects.js';
import type { AdminPage } from './admin.js';
import { checkboxGroups } from './checkbox-groups.js';
import { ids } from './ids.js';
import { creditAdminButtons } from './credit-messages.js';
import { prepaidLine } from './log-confirmation.js';
import { customerChoice, projectChoice, recordSelect } from './record-select.js';
import { ARCHIVED_LIST_LIMIT, escapeMrkdwn, freeTextSection, namesWithin, truncate } from './mrkdwn.js';
import { MAX_NAME_LENGTH } from '../src/domain/names.js';

export type CustomerView = {
  id: number;
  code: string;
  name: string;
  currency: string;
  billingMode: 'hourly' | 'prepaid';
  address: string;
  notes: string;
  projects: number;
  paymentTermsDays: number | null;
  taxId: string;
  billingEmail: string;
  invoiceRoundingMinutes: number;
};

/** Customers: mark to delete, open one, or add one. */
export function customersModal(list: CustomerView[], notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  const shown = list.slice(0, 800);
  blocks.push(
    ...checkboxGroups(ids.admin.markedCustomers, shown, (c) => ({
      label: `${c.code} · ${c.name} · ${c.billingMode} · ${c.projects} ${c.projects === 1 ? 'project' : 'projects'}`,
      value: c.id,
    })),
  );
  if (list.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No customers yet.' } });
  const elements: ActionsBlock['elements'] = [
    {
      type: 'button',
      action_id: ids.admin.newCustomer,
      style: 'primary',
      text: { type: 'plain_text', text: 'New customer' },
      value: 'new',
    },
  ];
  if (list.length > 0) {
    elements.push(recordSelect(ids.admin.openCustomer, 'Open…', list.map(customerChoice)), {
      type: 'button',
      action_id: ids.admin.deleteCustomers,
      style: 'danger',
      text: { type: 'plain_text', text: 'Delete marked…' },
      value: 'delete',
    });
  }
  blocks.push({ type: 'actions', block_id: 'admin_customer_actions', elements });
  return {
    type: 'modal',
    callback_id: ids.admin.customersModal,
    title: { type: 'plain_text', text: 'Customers' },
    close: { type: 'plain_text', text: 'Back' },
    blocks,
  };
}

/** New or existing customer: code, name, currency, billing, address, notes, and how it is invoiced. */
export function customerFormModal(customer: CustomerView | undefined, parentViewId: string): ModalView {
  const f = ids.admin.customerField;
  const text = (
    block: string,
    label: string,
    value: string | undefined,
    options: { multiline?: boolean; max?: number; optional?: boolean } = {},
  ): KnownBlock => ({
    type: 'input',
    block_id: block,
    label: { type: 'plain_text', text: label },
    optional: options.optional ?? false,
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: options.multiline ?? false,
      max_length: options.max ?? MAX_NAME_LENGTH,
      ...(value ? { initial_value: value } : {}),
    },
  });
  const billing: PlainTextOption[] = [
    { text: { type: 'plain_text', text: 'Hourly: invoiced from approved time' }, value: 'hourly' },
    { text: { type: 'plain_text', text: 'Prepaid: time is deducted from credits' }, value: 'prepaid' },
  ];
  const rounding: PlainTextOption[] = [
    { text: { type: 'plain_text', text: 'Exact minutes' }, value: '0' },
    { text: { type: 'plain_text', text: 'Up to 6 minutes (0.1 h)' }, value: '6' },
    { text: { type: 'plain_text', text: 'Up to 15 minutes' }, value: '15' },
  ];
  return {
    type: 'modal',
    callback_id: ids.admin.customerForm,
    title: { type: 'plain_text', text: customer ? 'Edit customer' : 'New customer' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ ...(customer ? { customerId: customer.id } : {}), parentViewId }),
    blocks: [
      text(f.code, 'Code (A-Z, 0-9, dashes)', customer?.code, { max: 20 }),
      text(f.name, 'Name', customer?.name),
      text(f.currency, 'Currency', customer?.currency ?? 'USD', { max: 3 }),
      {
        type: 'input',
        block_id: f.billing,
        label: { type: 'plain_text', text: 'Billing' },
        element: {
          type: 'static_select',
          action_id: 'value',
          options: billing,
          initial_option: billing.find((o) => o.value === (customer?.billingMode ?? 'hourly'))!,
        },
      },
      text(f.address, 'Address', customer?.address, { multiline: true, max: 2000, optional: true }),
      text(f.notes, 'Notes', customer?.notes, { multiline: true, max: 2000, optional: true }),
      text(
        f.paymentTerms,
        'Payment terms in days (empty: the firm’s default)',
        customer?.paymentTermsDays?.toString(),
        {
          max: 3,
          optional: true,
        },
      ),
      text(f.taxId, 'Tax id (printed on invoices)', customer?.taxId, { max: 60, optional: true }),
      text(f.billingEmail, 'Billing email', customer?.billingEmail, { max: 200, optional: true }),
      {
        type: 'input',
        block_id: f.rounding,
        label: { type: 'plain_text', text: 'Invoiced time rounded' },
        element: {
          type: 'static_select',
          action_id: 'value',
          options: rounding,
          initial_option: rounding.find((o) => o.value === String(customer?.invoiceRoundingMinutes ?? 0))!,
        },
      },
    ],
  };
}

/** What deleting the marked customers removes, archives and keeps, with counts. */
export function deleteCustomersConfirmModal(
  impact: CustomerDeletion,
  customerIds: number[],
  parentViewId: string,
): ModalView {
  const parts = [
    `Delete ${impact.customers} ${impact.customers === 1 ? 'customer' : 'customers'} and ${impact.projects} ${impact.projects === 1 ? 'project' : 'projects'}?`,
  ];
  const time = timeThatGoes(impact);
  if (time) parts.push(time);
  if (impact.archived.length > 0)
    parts.push(
      `${namesWithin(impact.archived, ARCHIVED_LIST_LIMIT)} ${impact.archived.length === 1 ? 'has' : 'have'} approved, invoiced or prepaid history (${impact.keptEntries} approved or rejected ${impact.keptEntries === 1 ? 'entry' : 'entries'}): archived instead, kept in reports.`,
    );
  return {
    type: 'modal',
    callback_id: ids.admin.deleteCustomersConfirm,
    title: { type: 'plain_text', text: 'Delete customers' },
    submit: { type: 'plain_text', text: 'Delete' },
    close: { type: 'plain_text', text: 'Keep them' },
    private_metadata: JSON.stringify({ customerIds, parentViewId }),
    // The sentences hold no user text but the list of codes, escaped in it.
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: parts.join(' ') } }],
  };
}

/** One customer's page: details, Edit details, and its projects to add to or remove from. */
export function customerModal(
  detail: { customer: CustomerView; projects: CustomerProjectRow[]; prepaid: PrepaidBalance | null },
  notice?: string,
): ModalView {
  const { customer, projects } = detail;
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  const billing =
    customer.billingMode === 'prepaid'
      ? 'prepaid: time is deducted from credits'
      : 'hourly: invoiced from approved time';
  const about = [
    `*${escapeMrkdwn(customer.code)}* · ${escapeMrkdwn(customer.name)}`,
    `${customer.currency} · ${billing}`,
  ];
  if (detail.prepaid) about.push(prepaidLine(customer.name, detail.prepaid));
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: about.join('\n') } });
  if (customer.address) blocks.push(freeTextSection('Address', customer.address));
  if (customer.notes) blocks.push(freeTextSection('Notes', customer.notes));
  blocks.push({
    type: 'actions',
    block_id: 'admin_customer_page_actions',
    elements: [
      {
        type: 'button',
        action_id: ids.admin.editCustomerDetails,
        text: { type: 'plain_text', text: 'Edit details' },
        value: String(customer.id),
      },
      {
        type: 'button',
        action_id: ids.admin.backToCustomers,
        text: { type: 'plain_text', text: '← All customers' },
        value: 'customers',
      },
    ],
  });
  if (customer.billingMode === 'prepaid') blocks.push(creditAdminButtons(customer.code));
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Projects' } });
  const shown = projects.slice(0, 800);
  blocks.push(
    ...checkboxGroups(ids.admin.markedProjects, shown, (p) => ({
      label: `${p.code} · ${p.name} · ${p.managers} ${p.managers === 1 ? 'manager' : 'managers'} · ${p.consultants} ${p.consultants === 1 ? 'consultant' : 'consultants'}${p.active ? '' : ' · closed'}`,
      value: p.id,
    })),
  );
  if (projects.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No projects yet.' } });
  const elements: ActionsBlock['elements'] = [
    {
      type: 'button',
      action_id: ids.admin.newCustomerProject,
      style: 'primary',
      text: { type: 'plain_text', text: 'New project' },
      value: String(customer.id),
    },
  ];
  if (projects.length) {
    elements.push(recordSelect(ids.admin.openProject, 'Open project…', projects.map(projectChoice)), {
      type: 'button',
      action_id: ids.admin.removeProjects,
      style: 'danger',
      text: { type: 'plain_text', text: 'Remove marked…' },
      value: String(customer.id),
    });
  }
  blocks.push({ type: 'actions', block_id: 'admin_customer_project_actions', elements });
  return {
    type: 'modal',
    callback_id: ids.admin.customerPage,
    title: { type: 'plain_text', text: truncate(customer.code, 24) },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify({ customerId: customer.id }),
    blocks,
  };
}

/** What removing the marked projects deletes and what it archives, with counts. */
export function removeProjectsConfirmModal(
  impact: ProjectDeletion,
  projectIds: number[],
  parentViewId: string,
  back: AdminPage,
): ModalView {
  const parts = [`Remove ${impact.projects} ${impact.projects === 1 ? 'project' : 'projects'}?`];
  const time = timeThatGoes(impact);
  if (time) parts.push(time);
  if (impact.archived.length > 0) {
    parts.push(
      `${namesWithin(impact.archived, ARCHIVED_LIST_LIMIT)} ${impact.archived.length === 1 ? 'has' : 'have'} approved or rejected time (${impact.keptEntries} ${impact.keptEntries === 1 ? 'entry' : 'entries'}): archived instead, kept in reports.`,
    );
  }
  return {
    type: 'modal',
    callback_id: ids.admin.removeProjectsConfirm,
    title: { type: 'plain_text', text: 'Remove projects' },
    submit: { type: 'plain_text', text: 'Remove' },
    close: { type: 'plain_text', text: 'Keep them' },
    private_metadata: JSON.stringify({ projectIds, parentViewId, back }),
    // The sentences hold no user text but the list of codes, escaped in it.
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: parts.join(' ') } }],
  };
}

/** "This also removes 3 entries from 1 open timesheet, 2 entries from 1 submitted timesheet (…) and 1 running timer (…)." */
function timeThatGoes(impact: OpenTimeImpact): string | undefined {
  const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;
  const sheets = (n: number, kind: string) => `${n} ${kind} ${n === 1 ? 'timesheet' : 'timesheets'}`;
  const parts: string[] = [];
  if (impact.openEntries > 0) parts.push(`${entries(impact.openEntries)} from ${sheets(impact.openSheets, 'open')}`);
  if (impact.submittedEntries > 0) {
    parts.push(
      `${entries(impact.submittedEntries)} from ${sheets(impact.submittedSheets, 'submitted')} (their managers are told; a sheet left empty is deleted)`,
    );
  }
  if (impact.runningTimers > 0) {
    const timers = `${impact.runningTimers} running ${impact.runningTimers === 1 ? 'timer' : 'timers'}`;
    parts.push(`${timers} (stopped, ${impact.runningTimers === 1 ? 'its' : 'their'} time not saved)`);
  }
  if (parts.length === 0) return undefined;
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `This also removes ${list}. Each consultant is told what of theirs went.`;
}
