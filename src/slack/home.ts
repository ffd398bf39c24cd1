import type { WebClient } from '@slack/web-api';
import { homeView } from '../../blocks/home.js';
import { homeOverview, requestHomeRefresh, requestHomeRefreshAfterNotice } from '../services/home.js';
import { actingContextForSlackUser, type ServiceDeps } from './actor.js';

/**
 * Asks for the user's App Home to be published, on app_home_opened and after every change the
 * user makes. The outbox publishes it (the latest state, retried through Slack failures); a
 * failure to queue it is logged, never shown as a failed change (the change is already saved).
 */
export async function refreshHome(deps: ServiceDeps, userId: string): Promise<void> {
  try {
    await requestHomeRefresh(deps, userId);
  } catch (error) {
    deps.log.warn('could not queue an App Home refresh', { userId, error });
  }
}

/**
 * `requestHomeRefreshAfterNotice` for the outbox, once a message about a change was delivered: a
 * failure is logged, never counted against the delivered message.
 */
export async function refreshHomeAfterNotice(deps: ServiceDeps, userId: string): Promise<void> {
  try {
    await requestHomeRefreshAfterNotice(deps, userId);
  } catch (error) {
    deps.log.warn('could not queue an App Home refresh after a message', { userId, error });
  }
}

/** The user's App Home as it stands now, built when the outbox publishes it. */
export async function currentHomeView(deps: ServiceDeps, client: WebClient, userId: string) {
  const ctx = await actingContextForSlackUser(deps, client, userId);
  const answer = await homeOverview(ctx);
  if (!answer.ok) return undefined;
  const duties = {
    ...answer.duties,
    approvals: answer.duties.approvals.map((p) => ({ ...p, onBehalf: p.approverId !== userId })),
  };
  return homeView(answer.home, duties, answer.actingAs);
}
