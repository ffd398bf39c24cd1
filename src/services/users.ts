import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { roles, userRoles, users } from '../db/schema.js';
import { ADMINISTRATORS_ROLE, RIGHTS } from '../domain/rights.js';
import type { Clock } from '../domain/clock.js';

/** Slack profiles are refreshed at most this often; time zones rarely change. */
export const PROFILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export type SlackProfile = { userId: string; displayName: string; timeZone: string | undefined };

/** True when we hold no profile for the user or it is older than a day. */
export async function profileNeedsRefresh(db: Database, clock: Clock, userId: string): Promise<boolean> {
  const row = await db.query.users.findFirst({ where: eq(users.id, userId), columns: { profileRefreshedAt: true } });
  return !row?.profileRefreshedAt || clock.now().getTime() - row.profileRefreshedAt.getTime() > PROFILE_MAX_AGE_MS;
}

/** Stores what Slack says about a user (name, time zone) without touching their roles or status. */
export async function saveSlackProfile(db: Database, clock: Clock, profile: SlackProfile): Promise<void> {
  const now = clock.now();
  await db
    .insert(users)
    .values({
      id: profile.userId,
      displayName: profile.displayName,
      timeZone: profile.timeZone ?? null,
      profileRefreshedAt: now,
    })
    .onConflictDoUpdate({
      target: users.id,
      set: {
        displayName: profile.displayName,
        timeZone: sql`coalesce(excluded.time_zone, ${users.timeZone})`,
        profileRefreshedAt: now,
        updatedAt: now,
      },
    });
}

/**
 * Gives the users named in ADMIN_USER_IDS the built-in Administrators role (all six rights),
 * creating the role and the users as needed, so nobody can lock the firm out.
 */
export async function ensureAdministrators(db: Database, userIds: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    const [role] = await tx
      .insert(roles)
      .values({ name: ADMINISTRATORS_ROLE, rights: [...RIGHTS], builtin: true })
      .onConflictDoUpdate({ target: roles.name, set: { rights: [...RIGHTS], builtin: true } })
      .returning({ id: roles.id });
    for (const userId of userIds) {
      await tx
        .insert(users)
        .values({ id: userId, displayName: userId })
        .onConflictDoUpdate({ target: users.id, set: { active: true } });
      await tx.insert(userRoles).values({ userId, roleId: role!.id }).onConflictDoNothing();
    }
  });
}
