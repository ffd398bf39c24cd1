import type { WebClient } from '@slack/web-api';
import { type TimesheetPosition, timesheetModal } from '../../blocks/timesheet-modal.js';
import type { Failure } from '../domain/result.js';
import type { ServiceContext } from '../services/context.js';
import { type PeriodSpec, timesheetOverview } from '../services/timesheets.js';
import type { ServiceDeps } from './actor.js';
import { redrawView, tellNotice, userOf } from './view-redraw.js';
import type { SlackMessage } from '../../blocks/log-confirmation.js';

/** Opens the timesheet modal (the current period unless one is named). */
export async function openTimesheetModal(
  client: WebClient,
  ctx: ServiceContext & { actingForName?: string | null },
  triggerId: string,
  which: PeriodSpec = {},
): Promise<Failure | undefined> {
  const answer = await timesheetOverview(ctx, which);
  if (!answer.ok) return answer.error;
  await client.views.open({
    trigger_id: triggerId,
    view: timesheetModal(answer.overview, 0, undefined, { actingForName: ctx.actingForName ?? null }),
  });
  return undefined;
}

/**
 * Shows another period or page, or the same one after a change, in the modal the user has open.
 * `changed` says what a change did, for a DM when the modal cannot show it (its notice otherwise).
 */
export async function refreshTimesheetModal(
  deps: ServiceDeps,
  client: WebClient,
  ctx: ServiceContext & { actingForName?: string | null },
  where: TimesheetPosition & { viewId: string; hash?: string },
  notice?: string,
  changed?: SlackMessage,
): Promise<void> {
  const told = { userId: userOf(ctx), notice, ...(changed ? { message: changed } : {}) };
  const answer = await timesheetOverview(ctx, { periodId: where.periodId });
  if (!answer.ok) {
    deps.log.warn('timesheet modal not refreshed', { error: answer.error });
    await tellNotice(client, deps.log, told);
    return;
  }
  // A stale hash means the user changed the view meanwhile: their newer view stands, and the notice comes by DM.
  await redrawView(
    client,
    deps.log,
    {
      viewId: where.viewId,
      hash: where.hash,
      view: timesheetModal(answer.overview, where.page, notice, { actingForName: ctx.actingForName ?? null }),
      what: 'timesheet modal',
    },
    told,
  );
}
