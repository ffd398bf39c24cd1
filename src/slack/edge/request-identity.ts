import { randomUUID } from 'node:crypto';
import { currentRequest, type RequestContext } from '../../request-context.js';

/** Names the request a Slack payload is (who, which command, action or view) in the current context. */
export function describeSlackRequest(body: Record<string, unknown>): RequestContext {
  const b = body as {
    command?: string;
    user_id?: string;
    user?: { id?: string };
    type?: string;
    trigger_id?: string;
    event_id?: string;
    actions?: { action_id?: string }[];
    view?: { callback_id?: string };
    callback_id?: string;
    action_id?: string;
    event?: { type?: string; user?: string };
  };
  const command =
    b.command ??
    b.actions?.[0]?.action_id ??
    b.view?.callback_id ??
    b.callback_id ??
    b.action_id ??
    (b.event?.type ? `event:${b.event.type}` : b.type);
  const userId = b.user_id ?? b.user?.id ?? b.event?.user;
  // Slack's own id for the request where it has one, so a line can be matched with Slack's records.
  const requestId = b.trigger_id ?? b.event_id ?? currentRequest()?.requestId ?? randomUUID();
  return { requestId, ...(userId ? { userId } : {}), ...(command ? { command } : {}) };
}
