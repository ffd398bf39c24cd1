/**
 * A local stand-in for the Slack Web API (and for response_url and file-upload URLs), so tests
 * see exactly what the app sent to Slack. Every call is recorded; faults (429 with Retry-After,
 * 500, a reset connection, a hang, a Slack error such as invalid_auth, a post Slack finishes after
 * the client gave up, an upload URL refusing the bytes, a response_url that hangs, a call held
 * until the test answers it) can be queued per method or held for every call as an outage, and a
 * method can be rate limited per minute of a test clock. What chat.update and views.publish did is
 * recorded in the order Slack applied it, per message and per user.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SlackCall = {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  /** Order of arrival across all methods. */
  sequence: number;
};

export type SlackUserProfile = {
  id: string;
  name?: string;
  real_name?: string;
  tz?: string;
  is_bot?: boolean;
  deleted?: boolean;
  profile?: { display_name?: string; real_name?: string };
};

export type Fault =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 }
  /** The connection is dropped without an answer; nothing is done. */
  | { reset: true }
  /** No answer until the test releases it (releaseHangs) or the client gives up; nothing is done. */
  | { hang: true }
  | { error: string }
  /** A post that gets no answer, but lands in the conversation when the test calls commitLate(). */
  | { lateCommit: true }
  /** A slow Slack: nothing is done and no answer comes until the test calls answerHeld(); then both. */
  | { held: true };

export type StoredMessage = {
  ts: string;
  text: unknown;
  blocks: unknown;
  metadata: unknown;
  updates: number;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: { id: string; title: string | undefined }[];
};

export type Upload = { fileId: string; filename: string | undefined; bytes: Buffer };

/**
 * A conversation the fake knows. Unknown conversation ids behave as before: the app may post
 * there. `people-dm` is a direct message between people, where the app can never post.
 */
export type FakeConversation = { kind: 'public' | 'private' | 'people-dm'; appIsMember: boolean };

export type FakeSlack = {
  /** Base URL for the Web API client (`slackApiUrl`), ending in a slash. */
  apiUrl: string;
  /** users.info answers from here; an unknown user gets `user_not_found`. */
  users: Map<string, SlackUserProfile>;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Resolves with the first recorded call to `method` (past or future) that matches. */
  waitFor(method: string, matches?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  /** The next `times` calls to `method` answer with this fault instead. */
  failNext(method: string, fault: Fault, times?: number): void;
  /** Every call (to `methods`, else to any method) answers with this fault until it is cleared with undefined. */
  outage(fault: Fault | undefined, methods?: string[]): void;
  /**
   * At most `perMinute` calls to `method` in each minute of `clock` (counted from the first
   * call); the rest answer 429 with Retry-After up to the minute's end.
   */
  rateLimit(method: string, perMinute: number, clock: { now(): Date }): void;
  /** Finishes the posts held by `lateCommit`: they land in their conversations (their callers gave up long ago). */
  commitLate(): number;
  /** Drops every hung call's connection, as a proxy timing out would. */
  releaseHangs(): void;
  /** Does and answers the calls held by `held`, in the order they came. Returns how many. */
  answerHeld(): number;
  /** The texts chat.update set on the message `ts`, in the order Slack applied them. */
  updatesOf(ts: string): unknown[];
  /** The views views.publish set as `userId`'s App Home, in the order Slack applied them. */
  publishedTo(userId: string): unknown[];
  /** A fresh response_url; posts to it are recorded as calls to method `response_url`. */
  responseUrl: () => string;
  uploads: Map<string, Upload>;
  /** Messages as they stand now (posts, with updates applied), per conversation id. */
  messages: Map<string, StoredMessage[]>;
  /** Conversations with membership rules (conversations.join, not_in_channel); others accept posts. */
  conversations: Map<string, FakeConversation>;
  /** Forgets recorded calls, uploads, messages, outages and rate limits (users and queued faults stay). */
  reset(): void;
  close(): Promise<void>;
};

export const BOT_USER_ID = 'UBOT0001';
export const TEAM_ID = 'T0TEST01';

/** Slack's form-encoded arguments carry structured values (blocks, view, …) as JSON strings. */
const JSON_ARGUMENTS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'user_auth_blocks']);

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const users = new Map<string, SlackUserProfile>();
  const faults = new Map<string, Fault[]>();
  const uploads = new Map<string, Upload>();
  const messages = new Map<string, StoredMessage[]>();
  const conversations = new Map<string, FakeConversation>();
  /** Why the app cannot post in a conversation, as Slack would answer. */
  const cannotPost = (channel: string): string | undefined => {
    const known = conversations.get(channel);
    if (!known) return undefined;
    if (known.kind === 'people-dm') return 'channel_not_found';
    if (!known.appIsMember) return known.kind === 'private' ? 'channel_not_found' : 'not_in_channel';
    return undefined;
  };
  /** A DM addressed to a user id lands in that user's conversation with the app. */
  const conversationOf = (channel: unknown) =>
    /^[UW]/.test(String(channel)) ? `D${String(channel)}` : String(channel);
  const waiters = new Set<{
    method: string;
    matches: (call: SlackCall) => boolean;
    resolve: (call: SlackCall) => void;
  }>();
  const hanging = new Set<ServerResponse>();
  let standing: { fault: Fault; methods: string[] | undefined } | undefined;
  const limits = new Map<string, { perMinute: number; clock: { now(): Date }; windowStart?: number; used: number }>();
  const late: { method: string; args: Record<string, unknown>; response: ServerResponse }[] = [];
  const held: { method: string; args: Record<string, unknown>; response: ServerResponse }[] = [];
  const appliedUpdates = new Map<string, unknown[]>();
  const appliedPublishes = new Map<string, unknown[]>();
  let sequence = 0;
  let counter = 0;

  const record = (method: string, args: Record<string, unknown>, token: string | undefined): SlackCall => {
    const call = { method, args, token, sequence: ++sequence };
    calls.push(call);
    for (const waiter of waiters) {
      if (waiter.method === method && waiter.matches(call)) {
        waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
    return call;
  };

  const nextFault = (method: string): Fault | undefined => {
    if (standing && (!standing.methods || standing.methods.includes(method))) return standing.fault;
    const queue = faults.get(method);
    const fault = queue?.shift();
    if (queue && queue.length === 0) faults.delete(method);
    return fault ?? overLimit(method);
  };

  const overLimit = (method: string): Fault | undefined => {
    const limit = limits.get(method);
    if (!limit) return undefined;
    const now = limit.clock.now().getTime();
    if (limit.windowStart === undefined || now >= limit.windowStart + 60_000) {
      limit.windowStart = now;
      limit.used = 0;
    }
    if (limit.used < limit.perMinute) {
      limit.used++;
      return undefined;
    }
    return { status: 429, retryAfterSeconds: Math.max(1, Math.ceil((limit.windowStart + 60_000 - now) / 1000)) };
  };

  const holdUnanswered = (response: ServerResponse) => {
    hanging.add(response);
    response.on('close', () => hanging.delete(response));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake-slack');
    const method = url.pathname.replace(/^\/api\//, '');
    // Decided on arrival: a call that reached Slack during an outage fails even when its body is read after it.
    // Faults of an upload URL are queued under the method name `upload`, of a response_url under `response_url`.
    const fault = url.pathname.startsWith('/api/')
      ? nextFault(method)
      : url.pathname.startsWith('/upload/')
        ? nextFault('upload')
        : url.pathname.startsWith('/response/')
          ? nextFault('response_url')
          : undefined;
    const body = await readBody(request);
    const token = request.headers.authorization?.replace(/^Bearer /, '');

    if (url.pathname.startsWith('/upload/')) {
      const fileId = url.pathname.slice('/upload/'.length);
      if (fault && 'status' in fault) {
        record('upload', { file_id: fileId, refused: fault.status }, token);
        return sendText(response, fault.status, 'refused');
      }
      const existing = uploads.get(fileId);
      uploads.set(fileId, { fileId, filename: existing?.filename, bytes: extractUploadBytes(request, body) });
      record('upload', { file_id: fileId, bytes: body.length }, token);
      return sendText(response, 200, 'OK - ' + body.length);
    }
    if (url.pathname.startsWith('/response/')) {
      const args = parseArguments(request, body);
      record('response_url', { ...args, url: url.toString().replace('http://fake-slack', '') }, token);
      if (fault && 'hang' in fault) return holdUnanswered(response);
      if (fault && 'reset' in fault) {
        request.socket.destroy();
        return;
      }
      if (fault && 'status' in fault) return sendText(response, fault.status, 'refused');
      return sendText(response, 200, 'ok');
    }

    const args = { ...Object.fromEntries(url.searchParams), ...parseArguments(request, body) };
    record(method, args, token);

    if (fault && 'reset' in fault) {
      request.socket.destroy();
      return;
    }
    if (fault && 'lateCommit' in fault) {
      late.push({ method, args, response });
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (fault && 'hang' in fault) return holdUnanswered(response);
    if (fault && 'held' in fault) {
      held.push({ method, args, response });
      return;
    }
    if (fault && 'status' in fault && fault.status === 429) {
      response.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return sendJson(response, 429, { ok: false, error: 'ratelimited' });
    }
    if (fault && 'status' in fault) return sendJson(response, 500, { ok: false, error: 'internal_error' });
    if (fault && 'error' in fault) return sendJson(response, 200, { ok: false, error: fault.error });

    sendJson(response, 200, answer(method, args));
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => sendJson(response, 500, { ok: false, error: String(error) }));
  });

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const ts = () => `${1_700_000_000 + ++counter}.000100`;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://test.slack.com/',
          team: 'Test',
          user: 'consultracker',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: 'B0TEST01',
        };
      case 'users.info': {
        const user = users.get(String(args.user));
        return user
          ? { ok: true, user: { name: user.id.toLowerCase(), ...user } }
          : { ok: false, error: 'user_not_found' };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: conversationOf(String(args.users).split(',')[0]) } };
      case 'conversations.history': {
        const stored = [...(messages.get(String(args.channel)) ?? [])].reverse().slice(0, Number(args.limit ?? 100));
        const withMetadata = String(args.include_all_metadata) === 'true';
        return {
          ok: true,
          messages: stored.map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.text,
            ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
          })),
        };
      }
      case 'chat.postMessage': {
        const channel = conversationOf(args.channel);
        const refusal = cannotPost(channel);
        if (refusal) return { ok: false, error: refusal };
        const message: StoredMessage = {
          ts: ts(),
          text: args.text,
          blocks: args.blocks,
          metadata: args.metadata,
          updates: 0,
        };
        messages.set(channel, [...(messages.get(channel) ?? []), message]);
        return { ok: true, channel, ts: message.ts, message: { text: args.text, blocks: args.blocks } };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: ts() };
      case 'chat.update': {
        const message = messages.get(String(args.channel))?.find((m) => m.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        Object.assign(message, { text: args.text, blocks: args.blocks, updates: message.updates + 1 });
        appliedUpdates.set(String(args.ts), [...(appliedUpdates.get(String(args.ts)) ?? []), args.text]);
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      }
      case 'views.publish':
        appliedPublishes.set(String(args.user_id), [...(appliedPublishes.get(String(args.user_id)) ?? []), args.view]);
        return { ok: true, view: { id: `V${++counter}`, ...(args.view as object) } };
      case 'views.open':
      case 'views.push':
      case 'views.update':
        return {
          ok: true,
          view: { id: typeof args.view_id === 'string' ? args.view_id : `V${++counter}`, ...(args.view as object) },
        };
      case 'files.getUploadURLExternal': {
        const fileId = `F${++counter}`;
        uploads.set(fileId, { fileId, filename: String(args.filename), bytes: Buffer.alloc(0) });
        return { ok: true, upload_url: `${baseUrl}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const files = (args.files as { id: string; title?: string }[] | undefined) ?? [];
        if (args.channel_id !== undefined) {
          const channel = conversationOf(args.channel_id);
          const refusal = cannotPost(channel);
          if (refusal) return { ok: false, error: refusal };
          const shared = files.map((file) => ({ id: file.id, title: file.title }));
          const message: StoredMessage = {
            ts: ts(),
            text: args.initial_comment,
            blocks: undefined,
            metadata: undefined,
            updates: 0,
            files: shared,
          };
          messages.set(channel, [...(messages.get(channel) ?? []), message]);
        }
        return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title })) };
      }
      case 'conversations.join': {
        const channel = String(args.channel);
        const known = conversations.get(channel);
        if (!known) return { ok: true, channel: { id: channel } };
        if (known.kind !== 'public') return { ok: false, error: 'method_not_supported_for_channel_type' };
        const already = known.appIsMember;
        known.appIsMember = true;
        return { ok: true, channel: { id: channel }, ...(already ? { warning: 'already_in_channel' } : {}) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  // Like Slack's own servers, idle connections stay open longer than a client keeps them: Node's
  // default 5 s drops a call the app sends on a connection the fake is closing, on a busy machine.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${baseUrl}/api/`,
    users,
    calls,
    uploads,
    messages,
    conversations,
    callsTo: (method) => calls.filter((call) => call.method === method),
    // Generous: a loaded CI machine can take seconds to build a report; a test still ends well within its own timeout.
    waitFor: (method, matches = () => true, timeoutMs = 15_000) => {
      const seen = calls.find((call) => call.method === method && matches(call));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { method, matches, resolve: (call: SlackCall) => (clearTimeout(timer), resolve(call)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `fake Slack: no matching ${method} call within ${timeoutMs} ms; calls so far: ${calls.map((c) => c.method).join(', ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    outage: (fault, methods) => {
      standing = fault ? { fault, methods } : undefined;
    },
    rateLimit: (method, perMinute, clock) => {
      limits.set(method, { perMinute, clock, used: 0 });
    },
    commitLate: () => {
      const held = late.splice(0);
      for (const { method, args, response } of held) {
        answer(method, args);
        response.destroy();
      }
      return held.length;
    },
    releaseHangs: () => {
      for (const response of hanging) response.destroy();
    },
    answerHeld: () => {
      const answering = held.splice(0);
      for (const { method, args, response } of answering) sendJson(response, 200, answer(method, args));
      return answering.length;
    },
    updatesOf: (ts) => appliedUpdates.get(ts) ?? [],
    publishedTo: (userId) => appliedPublishes.get(userId) ?? [],
    failNext: (method, fault, times = 1) => {
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(method, queue);
    },
    responseUrl: () => `${baseUrl}/response/${randomUUID()}`,
    reset: () => {
      standing = undefined;
      limits.clear();
      calls.length = 0;
      uploads.clear();
      messages.clear();
      appliedUpdates.clear();
      appliedPublishes.clear();
    },
    close: async () => {
      for (const response of hanging) response.destroy();
      for (const { response } of held.splice(0)) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseArguments(request: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = request.headers['content-type'] ?? '';
  const text = body.toString('utf8');
  if (text.length === 0) return {};
  if (type.includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = JSON_ARGUMENTS.has(key) ? parseJsonOr(value) : value;
  }
  return args;
}

function parseJsonOr(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The SDK posts the file either raw or as the single part of a multipart form. */
function extractUploadBytes(request: IncomingMessage, body: Buffer): Buffer {
  const type = request.headers['content-type'] ?? '';
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!type.startsWith('multipart/form-data') || !boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(delimiter);
  const headersEnd = body.indexOf('\r\n\r\n', start);
  const end = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
  return body.subarray(headersEnd + 4, end);
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(payload));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}
