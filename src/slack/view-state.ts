import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';

/** What a listener for one kind of block action receives. */
export type ActionArgs<Action extends BlockAction['actions'][number]> = SlackActionMiddlewareArgs<BlockAction<Action>> &
  AllMiddlewareArgs;

const checkboxState = z.record(
  z.string(),
  z.record(z.string(), z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }).partial()),
);

/** Every ticked value in a view's checkbox groups (lists are split into groups of ten), once each. */
export function checkedValues(values: unknown): string[] {
  const state = checkboxState.safeParse(values ?? {});
  if (!state.success) return [];
  return [
    ...new Set(
      Object.values(state.data).flatMap((block) =>
        Object.values(block).flatMap((element) => (element.selected_options ?? []).map((o) => o.value)),
      ),
    ),
  ];
}

/** Ticked values that are row ids. */
export function checkedIds(values: unknown): number[] {
  return checkedValues(values)
    .map(Number)
    .filter((id) => Number.isInteger(id) && id > 0);
}

/** Most marked rows one dialog can carry: their ids ride in its private_metadata (3,000 characters). */
export const MOST_MARKED_FOR_A_DIALOG = 200;

/** Why a dialog cannot take this many marked rows, if it cannot. */
export function tooManyMarked(count: number, what: string): string | undefined {
  return count > MOST_MARKED_FOR_A_DIALOG
    ? `Mark at most ${MOST_MARKED_FOR_A_DIALOG} ${what} at a time (you marked ${count}).`
    : undefined;
}
