import { ErrorCode } from '@slack/web-api';

/** What a failed Slack call means for the message it carried. */
export type SlackFailure =
  /** Slack's rate limit for this method: wait Retry-After, costing no attempt. */
  | { kind: 'rate-limited'; retryAfterSeconds: number; description: string }
  /** The token or app is refused for every call: pause all delivery, do not blame the message. */
  | { kind: 'account'; error: string; description: string }
  /** No retry will deliver this message. */
  | { kind: 'permanent'; description: string }
  /**
   * Worth retrying. `unknownOutcome`: no answer came (timeout, reset), so Slack may still have
   * done it, and a post must be looked up before it is sent again.
   */
  | { kind: 'transient'; unknownOutcome: boolean; description: string };

/** Errors about the token, the app or the workspace, never about one message. */
export const ACCOUNT_ERRORS = new Set([
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'not_authed',
  'missing_scope',
  'not_allowed_token_type',
  'team_access_not_granted',
]);

/** Errors about this one message that no retry fixes. */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'cannot_dm_bot',
  'user_not_found',
  'user_disabled',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'no_text',
  'restricted_action',
  'not_enabled',
]);

export function classifySlackFailure(error: unknown): SlackFailure {
  const code = (error as { code?: unknown }).code;
  if (code === ErrorCode.RateLimitedError) {
    const seconds = Number((error as { retryAfter?: number }).retryAfter ?? 1);
    return { kind: 'rate-limited', retryAfterSeconds: seconds, description: `rate limited; Retry-After ${seconds} s` };
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = String((error as { data?: { error?: string } }).data?.error);
    const description = `Slack refused: ${slackError}`;
    if (slackError === 'ratelimited') return { kind: 'rate-limited', retryAfterSeconds: 1, description };
    if (ACCOUNT_ERRORS.has(slackError)) return { kind: 'account', error: slackError, description };
    if (PERMANENT_ERRORS.has(slackError)) return { kind: 'permanent', description };
    // service_unavailable, fatal_error, internal_error, request_timeout and errors we do not know.
    return { kind: 'transient', unknownOutcome: false, description };
  }
  const description = error instanceof Error ? error.message : String(error);
  if (code === ErrorCode.RequestError) return { kind: 'transient', unknownOutcome: true, description };
  return { kind: 'transient', unknownOutcome: false, description };
}
