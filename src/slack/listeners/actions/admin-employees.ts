import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { employeeFormModal, employeesModal } from '../../../../blocks/admin.js';
import { ids } from '../../../../blocks/ids.js';
import type { ServiceContext } from '../../../services/context.js';
import { listEmployees, saveEmployee } from '../../../services/employees.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { ackingFirst, tellUser } from '../safe.js';

const f = ids.admin.employeeField;
const text = z.object({ value: z.object({ value: z.string().nullish() }).partial() });
const employeeFormState = z.object({
  [f.user]: z.object({ value: z.object({ selected_user: z.string().nullish() }).partial() }),
  [f.name]: text,
  [f.address]: text.optional(),
  [f.notes]: text.optional(),
  [f.roles]: z.object({ value: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }).partial() }).optional(),
  [f.cost]: text.optional(),
  [f.price]: text.optional(),
});
const formMeta = z.object({ employeeId: z.number().int().positive().optional(), parentViewId: z.string() });
const FIELD_BLOCKS: Record<string, string> = { user: f.user, name: f.name, address: f.address, notes: f.notes, cost: f.cost, price: f.price };

/** /admin > Employees: create from a Slack member, edit, make consultant (with rates) or manager. */
export function registerAdminEmployeeActions(app: App, deps: ServiceDeps): void {
  app.action<BlockAction<ButtonAction>>(
    ids.admin.openEmployees,
    ackingFirst(deps.log, async ({ body, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listEmployees(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: employeesModal(listed.employees) });
    }),
  );

  app.action<BlockAction<ButtonAction>>(
    ids.admin.newEmployee,
    ackingFirst(deps.log, async ({ body, client }) => {
      if (!body.view) return;
      await client.views.push({ trigger_id: body.trigger_id, view: employeeFormModal(undefined, body.view.id) });
    }),
  );

  app.action<BlockAction<StaticSelectAction>>(
    ids.admin.editEmployee,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listEmployees(ctx);
      const employee = listed.ok ? listed.employees.find((e) => String(e.id) === action.selected_option.value) : undefined;
      if (!employee) return show(deps, client, ctx, body.view.id, 'That employee no longer exists.');
      await client.views.push({ trigger_id: body.trigger_id, view: employeeFormModal(employee, body.view.id) });
    }),
  );

  app.view(ids.admin.employeeForm, async ({ body, ack, client }) => {
    const meta = formMeta.parse(JSON.parse(body.view.private_metadata || '{}'));
    const state = employeeFormState.safeParse(body.view.state.values);
    if (!state.success) return void (await ack({ response_action: 'errors', errors: { [f.name]: 'The form came back incomplete; open it again.' } }));
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
    if (!saved.ok) return void (await ack({ response_action: 'errors', errors: { [FIELD_BLOCKS[saved.error.field ?? 'name'] ?? f.name]: saved.error.message } }));
    await ack();
    await show(deps, client, ctx, meta.parentViewId, `Saved ${saved.employee.name}.`);
  });
}

async function show(deps: ServiceDeps, client: WebClient, ctx: ServiceContext, viewId: string, notice: string): Promise<void> {
  const listed = await listEmployees(ctx);
  if (!listed.ok) return;
  await client.views.update({ view_id: viewId, view: employeesModal(listed.employees, notice) }).catch((error: unknown) => deps.log.warn('could not update the employees view', { error }));
}
