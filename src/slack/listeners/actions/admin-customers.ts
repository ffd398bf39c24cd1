import type { BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import {
  customerFormModal,
  customersModal,
  deleteCustomersConfirmModal,
  removeProjectsConfirmModal,
} from '../../../../blocks/admin-customers.js';
import type { AdminPage } from '../../../../blocks/admin.js';
import { ids } from '../../../../blocks/ids.js';
import { customerChoice, matchingOptions } from '../../../../blocks/record-select.js';
import {
  type CustomerDeletion,
  customerDeletionImpact,
  customerDetail,
  deleteCustomers,
  listCustomers,
  saveCustomer,
} from '../../../services/customers.js';
import { deleteProjects, projectDeletionImpact, type ProjectDeletion } from '../../../services/projects.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { adminPage, showAdminPage } from '../../admin-pages.js';
import { ackingFirst, tellUser } from '../safe.js';
import { type MarkedDeletion, registerMarkedDeletion } from './marked-deletion.js';
import { chosenOption, jsonText, rowId, rowIdText } from '../../edge/payload-values.js';

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
  [f.rounding]: z
    .object({
      value: z
        .object({
          selected_option: z
            .object({
              value: z
                .string()
                .regex(/^[0-9]{1,4}$/)
                .transform(Number),
            })
            .nullish(),
        })
        .partial(),
    })
    .optional(),
});
const formMeta = z.object({ customerId: rowId.optional(), parentViewId: z.string() });
const customerIdValue = rowIdText;

const customerDeletion: MarkedDeletion<CustomerDeletion, AdminPage> = {
  button: ids.admin.deleteCustomers,
  confirm: ids.admin.deleteCustomersConfirm,
  what: 'customers',
  verb: 'delete',
  pageOf: () => ({ kind: 'customers' }),
  impact: customerDeletionImpact,
  confirmModal: deleteCustomersConfirmModal,
  confirmed: z
    .object({ customerIds: z.array(rowId).min(1), parentViewId: z.string() })
    .transform(({ customerIds, parentViewId }) => ({ ids: customerIds, parentViewId, page: { kind: 'customers' } })),
  remove: async (ctx, customerIds) => {
    const deleted = await deleteCustomers(ctx, customerIds);
    return deleted.ok
      ? `Deleted ${deleted.deleted.customers - deleted.deleted.archived.length}, archived ${deleted.deleted.archived.length}.`
      : deleted.error.message;
  },
  show: showAdminPage,
};

/** Removing projects from a customer's page; its Remove button carries the customer's id. */
const projectRemoval: MarkedDeletion<ProjectDeletion, AdminPage> = {
  button: ids.admin.removeProjects,
  confirm: ids.admin.removeProjectsConfirm,
  what: 'projects',
  verb: 'remove',
  pageOf: (action) => ({ kind: 'customer', customerId: customerIdValue.parse(action.value) }),
  impact: projectDeletionImpact,
  confirmModal: removeProjectsConfirmModal,
  confirmed: z
    .object({ projectIds: z.array(rowId).min(1), parentViewId: z.string(), back: adminPage })
    .transform(({ projectIds, parentViewId, back }) => ({ ids: projectIds, parentViewId, page: back })),
  remove: async (ctx, projectIds) => {
    const removed = await deleteProjects(ctx, projectIds);
    return removed.ok
      ? `Removed ${removed.deleted.projects - removed.deleted.archived.length}, archived ${removed.deleted.archived.length}.`
      : removed.error.message;
  },
  show: showAdminPage,
};

/** /admin > Customers: create, open one (edit it, add and remove its projects), delete marked (with what goes, what is archived). */
export function registerAdminCustomerActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openCustomers,
    ackingFirst(deps.log, async function openCustomers({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listCustomers(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: customersModal(listed.customers) });
    }),
  );
  routes.action(ids.admin.markedCustomers, async ({ ack }) => ack());

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.newCustomer,
    ackingFirst(deps.log, async function newCustomer({ body, client }) {
      if (!body.view) return;
      await client.views.push({ trigger_id: body.trigger_id, view: customerFormModal(undefined, body.view.id) });
    }),
  );

  routes.action<BlockAction<StaticSelectAction>>(
    ids.admin.openCustomer,
    ackingFirst(deps.log, async function openCustomer({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      await showAdminPage(deps, client, ctx, body.view.id, {
        kind: 'customer',
        customerId: customerIdValue.parse(chosenOption(action)),
      });
    }),
  );

  // More customers than a menu holds: Slack asks for the ones matching what the admin types.
  routes.options(ids.admin.openCustomer, async function openCustomerChoices({ body, ack, client }) {
    const listed = await listCustomers(await contextForSlackUser(deps, client, body.user.id));
    await ack({ options: listed.ok ? matchingOptions(listed.customers.map(customerChoice), body.value ?? '') : [] });
  });

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.backToCustomers,
    ackingFirst(deps.log, async function backToCustomers({ body, client }) {
      if (!body.view) return;
      await showAdminPage(deps, client, await contextForSlackUser(deps, client, body.user.id), body.view.id, {
        kind: 'customers',
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.editCustomerDetails,
    ackingFirst(deps.log, async function editCustomerDetails({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const customerId = customerIdValue.parse(action.value);
      const detail = await customerDetail(ctx, customerId);
      if (!detail.ok) return showAdminPage(deps, client, ctx, body.view.id, { kind: 'customer', customerId });
      await client.views.push({ trigger_id: body.trigger_id, view: customerFormModal(detail.customer, body.view.id) });
    }),
  );

  routes.action(ids.admin.markedProjects, async ({ ack }) => ack());

  registerMarkedDeletion(routes, deps, projectRemoval);

  routes.view(ids.admin.customerForm, async function submitCustomerForm({ body, ack, client }) {
    const meta = jsonText(formMeta).parse(body.view.private_metadata ?? '');
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
        invoiceRoundingMinutes: s[f.rounding]?.value.selected_option?.value ?? 0,
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

  registerMarkedDeletion(routes, deps, customerDeletion);
}
