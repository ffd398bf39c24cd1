import type { ActionsBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { formatDay } from '../src/domain/dates.js';
import { PERIOD_CADENCES } from '../src/domain/periods.js';
import { RIGHTS } from '../src/domain/rights.js';
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
export function adminHomeModal(sections: { periods: boolean; security: boolean }): ModalView {
  const buttons: ActionsBlock['elements'] = [];
  if (sections.periods) buttons.push({ type: 'button', action_id: ids.admin.openPeriods, text: { type: 'plain_text', text: 'Reporting periods' }, value: 'periods' });
  if (sections.security) buttons.push({ type: 'button', action_id: ids.admin.openRoles, text: { type: 'plain_text', text: 'Roles and rights' }, value: 'roles' });
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: '*Administration*' } }];
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'admin_sections', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Customers, projects, employees, rates, credits and user roles are loaded from a setup file: `npm run cli -- import setup.yaml` (see README, "Setup from a file").' }],
  });
  return { type: 'modal', callback_id: ids.admin.homeModal, title: { type: 'plain_text', text: 'Administration' }, close: { type: 'plain_text', text: 'Close' }, blocks };
}

export type PeriodListView = { id: number; startsOn: string; endsOn: string; openSheets: number; keptSheets: number }[];

/** Reporting periods with checkboxes (ten per group, Slack's limit), add, generate and delete marked. */
export function periodsModal(periods: PeriodListView, notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  // Newest first; the modal holds 100 blocks, so the oldest periods beyond 800 are not listed.
  const shown = [...periods].reverse().slice(0, 800);
  for (let group = 0; group * 10 < shown.length; group++) {
    const options: PlainTextOption[] = shown.slice(group * 10, group * 10 + 10).map((p) => ({
      text: { type: 'plain_text', text: truncate(`${formatDay(p.startsOn)} – ${formatDay(p.endsOn)} · ${p.openSheets + p.keptSheets} sheets`, 75) },
      value: String(p.id),
    }));
    blocks.push({ type: 'actions', block_id: `${ids.admin.markedPeriods}_${group}`, elements: [{ type: 'checkboxes', action_id: ids.admin.markedPeriods, options }] });
  }
  if (periods.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No reporting periods yet: add one, or generate a series.' } });
  blocks.push({
    type: 'actions',
    block_id: 'admin_period_actions',
    elements: [
      { type: 'button', action_id: ids.admin.addPeriod, text: { type: 'plain_text', text: 'Add period' }, value: 'add' },
      { type: 'button', action_id: ids.admin.generatePeriods, text: { type: 'plain_text', text: 'Generate series' }, value: 'generate' },
      { type: 'button', action_id: ids.admin.deletePeriods, style: 'danger', text: { type: 'plain_text', text: 'Delete marked…' }, value: 'delete' },
    ],
  });
  return { type: 'modal', callback_id: ids.admin.periodsModal, title: { type: 'plain_text', text: 'Reporting periods' }, close: { type: 'plain_text', text: 'Back' }, blocks };
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
        options: PERIOD_CADENCES.map((c) => ({ text: { type: 'plain_text', text: { weekly: 'Week', 'semi-monthly': 'Half month (1st–15th, 16th–end)', monthly: 'Month' }[c] }, value: c })),
      },
    });
  }
  blocks.push(
    { type: 'input', block_id: ids.admin.starts.block, label: { type: 'plain_text', text: kind === 'series' ? 'From' : 'Begins' }, element: { type: 'datepicker', action_id: ids.admin.starts.action } },
    { type: 'input', block_id: ids.admin.ends.block, label: { type: 'plain_text', text: kind === 'series' ? 'To' : 'Ends (inclusive)' }, element: { type: 'datepicker', action_id: ids.admin.ends.action } },
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
export function deletePeriodsConfirmModal(impact: { periods: number; openSheets: number; openEntries: number; keptSheets: number }, periodIds: number[], parentViewId: string): ModalView {
  const goes = impact.openSheets > 0 ? ` This also deletes ${impact.openSheets} open ${impact.openSheets === 1 ? 'timesheet' : 'timesheets'} (${impact.openEntries} ${impact.openEntries === 1 ? 'entry' : 'entries'}).` : '';
  const stays = impact.keptSheets > 0 ? ` ${impact.keptSheets} submitted, approved or cancelled ${impact.keptSheets === 1 ? 'timesheet is' : 'timesheets are'} kept for reports; ${impact.keptSheets === 1 ? 'its period is' : 'their periods are'} archived and cannot be reopened.` : '';
  return {
    type: 'modal',
    callback_id: ids.admin.deletePeriodsConfirm,
    title: { type: 'plain_text', text: 'Delete periods' },
    submit: { type: 'plain_text', text: 'Delete' },
    close: { type: 'plain_text', text: 'Keep them' },
    private_metadata: JSON.stringify({ periodIds, parentViewId }),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Delete ${impact.periods} reporting ${impact.periods === 1 ? 'period' : 'periods'}?${goes}${stays}` } }],
  };
}

export type RoleView = { id: number; name: string; rights: (typeof RIGHTS)[number][]; builtin: boolean; members: number };

/** The role x right grid: each role's rights as checkboxes, saved as they change. */
export function rolesModal(roles: RoleView[], notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notice) } });
  const options = RIGHTS.map((right): PlainTextOption => ({ text: { type: 'plain_text', text: RIGHT_LABELS[right] }, value: right }));
  // Two blocks per role: the grid holds 45 roles within Slack's 100 blocks.
  for (const role of roles.slice(0, 45)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(role.name)}* · ${role.members} ${role.members === 1 ? 'member' : 'members'}${role.builtin ? ' · built in, every right' : ''}` } });
    if (role.builtin) continue;
    const initial = options.filter((o) => role.rights.includes(o.value as (typeof RIGHTS)[number]));
    blocks.push({
      type: 'actions',
      block_id: `role_${role.id}`,
      elements: [
        { type: 'checkboxes', action_id: ids.admin.roleRights, options, ...(initial.length ? { initial_options: initial } : {}) },
        {
          type: 'button',
          action_id: ids.admin.deleteRole,
          text: { type: 'plain_text', text: 'Delete' },
          value: String(role.id),
          confirm: {
            title: { type: 'plain_text', text: 'Delete this role?' },
            text: { type: 'plain_text', text: truncate(`Delete ${role.name}? ${role.members} ${role.members === 1 ? 'person loses' : 'people lose'} its rights.`, 300) },
            confirm: { type: 'plain_text', text: 'Delete' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
      ],
    });
  }
  blocks.push({ type: 'actions', block_id: 'admin_role_actions', elements: [{ type: 'button', action_id: ids.admin.newRole, text: { type: 'plain_text', text: 'New role' }, value: 'new' }] });
  return { type: 'modal', callback_id: ids.admin.rolesModal, title: { type: 'plain_text', text: 'Roles and rights' }, close: { type: 'plain_text', text: 'Back' }, blocks };
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
      { type: 'input', block_id: ids.admin.roleName.block, label: { type: 'plain_text', text: 'Name' }, element: { type: 'plain_text_input', action_id: ids.admin.roleName.action, max_length: 100 } },
      {
        type: 'input',
        block_id: ids.admin.roleFormRights.block,
        label: { type: 'plain_text', text: 'Rights' },
        optional: true,
        element: { type: 'checkboxes', action_id: ids.admin.roleFormRights.action, options: RIGHTS.map((right) => ({ text: { type: 'plain_text', text: RIGHT_LABELS[right] }, value: right })) },
      },
    ],
  };
}
