/**
 * Firm-wide settings that admins edit in /admin > Settings and the setup file carries. Each has
 * a key (its row in the `settings` table and its name in the setup file), a label and a rule;
 * adding a setting means adding it here, and the modal, the import and the export follow.
 */
import { z } from 'zod';
import { holidaysSetting, timeOfDaySetting, workingDaysSetting } from './working-days.js';

export const SETTING_FIELDS = {
  firm_name: {
    label: 'Firm name',
    hint: 'Printed at the top of every report.',
    multiline: false,
    schema: z.string().trim().max(200, 'must be at most 200 characters'),
    empty: '',
  },
  working_days: {
    label: 'Working days',
    hint: 'When reminders and nudges go out, e.g. Mon-Fri or Mon,Tue,Thu. Empty: Mon-Fri.',
    multiline: false,
    schema: workingDaysSetting,
    empty: '',
  },
  holidays: {
    label: 'Firm holidays',
    hint: 'Dates without reminders or nudges, one YYYY-MM-DD per line.',
    multiline: true,
    schema: holidaysSetting,
    empty: '',
  },
  reminder_time: {
    label: 'Period-end reminder time',
    hint: 'Local time (HH:MM) of the reminder on the last working day of a period. Empty: 16:00.',
    multiline: false,
    schema: timeOfDaySetting,
    empty: '',
  },
  morning_time: {
    label: 'Morning nudge time',
    hint: 'Local time (HH:MM) of the last period reminder and the approval nudge. Empty: 09:00.',
    multiline: false,
    schema: timeOfDaySetting,
    empty: '',
  },
} as const;

export type SettingKey = keyof typeof SETTING_FIELDS;
export type Settings = { [K in SettingKey]: z.output<(typeof SETTING_FIELDS)[K]['schema']> };

export const SETTING_KEYS = Object.keys(SETTING_FIELDS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_FIELDS, key);
}

/** Every setting at its empty value, for a firm that has saved none. */
export function emptySettings(): Settings {
  return Object.fromEntries(SETTING_KEYS.map((key) => [key, SETTING_FIELDS[key].empty])) as Settings;
}

/** Checks the given values; every problem names its setting. */
export function checkSettings(
  values: Partial<Record<SettingKey, unknown>>,
): { ok: true; settings: Partial<Settings> } | { ok: false; errors: { key: SettingKey; message: string }[] } {
  const settings: Partial<Record<SettingKey, unknown>> = {};
  const errors: { key: SettingKey; message: string }[] = [];
  for (const key of SETTING_KEYS) {
    if (!(key in values)) continue;
    const parsed = SETTING_FIELDS[key].schema.safeParse(values[key]);
    if (parsed.success) settings[key] = parsed.data;
    else
      errors.push({
        key,
        message: `${SETTING_FIELDS[key].label} ${parsed.error.issues[0]?.message ?? 'is not valid'}`,
      });
  }
  return errors.length ? { ok: false, errors } : { ok: true, settings: settings as Partial<Settings> };
}
