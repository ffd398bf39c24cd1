import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, HTTPReceiver } from '@slack/bolt';
import { ErrorCode } from '@slack/web-api';
import type { Logger } from '../logger.js';

const INITIAL_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/** Slack's answers to auth.test that no retry can change: the token itself is wrong or dead. */
const TOKEN_REFUSALS: Record<string, string> = {
  invalid_auth: 'the token is not valid: copy the Bot User OAuth Token (xoxb-…) again into SLACK_BOT_TOKEN',
  not_authed: 'no token reached Slack: set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…)',
  token_revoked: 'the token was revoked (the app was uninstalled?): reinstall the app and copy its new token',
  account_inactive: 'the workspace or the app was deactivated: reactivate it, reinstall, and copy the new token',
};

/** The start stops here: Slack answered, and the answer will not change by asking again. */
export class SlackRefusedToken extends Error {
  constructor(readonly slackError: string) {
    const advice = TOKEN_REFUSALS[slackError] ?? `Slack answered "${slackError}" to the token check`;
    super(
      `Slack refused the bot token (${slackError}): ${advice}. README.md, section "Connect to Slack", shows where to find it.`,
    );
    this.name = 'SlackRefusedToken';
  }
}

type SlackCallError = { code?: unknown; data?: { error?: unknown }; statusCode?: unknown };

/** Network trouble, Slack's own 5xx and rate limits pass; anything else Slack says is final. */
function isPassing(error: unknown): boolean {
  const { code, statusCode } = (error ?? {}) as SlackCallError;
  if (code === ErrorCode.RequestError || code === ErrorCode.RateLimitedError) return true;
  return code === ErrorCode.HTTPError && typeof statusCode === 'number' && statusCode >= 500;
}

function slackErrorOf(error: unknown): string {
  const { code, data, statusCode } = (error ?? {}) as SlackCallError;
  if (code === ErrorCode.PlatformError && typeof data?.error === 'string') return data.error;
  if (code === ErrorCode.HTTPError) return `HTTP ${String(statusCode)}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Bolt's token check (auth.test), asked until Slack answers. Slack being away is retried with
 * backoff while the server already serves health checks; a refused token rejects with
 * {@link SlackRefusedToken} so the start can stop and say what to fix.
 */
export async function connectToSlack(app: App, log: Logger, stopping: () => boolean): Promise<void> {
  for (let delay = INITIAL_RETRY_MS; !stopping(); delay = Math.min(delay * 2, MAX_RETRY_MS)) {
    try {
      await app.init();
      log.info('connected to Slack');
      return;
    } catch (error) {
      if (!isPassing(error)) throw new SlackRefusedToken(slackErrorOf(error));
      log.warn(`Slack is not reachable (${slackErrorOf(error)}); retrying in ${delay / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}

/**
 * Until the token check has passed, Bolt has no way to authorise a request (it would answer an
 * empty 200 and log "this.authorize is not a function"): Slack's requests get a plain 503 instead.
 * Health checks and other routes are served as usual.
 */
export function answerUnavailableUntilConnected(receiver: HTTPReceiver, connected: () => boolean): void {
  const serve = receiver.requestListener;
  receiver.requestListener = (request: IncomingMessage, response: ServerResponse) => {
    if (connected() || !request.url?.startsWith('/slack/')) return serve(request, response);
    request.resume();
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
    response.end('ConsulTracker is still connecting to Slack; try again in a few seconds.\n');
  };
}
