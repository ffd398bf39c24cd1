import type { ActionsBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { PERIOD_CADENCES } from '../src/domain/periods.js';
import { RIGHTS } from '../src/domain/rights.js';
import { checkboxGroups } from './checkbox-groups.js';
import { ids } from './ids.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

const RIGHT_LABELS: Record<(typeof RIGHTS)[number], string> = {
  admin: 'Administration',
  entry: 'Time entry',
  approval: 'Approval',
  payable: 'Accounts Payable',
  receivable: 'Accounts Receivable',
  security: 'Security',
};

/** The /admin home: the sections this user's rights open. */
export function adminHomeModal(sections: {
  periods: boolean;
  security: boolean;
  reports?: boolean;
  settings?: boolean;
}): ModalView {
  const buttons: ActionsBlock['elements'] = [];
  if (sections.reports) {
    buttons.push({
      type: 'button',
      action_id: ids.reports.open,
      text: { type: 'plain_text', text: 'Reports' },
      value: 'reports',
    });
  }
  if (sections.periods) {
    buttons.push(
      {
        type: 'button',
        action_id: ids.admin.openTimesheets,
        text: { type: 'plain_text', text: 'Timesheets' },
        value: 'timesheets',
      },
      {
        type: 'button',
        action_id: ids.admin.openCustomers,
        text: { type: 'plain_text', text: 'Customers' },
        value: 'customers',
      },
      {
        type: 'button',
        action_id: ids.admin.openProjects,
        text: { type: 'plain_text', text: 'Projects' },
        value: 'projects',
      },
      {
        type: 'button',
        action_id: ids.admin.openEmployees,
        text: { type: 'plain_text', text: 'Employees' },
        value: 'employees',
      },
      {
        type: 'button',
        action_id: ids.admin.openPeriods,
        text: { type: 'plain_text', text: 'Reporting periods' },
        value: 'periods',
      },
    );
  }
  if (sections.security) {
    buttons.push(
      { type: 'button', action_id: ids.admin.openUsers, text: { type: 'plain_text', text: 'Users' }, value: 'users' },
      {
        type: 'button',
        action_id: ids.admin.openRoles,
        text: { type: 'plain_text', text: 'Roles and rights' },
        value: 'roles',
      },
    );
  }
  if (sections.settings) {
    buttons.push({
      type: 'button',
      action_id: ids.admin.openSettings,
      text: { type: 'plain_text', text: 'Settings' },
      value: 'settings',
    });
    buttons.push({
      type: 'button',
      action_id: ids.admin.openJobs,
      text: { type: 'plain_text', text: 'Scheduled jobs' },
      value: 'jobs',
    });
  }
  // The audit trail opens to administration and security; someone with only a report right does not see it.
  if (sections.periods || sections.security) {
    buttons.push({
      type: 'button',
      action_id: ids.admin.openAudit,
      text: { type: 'plain_text', text: 'Audit trail' },
      value: 'audit',
    });
  }
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: '*Administration*' } }];
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'admin_sections', elements: buttons });
  if (sections.periods)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Prepaid credits: open a prepaid customer here (Add credits, Adjust, Settings, Export prepaid log), or type `/credits CODE`.',
        },
      ],
    });
  return {
    type: 'modal',
    callback_id: ids.admin.homeModal,
    title: { type: 'plain_text', text: 'Administration' },
    close: { type: 'plain_text', text: 'Close' },
    blocks,
  };
}

export type PeriodListView = { id: number; startsOn: string; endsOn: string; openSheets: number; keptSheets: number }[];

/** Reporting periods with checkboxes (ten per group, Slack's limit), add, generate and delete marked. */
export function periodsModal(periods: PeriodListView, notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  // Newest first; the modal holds 100 blocks, so the oldest periods beyond 800 are not listed.
  const shown = [...periods].reverse().slice(0, 800);
  blocks.push(
    ...checkboxGroups(ids.admin.markedPeriods, shown, (p) => ({
      label: `${formatDay(p.startsOn)} – ${formatDay(p.endsOn)} · ${p.openSheets + p.keptSheets} sheets`,
      value: p.id,
    })),
  );
  if (periods.length === 0)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'No reporting periods yet: add one, or generate a series.' },
    });
  blocks.push({
    type: 'actions',
    block_id: 'admin_period_actions',
    elements: [
      {
        type: 'button',
        action_id: ids.admin.addPeriod,
        text: { type: 'plain_text', text: 'Add period' },
        value: 'add',
      },
      {
        type: 'button',
        action_id: ids.admin.generatePeriods,
        text: { type: 'plain_text', text: 'Generate series' },
        value: 'generate',
      },
      {
        type: 'button',
        action_id: ids.admin.deletePeriods,
        style: 'danger',
        text: { type: 'plain_text', text: 'Delete marked…' },
        value: 'delete',
      },
    ],
  });
  return {
    type: 'modal',
    callback_id: ids.admin.periodsModal,
    title: { type: 'plain_text', text: 'Reporting periods' },
    close: { type: 'plain_text', text: 'Back' },
    blocks,
  };
}

/** One period (begin, end) or a series (cadence, from, to). */
export function periodFormModal(kind: 'single' | 'series', parentViewId: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (kind === 'series') {
    blocks.push({
      type: 'input',
      block_id: ids.admin.cadence.block,
      label: { type: 'plain_text', text: 'Every' },
      element: {
        type: 'static_select',
        action_id: ids.admin.cadence.action,
        options: PERIOD_CADENCES.map((c) => ({
          text: {
            type: 'plain_text',
            text: { weekly: 'Week', 'semi-monthly': 'Half month (1st–15th, 16th–end)', monthly: 'Month' }[c],
          },
          value: c,
        })),
      },
    });
  }
  blocks.push(
    {
      type: 'input',
      block_id: ids.admin.starts.block,
      label: { type: 'plain_text', text: kind === 'series' ? 'From' : 'Begins' },
      element: { type: 'datepicker', action_id: ids.admin.starts.action },
    },
    {
      type: 'input',
      block_id: ids.admin.ends.block,
      label: { type: 'plain_text', text: kind === 'series' ? 'To' : 'Ends (inclusive)' },
      element: { type: 'datepicker', action_id: ids.admin.ends.action },
    },
  );
  return {
    type: 'modal',
    callback_id: ids.admin.periodForm,
    title: { type: 'plain_text', text: kind === 'series' ? 'Generate periods' : 'Add a period' },
    submit: { type: 'plain_text', text: kind === 'series' ? 'Generate' : 'Add' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ kind, parentViewId }),
    blocks,
  };
}

/** Says exactly what deleting the marked periods removes and what it keeps. */
export function deletePeriodsConfirmModal(
  impact: { periods: number; openSheets: number; openEntries: number; keptSheets: number },
  periodIds: number[],
  parentViewId: string,
): ModalView {
  const goes =
    impact.openSheets > 0
      ? ` This also deletes ${impact.openSheets} open ${impact.openSheets === 1 ? 'timesheet' : 'timesheets'} (${impact.openEntries} ${impact.openEntries === 1 ? 'entry' : 'entries'}).`
      : '';
  const stays =
    impact.keptSheets > 0
      ? ` ${impact.keptSheets} submitted, approved or cancelled ${impact.keptSheets === 1 ? 'timesheet is' : 'timesheets are'} kept for reports; ${impact.keptSheets === 1 ? 'its period is' : 'their periods are'} archived and cannot be reopened.`
      : '';
  return {
    type: 'modal',
    callback_id: ids.admin.deletePeriodsConfirm,
    title: { type: 'plain_text', text: 'Delete periods' },
    submit: { type: 'plain_text', text: 'Delete' },
    close: { type: 'plain_text', text: 'Keep them' },
    private_metadata: JSON.stringify({ periodIds, parentViewId }),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Delete ${impact.periods} reporting ${impact.periods === 1 ? 'period' : 'periods'}?${goes}${stays}`,
        },
      },
    ],
  };
}

export type RoleView = {
  id: number;
  name: string;
  rights: (typeof RIGHTS)[number][];
  builtin: boolean;
  members: number;
};

/** Two blocks a role: a page of the role x right grid stays well within Slack's 100 blocks. */
export const ROLE_RIGHTS_PER_PAGE = 40;

/** The role x right grid, a page of roles at a time: each role's rights as checkboxes, saved as they change. */
export function rolesModal(roles: RoleView[], page = 0, notice?: string): ModalView {
  const pages = Math.max(1, Math.ceil(roles.length / ROLE_RIGHTS_PER_PAGE));
  const current = Math.min(Math.max(page, 0), pages - 1);
  const first = current * ROLE_RIGHTS_PER_PAGE;
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  if (pages > 1)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Roles ${first + 1}–${Math.min(first + ROLE_RIGHTS_PER_PAGE, roles.length)} of ${roles.length}.`,
        },
      ],
    });
  const options = RIGHTS.map((right): PlainTextOption => ({
    text: { type: 'plain_text', text: RIGHT_LABELS[right] },
    value: right,
  }));
  for (const role of roles.slice(first, first + ROLE_RIGHTS_PER_PAGE)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(role.name)}* · ${role.members} ${role.members === 1 ? 'member' : 'members'}${role.builtin ? ' · built in, every right' : ''}`,
      },
    });
    if (role.builtin) continue;
    const initial = options.filter((o) => role.rights.includes(o.value as (typeof RIGHTS)[number]));
    blocks.push({
      type: 'actions',
      block_id: `role_${role.id}`,
      elements: [
        {
          type: 'checkboxes',
          action_id: ids.admin.roleRights,
          options,
          ...(initial.length ? { initial_options: initial } : {}),
        },
        {
          type: 'button',
          action_id: ids.admin.deleteRole,
          text: { type: 'plain_text', text: 'Delete' },
          value: String(role.id),
          confirm: {
            title: { type: 'plain_text', text: 'Delete this role?' },
            text: {
              type: 'plain_text',
              text: truncate(
                `Delete ${role.name}? ${role.members} ${role.members === 1 ? 'person loses' : 'people lose'} its rights.`,
                300,
              ),
            },
            confirm: { type: 'plain_text', text: 'Delete' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
      ],
    });
  }
  const elements: ActionsBlock['elements'] = [
    { type: 'button', action_id: ids.admin.newRole, text: { type: 'plain_text', text: 'New role' }, value: 'new' },
  ];
  if (current > 0)
    elements.push({
      type: 'button',
      action_id: `${ids.admin.rolesPage}_back`,
      text: { type: 'plain_text', text: '← Previous roles' },
      value: String(current - 1),
    });
  if (current < pages - 1)
    elements.push({
      type: 'button',
      action_id: `${ids.admin.rolesPage}_on`,
      text: { type: 'plain_text', text: 'Next roles →' },
      value: String(current + 1),
    });
  blocks.push({ type: 'actions', block_id: 'admin_role_actions', elements });
  return {
    type: 'modal',
    callback_id: ids.admin.rolesModal,
    title: { type: 'plain_text', text: 'Roles and rights' },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify({ page: current }),
    blocks,
  };
}

export function roleFormModal(parentViewId: string): ModalView {
  return {
    type: 'modal',
    callback_id: ids.admin.roleForm,
    title: { type: 'plain_text', text: 'New role' },
    submit: { type: 'plain_text', text: 'Create' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ parentViewId }),
    blocks: [
      {
        type: 'input',
        block_id: ids.admin.roleName.block,
        label: { type: 'plain_text', text: 'Name' },
        element: { type: 'plain_text_input', action_id: ids.admin.roleName.action, max_length: 100 },
      },
      {
        type: 'input',
        block_id: ids.admin.roleFormRights.block,
        label: { type: 'plain_text', text: 'Rights' },
        optional: true,
        element: {
          type: 'checkboxes',
          action_id: ids.admin.roleFormRights.action,
          options: RIGHTS.map((right) => ({ text: { type: 'plain_text', text: RIGHT_LABELS[right] }, value: right })),
        },
      },
    ],
  };
}

export type UserGridView = {
  users: { id: string; name: string; roleIds: number[]; delegateIds: string[] }[];
  roles: RoleView[];
};

/** Which page of users and which page of roles the grid shows. */
export type UserGridPages = { page: number; rolePage: number };

/** Users per page: two blocks each, plus the notice, the role range and two navigation rows, keeps a page within Slack's 100. */
export const USERS_PER_PAGE = 40;
/** A checkbox group holds ten options: the grid shows roles ten at a time. */
export const ROLES_PER_PAGE = 10;

/** The user x role grid, one page of users by one page of roles, with each user's delegates and a Deactivate button; changes save as made. */
export function usersModal(grid: UserGridView, at: UserGridPages, notice?: string): ModalView {
  const pages = Math.max(1, Math.ceil(grid.users.length / USERS_PER_PAGE));
  const current = Math.min(Math.max(at.page, 0), pages - 1);
  const rolePages = Math.max(1, Math.ceil(grid.roles.length / ROLES_PER_PAGE));
  const rolePage = Math.min(Math.max(at.rolePage, 0), rolePages - 1);
  const shownRoles = grid.roles.slice(rolePage * ROLES_PER_PAGE, (rolePage + 1) * ROLES_PER_PAGE);
  const roleOptions = shownRoles.map((r): PlainTextOption => ({
    text: { type: 'plain_text', text: truncate(r.name, 75) },
    value: String(r.id),
  }));
  const roleRange = (page: number) => {
    const first = page * ROLES_PER_PAGE + 1;
    const last = Math.min(first + ROLES_PER_PAGE - 1, grid.roles.length);
    return first === last ? `Role ${first}` : `Roles ${first}–${last}`;
  };
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  if (rolePages > 1) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${roleRange(rolePage)} of ${grid.roles.length}. A tick changes only the roles shown; each user's other roles are kept.`,
        },
      ],
    });
    const roleNav: ActionsBlock['elements'] = [];
    if (rolePage > 0)
      roleNav.push({
        type: 'button',
        action_id: `${ids.admin.usersPage}_roles_back`,
        text: { type: 'plain_text', text: `← ${roleRange(rolePage - 1)}` },
        value: String(rolePage - 1),
      });
    if (rolePage < rolePages - 1)
      roleNav.push({
        type: 'button',
        action_id: `${ids.admin.usersPage}_roles_on`,
        text: { type: 'plain_text', text: `${roleRange(rolePage + 1)} →` },
        value: String(rolePage + 1),
      });
    blocks.push({ type: 'actions', block_id: 'admin_users_roles_nav', elements: roleNav });
  }
  for (const user of grid.users.slice(current * USERS_PER_PAGE, (current + 1) * USERS_PER_PAGE)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(user.name)}* <@${user.id}>` } });
    const initial = roleOptions.filter((o) => user.roleIds.includes(Number(o.value)));
    blocks.push({
      type: 'actions',
      block_id: `user_${user.id}`,
      elements: [
        ...(roleOptions.length
          ? [
              {
                type: 'checkboxes' as const,
                action_id: ids.admin.userRoles,
                options: roleOptions,
                ...(initial.length ? { initial_options: initial } : {}),
              },
            ]
          : []),
        {
          type: 'multi_users_select',
          action_id: ids.admin.userDelegates,
          placeholder: { type: 'plain_text', text: 'Delegates (may act for them)' },
          ...(user.delegateIds.length ? { initial_users: user.delegateIds } : {}),
        },
        {
          type: 'button',
          action_id: ids.admin.deactivateUser,
          text: { type: 'plain_text', text: 'Deactivate' },
          value: user.id,
          confirm: {
            title: { type: 'plain_text', text: 'Deactivate this user?' },
            text: {
              type: 'plain_text',
              text: truncate(
                `${user.name} keeps their history but can no longer log time, approve, or be acted for.`,
                300,
              ),
            },
            confirm: { type: 'plain_text', text: 'Deactivate' },
            deny: { type: 'plain_text', text: 'Keep' },
          },
        },
      ],
    });
  }
  const nav: ActionsBlock['elements'] = [];
  if (current > 0)
    nav.push({
      type: 'button',
      action_id: `${ids.admin.usersPage}_back`,
      text: { type: 'plain_text', text: '← Previous' },
      value: String(current - 1),
    });
  if (current < pages - 1)
    nav.push({
      type: 'button',
      action_id: `${ids.admin.usersPage}_on`,
      text: { type: 'plain_text', text: 'Next →' },
      value: String(current + 1),
    });
  if (nav.length) blocks.push({ type: 'actions', block_id: 'admin_users_nav', elements: nav });
  // roleIds: the roles this page's checkboxes show, so a tick saves exactly those even if roles change meanwhile.
  return {
    type: 'modal',
    callback_id: ids.admin.usersModal,
    title: { type: 'plain_text', text: 'Users' },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify({ page: current, rolePage, roleIds: shownRoles.map((r) => r.id) }),
    blocks,
  };
}

export type AuditRowView = {
  at: Date;
  actor: string;
  actingFor: string | null;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
};
export type AuditFilter = { userId?: string; entity?: string; from?: string; to?: string };
export const AUDIT_ENTITIES = [
  'time_entry',
  'timesheet',
  'timer',
  'customer',
  'project',
  'employee',
  'role',
  'user',
  'reporting_period',
  'setup',
] as const;

/** The latest changes: who acted, for whom, what changed from what to what. */
export function auditModal(rows: AuditRowView[], filter: AuditFilter): ModalView {
  const entityOptions = AUDIT_ENTITIES.map((e): PlainTextOption => ({
    text: { type: 'plain_text', text: e.replace('_', ' ') },
    value: e,
  }));
  const blocks: KnownBlock[] = [
    {
      type: 'actions',
      block_id: 'audit_filter',
      elements: [
        {
          type: 'users_select',
          action_id: ids.admin.auditUser,
          placeholder: { type: 'plain_text', text: 'Anyone' },
          ...(filter.userId ? { initial_user: filter.userId } : {}),
        },
        {
          type: 'static_select',
          action_id: ids.admin.auditEntity,
          placeholder: { type: 'plain_text', text: 'Everything' },
          options: entityOptions,
          ...(filter.entity ? { initial_option: entityOptions.find((o) => o.value === filter.entity)! } : {}),
        },
        {
          type: 'datepicker',
          action_id: ids.admin.auditFrom,
          placeholder: { type: 'plain_text', text: 'From' },
          ...(filter.from ? { initial_date: filter.from } : {}),
        },
        {
          type: 'datepicker',
          action_id: ids.admin.auditTo,
          placeholder: { type: 'plain_text', text: 'To' },
          ...(filter.to ? { initial_date: filter.to } : {}),
        },
      ],
    },
  ];
  if (rows.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No changes match.' } });
  for (const row of rows) {
    const who = row.actingFor
      ? `${escapeMrkdwn(row.actor)} for ${escapeMrkdwn(row.actingFor)}`
      : escapeMrkdwn(row.actor);
    const change = `${compact(row.before)} → ${compact(row.after)}`;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `*${who}* · \`${escapeMrkdwn(row.action)}\` ${escapeMrkdwn(row.entity)} ${escapeMrkdwn(row.entityId)} · ${row.at.toISOString().slice(0, 16).replace('T', ' ')} UTC\n${escapeMrkdwn(change)}`,
          3000,
        ),
      },
    });
  }
  return {
    type: 'modal',
    callback_id: ids.admin.auditModal,
    title: { type: 'plain_text', text: 'Audit trail' },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify(filter),
    blocks,
  };
}

function compact(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return truncate(JSON.stringify(value), 600);
}

/** An /admin list or record page a form returns to when it is saved (private_metadata `back`). */
export type AdminPage =
  | { kind: 'customers' }
  | { kind: 'customer'; customerId: number }
  | { kind: 'projects' }
  | { kind: 'project'; projectId: number }
  | { kind: 'employees' }
  | { kind: 'employee'; employeeId: number };
