/**
 * Firm-wide settings that admins edit in /admin > Settings and the setup file carries. Each has
 * a key (its row in the `settings` table and its name in the setup file), a label and a rule;
 * adding a setting means adding it here, and the modal, the import and the export follow.
 */
import { z } from 'zod';
import { checkNumberFormat, DEFAULT_NUMBER_FORMAT } from './invoice-numbers.js';
import { holidaysSetting, timeOfDaySetting, workingDaysSetting } from './working-days.js';

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
/** A setting that falls back to `fallback` when left empty. */
const textOr = (fallback: string, max: number) => text(max).transform((value) => value || fallback);
/** A whole number of days from 0 to `max`; empty means `fallback`. */
const wholeDays = (fallback: number, max: number) =>
  z.union([z.number(), z.string().trim()]).transform((value, issue) => {
    if (value === '') return fallback;
    const days = typeof value === 'number' ? value : /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isInteger(days) && days >= 0 && days <= max) return days;
    issue.addIssue({ code: 'custom', message: `must be a whole number of days from 0 to ${max}, like ${fallback}` });
    return z.NEVER;
  });
/** A switch: on or off (yes/no, true/false, or a YAML boolean in the setup file); empty means off. */
const onOff = z.union([z.boolean(), z.string().trim()]).transform((value, issue) => {
  const word = typeof value === 'boolean' ? String(value) : value.toLowerCase();
  if (['', 'off', 'no', 'false'].includes(word)) return 'off' as const;
  if (['on', 'yes', 'true'].includes(word)) return 'on' as const;
  issue.addIssue({ code: 'custom', message: `must be on or off, not "${String(value)}"` });
  return z.NEVER;
});

export const SETTING_FIELDS = {
  firm_name: {
    label: 'Firm name',
    hint: 'Printed at the top of every report.',
    multiline: false,
    schema: text(200),
    empty: '',
  },
  firm_address: {
    label: 'Firm address',
    hint: 'Printed in the sender block of every invoice; one line per line.',
    multiline: true,
    schema: text(500),
    empty: '',
  },
  firm_tax_id: {
    label: 'Firm tax id',
    hint: 'Your VAT, GST or tax number, printed on invoices.',
    multiline: false,
    schema: text(60),
    empty: '',
  },
  payment_terms_days: {
    label: 'Payment terms (days)',
    hint: 'Days from issue to due date for customers without their own terms, e.g. 30.',
    multiline: false,
    schema: wholeDays(30, 365),
    empty: 30,
  },
  invoice_number_format: {
    label: 'Invoice number format',
    hint: 'How issued invoices are numbered: {YYYY} or {YY} for the year, {NNNN} for the sequence (as many N as digits), e.g. INV-{YYYY}-{NNNN}.',
    multiline: false,
    schema: z
      .string()
      .trim()
      .transform((value, issue) => {
        const format = value === '' ? DEFAULT_NUMBER_FORMAT : value;
        const problem = checkNumberFormat(format);
        if (problem) {
          issue.addIssue({ code: 'custom', message: problem });
          return z.NEVER;
        }
        return format;
      }),
    empty: DEFAULT_NUMBER_FORMAT,
  },
  invoice_account_code: {
    label: 'Sales account code',
    hint: 'The revenue account invoice lines are booked to in the accounting export (Xero *AccountCode), e.g. 200.',
    multiline: false,
    schema: textOr('200', 30),
    empty: '200',
  },
  invoice_tax_type: {
    label: 'Sales tax type',
    hint: 'The tax rate name invoice lines carry in the accounting export (Xero *TaxType), e.g. OUTPUT or Tax Exempt.',
    multiline: false,
    schema: textOr('Tax Exempt', 60),
    empty: 'Tax Exempt',
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
    hint: 'Local time (HH:MM) of the last period reminder, the missing-time and approval nudges, the dead-letter digest, the credit check and a period close by deadline. Empty: 09:00.',
    multiline: false,
    schema: timeOfDaySetting,
    empty: '',
  },
  close_after_days: {
    label: 'Period close after (days)',
    hint: 'Days after a period ends when its close goes to the finance channel even if sheets are still undecided, e.g. 3. Empty: 3.',
    multiline: false,
    schema: wholeDays(3, 60),
    empty: 3,
  },
  missing_time_nudge: {
    label: 'Missing-time nudge',
    hint: 'on: a consultant with no time on a working day gets a DM with Log time at the morning time of the next working day. Empty: off.',
    multiline: false,
    schema: onOff,
    empty: 'off',
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
