import type { AckFn } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { RequestKind } from './request-shapes.js';

/** Slack gives up after 3 s; answering a little before leaves room for the network. */
export const ANSWER_DEADLINE_MS = 2_500;

/**
 * One request's answer to Slack: given once (a second ack is dropped, not thrown), and given by
 * the deadline even when a listener is still working. A command's answer that comes after the
 * deadline is posted to its response_url instead, so the user still sees it (or, when it has none,
 * the "still working" is taken away). A form closed at the deadline whose listener then refuses it
 * tells its user in a DM what was wrong, since Slack closed it as if it were saved.
 */
export class RequestAnswer {
  #acked = false;
  #pastDeadline = false;
  #timer: NodeJS.Timeout | undefined;
  #stillWorking: unknown;

  constructor(
    private readonly send: AckFn<unknown>,
    private readonly request: { id: string; kind: RequestKind; responseUrl: string | undefined },
    private readonly log: Logger,
    /** Tells the request's user something in a DM, when Slack no longer shows the answer. */
    private readonly tellUser?: (text: string) => Promise<void>,
  ) {}

  get acked(): boolean {
    return this.#acked;
  }

  /** Whether `ack` still reaches the user: not yet acked, or a command answered late through its response_url. */
  get canStillAnswer(): boolean {
    return !this.#acked || (this.#pastDeadline && this.request.kind === 'command' && !!this.request.responseUrl);
  }

  readonly ack = async (response?: unknown): Promise<void> => {
    if (this.#acked) {
      if (this.#pastDeadline) await this.#late(response);
      return;
    }
    this.#acked = true;
    clearTimeout(this.#timer);
    await this.send(response);
  };

  /** Starts the clock: past `ms` without an answer, Slack gets `stillWorking` at once. */
  startDeadline(ms: number, stillWorking: unknown): void {
    this.#stillWorking = stillWorking;
    this.#timer = setTimeout(() => {
      if (this.#acked) return;
      this.log.warn('a listener had not answered by the deadline; answered for it', {
        requestId: this.request.id,
        kind: this.request.kind,
      });
      this.#pastDeadline = true;
      this.ack(this.#stillWorking).catch((error: unknown) =>
        this.log.warn('answering at the deadline failed', { requestId: this.request.id, error }),
      );
    }, ms);
    this.#timer.unref();
  }

  /** What a listener would rather show at the deadline than the generic "still working". */
  sayWhileWorking(response: unknown): void {
    this.#stillWorking = response;
  }

  stopDeadline(): void {
    clearTimeout(this.#timer);
  }

  async #late(response: unknown): Promise<void> {
    const { responseUrl, kind } = this.request;
    const refused = kind === 'view_submission' ? formErrors(response) : [];
    if (refused.length > 0) {
      await this.tellUser?.(`Your form was not saved: ${refused.join(' ')} Open it again to fix that.`);
      return;
    }
    if (kind !== 'command' || !responseUrl) return;
    // No answer of its own (it opened a modal): the "still working" it showed goes away.
    const message =
      response === undefined
        ? { delete_original: true }
        : {
            response_type: 'ephemeral',
            replace_original: true,
            ...(typeof response === 'string' ? { text: response } : (response as Record<string, unknown>)),
          };
    try {
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      this.log.warn('could not deliver a late answer', { requestId: this.request.id, error });
    }
  }
}

/** A form's refusal (`response_action: errors`): what it says is wrong, field by field. */
function formErrors(response: unknown): string[] {
  const answer = response as { response_action?: unknown; errors?: unknown } | undefined;
  if (answer?.response_action !== 'errors' || typeof answer.errors !== 'object' || answer.errors === null) return [];
  return Object.values(answer.errors).filter((text): text is string => typeof text === 'string');
}
