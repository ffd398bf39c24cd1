import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { ServiceContext } from '../services/context.js';
import type { Result } from '../domain/result.js';
import { nameOfUser } from '../services/approval-people.js';
import { logAsRequestUser } from '../services/guarded-log.js';
import { logTime, type LogTimeInput, type SavedEntry } from '../services/time-entries.js';
import { type RequestUser, requestUser, saveSlackProfile } from '../services/users.js';

/** users.info in the request path must not eat Slack's 3-second budget. */
const PROFILE_LOOKUP_BUDGET_MS = 1200;

export type ServiceDeps = Omit<ServiceContext, 'actor'>;

/** A request's context, and the name of the principal it acts for through the App Home switch. */
export type ActingContext = ServiceContext & { actingForName: string | null };

/**
 * Builds the service context for the signed Slack user (acting for `actingFor` when a form says
 * so), first refreshing their stored profile (name, time zone) when it is a day old or was never
 * read; only for a user who holds some right (`requestUser`), so a stranger leaves no row behind.
 * A slow or failing Slack keeps the old profile rather than failing the request. `actingForName`
 * names the principal when the form acts for the one chosen with the App Home switch.
 */
export async function contextForSlackUser(
  deps: ServiceDeps,
  client: WebClient,
  userId: string,
  actingFor?: string,
): Promise<ActingContext> {
  const known = await requestUser(deps.db, deps.clock, userId);
  if (known.needsRefresh) await refreshProfile(deps, client, userId);
  const switched = actingFor !== undefined && known.actingFor?.userId === actingFor ? known.actingFor.name : null;
  return {
    ...deps,
    actor: actingFor ? { kind: 'user', userId, actingFor } : { kind: 'user', userId },
    actingForName: switched,
  };
}

/**
 * `contextForSlackUser` acting for `principal`, whose name the answers show even when App Home's
 * switch names someone else by now (a button or form that said whose time it was).
 */
export async function contextNamingPrincipal(
  deps: ServiceDeps,
  client: WebClient,
  userId: string,
  principal: string | undefined,
): Promise<ActingContext> {
  const ctx = await contextForSlackUser(deps, client, userId, principal);
  if (principal === undefined || ctx.actingForName !== null) return ctx;
  return { ...ctx, actingForName: await nameOfUser(deps.db, principal) };
}

/**
 * The context for a button that names whose time it acts on (a principal's sheet or entry): acting
 * for that owner, wherever App Home's switch stands; without an owner, as the switch stands.
 */
export function contextForOwner(
  deps: ServiceDeps,
  client: WebClient,
  userId: string,
  owner: string | undefined,
): Promise<ActingContext> {
  if (owner === undefined) return actingContextForSlackUser(deps, client, userId);
  return contextNamingPrincipal(deps, client, userId, owner === userId ? undefined : owner);
}

/**
 * The context for App Home, /log, /timesheet and the log modal, which act for the principal a
 * delegate chose in App Home until they switch back. The same one query as above.
 */
export async function actingContextForSlackUser(
  deps: ServiceDeps,
  client: WebClient,
  userId: string,
): Promise<ActingContext> {
  const known = await requestUser(deps.db, deps.clock, userId);
  if (known.needsRefresh) await refreshProfile(deps, client, userId);
  return actingContextOf(deps, userId, known.actingFor);
}

/** The context of a user acting for `principal` (the App Home switch), or for themself. */
function actingContextOf(deps: ServiceDeps, userId: string, principal: RequestUser['actingFor']): ActingContext {
  return {
    ...deps,
    actor: principal ? { kind: 'user', userId, actingFor: principal.userId } : { kind: 'user', userId },
    actingForName: principal?.name ?? null,
  };
}

/**
 * `/log`'s entry for the signed Slack user, acting for the principal chosen in App Home: the read
 * of the user, their access and where the entry goes in one statement, then its write
 * (`logAsRequestUser`). A time range, a profile a day old (refreshed first, as above) or an entry
 * that needs the transaction go the usual way, the user read once more only for the first two.
 */
export async function logTimeForSlackUser(
  deps: ServiceDeps,
  client: WebClient,
  userId: string,
  input: LogTimeInput,
): Promise<{ ctx: ActingContext; result: Result<{ entries: SavedEntry[] }> }> {
  const quick = await logAsRequestUser(deps, userId, input);
  if (!quick || quick.known.needsRefresh) {
    const ctx = await actingContextForSlackUser(deps, client, userId);
    return { ctx, result: await logTime(ctx, input) };
  }
  const ctx = actingContextOf(deps, userId, quick.known.actingFor);
  return { ctx, result: quick.logged ?? (await logTime(ctx, input, { guardedFirst: false })) };
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
