import { type Placeholder, type SQL, sql } from 'drizzle-orm';
import { type Database, preparedRows } from '../db/client.js';
import { roles, userRoles, users } from '../db/schema.js';
import { ADMINISTRATORS_ROLE, RIGHTS } from '../domain/rights.js';
import type { Clock } from '../domain/clock.js';

/** Slack profiles are refreshed at most this often; time zones rarely change. */
export const PROFILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export type SlackProfile = { userId: string; displayName: string; timeZone: string | undefined };

/** What a Slack request reads of its user (`requestUserSql`). */
export type RequestUserRow = {
  refreshed: Date | string | null;
  has_rights: boolean;
  principal_id: string | null;
  principal_name: string | null;
};

/** The read of `requestUser`, for the user `user` names (a placeholder, or a value of an enclosing statement). */
export function requestUserSql(user: SQL | Placeholder): SQL {
  return sql`select u.profile_refreshed_at as refreshed, p.id as principal_id, p.display_name as principal_name,
             u.active and exists (select 1 from user_roles ur join roles r on r.id = ur.role_id
                                   where ur.user_id = u.id and cardinality(r.rights) > 0) as has_rights
        from users u
        left join delegates d on d.principal_id = u.acting_for and d.delegate_id = u.id
        left join users p on p.id = d.principal_id and p.active
       where u.id = ${user}`;
}

/** Every Slack request reads its user: built once, prepared by name (`preparedRows`). */
const requestUserStatement = preparedRows<RequestUserRow>('request_user', requestUserSql(sql.placeholder('user')));

export type RequestUser = { needsRefresh: boolean; actingFor: { userId: string; name: string } | null };

/**
 * What a Slack request needs to know about its user, in one query: whether their stored profile
 * should be refreshed (older than a day, and only for an active user holding some right: a
 * stranger's request must not write a row), and whom they act for (the App Home switch), if that
 * delegation still holds and the principal is active.
 */
export async function requestUser(db: Database, clock: Clock, userId: string): Promise<RequestUser> {
  const [row] = await requestUserStatement(db, { user: userId });
  return requestUserOf(row, clock);
}

/** `requestUser` from its row (none: a user the app does not know). */
export function requestUserOf(row: RequestUserRow | undefined, clock: Clock): RequestUser {
  const refreshed = row?.refreshed ? new Date(row.refreshed) : null;
  return {
    needsRefresh:
      row?.has_rights === true && (!refreshed || clock.now().getTime() - refreshed.getTime() > PROFILE_MAX_AGE_MS),
    actingFor: row?.principal_id ? { userId: row.principal_id, name: row.principal_name ?? row.principal_id } : null,
  };
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
