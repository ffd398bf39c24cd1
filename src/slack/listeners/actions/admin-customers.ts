import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { customerFormModal, customersModal, deleteCustomersConfirmModal } from '../../../../blocks/admin.js';
import { ids } from '../../../../blocks/ids.js';
import type { ServiceContext } from '../../../services/context.js';
import { customerDeletionImpact, deleteCustomers, listCustomers, saveCustomer } from '../../../services/customers.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { checkedIds } from '../../view-state.js';
import { ackingFirst, tellUser } from '../safe.js';

const field = z.object({ value: z.string().nullish() }).partial();
const chosen = z.object({ selected_option: z.object({ value: z.string() }).nullish() }).partial();
const f = ids.admin.customerField;
const customerFormState = z.object({
  [f.code]: z.object({ value: field }),
  [f.name]: z.object({ value: field }),
  [f.currency]: z.object({ value: field }),
  [f.billing]: z.object({ value: chosen }),
  [f.address]: z.object({ value: field }).optional(),
  [f.notes]: z.object({ value: field }).optional(),
});
const formMeta = z.object({ customerId: z.number().int().positive().optional(), parentViewId: z.string() });
const deleteMeta = z.object({ customerIds: z.array(z.number().int().positive()).min(1), parentViewId: z.string() });

/** /admin > Customers: create, edit, delete marked (with what goes, what is archived). */
export function registerAdminCustomerActions(app: App, deps: ServiceDeps): void {
  app.action<BlockAction<ButtonAction>>(
    ids.admin.openCustomers,
    ackingFirst(deps.log, async ({ body, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listCustomers(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: customersModal(listed.customers) });
    }),
  );
  app.action(ids.admin.markedCustomers, async ({ ack }) => ack());

  app.action<BlockAction<ButtonAction>>(
    ids.admin.newCustomer,
    ackingFirst(deps.log, async ({ body, client }) => {
      if (!body.view) return;
      await client.views.push({ trigger_id: body.trigger_id, view: customerFormModal(undefined, body.view.id) });
    }),
  );

  app.action<BlockAction<StaticSelectAction>>(
    ids.admin.editCustomer,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listCustomers(ctx);
      const customer = listed.ok ? listed.customers.find((c) => String(c.id) === action.selected_option.value) : undefined;
      if (!customer) return show(deps, client, ctx, body.view.id, 'That customer no longer exists.');
      await client.views.push({ trigger_id: body.trigger_id, view: customerFormModal(customer, body.view.id) });
    }),
  );

  app.view(ids.admin.customerForm, async ({ body, ack, client }) => {
    const meta = formMeta.parse(JSON.parse(body.view.private_metadata || '{}'));
    const state = customerFormState.safeParse(body.view.state.values);
    if (!state.success) return void (await ack({ response_action: 'errors', errors: { [f.code]: 'The form came back incomplete; open it again.' } }));
    const s = state.data;
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const saved = await saveCustomer(ctx, {
      ...(meta.customerId !== undefined ? { id: meta.customerId } : {}),
      code: s[f.code].value.value ?? '',
      name: s[f.name].value.value ?? '',
      currency: s[f.currency].value.value ?? '',
      billingMode: s[f.billing].value.selected_option?.value === 'prepaid' ? 'prepaid' : 'hourly',
      address: s[f.address]?.value.value ?? '',
      notes: s[f.notes]?.value.value ?? '',
    });
    if (!saved.ok) {
      const block = { code: f.code, name: f.name, currency: f.currency, address: f.address, notes: f.notes }[saved.error.field as 'code'] ?? f.code;
      return void (await ack({ response_action: 'errors', errors: { [block]: saved.error.message } }));
    }
    await ack();
    await show(deps, client, ctx, meta.parentViewId, `Saved ${saved.customer.code}.`);
  });

  app.action<BlockAction<ButtonAction>>(
    ids.admin.deleteCustomers,
    ackingFirst(deps.log, async ({ body, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const marked = checkedIds(body.view.state?.values);
      if (marked.length === 0) return show(deps, client, ctx, body.view.id, 'Mark the customers to delete first.');
      const impact = await customerDeletionImpact(ctx, marked);
      if (!impact.ok) return show(deps, client, ctx, body.view.id, impact.error.message);
      await client.views.push({ trigger_id: body.trigger_id, view: deleteCustomersConfirmModal(impact.impact, marked, body.view.id) });
    }),
  );

  app.view(ids.admin.deleteCustomersConfirm, async ({ body, ack, client }) => {
    await ack();
    const meta = deleteMeta.parse(JSON.parse(body.view.private_metadata || '{}'));
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const deleted = await deleteCustomers(ctx, meta.customerIds);
    const notice = deleted.ok
      ? `Deleted ${deleted.deleted.customers - deleted.deleted.archived.length}, archived ${deleted.deleted.archived.length}.`
      : deleted.error.message;
    await show(deps, client, ctx, meta.parentViewId, notice);
  });
}

async function show(deps: ServiceDeps, client: WebClient, ctx: ServiceContext, viewId: string, notice: string): Promise<void> {
  const listed = await listCustomers(ctx);
  if (!listed.ok) return;
  await client.views.update({ view_id: viewId, view: customersModal(listed.customers, notice) }).catch((error: unknown) => deps.log.warn('could not update the customers view', { error }));
}
