import type { WebClient } from '@slack/web-api';
import { type TimesheetPosition, timesheetModal } from '../../blocks/timesheet-modal.js';
import type { Failure } from '../domain/result.js';
import type { ServiceContext } from '../services/context.js';
import { type PeriodSpec, timesheetOverview } from '../services/timesheets.js';
import type { ServiceDeps } from './actor.js';

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

/** Shows another period or page, or the same one after a change, in the modal the user has open. */
export async function refreshTimesheetModal(
  deps: ServiceDeps,
  client: WebClient,
  ctx: ServiceContext & { actingForName?: string | null },
  where: TimesheetPosition & { viewId: string; hash?: string },
  notice?: string,
): Promise<void> {
  const answer = await timesheetOverview(ctx, { periodId: where.periodId });
  try {
    if (!answer.ok) {
      deps.log.warn('timesheet modal not refreshed', { error: answer.error });
      return;
    }
    await client.views.update({
      view_id: where.viewId,
      ...(where.hash ? { hash: where.hash } : {}),
      view: timesheetModal(answer.overview, where.page, notice, { actingForName: ctx.actingForName ?? null }),
    });
  } catch (error) {
    // A stale hash means the user changed the view meanwhile; their newer view stands.
    deps.log.warn('could not update the timesheet modal', { error });
  }
}
