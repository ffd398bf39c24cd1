import type { WebClient } from '@slack/web-api';
import { homeView } from '../../blocks/home.js';
import { homeOverview } from '../services/home.js';
import { actingContextForSlackUser, type ServiceDeps } from './actor.js';

/**
 * Publishes the user's App Home. Called on app_home_opened and after every change the user makes;
 * a failure is logged, never shown as a failed change (the change is already saved).
 */
export async function publishHome(deps: ServiceDeps, client: WebClient, userId: string): Promise<void> {
  try {
    const ctx = await actingContextForSlackUser(deps, client, userId);
    const answer = await homeOverview(ctx);
    if (!answer.ok) return;
    const duties = {
      ...answer.duties,
      approvals: answer.duties.approvals.map((p) => ({ ...p, onBehalf: p.approverId !== userId })),
    };
    await client.views.publish({ user_id: userId, view: homeView(answer.home, duties, answer.actingAs) });
  } catch (error) {
    deps.log.warn('could not publish App Home', { userId, error });
  }
}
