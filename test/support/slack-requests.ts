/**
 * Sends what Slack sends: signed slash commands, interactivity payloads and events, over real HTTP
 * to the running app's /slack/events.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { TEAM_ID } from './fake-slack.js';

export type SigningOptions = {
  /** Replaces the computed `X-Slack-Signature`. */
  signature?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Sends neither signature nor timestamp header. */
  omitHeaders?: boolean;
  /** Slack's retry header: the same request delivered again. */
  retryNum?: number;
};

export type SlackResponse = { status: number; body: unknown; text: string; ms: number };

export function signSlackRequest(signingSecret: string, timestamp: number, body: string): string {
  return 'v0=' + createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
}

export class SlackClientSimulator {
  readonly #appUrl: string;
  readonly #signingSecret: string;
  readonly #responseUrl: () => string;
  // node:http rather than fetch: fetch costs the sender about 0.6 ms of CPU per request, six times
  // as much, and the benchmarks run the sender on the same two cores as the app and the database.
  // Idle connections close after 60 s, before the app's own 65 s (Keep-Alive: timeout=65), so
  // none is reused just as the app closes it.
  readonly #connections = new Agent({ keepAlive: true, timeout: 60_000 });

  constructor(options: { appUrl: string; signingSecret: string; responseUrl?: () => string }) {
    this.#appUrl = options.appUrl;
    this.#signingSecret = options.signingSecret;
    this.#responseUrl = options.responseUrl ?? (() => 'https://hooks.slack.invalid/commands/T/1/none');
  }

  slashCommand(
    command: {
      command: string;
      text: string;
      userId: string;
      channelId?: string;
      triggerId?: string;
      responseUrl?: string;
    },
    signing: SigningOptions = {},
  ): Promise<SlackResponse> {
    const form = new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: TEAM_ID,
      team_domain: 'test',
      channel_id: command.channelId ?? `D${command.userId}`,
      channel_name: 'directmessage',
      user_id: command.userId,
      user_name: command.userId.toLowerCase(),
      command: command.command,
      text: command.text,
      api_app_id: 'A0TEST01',
      is_enterprise_install: 'false',
      response_url: command.responseUrl ?? this.#responseUrl(),
      trigger_id: command.triggerId ?? newTriggerId(),
    });
    return this.#post(form.toString(), 'application/x-www-form-urlencoded', signing);
  }

  /** A button or select in a message, modal or App Home. */
  blockAction(
    action: {
      userId: string;
      actionId: string;
      value?: string;
      blockId?: string;
      selectedOption?: string;
      /** A checkbox group's ticked values after the click. */
      checkedOptions?: string[];
      /** A multi-user picker's people after the change. */
      selectedUsers?: string[];
      /** A date picker's new date. */
      selectedDate?: string;
      /** A user picker's person after the change. */
      selectedUser?: string;
      /** Where the action happened. */
      container?:
        | { type: 'message'; channelId: string; messageTs: string }
        | { type: 'view'; viewId: string; view?: Record<string, unknown> };
      triggerId?: string;
      responseUrl?: string;
    },
    signing: SigningOptions = {},
  ): Promise<SlackResponse> {
    const element: Record<string, unknown> = {
      action_id: action.actionId,
      block_id: action.blockId ?? 'actions',
      type: action.checkedOptions
        ? 'checkboxes'
        : action.selectedUsers
          ? 'multi_users_select'
          : action.selectedDate
            ? 'datepicker'
            : action.selectedUser
              ? 'users_select'
              : action.selectedOption === undefined
                ? 'button'
                : 'static_select',
      action_ts: `${Date.now() / 1000}`,
    };
    if (action.value !== undefined) element.value = action.value;
    if (action.selectedUsers) element.selected_users = action.selectedUsers;
    if (action.selectedDate) element.selected_date = action.selectedDate;
    if (action.selectedUser) element.selected_user = action.selectedUser;
    if (action.checkedOptions)
      element.selected_options = action.checkedOptions.map((value) => ({
        value,
        text: { type: 'plain_text', text: value },
      }));
    if (action.selectedOption !== undefined)
      element.selected_option = {
        value: action.selectedOption,
        text: { type: 'plain_text', text: action.selectedOption },
      };
    const container = action.container;
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      user: { id: action.userId, username: action.userId.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0TEST01',
      team: { id: TEAM_ID, domain: 'test' },
      trigger_id: action.triggerId ?? newTriggerId(),
      actions: [element],
    };
    if (container?.type === 'message') {
      payload.container = {
        type: 'message',
        channel_id: container.channelId,
        message_ts: container.messageTs,
        is_ephemeral: false,
      };
      payload.channel = { id: container.channelId, name: 'directmessage' };
      payload.message = { ts: container.messageTs, type: 'message' };
      payload.response_url = action.responseUrl ?? this.#responseUrl();
    } else if (container?.type === 'view') {
      payload.container = { type: 'view', view_id: container.viewId };
      payload.view = { id: container.viewId, type: 'modal', ...container.view };
    } else if (action.responseUrl) {
      payload.response_url = action.responseUrl;
    }
    return this.#postPayload(payload, signing);
  }

  /** Submitting a modal. `values` is state.values: block_id -> action_id -> element value. */
  viewSubmission(
    submission: {
      userId: string;
      callbackId: string;
      values: Record<string, Record<string, unknown>>;
      privateMetadata?: string;
      viewId?: string;
    },
    signing: SigningOptions = {},
  ): Promise<SlackResponse> {
    return this.#postPayload(
      {
        type: 'view_submission',
        user: { id: submission.userId, username: submission.userId.toLowerCase(), team_id: TEAM_ID },
        api_app_id: 'A0TEST01',
        team: { id: TEAM_ID, domain: 'test' },
        trigger_id: newTriggerId(),
        view: {
          id: submission.viewId ?? 'V0MODAL1',
          type: 'modal',
          callback_id: submission.callbackId,
          private_metadata: submission.privateMetadata ?? '',
          state: { values: submission.values },
        },
      },
      signing,
    );
  }

  /** The "Log time for this message" shortcut on a message. */
  messageShortcut(
    shortcut: {
      userId: string;
      callbackId: string;
      channelId: string;
      message: { ts: string; text: string; user?: string };
    },
    signing: SigningOptions = {},
  ): Promise<SlackResponse> {
    return this.#postPayload(
      {
        type: 'message_action',
        callback_id: shortcut.callbackId,
        user: { id: shortcut.userId, name: shortcut.userId.toLowerCase() },
        team: { id: TEAM_ID, domain: 'test' },
        channel: { id: shortcut.channelId, name: 'general' },
        message: { type: 'message', ...shortcut.message },
        trigger_id: newTriggerId(),
        response_url: this.#responseUrl(),
        message_ts: shortcut.message.ts,
      },
      signing,
    );
  }

  /** Slack asking for the options of an external select as the user types (`block_suggestion`). */
  blockSuggestion(
    suggestion: {
      userId: string;
      actionId: string;
      blockId: string;
      value: string;
      view?: { id: string; callback_id?: string; private_metadata?: string };
    },
    signing: SigningOptions = {},
  ): Promise<SlackResponse> {
    return this.#postPayload(
      {
        type: 'block_suggestion',
        user: { id: suggestion.userId, name: suggestion.userId.toLowerCase(), team_id: TEAM_ID },
        team: { id: TEAM_ID, domain: 'test' },
        api_app_id: 'A0TEST01',
        action_id: suggestion.actionId,
        block_id: suggestion.blockId,
        value: suggestion.value,
        container: suggestion.view ? { type: 'view', view_id: suggestion.view.id } : undefined,
        view: suggestion.view ? { type: 'modal', ...suggestion.view } : undefined,
      },
      signing,
    );
  }

  /** An Events API callback such as `app_home_opened`. */
  event(event: Record<string, unknown> & { type: string }, signing: SigningOptions = {}): Promise<SlackResponse> {
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: TEAM_ID,
      api_app_id: 'A0TEST01',
      type: 'event_callback',
      event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 10)}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { event_ts: `${Date.now() / 1000}`, ...event },
    });
    return this.#post(body, 'application/json', signing);
  }

  #postPayload(payload: Record<string, unknown>, signing: SigningOptions): Promise<SlackResponse> {
    return this.#post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
      signing,
    );
  }

  async #post(body: string, contentType: string, signing: SigningOptions): Promise<SlackResponse> {
    const timestamp = signing.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': contentType };
    if (!signing.omitHeaders) {
      headers['x-slack-request-timestamp'] = String(timestamp);
      headers['x-slack-signature'] = signing.signature ?? signSlackRequest(this.#signingSecret, timestamp, body);
    }
    if (signing.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(signing.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    const started = performance.now();
    const { status, text } = await this.#send(headers, body);
    const ms = performance.now() - started;
    return { status, body: parseBody(text), text, ms };
  }

  #send(headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const sent = request(`${this.#appUrl}/slack/events`, { method: 'POST', headers, agent: this.#connections });
      sent.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      });
      sent.on('error', reject);
      sent.end(body);
    });
  }
}

function newTriggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
