import type { ActionsBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { formatMoney } from '../src/domain/money.js';
import type { ProjectDetail, ProjectRow } from '../src/services/projects.js';
import type { AdminPage } from './admin.js';
import { ids } from './ids.js';
import { MAX_MENU_OPTIONS, projectChoice, recordSelect } from './record-select.js';
import { escapedWithin, escapeMrkdwn, freeTextSection, lineSections, truncate } from './mrkdwn.js';
import { MAX_NAME_LENGTH } from '../src/domain/names.js';

export type ProjectView = ProjectRow;
export type ProjectChoicesView = {
  customers: { id: number; code: string; name: string }[];
  managers: { employeeId: number; name: string }[];
  consultants: { employeeId: number; name: string }[];
};

/** Projects: one line each with its customer and team size, a picker to open one, and New project. */
export function projectsModal(list: ProjectView[], notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  const lines = list
    .slice(0, 1200)
    .map(
      (p) =>
        `*${escapeMrkdwn(p.code)}* ${escapedWithin(p.name, 60)} · ${escapeMrkdwn(p.customerCode)} · ${p.managerIds.length} managers · ${p.consultantIds.length} consultants${p.active ? '' : ' · _closed_'}`,
    );
  blocks.push(...lineSections(lines, 15));
  if (list.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No projects yet.' } });
  const elements: ActionsBlock['elements'] = [
    {
      type: 'button',
      action_id: ids.admin.newProject,
      style: 'primary',
      text: { type: 'plain_text', text: 'New project' },
      value: 'new',
    },
  ];
  if (list.length) {
    elements.push(recordSelect(ids.admin.openProject, 'Open…', list.map(projectChoice)));
  }
  blocks.push({ type: 'actions', block_id: 'admin_project_actions', elements });
  return {
    type: 'modal',
    callback_id: ids.admin.projectsModal,
    title: { type: 'plain_text', text: 'Projects' },
    close: { type: 'plain_text', text: 'Back' },
    blocks,
  };
}

/**
 * New or existing project: code, customer, name, description, open for time, managers, consultants.
 * A new project from a customer's page starts with that customer chosen.
 */
export function projectFormModal(
  project: ProjectView | undefined,
  choices: ProjectChoicesView,
  parentViewId: string,
  back: AdminPage,
  customerId = project?.customerId,
): ModalView {
  const f = ids.admin.projectField;
  const option = (text: string, value: string | number): PlainTextOption => ({
    text: { type: 'plain_text', text: truncate(text, 75) },
    value: String(value),
  });
  const customerOptions = choices.customers.map((c) => option(`${c.code} · ${c.name}`, c.id));
  // A team longer than a menu holds is left out of the form (and so kept); it is set from each employee's page.
  const managerOptions =
    choices.managers.length <= MAX_MENU_OPTIONS ? choices.managers.map((m) => option(m.name, m.employeeId)) : [];
  const consultantOptions =
    choices.consultants.length <= MAX_MENU_OPTIONS ? choices.consultants.map((c) => option(c.name, c.employeeId)) : [];
  const chosen = (options: PlainTextOption[], values: number[]) =>
    options.filter((o) => values.includes(Number(o.value)));
  const openOption = option('Open for time entry', 'active');
  const initialCustomer = customerOptions.find((o) => o.value === String(customerId));
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: f.code,
      label: { type: 'plain_text', text: 'Code (A-Z, 0-9, dashes)' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        max_length: 20,
        ...(project ? { initial_value: project.code } : {}),
      },
    },
    {
      type: 'input',
      block_id: f.customer,
      label: { type: 'plain_text', text: 'Customer' },
      // More customers than a menu holds: searched as the admin types, the project's own chosen.
      element:
        customerOptions.length > MAX_MENU_OPTIONS
          ? {
              type: 'external_select',
              action_id: ids.admin.projectCustomerSearch,
              min_query_length: 0,
              placeholder: { type: 'plain_text', text: 'Type to find the customer' },
              ...(initialCustomer ? { initial_option: initialCustomer } : {}),
            }
          : {
              type: 'static_select',
              action_id: 'value',
              options: customerOptions,
              ...(initialCustomer ? { initial_option: initialCustomer } : {}),
            },
    },
    {
      type: 'input',
      block_id: f.name,
      label: { type: 'plain_text', text: 'Name' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        max_length: MAX_NAME_LENGTH,
        ...(project ? { initial_value: project.name } : {}),
      },
    },
    {
      type: 'input',
      block_id: f.description,
      optional: true,
      label: { type: 'plain_text', text: 'Description' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 2000,
        ...(project?.description ? { initial_value: project.description } : {}),
      },
    },
    {
      type: 'input',
      block_id: f.address,
      optional: true,
      label: { type: 'plain_text', text: 'Address (where the work happens)' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 2000,
        ...(project?.address ? { initial_value: project.address } : {}),
      },
    },
    {
      type: 'input',
      block_id: f.notes,
      optional: true,
      label: { type: 'plain_text', text: 'Notes' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 2000,
        ...(project?.notes ? { initial_value: project.notes } : {}),
      },
    },
    {
      type: 'input',
      block_id: f.active,
      optional: true,
      label: { type: 'plain_text', text: 'Status' },
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [openOption],
        ...(project?.active === false ? {} : { initial_options: [openOption] }),
      },
    },
  ];
  if (managerOptions.length) {
    const initial = chosen(managerOptions, project?.managerIds ?? []);
    blocks.push({
      type: 'input',
      block_id: f.managers,
      optional: true,
      label: { type: 'plain_text', text: 'Managers (approve its time)' },
      element: {
        type: 'multi_static_select',
        action_id: 'value',
        options: managerOptions,
        ...(initial.length ? { initial_options: initial } : {}),
      },
    });
  }
  if (consultantOptions.length) {
    const initial = chosen(consultantOptions, project?.consultantIds ?? []);
    blocks.push({
      type: 'input',
      block_id: f.consultants,
      optional: true,
      label: { type: 'plain_text', text: 'Consultants (may log time)' },
      element: {
        type: 'multi_static_select',
        action_id: 'value',
        options: consultantOptions,
        ...(initial.length ? { initial_options: initial } : {}),
      },
    });
  }
  const tooMany = [
    choices.managers.length > MAX_MENU_OPTIONS ? 'managers' : '',
    choices.consultants.length > MAX_MENU_OPTIONS ? 'consultants' : '',
  ].filter(Boolean);
  if (tooMany.length) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `There are more ${tooMany.join(' and ')} than a menu holds: put them on this project with Assign to project on each employee's page.`,
        },
      ],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'A consultant who stays keeps their rates on this project; set them with Consultant rates….',
      },
    ],
  });
  return {
    type: 'modal',
    callback_id: ids.admin.projectForm,
    title: { type: 'plain_text', text: project ? 'Edit project' : 'New project' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ ...(project ? { projectId: project.id } : {}), parentViewId, back }),
    blocks,
  };
}

/** One project's page: what it is, its customer and team with their rates, and links to each. */
export function projectModal(detail: ProjectDetail, notice?: string): ModalView {
  const { project, customer, managers, consultants } = detail;
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  const about = [
    `*${escapeMrkdwn(project.code)}* · ${escapeMrkdwn(project.name)}${project.active ? '' : ' · _closed to new time_'}`,
    `Customer: ${escapeMrkdwn(customer.code)} · ${escapeMrkdwn(customer.name)}`,
  ];
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: about.join('\n') } });
  if (project.description) blocks.push(freeTextSection('Description', project.description));
  if (project.address) blocks.push(freeTextSection('Address', project.address));
  if (project.notes) blocks.push(freeTextSection('Notes', project.notes));
  const top: ActionsBlock['elements'] = [
    {
      type: 'button',
      action_id: ids.admin.editProjectDetails,
      text: { type: 'plain_text', text: 'Edit details and team' },
      value: String(project.id),
    },
    {
      type: 'button',
      action_id: ids.admin.openProjectCustomer,
      text: { type: 'plain_text', text: truncate(`Open ${customer.code}`, 75) },
      value: String(customer.id),
    },
  ];
  if (consultants.length)
    top.push({
      type: 'button',
      action_id: ids.admin.projectRates,
      text: { type: 'plain_text', text: 'Consultant rates…' },
      value: String(project.id),
    });
  top.push({
    type: 'button',
    action_id: ids.admin.backToProjects,
    text: { type: 'plain_text', text: '← All projects' },
    value: 'projects',
  });
  blocks.push({ type: 'actions', block_id: 'admin_project_page_actions', elements: top });

  const rate = (override: number | null, fallback: number, currency: string) =>
    override === null ? `${formatMoney(fallback, detail.costCurrency)} (default)` : formatMoney(override, currency);
  blocks.push(
    ...teamSections(
      '*Managers* (approve its time)',
      managers,
      () => '',
      '_None: its time goes to administrators for approval._',
    ),
    ...teamSections(
      '*Consultants* (per hour)',
      consultants,
      (c) =>
        ` · cost ${rate(c.costRateCents, c.defaultCostRateCents, detail.costCurrency)} · price ${rate(c.priceRateCents, c.defaultPriceRateCents, detail.customer.currency)}`,
      '_None yet: add them with Edit details and team._',
    ),
  );
  const people = [...new Map([...managers, ...consultants].map((p) => [p.employeeId, p])).values()].slice(0, 100);
  if (people.length) {
    blocks.push({
      type: 'actions',
      block_id: 'admin_project_people',
      elements: [
        {
          type: 'static_select',
          action_id: ids.admin.openProjectEmployee,
          placeholder: { type: 'plain_text', text: 'Open employee…' },
          options: people.map((p) => ({
            text: { type: 'plain_text', text: truncate(p.name, 75) },
            value: String(p.employeeId),
          })),
        },
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: ids.admin.projectPage,
    title: { type: 'plain_text', text: truncate(project.code, 24) },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify({ projectId: project.id }),
    blocks,
  };
}

/** A heading and one line per person (the first 60), twenty lines a section to stay within 3,000 characters. */
function teamSections<Person extends { name: string }>(
  heading: string,
  people: Person[],
  detail: (person: Person) => string,
  none: string,
): KnownBlock[] {
  const lines = people.slice(0, TEAM_SHOWN).map((p) => `• ${escapedWithin(p.name, 40)}${detail(p)}`);
  if (people.length > TEAM_SHOWN) lines.push(`_and ${people.length - TEAM_SHOWN} more_`);
  return [
    { type: 'section', text: { type: 'mrkdwn', text: lines.length ? heading : `${heading}\n${none}` } },
    ...lineSections(lines, 20),
  ];
}
const TEAM_SHOWN = 60;

/** A consultant's cost and price rates on one project; empty means the consultant's default. */
export function ratesFormModal(detail: ProjectDetail, parentViewId: string, back: AdminPage): ModalView {
  const r = ids.admin.ratesField;
  const { project } = detail;
  const options = detail.consultants.slice(0, 100).map((c): PlainTextOption => {
    const current =
      [
        c.costRateCents !== null ? `cost ${formatMoney(c.costRateCents, detail.costCurrency)}` : '',
        c.priceRateCents !== null ? `price ${formatMoney(c.priceRateCents, detail.customer.currency)}` : '',
      ]
        .filter(Boolean)
        .join(', ') || 'defaults';
    return { text: { type: 'plain_text', text: truncate(`${c.name} · ${current}`, 75) }, value: String(c.employeeId) };
  });
  const rateInput = (block: string, label: string): KnownBlock => ({
    type: 'input',
    block_id: block,
    optional: true,
    label: { type: 'plain_text', text: label },
    hint: { type: 'plain_text', text: 'Like 150.00; leave empty for the consultant’s default.' },
    element: { type: 'plain_text_input', action_id: 'value', max_length: 15 },
  });
  return {
    type: 'modal',
    callback_id: ids.admin.ratesForm,
    title: { type: 'plain_text', text: truncate(`Rates on ${project.code}`, 24) },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ projectId: project.id, parentViewId, back }),
    blocks: [
      {
        type: 'input',
        block_id: r.consultant,
        label: { type: 'plain_text', text: 'Consultant' },
        element: { type: 'static_select', action_id: 'value', options },
      },
      rateInput(r.cost, `Cost rate per hour on this project (${detail.costCurrency})`),
      rateInput(r.price, `Price rate per hour on this project (${detail.customer.currency})`),
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Approved time keeps the rates it was approved with.' }] },
    ],
  };
}
