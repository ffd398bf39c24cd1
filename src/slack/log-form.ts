import { z } from 'zod';
import { ids } from '../../blocks/ids.js';
import { BILLABLE_VALUE, type LogModalMetadata } from '../../blocks/log-modal.js';
import { parseDuration } from '../domain/duration.js';
import type { EntryFields } from '../services/time-entries.js';
import { rowId } from './edge/payload-values.js';

const selected = z.object({ selected_option: z.object({ value: z.string() }).nullish() }).partial();
const text = z.object({ value: z.string().nullish() }).partial();

/** The parts of view.state.values the log-time modal has; everything optional, checked below. */
const logFormState = z.object({
  [ids.logModal.logFor.block]: z
    .object({ [ids.logModal.logFor.action]: selected })
    .partial()
    .optional(),
  [ids.logModal.project.block]: z
    .object({ [ids.logModal.project.action]: selected })
    .partial()
    .optional(),
  [ids.logModal.date.block]: z
    .object({ [ids.logModal.date.action]: z.object({ selected_date: z.string().nullish() }).partial() })
    .partial()
    .optional(),
  [ids.logModal.begins.block]: z
    .object({ [ids.logModal.begins.action]: z.object({ selected_time: z.string().nullish() }).partial() })
    .partial()
    .optional(),
  [ids.logModal.ends.block]: z
    .object({ [ids.logModal.ends.action]: z.object({ selected_time: z.string().nullish() }).partial() })
    .partial()
    .optional(),
  [ids.logModal.duration.block]: z
    .object({ [ids.logModal.duration.action]: text })
    .partial()
    .optional(),
  [ids.logModal.description.block]: z
    .object({ [ids.logModal.description.action]: text })
    .partial()
    .optional(),
  [ids.logModal.billable.block]: z
    .object({
      [ids.logModal.billable.action]: z
        .object({ selected_options: z.array(z.object({ value: z.string() })).nullish() })
        .partial(),
    })
    .partial()
    .optional(),
});

export const logModalMetadata: z.ZodType<LogModalMetadata> = z.object({
  entryId: rowId.optional(),
  confirmVia: z.object({ responseUrl: z.string().url(), replace: z.boolean() }).optional(),
  returnTo: z
    .object({ viewId: z.string(), periodId: z.number().int(), page: z.number().int().nonnegative() })
    .optional(),
  source: z.enum(['modal', 'shortcut']),
  forUserId: z.string().optional(),
});

/** Block id -> message, the shape `response_action: errors` wants. */
export type FormErrors = Record<string, string>;

export type LogForm = { fields: EntryFields; forUserId: string | undefined };

/** Reads the submitted modal into entry fields, or says per field what is wrong. */
export function readLogForm(values: unknown): { ok: true; form: LogForm } | { ok: false; errors: FormErrors } {
  const state = logFormState.safeParse(values);
  if (!state.success)
    return {
      ok: false,
      errors: {
        [ids.logModal.description.block]: 'The form came back in a shape we do not know; please open it again.',
      },
    };
  const s = state.data;
  const errors: FormErrors = {};

  const projectCode = s.project?.[ids.logModal.project.action]?.selected_option?.value;
  if (!projectCode) errors[ids.logModal.project.block] = 'Choose a project.';
  const date = s.date?.[ids.logModal.date.action]?.selected_date;
  if (!date) errors[ids.logModal.date.block] = 'Choose a date.';
  const beginsAt = s.begins?.[ids.logModal.begins.action]?.selected_time ?? undefined;
  const picked = s.ends?.[ids.logModal.ends.action]?.selected_time ?? undefined;
  // An end at 00:00 after a begin is midnight, the end of that day (Slack's timepicker has no 24:00).
  const endsAt = picked === '00:00' && s.begins?.[ids.logModal.begins.action]?.selected_time ? '24:00' : picked;
  const durationText = s.duration?.[ids.logModal.duration.action]?.value?.trim() ?? '';
  const description = s.description?.[ids.logModal.description.action]?.value?.trim() ?? '';
  if (!description) errors[ids.logModal.description.block] = 'Say what you worked on.';
  const billable = (s.billable?.[ids.logModal.billable.action]?.selected_options ?? []).some(
    (option) => option.value === BILLABLE_VALUE,
  );

  if ((beginsAt === undefined) !== (endsAt === undefined)) {
    errors[beginsAt === undefined ? ids.logModal.begins.block : ids.logModal.ends.block] =
      'Give both a begin and an end time, or neither.';
  } else if (beginsAt !== undefined && endsAt !== undefined && endsAt <= beginsAt) {
    errors[ids.logModal.ends.block] = `The end must be after the begin (${beginsAt}).`;
  }

  let minutes: number | undefined;
  if (durationText) {
    minutes = parseDuration(durationText);
    if (minutes === undefined)
      errors[ids.logModal.duration.block] =
        `"${durationText}" is not a duration. Write it like 2h30m, 1.5h, 1:30 or 45m.`;
  }
  // A duration typed with the range is checked by the service, against the time the range really
  // lasted in the consultant's zone (a daylight-saving night differs from the clock's span).
  let statedMinutes: number | undefined;
  if (beginsAt && endsAt && endsAt > beginsAt) {
    statedMinutes = minutes;
    minutes = toMinutes(endsAt) - toMinutes(beginsAt);
  } else if (!durationText && !errors[ids.logModal.begins.block] && !errors[ids.logModal.ends.block]) {
    errors[ids.logModal.duration.block] = 'Give a duration, or a begin and an end time.';
  }

  if (Object.keys(errors).length > 0 || !projectCode || !date || minutes === undefined) return { ok: false, errors };
  return {
    ok: true,
    form: {
      fields: {
        projectCode,
        date: { kind: 'iso', date },
        minutes,
        ...(beginsAt && endsAt ? { beginsAt, endsAt } : {}),
        ...(statedMinutes !== undefined ? { statedMinutes } : {}),
        description,
        billable,
      },
      forUserId: s.log_for?.[ids.logModal.logFor.action]?.selected_option?.value ?? undefined,
    },
  };
}

/** Where a service's complaint shows in the modal. */
export function errorBlockFor(field: string | undefined): string {
  switch (field) {
    case 'date':
      return ids.logModal.date.block;
    case 'minutes':
      return ids.logModal.duration.block;
    case 'begins':
      return ids.logModal.begins.block;
    case 'ends':
      return ids.logModal.ends.block;
    case 'description':
      return ids.logModal.description.block;
    default:
      return ids.logModal.project.block;
  }
}

function toMinutes(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours! * 60 + minutes!;
}
