import type { ActionsBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { formatMoney } from '../src/domain/money.js';
import type { AssignmentRow, EmployeeDetail } from '../src/services/employee-assignments.js';
import type { EmployeeDeletion } from '../src/services/employee-removal.js';
import { checkboxGroups } from './checkbox-groups.js';
import { ids } from './ids.js';
import { employeeChoice, projectChoice, recordSelect } from './record-select.js';
import { ARCHIVED_LIST_LIMIT, escapeMrkdwn, freeTextSection, namesWithin, truncate } from './mrkdwn.js';
import { MAX_NAME_LENGTH } from '../src/domain/names.js';

export type EmployeeView = {
  id: number;
  userId: string | null;
  name: string;
  address: string;
  notes: string;
  consultant: { costRate: string; priceRate: string } | null;
  manager: boolean;
};

/** An employee's roles in a few words: "consultant 70.10 / 140.10 · manager". */
function rolesOf(employee: EmployeeView): string {
  const roles = [
    employee.consultant ? `consultant ${employee.consultant.costRate} / ${employee.consultant.priceRate}` : '',
    employee.manager ? 'manager' : '',
  ].filter(Boolean);
  return roles.join(' · ') || 'no role yet';
}

/** Employees: mark to delete, open one, or add one. */
export function employeesModal(list: EmployeeView[], notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  if (list.length)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Rates are cost / price per hour.' }] });
  const shown = list.slice(0, 800);
  blocks.push(
    ...checkboxGroups(ids.admin.markedEmployees, shown, (e) => ({ label: `${e.name} · ${rolesOf(e)}`, value: e.id })),
  );
  if (list.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No employees yet.' } });
  const elements: ActionsBlock['elements'] = [
    {
      type: 'button',
      action_id: ids.admin.newEmployee,
      style: 'primary',
      text: { type: 'plain_text', text: 'New employee' },
      value: 'new',
    },
  ];
  if (list.length) {
    elements.push(recordSelect(ids.admin.openEmployee, 'Open…', list.map(employeeChoice)), {
      type: 'button',
      action_id: ids.admin.deleteEmployees,
      style: 'danger',
      text: { type: 'plain_text', text: 'Delete marked…' },
      value: 'delete',
    });
  }
  blocks.push({ type: 'actions', block_id: 'admin_employee_actions', elements });
  return {
    type: 'modal',
    callback_id: ids.admin.employeesModal,
    title: { type: 'plain_text', text: 'Employees' },
    close: { type: 'plain_text', text: 'Back' },
    blocks,
  };
}

/** One employee's page: who they are, their roles, and the projects they work on. */
export function employeeModal(detail: EmployeeDetail, notice?: string): ModalView {
  const { employee, assignments } = detail;
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  const about = [`*${escapeMrkdwn(employee.name)}*${employee.userId ? ` <@${employee.userId}>` : ''}`];
  if (employee.consultant)
    about.push(
      `Consultant: cost ${employee.consultant.costRate}, price ${employee.consultant.priceRate} ${detail.firmCurrency} per hour by default`,
    );
  if (employee.manager) about.push('Manager: approves the time on their projects');
  if (!employee.consultant && !employee.manager)
    about.push('No role yet: Edit details makes them a consultant or a manager.');
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: about.join('\n') } });
  if (employee.address) blocks.push(freeTextSection('Address', employee.address));
  if (employee.notes) blocks.push(freeTextSection('Notes', employee.notes));
  const top: ActionsBlock['elements'] = [
    {
      type: 'button',
      action_id: ids.admin.editEmployeeDetails,
      text: { type: 'plain_text', text: 'Edit details' },
      value: String(employee.id),
    },
  ];
  if (employee.consultant || employee.manager) {
    top.push({
      type: 'button',
      action_id: ids.admin.assignToProject,
      style: 'primary',
      text: { type: 'plain_text', text: 'Assign to project' },
      value: String(employee.id),
    });
  }
  top.push({
    type: 'button',
    action_id: ids.admin.backToEmployees,
    text: { type: 'plain_text', text: '← All employees' },
    value: 'employees',
  });
  blocks.push({ type: 'actions', block_id: 'admin_employee_page_actions', elements: top });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Projects' } });
  const shown = assignments.slice(0, 800);
  blocks.push(
    ...checkboxGroups(ids.admin.markedAssignments, shown, (a) => ({
      label: `${a.code} · ${a.name} · ${assignmentRole(a, detail.firmCurrency)}`,
      value: `${a.as}:${a.projectId}`,
    })),
  );
  if (assignments.length === 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'Not on any project yet.' } });
  else {
    const theirProjects = [
      ...new Map(
        assignments.map((a) => [a.projectId, projectChoice({ id: a.projectId, code: a.code, name: a.name })]),
      ).values(),
    ];
    blocks.push({
      type: 'actions',
      block_id: 'admin_employee_project_actions',
      elements: [
        {
          type: 'button',
          action_id: ids.admin.removeAssignments,
          style: 'danger',
          text: { type: 'plain_text', text: 'Remove from marked' },
          value: String(employee.id),
          confirm: {
            title: { type: 'plain_text', text: 'Remove from projects?' },
            text: {
              type: 'plain_text',
              text: truncate(`${employee.name} comes off the marked projects. Time already logged there stays.`, 300),
            },
            confirm: { type: 'plain_text', text: 'Remove' },
            deny: { type: 'plain_text', text: 'Keep' },
          },
        },
        recordSelect(ids.admin.openProject, 'Open project…', theirProjects),
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: ids.admin.employeePage,
    title: { type: 'plain_text', text: truncate(employee.name, 24) },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify({ employeeId: employee.id }),
    blocks,
  };
}

function assignmentRole(a: AssignmentRow, firmCurrency: string): string {
  if (a.as === 'manager') return 'manager';
  if (a.costRateCents === null && a.priceRateCents === null) return 'consultant · default rates';
  const rate = (minor: number | null, currency: string) => (minor === null ? 'default' : formatMoney(minor, currency));
  return `consultant · cost ${rate(a.costRateCents, firmCurrency)}, price ${rate(a.priceRateCents, a.priceCurrency)}`;
}

/** Puts the employee on a project, as consultant (optionally at other rates) or manager. */
export function assignFormModal(detail: EmployeeDetail, parentViewId: string): ModalView {
  const a = ids.admin.assignField;
  const { employee } = detail;
  const roleOptions: PlainTextOption[] = [
    ...(employee.consultant
      ? [{ text: { type: 'plain_text' as const, text: 'Consultant (logs time on it)' }, value: 'consultant' }]
      : []),
    ...(employee.manager
      ? [{ text: { type: 'plain_text' as const, text: 'Manager (approves its time)' }, value: 'manager' }]
      : []),
  ];
  const rateInput = (block: string, label: string, fallback: string | undefined): KnownBlock => ({
    type: 'input',
    block_id: block,
    optional: true,
    label: { type: 'plain_text', text: label },
    hint: {
      type: 'plain_text',
      text: fallback ? `Consultants only. Empty: their default, ${fallback}.` : 'Consultants only.',
    },
    element: { type: 'plain_text_input', action_id: 'value', max_length: 15 },
  });
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: a.project,
      label: { type: 'plain_text', text: 'Project' },
      element: recordSelect('value', 'Choose a project', detail.projects.map(projectChoice)),
    },
    {
      type: 'input',
      block_id: a.as,
      label: { type: 'plain_text', text: 'As' },
      element: { type: 'radio_buttons', action_id: 'value', options: roleOptions, initial_option: roleOptions[0]! },
    },
  ];
  if (employee.consultant) {
    blocks.push(
      rateInput(a.cost, 'Cost rate per hour on this project', `${employee.consultant.costRate} ${detail.firmCurrency}`),
      rateInput(
        a.price,
        'Price rate per hour, in the customer’s currency',
        `${employee.consultant.priceRate} ${detail.firmCurrency} (only for customers billed in ${detail.firmCurrency})`,
      ),
    );
  }
  return {
    type: 'modal',
    callback_id: ids.admin.assignForm,
    title: { type: 'plain_text', text: 'Assign to project' },
    submit: { type: 'plain_text', text: 'Assign' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ employeeId: employee.id, parentViewId }),
    blocks,
  };
}

/** What deleting the marked employees removes, archives and leaves waiting, with counts. */
export function deleteEmployeesConfirmModal(
  impact: EmployeeDeletion,
  employeeIds: number[],
  parentViewId: string,
): ModalView {
  const parts = [`Delete ${impact.employees} ${impact.employees === 1 ? 'employee' : 'employees'}?`];
  if (impact.openSheets > 0) {
    parts.push(
      `This also removes ${impact.openSheets} open or submitted ${impact.openSheets === 1 ? 'timesheet' : 'timesheets'} (${impact.openEntries} ${impact.openEntries === 1 ? 'entry' : 'entries'}).`,
    );
  }
  if (impact.archived.length > 0) {
    parts.push(
      `${namesWithin(impact.archived, ARCHIVED_LIST_LIMIT)} ${impact.archived.length === 1 ? 'has' : 'have'} approved or rejected timesheets: archived instead, kept in reports.`,
    );
  }
  if (impact.pendingDecisions > 0) {
    parts.push(
      `${impact.pendingDecisions} ${impact.pendingDecisions === 1 ? 'decision' : 'decisions'} waiting for them as approvers move to their projects’ other managers, or to the administrators.`,
    );
  }
  parts.push('Their Slack users keep their roles; remove those in Users.');
  return {
    type: 'modal',
    callback_id: ids.admin.deleteEmployeesConfirm,
    title: { type: 'plain_text', text: 'Delete employees' },
    submit: { type: 'plain_text', text: 'Delete' },
    close: { type: 'plain_text', text: 'Keep them' },
    private_metadata: JSON.stringify({ employeeIds, parentViewId }),
    // The sentences hold no user text but the list of names, escaped in it.
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: parts.join(' ') } }],
  };
}

/** New or existing employee: the Slack member, name, address, notes, consultant (with default rates) and manager. */
export function employeeFormModal(employee: EmployeeView | undefined, parentViewId: string): ModalView {
  const f = ids.admin.employeeField;
  const consultantOption: PlainTextOption = {
    text: { type: 'plain_text', text: 'Consultant (logs time)' },
    value: 'consultant',
  };
  const managerOption: PlainTextOption = {
    text: { type: 'plain_text', text: 'Manager (approves time)' },
    value: 'manager',
  };
  const initialRoles = [
    ...(employee?.consultant ? [consultantOption] : []),
    ...(employee?.manager ? [managerOption] : []),
  ];
  const input = (
    block: string,
    label: string,
    value: string | undefined,
    options: { optional?: boolean; multiline?: boolean; max?: number; hint?: string } = {},
  ): KnownBlock => ({
    type: 'input',
    block_id: block,
    optional: options.optional ?? false,
    label: { type: 'plain_text', text: label },
    ...(options.hint ? { hint: { type: 'plain_text', text: options.hint } } : {}),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: options.multiline ?? false,
      max_length: options.max ?? MAX_NAME_LENGTH,
      ...(value ? { initial_value: value } : {}),
    },
  });
  return {
    type: 'modal',
    callback_id: ids.admin.employeeForm,
    title: { type: 'plain_text', text: employee ? 'Edit employee' : 'New employee' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ ...(employee ? { employeeId: employee.id } : {}), parentViewId }),
    blocks: [
      {
        type: 'input',
        block_id: f.user,
        label: { type: 'plain_text', text: 'Person in Slack' },
        element: {
          type: 'users_select',
          action_id: 'value',
          ...(employee?.userId ? { initial_user: employee.userId } : {}),
        },
      },
      input(f.name, 'Name', employee?.name),
      input(f.address, 'Address', employee?.address, { optional: true, multiline: true, max: 2000 }),
      input(f.notes, 'Notes', employee?.notes, { optional: true, multiline: true, max: 2000 }),
      {
        type: 'input',
        block_id: f.roles,
        optional: true,
        label: { type: 'plain_text', text: 'Roles' },
        element: {
          type: 'checkboxes',
          action_id: 'value',
          options: [consultantOption, managerOption],
          ...(initialRoles.length ? { initial_options: initialRoles } : {}),
        },
      },
      input(f.cost, 'Default cost rate per hour (paid to them)', employee?.consultant?.costRate, {
        optional: true,
        max: 15,
        hint: 'For consultants, like 70.00',
      }),
      input(f.price, 'Default price rate per hour (billed)', employee?.consultant?.priceRate, {
        optional: true,
        max: 15,
        hint: 'For consultants, like 140.00',
      }),
    ],
  };
}
