import type { KnownBlock, ModalView, Option, PlainTextOption } from '@slack/types';
import { formatMinutes } from '../src/domain/duration.js';
import { ids } from './ids.js';
import { prepaidLine } from './log-confirmation.js';
import { type Choice, choiceOption, matchingOptions, MAX_MENU_OPTIONS } from './record-select.js';
import { truncate } from './mrkdwn.js';

/** Carried through the modal: which entry is edited, where to confirm, what to refresh after. */
export type LogModalMetadata = {
  entryId?: number;
  /**
   * Where to confirm: the response_url of the command or shortcut (a new ephemeral message), or of
   * the confirmation whose Edit was pressed (replaced). Without one the confirmation is a DM.
   */
  confirmVia?: { responseUrl: string; replace: boolean };
  /** The timesheet modal the edit was opened from, refreshed after saving. */
  returnTo?: { viewId: string; periodId: number; page: number };
  source: 'modal' | 'shortcut';
  /** Whose time the form is for (the principal when a delegate logs for them). */
  forUserId?: string;
};

export type LogModalModel = {
  projects: { code: string; name: string; customerName: string }[];
  logFor: { userId: string; name: string }[];
  forUserId: string;
  values: {
    projectCode?: string;
    date: string;
    beginsAt?: string | null;
    endsAt?: string | null;
    minutes?: number;
    description?: string;
    billable: boolean;
  };
  metadata: LogModalMetadata;
  /** Prepaid customers among the projects, with the credit they have left. */
  prepaid?: { customerName: string; remainingMinutes: number; pendingMinutes: number }[];
};

/** The log-time modal, new or prefilled for an edit. */
export function logTimeModal(model: LogModalModel): ModalView {
  const { values } = model;
  const editing = model.metadata.entryId !== undefined;
  const blocks: KnownBlock[] = [];

  if (model.logFor.length > 1 && !editing) {
    blocks.push({
      type: 'input',
      block_id: ids.logModal.logFor.block,
      label: plain('Log for'),
      dispatch_action: true,
      element: logForSelect(model),
    });
  }

  blocks.push({
    type: 'input',
    block_id: ids.logModal.project.block,
    label: plain('Project'),
    element: projectSelect(model),
  });
  blocks.push({
    type: 'input',
    block_id: ids.logModal.date.block,
    label: plain('Date'),
    element: { type: 'datepicker', action_id: ids.logModal.date.action, initial_date: values.date },
  });
  blocks.push(
    {
      type: 'input',
      block_id: ids.logModal.begins.block,
      label: plain('Begin'),
      optional: true,
      element: {
        type: 'timepicker',
        action_id: ids.logModal.begins.action,
        ...(values.beginsAt ? { initial_time: values.beginsAt } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.logModal.ends.block,
      label: plain('End'),
      optional: true,
      element: {
        type: 'timepicker',
        action_id: ids.logModal.ends.action,
        // Slack's timepicker has no 24:00: the first part of a range past midnight ends at 00:00 there.
        ...(values.endsAt ? { initial_time: values.endsAt === '24:00' ? '00:00' : values.endsAt } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.logModal.duration.block,
      label: plain('Duration'),
      optional: true,
      hint: plain('Like 2h30m, 1.5h, 1:30 or 45m. Leave empty when you give a begin and an end.'),
      element: {
        type: 'plain_text_input',
        action_id: ids.logModal.duration.action,
        placeholder: plain('2h30m'),
        // With a range, the times say how long: a duration shown too would be checked against new times.
        ...(values.minutes !== undefined && !values.beginsAt ? { initial_value: durationInput(values.minutes) } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.logModal.description.block,
      label: plain('Description'),
      element: {
        type: 'plain_text_input',
        action_id: ids.logModal.description.action,
        multiline: true,
        max_length: 500,
        placeholder: plain('What did you work on?'),
        ...(values.description ? { initial_value: truncate(values.description, 500) } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.logModal.billable.block,
      label: plain('Billing'),
      optional: true,
      element: {
        type: 'checkboxes',
        action_id: ids.logModal.billable.action,
        options: [BILLABLE_OPTION],
        ...(values.billable ? { initial_options: [BILLABLE_OPTION] } : {}),
      },
    },
  );

  if (model.prepaid?.length)
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: truncate(model.prepaid.map((p) => prepaidLine(p.customerName, p)).join('\n'), 2900) },
      ],
    });

  return {
    type: 'modal',
    callback_id: ids.logModal.callbackId,
    title: plain(editing ? 'Edit entry' : 'Log time'),
    submit: plain('Save'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(model.metadata),
    blocks,
  };
}

export const BILLABLE_VALUE = 'billable';
const BILLABLE_OPTION: Option = { text: plain('Billable to the customer'), value: BILLABLE_VALUE };

/** Project choices for a search typed into the project menu (many projects). */
export function projectOptions(projects: LogModalModel['projects'], query: string): PlainTextOption[] {
  const needle = query.trim().toLowerCase();
  return projects
    .filter((p) => !needle || `${p.code} ${p.name} ${p.customerName}`.toLowerCase().includes(needle))
    .slice(0, MAX_MENU_OPTIONS)
    .map(projectOption);
}

/** Whom to log for: all of them when a menu holds them, else a search as the user types (`logForOptions`). */
function logForSelect(model: LogModalModel) {
  const current = personChoice(model.logFor.find((person) => person.userId === model.forUserId) ?? model.logFor[0]!);
  if (model.logFor.length > MAX_MENU_OPTIONS) {
    return {
      type: 'external_select' as const,
      action_id: ids.logModal.logFor.action,
      min_query_length: 0,
      placeholder: plain('Type a name'),
      initial_option: choiceOption(current),
    };
  }
  return {
    type: 'static_select' as const,
    action_id: ids.logModal.logFor.action,
    options: model.logFor.map((person) => choiceOption(personChoice(person))),
    initial_option: choiceOption(current),
  };
}

/** The people matching what the user typed, for a "Log for" menu longer than a menu holds. */
export function logForOptions(logFor: LogModalModel['logFor'], query: string): PlainTextOption[] {
  return matchingOptions(logFor.map(personChoice), query);
}

const personChoice = (person: LogModalModel['logFor'][number]): Choice => ({
  label: person.name,
  value: person.userId,
});

function projectSelect(model: LogModalModel) {
  const initial = model.projects.find((p) => p.code === model.values.projectCode);
  if (model.projects.length > MAX_MENU_OPTIONS) {
    return {
      type: 'external_select' as const,
      action_id: ids.logModal.project.action,
      min_query_length: 0,
      placeholder: plain('Type to search your projects'),
      ...(initial ? { initial_option: projectOption(initial) } : {}),
    };
  }
  return {
    type: 'static_select' as const,
    action_id: ids.logModal.project.action,
    placeholder: plain('Choose a project'),
    options: model.projects.map(projectOption),
    ...(initial ? { initial_option: projectOption(initial) } : {}),
  };
}

function projectOption(project: LogModalModel['projects'][number]): PlainTextOption {
  return {
    text: plain(truncate(`${project.code} · ${project.name} (${project.customerName})`, 75)),
    value: project.code,
  };
}

/** 150 -> "2h30m": written so the duration field reads it back. */
function durationInput(minutes: number): string {
  return formatMinutes(minutes).replace(' ', '');
}

function plain(text: string) {
  return { type: 'plain_text' as const, text };
}
