import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { ServiceContext } from '../services/context.js';
import { profileNeedsRefresh, saveSlackProfile } from '../services/users.js';

/** users.info in the request path must not eat Slack's 3-second budget. */
const PROFILE_LOOKUP_BUDGET_MS = 1200;

export type ServiceDeps = Omit<ServiceContext, 'actor'>;

/**
 * Builds the service context for the signed Slack user, first refreshing their stored profile
 * (name, time zone) when it is missing or a day old. A slow or failing Slack keeps the old
 * profile rather than failing the request.
 */
export async function contextForSlackUser(
  deps: ServiceDeps,
  client: WebClient,
  userId: string,
  actingFor?: string,
): Promise<ServiceContext> {
  if (await profileNeedsRefresh(deps.db, deps.clock, userId)) {
    await refreshProfile(deps, client, userId);
  }
  return { ...deps, actor: actingFor ? { kind: 'user', userId, actingFor } : { kind: 'user', userId } };
}

async function refreshProfile(deps: ServiceDeps, client: WebClient, userId: string): Promise<void> {
  try {
    const answer = await withTimeout(client.users.info({ user: userId }), PROFILE_LOOKUP_BUDGET_MS);
    const user = answer.user;
    if (!user) return;
    await saveSlackProfile(deps.db, deps.clock, {
      userId,
      displayName: user.profile?.display_name || user.real_name || user.name || userId,
      timeZone: user.tz,
    });
  } catch (error) {
    warnOnce(deps.log, userId, error);
  }
}

function warnOnce(log: Logger, userId: string, error: unknown) {
  log.warn('could not refresh Slack profile; using the stored one', { userId, error });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
