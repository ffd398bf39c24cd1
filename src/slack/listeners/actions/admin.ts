import type {
  BlockAction,
  ButtonAction,
  CheckboxesAction,
  DatepickerAction,
  MultiUsersSelectAction,
  StaticSelectAction,
  UsersSelectAction,
} from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  type AuditFilter,
  auditModal,
  deletePeriodsConfirmModal,
  periodFormModal,
  periodsModal,
  ROLE_RIGHTS_PER_PAGE,
  roleFormModal,
  rolesModal,
  type UserGridPages,
  usersModal,
} from '../../../../blocks/admin.js';
import { ids } from '../../../../blocks/ids.js';
import { isIsoDate } from '../../../domain/dates.js';
import { PERIOD_CADENCES } from '../../../domain/periods.js';
import type { ServiceContext } from '../../../services/context.js';
import {
  addPeriods,
  deletePeriods,
  listPeriods,
  type PeriodDeletion,
  periodDeletionImpact,
} from '../../../services/periods.js';
import {
  auditTrail,
  createRole,
  deactivateUser,
  deleteRole,
  listRoles,
  listUsers,
  setDelegates,
  setRoleRights,
  setUserRoles,
} from '../../../services/security.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import type { ActionArgs } from '../../view-state.js';
import { ackingFirst, tellRefused, tellUser } from '../safe.js';
import { type MarkedDeletion, registerMarkedDeletion } from './marked-deletion.js';
import { buttonValue, isoDay, jsonText, pageText, rowId, rowIdText, slackId } from '../../edge/payload-values.js';
import { redrawView, userOf } from '../../view-redraw.js';

const selected = z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }).partial();
const periodForm = z.object({
  kind: z.enum(['single', 'series']),
  parentViewId: z.string(),
});
const periodFormState = z.object({
  [ids.admin.starts.block]: z.object({ [ids.admin.starts.action]: z.object({ selected_date: z.string().nullish() }) }),
  [ids.admin.ends.block]: z.object({ [ids.admin.ends.action]: z.object({ selected_date: z.string().nullish() }) }),
  [ids.admin.cadence.block]: z
    .object({
      [ids.admin.cadence.action]: z.object({ selected_option: z.object({ value: z.enum(PERIOD_CADENCES) }).nullish() }),
    })
    .optional(),
});

const periodDeletion: MarkedDeletion<PeriodDeletion, 'periods'> = {
  button: ids.admin.deletePeriods,
  confirm: ids.admin.deletePeriodsConfirm,
  what: 'periods',
  verb: 'delete',
  pageOf: () => 'periods',
  impact: periodDeletionImpact,
  confirmModal: deletePeriodsConfirmModal,
  confirmed: z
    .object({ periodIds: z.array(rowId).min(1), parentViewId: z.string() })
    .transform(({ periodIds, parentViewId }) => ({ ids: periodIds, parentViewId, page: 'periods' as const })),
  remove: async (ctx, periodIds) => {
    const deleted = await deletePeriods(ctx, periodIds);
    return deleted.ok
      ? `Deleted ${deleted.deleted.periods} ${deleted.deleted.periods === 1 ? 'period' : 'periods'}.`
      : deleted.error.message;
  },
  show: (deps, client, ctx, viewId, _page, notice) => showPeriods(deps, client, ctx, viewId, notice),
};

type Client = WebClient;

/** The /admin sections: reporting periods, and the role x right grid. */
export function registerAdminActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openPeriods,
    ackingFirst(deps.log, async function openPeriods({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listPeriods(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: periodsModal(listed.periods) });
    }),
  );

  for (const [actionId, kind] of [
    [ids.admin.addPeriod, 'single'],
    [ids.admin.generatePeriods, 'series'],
  ] as const) {
    routes.action<BlockAction<ButtonAction>>(
      actionId,
      ackingFirst(deps.log, async function openPeriodForm({ body, client }) {
        if (!body.view) return;
        await client.views.push({ trigger_id: body.trigger_id, view: periodFormModal(kind, body.view.id) });
      }),
    );
  }

  routes.view(ids.admin.periodForm, async function submitPeriodForm({ body, ack, client }) {
    const meta = jsonText(periodForm).parse(body.view.private_metadata ?? '');
    const state = periodFormState.safeParse(body.view.state.values);
    const starts = state.success ? state.data.starts[ids.admin.starts.action].selected_date : undefined;
    const ends = state.success ? state.data.ends[ids.admin.ends.action].selected_date : undefined;
    const cadence = state.success ? state.data.cadence?.[ids.admin.cadence.action].selected_option?.value : undefined;
    const errors: Record<string, string> = {};
    if (!starts || !isIsoDate(starts)) errors[ids.admin.starts.block] = 'Choose a date.';
    if (!ends || !isIsoDate(ends)) errors[ids.admin.ends.block] = 'Choose a date.';
    if (meta.kind === 'series' && !cadence) errors[ids.admin.cadence.block] = 'Choose how long each period is.';
    if (Object.keys(errors).length) return void (await ack({ response_action: 'errors', errors }));

    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const added = await addPeriods(
      ctx,
      meta.kind === 'series' ? { cadence: cadence!, from: starts!, to: ends! } : { startsOn: starts!, endsOn: ends! },
    );
    if (!added.ok) {
      const block = added.error.field === 'ends' ? ids.admin.ends.block : ids.admin.starts.block;
      return void (await ack({ response_action: 'errors', errors: { [block]: added.error.message } }));
    }
    await ack();
    const count = (n: number) => `${n} ${n === 1 ? 'period' : 'periods'}`;
    const notice = [
      added.created.length || !added.restored.length ? `Added ${count(added.created.length)}.` : '',
      added.restored.length
        ? `Restored ${count(added.restored.length)} deleted before, with the timesheets kept in them.`
        : '',
    ];
    await showPeriods(deps, client, ctx, meta.parentViewId, notice.filter(Boolean).join(' '));
  });

  registerMarkedDeletion(routes, deps, periodDeletion);

  routes.action(ids.admin.markedPeriods, async ({ ack }) => ack());

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openRoles,
    ackingFirst(deps.log, async function openRoles({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listRoles(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: rolesModal(listed.roles) });
    }),
  );

  // A tick in the grid saves that role's rights at once.
  routes.action<BlockAction<CheckboxesAction>>(
    ids.admin.roleRights,
    ackingFirst(deps.log, async function roleRights({ body, action, client }) {
      if (!body.view) return;
      const roleId = rowIdText.parse(action.block_id.replace(/^role_/, ''));
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const saved = await setRoleRights(ctx, {
        roleId,
        rights: action.selected_options.flatMap((o) => (o.value === undefined ? [] : [o.value])),
      });
      await showRoles(
        deps,
        client,
        ctx,
        body.view.id,
        rolesPageOf(body.view.private_metadata),
        saved.ok ? `Saved ${saved.role.name}.` : saved.error.message,
      );
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.deleteRole,
    ackingFirst(deps.log, async function deleteRoleClicked({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const deleted = await deleteRole(ctx, { roleId: rowIdText.parse(buttonValue(action)) });
      await showRoles(
        deps,
        client,
        ctx,
        body.view.id,
        rolesPageOf(body.view.private_metadata),
        deleted.ok ? `Deleted ${deleted.deleted.name}; ${deleted.deleted.members} lost it.` : deleted.error.message,
      );
    }),
  );

  for (const direction of ['back', 'on']) {
    routes.action<BlockAction<ButtonAction>>(
      `${ids.admin.rolesPage}_${direction}`,
      ackingFirst(deps.log, async function turnRolesPage({ body, action, client }) {
        if (!body.view) return;
        await showRoles(
          deps,
          client,
          await contextForSlackUser(deps, client, body.user.id),
          body.view.id,
          pageText.parse(buttonValue(action)),
        );
      }),
    );
  }

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.newRole,
    ackingFirst(deps.log, async function newRole({ body, client }) {
      if (!body.view) return;
      await client.views.push({ trigger_id: body.trigger_id, view: roleFormModal(body.view.id) });
    }),
  );

  routes.view(ids.admin.roleForm, async function submitRoleForm({ body, ack, client }) {
    const { parentViewId } = jsonText(z.object({ parentViewId: z.string() })).parse(body.view.private_metadata);
    const values = body.view.state.values;
    const name = String(values[ids.admin.roleName.block]?.[ids.admin.roleName.action]?.value ?? '');
    const rights =
      selected
        .parse(values[ids.admin.roleFormRights.block]?.[ids.admin.roleFormRights.action] ?? {})
        .selected_options?.map((o) => o.value) ?? [];
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const created = await createRole(ctx, { name, rights });
    if (!created.ok) {
      const block = created.error.field === 'rights' ? ids.admin.roleFormRights.block : ids.admin.roleName.block;
      return void (await ack({ response_action: 'errors', errors: { [block]: created.error.message } }));
    }
    await ack();
    await showRoles(deps, client, ctx, parentViewId, { roleId: created.role.id }, `Created ${created.role.name}.`);
  });
}

/** Security > Users: the user x role grid, delegates and deactivation; and the audit trail. */
export function registerAdminUserActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openUsers,
    ackingFirst(deps.log, async function openUsers({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const listed = await listUsers(ctx);
      if (!listed.ok) return tellUser(client, { userId: body.user.id }, listed.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: usersModal(listed, { page: 0, rolePage: 0 }) });
    }),
  );

  // A page button moves through users or through roles and keeps the other page.
  for (const direction of ['back', 'on']) {
    routes.action<BlockAction<ButtonAction>>(
      `${ids.admin.usersPage}_${direction}`,
      ackingFirst(deps.log, async function turnUsersPage({ body, action, client }) {
        if (!body.view) return;
        const ctx = await contextForSlackUser(deps, client, body.user.id);
        await showUsers(
          deps,
          client,
          ctx,
          body.view.id,
          { ...gridOf(body.view.private_metadata), page: pageText.parse(buttonValue(action)) },
          undefined,
        );
      }),
    );
    routes.action<BlockAction<ButtonAction>>(
      `${ids.admin.usersPage}_roles_${direction}`,
      ackingFirst(deps.log, async function turnUserRolesPage({ body, action, client }) {
        if (!body.view) return;
        const ctx = await contextForSlackUser(deps, client, body.user.id);
        await showUsers(
          deps,
          client,
          ctx,
          body.view.id,
          { ...gridOf(body.view.private_metadata), rolePage: pageText.parse(buttonValue(action)) },
          undefined,
        );
      }),
    );
  }

  // Ticking a role saves the user's roles on the page shown; their roles on other pages are kept.
  routes.action<BlockAction<CheckboxesAction>>(
    ids.admin.userRoles,
    ackingFirst(deps.log, async function userRoles({ body, action, client }) {
      if (!body.view) return;
      const userId = slackId.parse(action.block_id.replace(/^user_/, ''));
      const grid = gridOf(body.view.private_metadata);
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const ticked = (action.selected_options ?? []).map((o) => rowIdText.parse(o.value));
      // Only the roles this page shows change; the user's roles on other pages stay.
      const saved = await setUserRoles(ctx, { userId, roleIds: ticked, among: grid.roleIds });
      await showUsers(
        deps,
        client,
        ctx,
        body.view.id,
        grid,
        saved.ok ? `Saved: ${saved.roles.join(', ') || 'no roles'}.` : saved.error.message,
      );
    }),
  );

  routes.action<BlockAction<MultiUsersSelectAction>>(
    ids.admin.userDelegates,
    ackingFirst(deps.log, async function userDelegates({ body, action, client }) {
      if (!body.view) return;
      const principalId = action.block_id.replace(/^user_/, '');
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const saved = await setDelegates(ctx, { principalId, delegateIds: action.selected_users });
      await showUsers(
        deps,
        client,
        ctx,
        body.view.id,
        gridOf(body.view.private_metadata),
        saved.ok ? 'Delegates saved.' : saved.error.message,
      );
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.deactivateUser,
    ackingFirst(deps.log, async function deactivateUserClicked({ body, action, client }) {
      if (!body.view) return;
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const done = await deactivateUser(ctx, { userId: slackId.parse(buttonValue(action)) });
      await showUsers(
        deps,
        client,
        ctx,
        body.view.id,
        gridOf(body.view.private_metadata),
        done.ok ? `Deactivated ${done.name}.` : done.error.message,
      );
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openAudit,
    ackingFirst(deps.log, async function openAudit({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const trail = await auditTrail(ctx);
      if (!trail.ok) return tellUser(client, { userId: body.user.id }, trail.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: auditModal(trail.rows, {}) });
    }),
  );

  const refilter = async (
    args: ActionArgs<UsersSelectAction> | ActionArgs<StaticSelectAction> | ActionArgs<DatepickerAction>,
    key: keyof AuditFilter,
    value: string | null | undefined,
  ) => {
    const { body, client } = args;
    if (!body.view) return;
    const filter: AuditFilter = jsonText(
      z.object({
        userId: slackId.optional(),
        entity: z.string().max(64).optional(),
        from: isoDay.optional(),
        to: isoDay.optional(),
      }),
    ).parse(body.view.private_metadata);
    // The choice is checked like the metadata: a user id, an entity name, a real date.
    if (value) filter[key] = (key === 'userId' ? slackId : key === 'entity' ? z.string().max(64) : isoDay).parse(value);
    else delete filter[key];
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const trail = await auditTrail(ctx, filter);
    if (!trail.ok) return tellRefused(client, ctx, trail.error.message, deps.log);
    await client.views.update({ view_id: body.view.id, view: auditModal(trail.rows, filter) });
  };
  routes.action<BlockAction<UsersSelectAction>>(
    ids.admin.auditUser,
    ackingFirst<ActionArgs<UsersSelectAction>>(deps.log, (args) => refilter(args, 'userId', args.action.selected_user)),
  );
  routes.action<BlockAction<StaticSelectAction>>(
    ids.admin.auditEntity,
    ackingFirst<ActionArgs<StaticSelectAction>>(deps.log, (args) =>
      refilter(args, 'entity', args.action.selected_option?.value),
    ),
  );
  for (const [actionId, key] of [
    [ids.admin.auditFrom, 'from'],
    [ids.admin.auditTo, 'to'],
  ] as const) {
    routes.action<BlockAction<DatepickerAction>>(
      actionId,
      ackingFirst<ActionArgs<DatepickerAction>>(deps.log, (args) => refilter(args, key, args.action.selected_date)),
    );
  }
}

async function showUsers(
  deps: ServiceDeps,
  client: Client,
  ctx: ServiceContext,
  viewId: string,
  at: UserGridPages,
  notice: string | undefined,
): Promise<void> {
  const listed = await listUsers(ctx);
  if (!listed.ok) return tellRefused(client, ctx, listed.error.message, deps.log);
  await redrawView(
    client,
    deps.log,
    { viewId, view: usersModal(listed, at, notice), what: 'users view' },
    { userId: userOf(ctx), notice },
  );
}

const usersGrid = z.object({
  page: z.number().int().nonnegative(),
  rolePage: z.number().int().nonnegative(),
  roleIds: z.array(rowId),
});

/** The role x right grid's page, from the view's private_metadata. */
function rolesPageOf(privateMetadata: string | undefined): number {
  const parsed = jsonText(z.object({ page: z.number().int().nonnegative() })).safeParse(privateMetadata ?? '');
  return parsed.success ? parsed.data.page : 0;
}

/** The users grid's pages and the roles its checkboxes show, from the view's private_metadata. */
function gridOf(privateMetadata: string | undefined): z.infer<typeof usersGrid> {
  const parsed = jsonText(usersGrid).safeParse(privateMetadata ?? '');
  return parsed.success ? parsed.data : { page: 0, rolePage: 0, roleIds: [] };
}

async function showPeriods(
  deps: ServiceDeps,
  client: Client,
  ctx: ServiceContext,
  viewId: string,
  notice: string,
): Promise<void> {
  const listed = await listPeriods(ctx);
  if (!listed.ok) return tellRefused(client, ctx, listed.error.message, deps.log);
  await redrawView(
    client,
    deps.log,
    { viewId, view: periodsModal(listed.periods, notice), what: 'periods view' },
    { userId: userOf(ctx), notice },
  );
}

/** Redraws the role x right grid at a page, or at the page that shows a given role. */
async function showRoles(
  deps: ServiceDeps,
  client: Client,
  ctx: ServiceContext,
  viewId: string,
  at: number | { roleId: number },
  notice?: string,
): Promise<void> {
  const listed = await listRoles(ctx);
  if (!listed.ok) return tellRefused(client, ctx, listed.error.message, deps.log);
  const page =
    typeof at === 'number'
      ? at
      : Math.floor(
          Math.max(
            0,
            listed.roles.findIndex((r) => r.id === at.roleId),
          ) / ROLE_RIGHTS_PER_PAGE,
        );
  await redrawView(
    client,
    deps.log,
    { viewId, view: rolesModal(listed.roles, page, notice), what: 'roles view' },
    { userId: userOf(ctx), notice },
  );
}
