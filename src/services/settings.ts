import { inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { settings as settingsTable } from '../db/schema.js';
import { fail, type Result } from '../domain/result.js';
import {
  checkSettings,
  emptySettings,
  isSettingKey,
  SETTING_FIELDS,
  type SettingKey,
  type Settings,
  SETTING_KEYS,
} from '../domain/settings.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';

/** The firm's settings, each at its empty value until someone saves it. */
export async function readSettings(db: Queryable): Promise<Settings> {
  // The value as text, read by PostgreSQL: drizzle parses a jsonb string once more when it looks like
  // JSON, so "200.10" would come back as 200.1 and a 20-digit tax id would lose digits.
  const rows = await db
    .select({ key: settingsTable.key, text: sql<string>`${settingsTable.value} #>> '{}'` })
    .from(settingsTable)
    .where(inArray(settingsTable.key, SETTING_KEYS));
  const current = emptySettings() as Record<SettingKey, unknown>;
  for (const row of rows) {
    if (!isSettingKey(row.key)) continue;
    current[row.key] = typeof SETTING_FIELDS[row.key].empty === 'number' ? Number(row.text) : row.text;
  }
  return current as Settings;
}

/** The settings for the Settings modal: admins only. */
export async function settingsForEditing(ctx: ServiceContext): Promise<Result<{ settings: Settings }>> {
  return ctx.db.transaction(async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageSettings.right);
    if (!access.ok) return access;
    return { ok: true as const, settings: await readSettings(tx) };
  });
}

/** Saves the given settings (the others stay), with one audit row for what changed. */
export async function saveSettings(
  ctx: ServiceContext,
  values: Partial<Record<SettingKey, unknown>>,
): Promise<Result<{ settings: Settings }>> {
  const checked = checkSettings(values);
  if (!checked.ok) return fail('invalid_setting', checked.errors[0]!.message, checked.errors[0]!.key);
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.manageSettings.right);
    if (!access.ok) return access;
    const changed = await writeSettings(tx, ctx, checked.settings);
    if (Object.keys(changed.after).length > 0)
      await recordAudit(tx, ctx, { action: 'settings.update', entity: 'settings', entityId: 'firm', ...changed });
    return { ok: true as const, settings: await readSettings(tx) };
  });
}

/**
 * Writes settings that differ from what is stored; the import calls this inside its own
 * transaction. Answers the old and new values of what changed.
 */
export async function writeSettings(
  tx: Queryable,
  ctx: Pick<ServiceContext, 'clock'>,
  values: Partial<Settings>,
): Promise<{ before: Partial<Settings>; after: Partial<Settings> }> {
  const current = await readSettings(tx);
  const before: Partial<Record<SettingKey, unknown>> = {};
  const after: Partial<Record<SettingKey, unknown>> = {};
  for (const key of SETTING_KEYS) {
    if (!(key in values) || values[key] === current[key]) continue;
    before[key] = current[key];
    after[key] = values[key];
    const now = ctx.clock.now();
    await tx
      .insert(settingsTable)
      .values({ key, value: values[key], createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: settingsTable.key, set: { value: sql`excluded.value`, updatedAt: now } });
  }
  return { before: before as Partial<Settings>, after: after as Partial<Settings> };
}
