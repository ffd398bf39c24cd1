import { z } from 'zod';
import { controlCharacterIn, controlCharacterMessage } from '../../domain/control-characters.js';
import { cleanText, isoDay, slackId } from './payload-values.js';

/** What the app says when a request's shape cannot be read (Slack never sends one; a forger or a bug does). */
export const UNREADABLE =
  'That request could not be read, so nothing was done. Please try again from a fresh message or form.';

export type RequestKind =
  'command' | 'action' | 'view_submission' | 'view_closed' | 'shortcut' | 'options' | 'event' | 'unknown';

const CONTROL_ISSUE = 'contains a control character';

const user = z.object({ id: slackId });
const option = z.object({ value: cleanText().max(2000) });
const options = z.array(option).max(1000);
const ids = z.array(slackId).max(1000);

/** What any interactive element may carry: each value typed and free of control characters. */
const elementValues = {
  value: cleanText().max(2000).optional(),
  selected_option: option.nullable().optional(),
  selected_options: options.nullable().optional(),
  selected_date: isoDay.nullable().optional(),
  selected_user: slackId.nullable().optional(),
  selected_users: ids.nullable().optional(),
  selected_conversation: slackId.nullable().optional(),
  selected_conversations: ids.nullable().optional(),
  selected_channel: slackId.nullable().optional(),
  selected_channels: ids.nullable().optional(),
};

/** Menus always say what was chosen in a block action; one without its option is not Slack's. */
const MENUS = new Set(['static_select', 'external_select', 'overflow', 'radio_buttons']);

const actionElement = z
  .object({
    action_id: cleanText().min(1).max(255),
    block_id: cleanText().max(255).optional(),
    type: cleanText().min(1).max(64),
    ...elementValues,
  })
  .superRefine((element, ctx) => {
    if (MENUS.has(element.type) && !element.selected_option)
      ctx.addIssue({ code: 'custom', message: 'a menu choice without the option chosen', path: ['selected_option'] });
    if (element.type === 'users_select' && !element.selected_user)
      ctx.addIssue({ code: 'custom', message: 'a person picker without the person', path: ['selected_user'] });
  });

/** An input's state in a submitted view: typed text may hold tabs and newlines, nothing else invisible. */
const stateElement = z.object({
  type: cleanText().max(64).optional(),
  ...elementValues,
  value: cleanText('multi-line').max(5000).nullable().optional(),
});

const view = z.object({
  id: cleanText().min(1).max(255),
  type: cleanText().max(64).optional(),
  callback_id: cleanText().max(255).optional(),
  private_metadata: cleanText().max(3000).optional(),
  hash: cleanText().max(255).optional(),
  state: z.object({ values: z.record(cleanText().max(255), z.record(cleanText().max(255), stateElement)) }).optional(),
});

const responseUrl = z.url({ protocol: /^https?$/ }).max(2000);
const triggerId = cleanText().min(1).max(255);

const command = z.object({
  command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
  user_id: slackId,
  channel_id: slackId.optional(),
  team_id: slackId.optional(),
  trigger_id: triggerId,
  response_url: responseUrl,
  text: cleanText('multi-line').max(4000).optional(),
});

const blockAction = z.object({
  type: z.literal('block_actions'),
  user,
  trigger_id: triggerId.optional(),
  actions: z.array(actionElement).min(1).max(20),
  view: view.nullable().optional(),
  response_url: responseUrl.optional(),
  channel: z.object({ id: slackId }).nullable().optional(),
  team: z.object({ id: slackId }).nullable().optional(),
});

const viewAction = z.object({
  type: z.enum(['view_submission', 'view_closed']),
  user,
  view: view.required({ callback_id: true }).extend({ state: view.shape.state.unwrap().optional() }),
  team: z.object({ id: slackId }).nullable().optional(),
});

const shortcut = z.object({
  type: z.enum(['shortcut', 'message_action']),
  callback_id: cleanText().min(1).max(255),
  user,
  trigger_id: triggerId,
  response_url: responseUrl.optional(),
  channel: z.object({ id: slackId }).nullable().optional(),
  message: z.object({ text: z.string().max(40_000).optional() }).optional(),
  team: z.object({ id: slackId }).nullable().optional(),
});

const blockSuggestion = z.object({
  type: z.literal('block_suggestion'),
  user,
  action_id: cleanText().min(1).max(255),
  block_id: cleanText().min(1).max(255),
  value: cleanText().max(2000),
  view: view.nullable().optional(),
  team: z.object({ id: slackId }).nullable().optional(),
});

const eventCallback = z.object({
  type: z.literal('event_callback'),
  team_id: slackId.optional(),
  event: z
    .object({ type: cleanText().min(1).max(255), user: slackId.optional(), tab: cleanText().max(64).optional() })
    .superRefine((event, ctx) => {
      if (event.type === 'app_home_opened' && !event.user)
        ctx.addIssue({ code: 'custom', message: 'an App Home opening without its user', path: ['user'] });
    }),
});

const SHAPES = {
  command,
  action: blockAction,
  view_submission: viewAction,
  view_closed: viewAction,
  shortcut,
  options: blockSuggestion,
  event: eventCallback,
} as const;

export type Screened =
  | { ok: true; kind: RequestKind; userId: string | undefined; formBlock: string | undefined }
  | {
      ok: false;
      kind: RequestKind;
      /** What failed, as paths and reasons (never the values), for the warn line. */
      problems: string[];
      /** The ack's body: what Slack shows, or the errors shown on a form. */
      answer: unknown;
      /** Someone whose id is sound, to be told by direct message when the ack cannot carry it. */
      tellUserId: string | undefined;
    };

/** Which kind of request a body is, from the fields Slack always sets. */
export function kindOf(body: Record<string, unknown>): RequestKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
      return 'action';
    case 'view_submission':
      return 'view_submission';
    case 'view_closed':
      return 'view_closed';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'block_suggestion':
      return 'options';
    case 'event_callback':
      return 'event';
    default:
      return 'unknown';
  }
}

/** The id a listener is registered by for a request of this kind: its command, action, callback or event type. */
export function listenerIdOf(kind: RequestKind, body: Record<string, unknown>): unknown {
  switch (kind) {
    case 'command':
      return body.command;
    case 'action':
      return (body.actions as { action_id?: unknown }[] | undefined)?.[0]?.action_id;
    case 'view_submission':
    case 'view_closed':
      return (body.view as { callback_id?: unknown } | undefined)?.callback_id;
    case 'shortcut':
      return body.callback_id;
    case 'options':
      return body.action_id;
    case 'event':
      return (body.event as { type?: unknown } | undefined)?.type;
    case 'unknown':
      return undefined;
  }
}

/**
 * Checks a request's envelope before Bolt or any listener reads it: the ids it carries are Slack
 * ids, the values it carries are typed and free of control characters, the parts Bolt dereferences
 * exist. Listeners then parse their own values (row ids, metadata) on top of this.
 */
export function screenRequest(body: Record<string, unknown>): Screened {
  const kind = kindOf(body);
  const userId = soundUserId(body);
  if (kind === 'unknown')
    return {
      ok: false,
      kind,
      problems: ['type: not a request this app answers'],
      answer: undefined,
      tellUserId: undefined,
    };
  const parsed = SHAPES[kind].safeParse(body);
  if (parsed.success) return { ok: true, kind, userId, formBlock: stateBlocks(body)[0] };
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  return { ok: false, kind, problems, ...refusal(kind, body, parsed.error.issues, userId) };
}

/** The ack (and whether a DM is needed) for a request that did not parse. */
function refusal(
  kind: RequestKind,
  body: Record<string, unknown>,
  issues: z.core.$ZodIssue[],
  userId: string | undefined,
): { answer: unknown; tellUserId: string | undefined } {
  if (kind === 'command') {
    const textIssue = issues.find((issue) => issue.path[0] === 'text' && issue.message === CONTROL_ISSUE);
    const commandName = typeof body.command === 'string' ? body.command : 'the command';
    const text = textIssue
      ? controlCharacterMessage(`The text after ${commandName}`, firstControl(body.text))
      : UNREADABLE;
    return { answer: { response_type: 'ephemeral', text }, tellUserId: undefined };
  }
  if (kind === 'view_submission') {
    const errors = formErrors(body, issues);
    if (errors) return { answer: { response_action: 'errors', errors }, tellUserId: undefined };
    return { answer: undefined, tellUserId: userId };
  }
  if (kind === 'options') return { answer: { options: [] }, tellUserId: undefined };
  if (kind === 'action' || kind === 'shortcut') return { answer: undefined, tellUserId: userId };
  return { answer: undefined, tellUserId: undefined };
}

/**
 * Errors shown under the form's fields: a control character is named in its own field; any other
 * unreadable part is reported under the form's first field, since the form has nowhere better.
 */
function formErrors(body: Record<string, unknown>, issues: z.core.$ZodIssue[]): Record<string, string> | undefined {
  const blocks = stateBlocks(body);
  if (blocks.length === 0) return undefined;
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const [, state, values, block, action, field] = issue.path;
    if (state !== 'state' || values !== 'values' || typeof block !== 'string' || !blocks.includes(block)) continue;
    if (issue.message !== CONTROL_ISSUE) continue;
    const text = readValue(body, block, action ?? '', field ?? '');
    errors[block] ??= controlCharacterMessage('This field', firstControl(text));
  }
  if (Object.keys(errors).length === 0) errors[blocks[0]!] = UNREADABLE;
  return errors;
}

function stateBlocks(body: Record<string, unknown>): string[] {
  const values = (body.view as { state?: { values?: unknown } } | null | undefined)?.state?.values;
  return values && typeof values === 'object' ? Object.keys(values).filter((key) => key.length <= 255) : [];
}

function readValue(body: Record<string, unknown>, ...path: PropertyKey[]): unknown {
  let at: unknown = (body.view as { state?: { values?: unknown } }).state?.values;
  for (const key of path) at = at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

function firstControl(text: unknown): string {
  if (typeof text !== 'string') return 'a control character';
  return controlCharacterIn(text, 'multi-line') ?? controlCharacterIn(text) ?? 'a control character';
}

/** The request's user id, only when it is a real Slack id: nobody else is ever messaged. */
function soundUserId(body: Record<string, unknown>): string | undefined {
  const candidate =
    typeof body.user_id === 'string' ? body.user_id : (body.user as { id?: unknown } | null | undefined)?.id;
  return slackId.safeParse(candidate).success ? (candidate as string) : undefined;
}
