import type { PlainTextOption } from '@slack/types';
import { truncate } from './mrkdwn.js';

/** Slack's most options in a static select; longer lists are searched as the user types. */
export const MAX_MENU_OPTIONS = 100;

export type Choice = { label: string; value: string | number };

/** A menu to pick one record: all of them when they fit, else a search that asks the app (`app.options`). */
export function recordSelect(actionId: string, placeholder: string, choices: Choice[]) {
  if (choices.length > MAX_MENU_OPTIONS) {
    return {
      type: 'external_select' as const,
      action_id: actionId,
      min_query_length: 0,
      placeholder: { type: 'plain_text' as const, text: placeholder },
    };
  }
  return {
    type: 'static_select' as const,
    action_id: actionId,
    placeholder: { type: 'plain_text' as const, text: placeholder },
    options: choices.map(choiceOption),
  };
}

/** A menu to pick several records: all of them when they fit, else a search as the user types. */
export function recordMultiSelect(actionId: string, placeholder: string, choices: Choice[], initial: Choice[] = []) {
  const selected = initial.length ? { initial_options: initial.map(choiceOption) } : {};
  if (choices.length > MAX_MENU_OPTIONS) {
    return {
      type: 'multi_external_select' as const,
      action_id: actionId,
      min_query_length: 0,
      placeholder: { type: 'plain_text' as const, text: placeholder },
      ...selected,
    };
  }
  return {
    type: 'multi_static_select' as const,
    action_id: actionId,
    placeholder: { type: 'plain_text' as const, text: placeholder },
    options: choices.map(choiceOption),
    ...selected,
  };
}

/** The choices matching what the user typed (anywhere in the label, any case), as many as a menu holds. */
export function matchingOptions(choices: Choice[], typed: string): PlainTextOption[] {
  const needle = typed.trim().toLowerCase();
  return choices
    .filter((c) => !needle || c.label.toLowerCase().includes(needle))
    .slice(0, MAX_MENU_OPTIONS)
    .map(choiceOption);
}

export function choiceOption(choice: Choice): PlainTextOption {
  return { text: { type: 'plain_text', text: truncate(choice.label, 75) }, value: String(choice.value) };
}

/** How each kind of record reads in a menu, here and in the search answers. */
export const customerChoice = (c: { id: number; code: string; name: string }): Choice => ({
  label: `${c.code} · ${c.name}`,
  value: c.id,
});
export const projectChoice = (p: { id: number; code: string; name: string }): Choice => ({
  label: `${p.code} · ${p.name}`,
  value: p.id,
});
export const employeeChoice = (e: { id: number; name: string }): Choice => ({ label: e.name, value: e.id });
