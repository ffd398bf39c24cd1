import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { z } from 'zod';
import { ids } from '../../../../blocks/ids.js';
import { scheduledJobsModal } from '../../../../blocks/scheduled-jobs.js';
import {
  type JobDescription,
  type RunJob,
  runJobNow,
  scheduledJobsOverview,
} from '../../../services/scheduled-jobs.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { ackingFirst, tellUser } from '../safe.js';
import { redrawView } from '../../view-redraw.js';

/** The app's scheduled jobs and its runner, for /admin > Scheduled jobs. */
export type ScheduledJobs = { list: readonly JobDescription[]; run: RunJob };

const jobName = z.string().regex(/^[a-z][a-z-]{0,40}$/);

/** /admin > Scheduled jobs: the page, and Run now (admins only; the service decides). */
export function registerAdminJobActions(routes: ListenerRoutes, deps: ServiceDeps, jobs: ScheduledJobs): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openJobs,
    ackingFirst(deps.log, async ({ body, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const page = await scheduledJobsOverview(ctx, jobs.list);
      if (!page.ok) return tellUser(client, { userId: body.user.id }, page.error.message, deps.log);
      await client.views.push({ trigger_id: body.trigger_id, view: scheduledJobsModal(page.view) });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ids.admin.runJobNow,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const name = jobName.safeParse(action.value);
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const ran = name.success
        ? await runJobNow(ctx, jobs.list, jobs.run, name.data)
        : ({ ok: false, error: { message: 'That button does not name a scheduled job.' } } as const);
      if (!ran.ok) return tellUser(client, { userId: body.user.id }, ran.error.message, deps.log);
      const notice =
        ran.reports.length === 0
          ? `${name.data} ran now: nothing was due.`
          : `${name.data} ran now: ${ran.reports.map((r) => `${r.slot} ${r.outcome} (${r.detail})`).join('; ')}`;
      const page = await scheduledJobsOverview(ctx, jobs.list);
      if (!page.ok || !body.view?.id) return tellUser(client, { userId: body.user.id }, notice, deps.log);
      await redrawView(
        client,
        deps.log,
        { viewId: body.view.id, view: scheduledJobsModal(page.view, notice), what: 'scheduled jobs view' },
        { userId: body.user.id, notice },
      );
    }),
  );
}
