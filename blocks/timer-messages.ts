import type { KnownBlock } from '@slack/types';
import { formatMinutes, MINUTES_PER_DAY } from '../src/domain/duration.js';
import type { TimerRemovedModel } from '../src/services/open-time.js';
import { ids } from './ids.js';
import { logConfirmation, type LoggedEntryView, type SlackMessage } from './log-confirmation.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

export type TimerView = {
  projectCode: string;
  projectName: string;
  description: string;
  billable: boolean;
  meeting: boolean;
  elapsedMinutes: number;
};

/** The answer to `/log start`: the timer runs, and the one it replaced was saved. */
export function timerStartedMessage(timer: TimerView, stopped: LoggedEntryView[]): SlackMessage {
  const what = timer.description ? `: ${escapeMrkdwn(truncate(timer.description, 200))}` : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:stopwatch: Timer running on *${escapeMrkdwn(timer.projectCode)}* ${escapeMrkdwn(truncate(timer.projectName, 80))}${what}`,
      },
      accessory: {
        type: 'button',
        action_id: ids.timer.stop,
        text: { type: 'plain_text', text: 'Stop' },
        style: 'primary',
        value: 'stop',
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Stop it here, in App Home or with `/log stop`.' }] },
  ];
  if (stopped.length > 0) {
    blocks.push({ type: 'divider' }, ...logConfirmation(stopped, 'Logged').blocks);
  }
  return { text: escapeMrkdwn(`Timer running on ${timer.projectCode}`), blocks };
}

/** A timer past ten hours: how much to keep. Saving all of it is offered only if it fits one day. */
export function timerDecisionMessage(timer: TimerView, longTimerMinutes: number): SlackMessage {
  const elapsed = formatMinutes(timer.elapsedMinutes);
  const buttons = [];
  if (timer.elapsedMinutes <= MINUTES_PER_DAY) {
    buttons.push({
      type: 'button' as const,
      action_id: ids.timer.saveElapsed,
      text: { type: 'plain_text' as const, text: `Save ${elapsed}` },
      value: 'elapsed',
    });
  }
  buttons.push(
    {
      type: 'button' as const,
      action_id: ids.timer.saveTenHours,
      text: { type: 'plain_text' as const, text: `Save ${formatMinutes(longTimerMinutes)}` },
      style: 'primary' as const,
      value: 'ten-hours',
    },
    discardButton(timer),
  );
  return {
    text: escapeMrkdwn(`Your timer on ${timer.projectCode} has run ${elapsed}. How much should be saved?`),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:hourglass: Your timer on *${escapeMrkdwn(timer.projectCode)}* has run *${elapsed}*, more than ${formatMinutes(longTimerMinutes)}. How much should be saved? It keeps running until you choose.`,
        },
      },
      { type: 'actions', block_id: 'timer_decision', elements: buttons },
    ],
  };
}

/** Discard, with Slack's confirm dialog: the timer's time goes unsaved. */
function discardButton(timer: TimerView) {
  return {
    type: 'button' as const,
    action_id: ids.timer.discard,
    text: { type: 'plain_text' as const, text: 'Discard' },
    style: 'danger' as const,
    value: 'discard',
    confirm: {
      title: { type: 'plain_text' as const, text: 'Discard the timer?' },
      text: {
        type: 'plain_text' as const,
        text: `The ${formatMinutes(timer.elapsedMinutes)} on ${timer.projectCode} will not be saved.`,
      },
      confirm: { type: 'plain_text' as const, text: 'Discard' },
      deny: { type: 'plain_text' as const, text: 'Keep it' },
    },
  };
}

/** A timer whose time cannot be saved where it ran: why, and Discard (it keeps running until then). */
export function timerUnsavableMessage(timer: TimerView, reason: string): SlackMessage {
  const text = `Your timer on ${timer.projectCode} (${formatMinutes(timer.elapsedMinutes)}) cannot be saved: ${reason} Discard it, and log the time where it belongs with /log.`;
  return {
    text: escapeMrkdwn(text),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(text)}` } },
      { type: 'actions', block_id: 'timer_unsavable', elements: [discardButton(timer)] },
    ],
  };
}

export function timerDiscardedMessage(timer: TimerView): SlackMessage {
  const text = `Discarded the timer on ${timer.projectCode} (${formatMinutes(timer.elapsedMinutes)}); nothing was saved.`;
  return {
    text: escapeMrkdwn(text),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ${escapeMrkdwn(text)}` } }],
  };
}

/** To the consultant: an administrator removed the project their timer ran on, so it stopped unsaved. */
export function timerRemovedMessage(model: TimerRemovedModel): SlackMessage {
  const text = `An administrator removed ${escapeMrkdwn(model.code)}, so your timer on it stopped after ${formatMinutes(model.minutes)} and that time was not saved. If it belongs on another project, log it there with \`/log\`.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:scissors: ${text}` } }] };
}
