import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { z } from 'zod';
import {
  customerFormModal,
  customersModal,
  deleteCustomersConfirmModal,
  removeProjectsConfirmModal,
} from '../../../../blocks/admin-customers.js';
import { ids } from '../../../../blocks/ids.js';
import { customerChoice, matchingOptions } from '../../../../blocks/record-select.js';
import {
  customerDeletionImpact,
  customerDetail,
  deleteCustomers,
  listCustomers,
  saveCustomer,
} from '../../../services/customers.js';
import { deleteProjects, projectDeletionImpact } from '../../../services/projects.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { adminPage, showAdminPage } from '../../admin-pages.js';
import { checkedIds, tooManyMarked } from '../../view-state.js';
import { ackingFirst, tellUser } from '../safe.js';
import { chosenOption, rowId, rowIdText } from '../../edge/payload-values.js';

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
  [f.paymentTerms]: z.object({ value: field }).optional(),
  [f.taxId]: z.object({ value: field }).optional(),
  [f.billingEmail]: z.object({ value: field }).optional(),
  [f.rounding]: z.object({ value: chosen }).optional(),
});
const formMeta = z.object({ customerId: rowId.optional(), parentViewId: z.string() });
const deleteMeta = z.object({ customerIds: z.array(rowId).min(1), parentViewId: z.string() });
const removeProjectsMeta = z.object({
  projectIds: z.array(rowId).min(1),
  parentViewId: z.string(),
  back: adminPage,
});
const customerIdValue = rowIdText;

/** /admin > Customers: create, open one (edit it, add and remove its projects), delete marked (with what goes, what is archived). */
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
    ids.admin.openCustomer,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      await showAdminPage(deps, client, ctx, body.view.id, {
        kind: 'customer',
        customerId: customerIdValue.parse(chosenOption(action)),
      });
    }),
  );

  // More customers than a menu holds: Slack asks for the ones matching what the admin types.
  app.options(ids.admin.openCustomer, async ({ body, ack, client }) => {
    const listed = await listCustomers(await contextForSlackUser(deps, client, body.user.id));
    await ack({ options: listed.ok ? matchingOptions(listed.customers.map(customerChoice), body.value ?? '') : [] });
  });

  app.action<BlockAction<ButtonAction>>(
    ids.admin.backToCustomers,
    ackingFirst(deps.log, async ({ body, client }) => {
      if (!body.view) return;
      await showAdminPage(deps, client, await contextForSlackUser(deps, client, body.user.id), body.view.id, {
        kind: 'customers',
      });
    }),
  );

  app.action<BlockAction<ButtonAction>>(
    ids.admin.editCustomerDetails,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const customerId = customerIdValue.parse(action.value);
      const detail = await customerDetail(ctx, customerId);
      if (!detail.ok) return showAdminPage(deps, client, ctx, body.view.id, { kind: 'customer', customerId });
      await client.views.push({ trigger_id: body.trigger_id, view: customerFormModal(detail.customer, body.view.id) });
    }),
  );

  app.action(ids.admin.markedProjects, async ({ ack }) => ack());

  app.action<BlockAction<ButtonAction>>(
    ids.admin.removeProjects,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const back = { kind: 'customer' as const, customerId: customerIdValue.parse(action.value) };
      const marked = checkedIds(body.view.state?.values);
      if (marked.length === 0)
        return showAdminPage(deps, client, ctx, body.view.id, back, 'Mark the projects to remove first.');
      const tooMany = tooManyMarked(marked.length, 'projects');
      if (tooMany) return showAdminPage(deps, client, ctx, body.view.id, back, tooMany);
      const impact = await projectDeletionImpact(ctx, marked);
      if (!impact.ok) return showAdminPage(deps, client, ctx, body.view.id, back, impact.error.message);
      await client.views.push({
        trigger_id: body.trigger_id,
        view: removeProjectsConfirmModal(impact.impact, marked, body.view.id, back),
      });
    }),
  );

  app.view(ids.admin.removeProjectsConfirm, async ({ body, ack, client }) => {
    await ack();
    const meta = removeProjectsMeta.parse(JSON.parse(body.view.private_metadata || '{}'));
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const removed = await deleteProjects(ctx, meta.projectIds);
    const notice = removed.ok
      ? `Removed ${removed.deleted.projects - removed.deleted.archived.length}, archived ${removed.deleted.archived.length}.`
      : removed.error.message;
    await showAdminPage(deps, client, ctx, meta.parentViewId, meta.back, notice);
  });

  app.view(ids.admin.customerForm, async ({ body, ack, client }) => {
    const meta = formMeta.parse(JSON.parse(body.view.private_metadata || '{}'));
    const state = customerFormState.safeParse(body.view.state.values);
    if (!state.success)
      return void (await ack({
        response_action: 'errors',
        errors: { [f.code]: 'The form came back incomplete; open it again.' },
      }));
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
      invoicing: {
        paymentTermsDays: s[f.paymentTerms]?.value.value ?? '',
        taxId: s[f.taxId]?.value.value ?? '',
        billingEmail: s[f.billingEmail]?.value.value ?? '',
        invoiceRoundingMinutes: Number(s[f.rounding]?.value.selected_option?.value ?? 0),
      },
    });
    if (!saved.ok) {
      const fields: Record<string, string> = {
        code: f.code,
        name: f.name,
        currency: f.currency,
        billing: f.billing,
        address: f.address,
        notes: f.notes,
        paymentTerms: f.paymentTerms,
        taxId: f.taxId,
        billingEmail: f.billingEmail,
        rounding: f.rounding,
      };
      const block = fields[saved.error.field ?? ''] ?? f.code;
      return void (await ack({ response_action: 'errors', errors: { [block]: saved.error.message } }));
    }
    await ack();
    const back =
      meta.customerId === undefined
        ? { kind: 'customers' as const }
        : { kind: 'customer' as const, customerId: meta.customerId };
    await showAdminPage(deps, client, ctx, meta.parentViewId, back, `Saved ${saved.customer.code}.`);
  });

  app.action<BlockAction<ButtonAction>>(
    ids.admin.deleteCustomers,
    ackingFirst(deps.log, async ({ body, client }) => {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const marked = checkedIds(body.view.state?.values);
      if (marked.length === 0)
        return showAdminPage(
          deps,
          client,
          ctx,
          body.view.id,
          { kind: 'customers' },
          'Mark the customers to delete first.',
        );
      const tooMany = tooManyMarked(marked.length, 'customers');
      if (tooMany) return showAdminPage(deps, client, ctx, body.view.id, { kind: 'customers' }, tooMany);
      const impact = await customerDeletionImpact(ctx, marked);
      if (!impact.ok)
        return showAdminPage(deps, client, ctx, body.view.id, { kind: 'customers' }, impact.error.message);
      await client.views.push({
        trigger_id: body.trigger_id,
        view: deleteCustomersConfirmModal(impact.impact, marked, body.view.id),
      });
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
    await showAdminPage(deps, client, ctx, meta.parentViewId, { kind: 'customers' }, notice);
  });
}
