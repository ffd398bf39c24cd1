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

/** Changes by one user within this window make one App Home publish. */
const HOME_REFRESH_WINDOW_MS = 250;

type UserRefresh = { timer?: NodeJS.Timeout; running?: Promise<void>; again: boolean };

/**
 * Coalesces App Home refreshes after fast, frequent changes (/log): each user gets at most one
 * publish per window, and one more if they changed something while it was being built. Nothing
 * here runs before the request's ack or makes the next request wait for it.
 */
export class HomeRefresher {
  readonly #users = new Map<string, UserRefresh>();
  #idle: (() => void)[] = [];

  constructor(
    private readonly deps: ServiceDeps,
    private readonly windowMs = HOME_REFRESH_WINDOW_MS,
  ) {}

  refreshSoon(client: WebClient, userId: string): void {
    const state = this.#users.get(userId) ?? { again: false };
    this.#users.set(userId, state);
    if (state.timer) return;
    if (state.running) {
      state.again = true;
      return;
    }
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.running = publishHome(this.deps, client, userId).finally(() => {
        state.running = undefined;
        if (state.again) {
          state.again = false;
          this.refreshSoon(client, userId);
        } else {
          this.#users.delete(userId);
          if (this.#users.size === 0) for (const wake of this.#idle.splice(0)) wake();
        }
      });
    }, this.windowMs);
  }

  /** Resolves when every refresh asked for so far has been published (or has failed and been logged). */
  settled(): Promise<void> {
    if (this.#users.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
