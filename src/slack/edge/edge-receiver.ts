import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyMiddlewareArgs,
  type App,
  HTTPModuleFunctions,
  HTTPReceiver,
  type Middleware,
  type Receiver,
  type ReceiverEvent,
  type SocketModeReceiver,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { problemMessage } from '../../../blocks/log-confirmation.js';
import type { Logger } from '../../logger.js';
import { describeUnreadable, isUnreadable } from './failures.js';
import { ANSWER_DEADLINE_MS, RequestAnswer } from './request-answer.js';
import { listenerIdOf, type RequestKind, screenRequest, UNREADABLE } from './request-shapes.js';
import { slackId } from './payload-values.js';
import { currentRequest, runInRequest } from '../../request-context.js';
import { describeSlackRequest } from './request-identity.js';

export const OUR_FAULT = 'Something went wrong on our side and nothing was saved. Please try again in a minute.';
/** The same, once the request committed a change: doing it again could do it twice. */
export const OUR_FAULT_AFTER_A_CHANGE =
  'Something went wrong on our side after your change was saved, in part or in full. Look at it again before you try a second time.';

/** What every middleware and listener finds in `context.edge`. */
export type EdgeContext = {
  requestId: string;
  kind: RequestKind;
  userId: string | undefined;
  /** A submitted form's first block, where a failure is shown when the form has nowhere better. */
  formBlock: string | undefined;
  answer: RequestAnswer;
};

/**
 * The one edge every Slack request passes, whichever receiver brought it (HTTP or Socket Mode):
 * the body must be a JSON object (a signed `payload=null` or `null` would otherwise end the
 * process inside Bolt), its envelope must parse (`screenRequest`) before Bolt or a listener reads
 * it, and it is answered exactly once and in time on every path. Refusals are logged once at warn.
 */
export class EdgeReceiver implements Receiver {
  #app: App | undefined;
  /** Requests still being handled, including a refusal's direct message sent after the ack. */
  readonly #handling = new Set<Promise<void>>();

  constructor(
    readonly inner: HTTPReceiver | SocketModeReceiver,
    private readonly log: Logger,
    private readonly deadlineMs = ANSWER_DEADLINE_MS,
  ) {
    if (inner instanceof HTTPReceiver) guardBodies(inner, log);
  }

  init(app: App): void {
    this.#app = app;
    // The inner receiver only ever calls processEvent on its app; this puts the edge in front of it.
    this.inner.init({ processEvent: (event: ReceiverEvent) => this.#tracked(this.#handle(event)) } as unknown as App);
  }

  /** Resolves when every request handed to the edge so far is done, its follow-up messages sent. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#handling]);
  }

  #tracked(handling: Promise<void>): Promise<void> {
    this.#handling.add(handling);
    void handling.finally(() => this.#handling.delete(handling)).catch(() => undefined);
    return handling;
  }

  start(...args: Parameters<HTTPReceiver['start']>): Promise<unknown> {
    return this.inner.start(...args);
  }

  stop(): Promise<unknown> {
    return this.inner.stop();
  }

  async #handle(event: ReceiverEvent): Promise<void> {
    // Socket Mode has no HTTP gate to open the request's context; its requests get one here.
    const request = currentRequest();
    if (!request) return runInRequest({ requestId: randomUUID() }, () => this.#handle(event));
    const app = this.#app!;
    const body = event.body as Record<string, unknown>;
    const screened = screenRequest(body);
    // Names the request (Slack's id, user, command) for every line it logs and every row it queues.
    if (screened.ok) Object.assign(request, describeSlackRequest(body));
    request.kind = screened.kind;
    const { requestId } = request;
    const responseUrl = typeof body.response_url === 'string' ? body.response_url : undefined;
    const userId = screened.ok ? screened.userId : undefined;
    const answer = new RequestAnswer(
      event.ack,
      { id: requestId, kind: screened.kind, responseUrl },
      this.log,
      userId ? (text) => tellUser(app.client, userId, text, this.log) : undefined,
    );
    if (!screened.ok) {
      this.log.warn('request could not be read', { requestId, kind: screened.kind, problems: screened.problems });
      await answer.ack(screened.answer);
      if (screened.tellUserId) await tellUser(app.client, screened.tellUserId, UNREADABLE, this.log);
      return;
    }
    const edge: EdgeContext = {
      requestId,
      kind: screened.kind,
      userId: screened.userId,
      formBlock: screened.formBlock,
      answer,
    };
    this.log.debug('Slack request');
    answer.startDeadline(this.deadlineMs, stillWorking(screened.kind));
    try {
      await app.processEvent({ ...event, ack: answer.ack, customProperties: { ...event.customProperties, edge } });
    } catch (error) {
      this.log.error('Bolt failed on a request', { requestId, kind: screened.kind, error });
    } finally {
      answer.stopDeadline();
      if (!answer.acked) {
        // No listener matched (an unknown action id, a command declared but not answered, a
        // view_closed nobody asked for): Slack still gets its answer now rather than a timeout.
        const level = screened.kind === 'view_closed' ? 'info' : 'warn';
        this.log[level]('no listener answered the request', {
          requestId,
          kind: screened.kind,
          id: listenerIdOf(screened.kind, body),
        });
        await answer.ack(unanswered(screened.kind, body)).catch(() => undefined);
      }
    }
  }
}

/**
 * Catches what a listener throws (whether or not it wrapped itself): input it could not read is
 * the sender's problem (warn, "could not be read"), anything else ours (error, "went wrong on our
 * side"); either way Slack gets an answer if it has none yet, or the user a direct message.
 */
export function edgeMiddleware(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ next, context, client }) => {
    try {
      await next();
    } catch (error) {
      await answerFailure(edgeOf(context), client, log, error);
    }
  };
}

export function edgeOf(context: Record<string, unknown>): EdgeContext | undefined {
  return context.edge as EdgeContext | undefined;
}

/** Logs and answers one listener failure (see `edgeMiddleware`); also used by the listener wrappers. */
export async function answerFailure(
  edge: EdgeContext | undefined,
  client: WebClient,
  log: Logger,
  error: unknown,
  fields: Record<string, unknown> = {},
): Promise<void> {
  const unreadable = isUnreadable(error);
  const where = { requestId: edge?.requestId, kind: edge?.kind, userId: edge?.userId, ...fields };
  if (unreadable) log.warn('request could not be read', { ...where, problems: describeUnreadable(error) });
  else log.error('request failed', { ...where, error });
  if (!edge) return;
  const message = unreadable ? UNREADABLE : currentRequest()?.changeCommitted ? OUR_FAULT_AFTER_A_CHANGE : OUR_FAULT;
  if (edge.answer.canStillAnswer) {
    const answer = failureAnswer(edge, message);
    await edge.answer.ack(answer);
    if (answer !== undefined) return;
  }
  if (edge.userId && edge.kind !== 'event' && edge.kind !== 'options')
    await tellUser(client, edge.userId, message, log);
}

/** The ack that carries a failure where Slack shows acks: a command's reply, a form's error. */
function failureAnswer(edge: EdgeContext, message: string): unknown {
  if (edge.kind === 'command') return { response_type: 'ephemeral', ...problemMessage(message) };
  if (edge.kind === 'options') return { options: [] };
  if (edge.kind === 'view_submission' && edge.formBlock)
    return { response_action: 'errors', errors: { [edge.formBlock]: message } };
  return undefined;
}

/** A direct message: it reaches the user wherever they clicked. Only ever to a sound Slack id. */
export async function tellUser(client: WebClient, userId: string, message: string, log: Logger): Promise<void> {
  if (!slackId.safeParse(userId).success) return;
  try {
    await client.chat.postMessage({ channel: userId, ...problemMessage(message) });
  } catch (error) {
    log.warn('could not tell the user about a problem', { userId, error });
  }
}

/** What a command shows while its work runs past the deadline; the answer replaces it. */
export const STILL_WORKING = 'Still working on it; the answer will replace this.';

function stillWorking(kind: RequestKind): unknown {
  if (kind === 'command') return { response_type: 'ephemeral', text: STILL_WORKING };
  if (kind === 'options') return { options: [] };
  return undefined;
}

function unanswered(kind: RequestKind, body: Record<string, unknown>): unknown {
  if (kind === 'command')
    return { response_type: 'ephemeral', text: `ConsulTracker does not answer ${String(body.command)}.` };
  if (kind === 'options') return { options: [] };
  return undefined;
}

/**
 * Bolt dereferences the parsed body before anything can catch it (`body.ssl_check` on `null`
 * rejects a promise nobody awaits). Bodies that are not a JSON object are refused here with 400.
 */
function guardBodies(receiver: HTTPReceiver, log: Logger): void {
  const bolt = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method?.toUpperCase() !== 'POST') return bolt(req, res);
    void HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit).then(
      (buffered) => {
        if (isObjectBody(buffered)) return bolt(buffered, res);
        log.warn('request body is not a Slack payload', { path: req.url });
        HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      },
      (error: unknown) => {
        const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
        log.warn('request body could not be read', { path: req.url, tooLarge });
        HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 400);
      },
    );
  };
}

/** Whether Bolt would parse the body into an object (unparseable text is left for Bolt to refuse). */
function isObjectBody(req: Parameters<typeof HTTPModuleFunctions.parseHTTPRequestBody>[0]): boolean {
  let parsed: unknown;
  try {
    parsed = HTTPModuleFunctions.parseHTTPRequestBody(req);
  } catch {
    return true;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
}
