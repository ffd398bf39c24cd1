import type { BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AdminPage } from '../../../../blocks/admin.js';
import { projectFormModal, projectsModal, ratesFormModal } from '../../../../blocks/admin-projects.js';
import { ids } from '../../../../blocks/ids.js';
import { type Choice, customerChoice, matchingOptions, projectChoice } from '../../../../blocks/record-select.js';
import { customerDetail, listCustomers } from '../../../services/customers.js';
import { employeeDetail } from '../../../services/employee-assignments.js';
import type { ServiceContext } from '../../../services/context.js';
import { listProjects, projectDetail, saveProject, setAssignmentRates } from '../../../services/projects.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { adminPage, showAdminPage } from '../../admin-pages.js';
import { ackingFirst, tellRefused, tellUser } from '../safe.js';
import { chosenOption, jsonText, rowId, rowIdText } from '../../edge/payload-values.js';

const f = ids.admin.projectField;
const text = z.object({ value: z.object({ value: z.string().nullish() }).partial() });
const chosenValue = z.object({ selected_option: z.object({ value: z.string() }).nullish() }).partial();
const one = z.object({ value: chosenValue });
/** The customer menu: a static one (`value`), or a search past 100 customers. */
const customerMenu = z.object({ value: chosenValue, [ids.admin.projectCustomerSearch]: chosenValue }).partial();
const many = z.object({
  value: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }).partial(),
});
const projectFormState = z.object({
  [f.code]: text,
  [f.customer]: customerMenu,
  [f.name]: text,
  [f.description]: text.optional(),
  [f.address]: text.optional(),
  [f.notes]: text.optional(),
  [f.active]: many.optional(),
  [f.managers]: many.optional(),
  [f.consultants]: many.optional(),
});
const formMeta = z.object({
  projectId: rowId.optional(),
  parentViewId: z.string(),
  back: adminPage,
});
const r = ids.admin.ratesField;
const ratesFormState = z.object({ [r.consultant]: one, [r.cost]: text.optional(), [r.price]: text.optional() });
const ratesMeta = z.object({ projectId: rowId, parentViewId: z.string(), back: adminPage });
const idValue = rowIdText;
const FIELD_BLOCKS: Record<string, string> = {
  code: f.code,
  customer: f.customer,
  name: f.name,
  description: f.description,
  address: f.address,
  notes: f.notes,
  managers: f.managers,
  consultants: f.consultants,
};

/** /admin > Projects (and a customer's or employee's projects): create, open and edit projects, their teams and rates. */
export function registerAdminProjectActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openProjects,
    ackingFirst(deps.log, async function openProjects({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listProjects(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: projectsModal(listed.projects) });
    }),
  );

  const openForm = async (
    client: WebClient,
    ctx: ServiceContext,
    at: { triggerId: string; parentViewId: string; back: AdminPage },
    projectId: number | undefined,
    customerId?: number,
  ) => {
    const listed = await listProjects(ctx);
    if (!listed.ok) return tellRefused(client, ctx, listed.error.message, deps.log);
    if (listed.choices.customers.length === 0)
      return showAdminPage(
        deps,
        client,
        ctx,
        at.parentViewId,
        at.back,
        'Create a customer first: every project belongs to one.',
      );
    const project = projectId === undefined ? undefined : listed.projects.find((p) => p.id === projectId);
    if (projectId !== undefined && !project)
      return showAdminPage(deps, client, ctx, at.parentViewId, at.back, 'That project no longer exists.');
    await client.views.push({
      trigger_id: at.triggerId,
      view: projectFormModal(project, listed.choices, at.parentViewId, at.back, customerId ?? project?.customerId),
    });
  };

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.newProject,
    ackingFirst(deps.log, async function newProject({ body, client }) {
      if (!body.view) return;
      await openForm(
        client,
        await contextForSlackUser(deps, client, body.user.id),
        { triggerId: body.trigger_id, parentViewId: body.view.id, back: { kind: 'projects' } },
        undefined,
      );
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.newCustomerProject,
    ackingFirst(deps.log, async function newCustomerProject({ body, action, client }) {
      if (!body.view) return;
      const customerId = idValue.parse(action.value);
      const at = {
        triggerId: body.trigger_id,
        parentViewId: body.view.id,
        back: { kind: 'customer' as const, customerId },
      };
      await openForm(client, await contextForSlackUser(deps, client, body.user.id), at, undefined, customerId);
    }),
  );

  routes.action<BlockAction<StaticSelectAction>>(
    ids.admin.openProject,
    ackingFirst(deps.log, async function openProject({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      await showAdminPage(deps, client, ctx, body.view.id, {
        kind: 'project',
        projectId: idValue.parse(chosenOption(action)),
      });
    }),
  );

  // The project form's customer menu past 100 customers: the ones matching what the admin types.
  routes.options(ids.admin.projectCustomerSearch, async function projectCustomerChoices({ body, ack, client }) {
    const listed = await listCustomers(await contextForSlackUser(deps, client, body.user.id));
    await ack({ options: listed.ok ? matchingOptions(listed.customers.map(customerChoice), body.value ?? '') : [] });
  });

  // More projects than a menu holds: Slack asks for the ones matching what the admin types, among
  // the projects the page lists (all, a customer's, or an employee's).
  routes.options(ids.admin.openProject, async function openProjectChoices({ body, ack, client }) {
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const page = jsonText(z.object({ customerId: rowId.optional(), employeeId: rowId.optional() })).safeParse(
      body.view?.private_metadata ?? '',
    );
    let choices: Choice[] = [];
    if (body.view?.callback_id === ids.admin.customerPage && page.data?.customerId) {
      const detail = await customerDetail(ctx, page.data.customerId);
      if (detail.ok) choices = detail.projects.map(projectChoice);
    } else if (body.view?.callback_id === ids.admin.employeePage && page.data?.employeeId) {
      const detail = await employeeDetail(ctx, page.data.employeeId);
      if (detail.ok)
        choices = detail.assignments.map((a) => projectChoice({ id: a.projectId, code: a.code, name: a.name }));
    } else {
      const listed = await listProjects(ctx);
      if (listed.ok) choices = listed.projects.map(projectChoice);
    }
    await ack({ options: matchingOptions([...new Map(choices.map((c) => [c.value, c])).values()], body.value ?? '') });
  });

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.backToProjects,
    ackingFirst(deps.log, async function backToProjects({ body, client }) {
      if (!body.view) return;
      await showAdminPage(deps, client, await contextForSlackUser(deps, client, body.user.id), body.view.id, {
        kind: 'projects',
      });
    }),
  );

  // From a project's page to its customer's or a team member's page, in the same view.
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openProjectCustomer,
    ackingFirst(deps.log, async function openProjectCustomer({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      await showAdminPage(deps, client, ctx, body.view.id, {
        kind: 'customer',
        customerId: idValue.parse(action.value),
      });
    }),
  );
  routes.action<BlockAction<StaticSelectAction>>(
    ids.admin.openProjectEmployee,
    ackingFirst(deps.log, async function openProjectEmployee({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      await showAdminPage(deps, client, ctx, body.view.id, {
        kind: 'employee',
        employeeId: idValue.parse(chosenOption(action)),
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.editProjectDetails,
    ackingFirst(deps.log, async function editProjectDetails({ body, action, client }) {
      if (!body.view) return;
      const projectId = idValue.parse(action.value);
      const at = {
        triggerId: body.trigger_id,
        parentViewId: body.view.id,
        back: { kind: 'project' as const, projectId },
      };
      await openForm(client, await contextForSlackUser(deps, client, body.user.id), at, projectId);
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.projectRates,
    ackingFirst(deps.log, async function projectRates({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const back = { kind: 'project' as const, projectId: idValue.parse(action.value) };
      const detail = await projectDetail(ctx, back.projectId);
      if (!detail.ok) return showAdminPage(deps, client, ctx, body.view.id, back);
      if (detail.consultants.length === 0)
        return showAdminPage(
          deps,
          client,
          ctx,
          body.view.id,
          back,
          `Add consultants to ${detail.project.code} first; then set their rates.`,
        );
      await client.views.push({ trigger_id: body.trigger_id, view: ratesFormModal(detail, body.view.id, back) });
    }),
  );

  routes.view(ids.admin.ratesForm, async function submitRatesForm({ body, ack, client }) {
    const meta = jsonText(ratesMeta).parse(body.view.private_metadata ?? '');
    const state = ratesFormState.safeParse(body.view.state.values);
    const consultantId = state.success
      ? rowIdText.safeParse(state.data[r.consultant].value.selected_option?.value).data
      : undefined;
    if (!state.success || consultantId === undefined)
      return void (await ack({ response_action: 'errors', errors: { [r.consultant]: 'Choose a consultant.' } }));
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const saved = await setAssignmentRates(ctx, {
      projectId: meta.projectId,
      consultantId,
      costRate: state.data[r.cost]?.value.value ?? '',
      priceRate: state.data[r.price]?.value.value ?? '',
    });
    if (!saved.ok) {
      const block = saved.error.field === 'price' ? r.price : saved.error.field === 'cost' ? r.cost : r.consultant;
      return void (await ack({ response_action: 'errors', errors: { [block]: saved.error.message } }));
    }
    await ack();
    await showAdminPage(deps, client, ctx, meta.parentViewId, meta.back, 'Rates saved.');
  });

  routes.view(ids.admin.projectForm, async function submitProjectForm({ body, ack, client }) {
    const meta = jsonText(formMeta).parse(body.view.private_metadata ?? '');
    const state = projectFormState.safeParse(body.view.state.values);
    if (!state.success)
      return void (await ack({
        response_action: 'errors',
        errors: { [f.code]: 'The form came back incomplete; open it again.' },
      }));
    const s = state.data;
    const menu = s[f.customer];
    const customerId = rowIdText.safeParse(
      (menu.value ?? menu[ids.admin.projectCustomerSearch])?.selected_option?.value,
    ).data;
    if (customerId === undefined)
      return void (await ack({ response_action: 'errors', errors: { [f.customer]: 'Choose a customer.' } }));
    // A team menu the form left out comes back absent: that team stays as it is.
    const picked = (field: z.infer<typeof many> | undefined) =>
      field && (field.value.selected_options ?? []).map((o) => rowIdText.parse(o.value));
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const saved = await saveProject(ctx, {
      ...(meta.projectId !== undefined ? { id: meta.projectId } : {}),
      code: s[f.code].value.value ?? '',
      customerId,
      name: s[f.name].value.value ?? '',
      description: s[f.description]?.value.value ?? '',
      address: s[f.address]?.value.value ?? '',
      notes: s[f.notes]?.value.value ?? '',
      active: (s[f.active]?.value.selected_options ?? []).some((o) => o.value === 'active'),
      managerIds: picked(s[f.managers]),
      consultantIds: picked(s[f.consultants]),
    });
    if (!saved.ok)
      return void (await ack({
        response_action: 'errors',
        errors: { [FIELD_BLOCKS[saved.error.field ?? 'code'] ?? f.code]: saved.error.message },
      }));
    await ack();
    await showAdminPage(deps, client, ctx, meta.parentViewId, meta.back, `Saved ${saved.project.code}.`);
  });
}
