import type { BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import {
  assignFormModal,
  deleteEmployeesConfirmModal,
  employeeFormModal,
  employeesModal,
} from '../../../../blocks/admin-employees.js';
import type { AdminPage } from '../../../../blocks/admin.js';
import { ids } from '../../../../blocks/ids.js';
import { employeeChoice, matchingOptions, projectChoice } from '../../../../blocks/record-select.js';
import {
  type AssignmentRole,
  assignToProject,
  type EmployeeDetail,
  employeeDetail,
  removeFromProjects,
} from '../../../services/employee-assignments.js';
import { deleteEmployees, type EmployeeDeletion, employeeDeletionImpact } from '../../../services/employee-removal.js';
import { listEmployees, saveEmployee } from '../../../services/employees.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { showAdminPage } from '../../admin-pages.js';
import { checkedValues } from '../../view-state.js';
import { ackingFirst, tellUser } from '../safe.js';
import { type MarkedDeletion, registerMarkedDeletion } from './marked-deletion.js';
import { chosenOption, jsonText, rowId, rowIdText } from '../../edge/payload-values.js';

const f = ids.admin.employeeField;
const text = z.object({ value: z.object({ value: z.string().nullish() }).partial() });
const employeeFormState = z.object({
  [f.user]: z.object({ value: z.object({ selected_user: z.string().nullish() }).partial() }),
  [f.name]: text,
  [f.address]: text.optional(),
  [f.notes]: text.optional(),
  [f.roles]: z
    .object({ value: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }).partial() })
    .optional(),
  [f.cost]: text.optional(),
  [f.price]: text.optional(),
});
const formMeta = z.object({ employeeId: rowId.optional(), parentViewId: z.string() });
const FIELD_BLOCKS: Record<string, string> = {
  user: f.user,
  name: f.name,
  address: f.address,
  notes: f.notes,
  roles: f.roles,
  cost: f.cost,
  price: f.price,
};
const a = ids.admin.assignField;
const assignFormState = z.object({
  [a.project]: z.object({ value: z.object({ selected_option: z.object({ value: z.string() }).nullish() }).partial() }),
  [a.as]: z.object({
    value: z.object({ selected_option: z.object({ value: z.enum(['consultant', 'manager']) }).nullish() }).partial(),
  }),
  [a.cost]: text.optional(),
  [a.price]: text.optional(),
});
const ASSIGN_BLOCKS: Record<string, string> = { project: a.project, as: a.as, cost: a.cost, price: a.price };
const assignMeta = z.object({ employeeId: rowId, parentViewId: z.string() });

const employeeDeletion: MarkedDeletion<EmployeeDeletion, AdminPage> = {
  button: ids.admin.deleteEmployees,
  confirm: ids.admin.deleteEmployeesConfirm,
  what: 'employees',
  verb: 'delete',
  pageOf: () => ({ kind: 'employees' }),
  impact: employeeDeletionImpact,
  confirmModal: deleteEmployeesConfirmModal,
  confirmed: z
    .object({ employeeIds: z.array(rowId).min(1), parentViewId: z.string() })
    .transform(({ employeeIds, parentViewId }) => ({ ids: employeeIds, parentViewId, page: { kind: 'employees' } })),
  remove: async (ctx, employeeIds) => {
    const deleted = await deleteEmployees(ctx, employeeIds);
    return deleted.ok
      ? `Deleted ${deleted.deleted.employees - deleted.deleted.archived.length}, archived ${deleted.deleted.archived.length}.`
      : deleted.error.message;
  },
  show: showAdminPage,
};
const employeeIdValue = rowIdText;
const assignmentValue = z.string().regex(/^(consultant|manager):[1-9][0-9]{0,9}$/);

/**
 * /admin > Employees: create from a Slack member; open one to edit them (consultant with rates,
 * manager), put them on projects or take them off; delete marked employees.
 */
export function registerAdminEmployeeActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openEmployees,
    ackingFirst(deps.log, async function openEmployees({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listEmployees(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: employeesModal(listed.employees) });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.newEmployee,
    ackingFirst(deps.log, async function newEmployee({ body, client }) {
      if (!body.view) return;
      await client.views.push({ trigger_id: body.trigger_id, view: employeeFormModal(undefined, body.view.id) });
    }),
  );

  routes.action(ids.admin.markedEmployees, async ({ ack }) => ack());
  routes.action(ids.admin.markedAssignments, async ({ ack }) => ack());

  routes.action<BlockAction<StaticSelectAction>>(
    ids.admin.openEmployee,
    ackingFirst(deps.log, async function openEmployee({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      await showAdminPage(deps, client, ctx, body.view.id, {
        kind: 'employee',
        employeeId: employeeIdValue.parse(chosenOption(action)),
      });
    }),
  );

  // More employees or projects than a menu holds: Slack asks for the ones matching what the admin types.
  routes.options(ids.admin.openEmployee, async function openEmployeeChoices({ body, ack, client }) {
    const listed = await listEmployees(await contextForSlackUser(deps, client, body.user.id));
    await ack({ options: listed.ok ? matchingOptions(listed.employees.map(employeeChoice), body.value ?? '') : [] });
  });
  routes.options<'block_suggestion'>(
    { block_id: a.project, action_id: 'value' },
    async function assignableProjectChoices({ body, ack, client }) {
      const meta = jsonText(assignMeta).safeParse(body.view?.private_metadata ?? '');
      const detail = meta.success
        ? await employeeDetail(await contextForSlackUser(deps, client, body.user.id), meta.data.employeeId)
        : undefined;
      await ack({ options: detail?.ok ? matchingOptions(detail.projects.map(projectChoice), body.value ?? '') : [] });
    },
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.backToEmployees,
    ackingFirst(deps.log, async function backToEmployees({ body, client }) {
      if (!body.view) return;
      await showAdminPage(deps, client, await contextForSlackUser(deps, client, body.user.id), body.view.id, {
        kind: 'employees',
      });
    }),
  );

  // Edit details and Assign to project both open a form over the employee's page.
  for (const [actionId, form] of [
    [
      ids.admin.editEmployeeDetails,
      (detail: EmployeeDetail, parentViewId: string) => employeeFormModal(detail.employee, parentViewId),
    ],
    [ids.admin.assignToProject, assignFormModal],
  ] as const) {
    routes.action<BlockAction<ButtonAction>>(
      actionId,
      ackingFirst(deps.log, async function openEmployeeForm({ body, action, client }) {
        if (!body.view) return;
        const ctx = await contextForSlackUser(deps, client, body.user.id);
        const employeeId = employeeIdValue.parse(action.value);
        const detail = await employeeDetail(ctx, employeeId);
        if (!detail.ok) return showAdminPage(deps, client, ctx, body.view.id, { kind: 'employee', employeeId });
        if (actionId === ids.admin.assignToProject && detail.projects.length === 0) {
          return showAdminPage(
            deps,
            client,
            ctx,
            body.view.id,
            { kind: 'employee', employeeId },
            'There are no projects yet: create one in Projects or on a customer first.',
          );
        }
        await client.views.push({ trigger_id: body.trigger_id, view: form(detail, body.view.id) });
      }),
    );
  }

  routes.view(ids.admin.assignForm, async function submitAssignForm({ body, ack, client }) {
    const meta = jsonText(assignMeta).parse(body.view.private_metadata ?? '');
    const state = assignFormState.safeParse(body.view.state.values);
    if (!state.success)
      return void (await ack({
        response_action: 'errors',
        errors: { [a.project]: 'The form came back incomplete; open it again.' },
      }));
    const projectId = rowIdText.safeParse(state.data[a.project].value.selected_option?.value).data;
    const as = state.data[a.as].value.selected_option?.value;
    const errors: Record<string, string> = {};
    if (projectId === undefined) errors[a.project] = 'Choose a project.';
    if (!as) errors[a.as] = 'Choose consultant or manager.';
    if (!as || projectId === undefined) return void (await ack({ response_action: 'errors', errors }));
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const saved = await assignToProject(ctx, {
      employeeId: meta.employeeId,
      projectId,
      as,
      costRate: state.data[a.cost]?.value.value ?? '',
      priceRate: state.data[a.price]?.value.value ?? '',
    });
    if (!saved.ok)
      return void (await ack({
        response_action: 'errors',
        errors: { [ASSIGN_BLOCKS[saved.error.field ?? 'project'] ?? a.project]: saved.error.message },
      }));
    await ack();
    await showAdminPage(
      deps,
      client,
      ctx,
      meta.parentViewId,
      { kind: 'employee', employeeId: meta.employeeId },
      `Assigned to ${saved.project.code} as ${as}.`,
    );
  });

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.removeAssignments,
    ackingFirst(deps.log, async function removeAssignments({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const employeeId = employeeIdValue.parse(action.value);
      const marked = checkedValues(body.view.state?.values)
        .filter((value) => assignmentValue.safeParse(value).success)
        .map((value) => {
          const [as, projectId] = value.split(':') as [AssignmentRole, string];
          return { as, projectId: rowIdText.parse(projectId) };
        });
      const removed = await removeFromProjects(ctx, employeeId, marked);
      const notice = removed.ok
        ? `Taken off ${removed.removed} ${removed.removed === 1 ? 'project' : 'projects'}; their logged time stays.`
        : removed.error.message;
      await showAdminPage(deps, client, ctx, body.view.id, { kind: 'employee', employeeId }, notice);
    }),
  );

  registerMarkedDeletion(routes, deps, employeeDeletion);

  routes.view(ids.admin.employeeForm, async function submitEmployeeForm({ body, ack, client }) {
    const meta = jsonText(formMeta).parse(body.view.private_metadata ?? '');
    const state = employeeFormState.safeParse(body.view.state.values);
    if (!state.success)
      return void (await ack({
        response_action: 'errors',
        errors: { [f.name]: 'The form came back incomplete; open it again.' },
      }));
    const s = state.data;
    const roles = new Set((s[f.roles]?.value.selected_options ?? []).map((o) => o.value));
    const cost = s[f.cost]?.value.value?.trim() ?? '';
    const price = s[f.price]?.value.value?.trim() ?? '';
    if (roles.has('consultant') && (!cost || !price)) {
      const errors: Record<string, string> = {};
      if (!cost) errors[f.cost] = 'A consultant needs a default cost rate, like 70.00.';
      if (!price) errors[f.price] = 'A consultant needs a default price rate, like 140.00.';
      return void (await ack({ response_action: 'errors', errors }));
    }
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const saved = await saveEmployee(ctx, {
      ...(meta.employeeId !== undefined ? { id: meta.employeeId } : {}),
      userId: s[f.user].value.selected_user ?? '',
      name: s[f.name].value.value ?? '',
      address: s[f.address]?.value.value ?? '',
      notes: s[f.notes]?.value.value ?? '',
      consultant: roles.has('consultant') ? { costRate: cost, priceRate: price } : null,
      manager: roles.has('manager'),
    });
    if (!saved.ok)
      return void (await ack({
        response_action: 'errors',
        errors: { [FIELD_BLOCKS[saved.error.field ?? 'name'] ?? f.name]: saved.error.message },
      }));
    await ack();
    const back =
      meta.employeeId === undefined
        ? { kind: 'employees' as const }
        : { kind: 'employee' as const, employeeId: meta.employeeId };
    await showAdminPage(deps, client, ctx, meta.parentViewId, back, `Saved ${saved.employee.name}.`);
  });
}
