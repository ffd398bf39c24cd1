import type { App } from '@slack/bolt';
import { z } from 'zod';
import { logConfirmation, problemMessage } from '../../../../blocks/log-confirmation.js';
import { parseLogCommand } from '../../../domain/log-command.js';
import { logTime } from '../../../services/time-entries.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { decodeSlackText } from '../../slack-text.js';
import { answeringErrors } from '../safe.js';

const logCommandBody = z.object({
  user_id: z.string().min(1),
  text: z.string().default('').transform(decodeSlackText),
  trigger_id: z.string().min(1),
});

/** `/log <duration> <PROJECT> <description>`: saves the entry and answers in the ack, ephemerally. */
export function registerLogCommand(app: App, deps: ServiceDeps): void {
  app.command(
    '/log',
    answeringErrors(deps.log, async ({ command, ack, client }) => {
      const body = logCommandBody.parse(command);
      const parsed = parseLogCommand(body.text);
      if (!parsed.ok) {
        await ack({ response_type: 'ephemeral', ...problemMessage(parsed.error.message) });
        return;
      }
      const ctx = await contextForSlackUser(deps, client, body.user_id);
      const { command: entry } = parsed;
      const result = await logTime(ctx, {
        projectCode: entry.projectCode,
        ...(entry.date ? { date: entry.date } : {}),
        ...(entry.beginsAt && entry.endsAt ? { beginsAt: entry.beginsAt, endsAt: entry.endsAt } : {}),
        minutes: entry.minutes,
        description: entry.description,
        billable: entry.billable,
        source: entry.meeting ? 'meeting' : 'command',
        requestKey: `command:${body.trigger_id}`,
      });
      await ack({
        response_type: 'ephemeral',
        ...(result.ok ? logConfirmation(result.entry) : problemMessage(result.error.message)),
      });
    }),
  );
}
