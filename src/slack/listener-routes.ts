import type { AllMiddlewareArgs, AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { kindOf, listenerIdOf, type RequestKind } from './edge/request-shapes.js';

/** Where listeners register: the same calls as Bolt's `App`, each with one id and one listener. */
export type ListenerRoutes = Pick<App, 'command' | 'action' | 'view' | 'options' | 'event' | 'shortcut'>;

type Listener = (args: AnyMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;

/** The request kind each registration answers (`view` answers submissions, as Bolt's does by default). */
const KIND_OF_REGISTRATION: Record<keyof ListenerRoutes, RequestKind> = {
  command: 'command',
  action: 'action',
  view: 'view_submission',
  options: 'options',
  event: 'event',
  shortcut: 'shortcut',
};

/**
 * Every listener of the app, found for a request by its kind and id in one map lookup, by one
 * global middleware. Bolt itself hands each request to every registered listener's matching
 * middleware in turn (about 130 here): under `/log` load that was 45% of everything the app
 * allocated, the same for a `/log` as for a button nobody else listens to.
 */
export class SlackRoutes {
  readonly #listeners = new Map<string, Listener>();

  /** What the register functions call, in place of Bolt's `App`. */
  readonly routes: ListenerRoutes;

  constructor() {
    const register =
      (method: keyof ListenerRoutes) =>
      (constraint: unknown, ...listeners: unknown[]): void => {
        const key = registrationKey(KIND_OF_REGISTRATION[method], constraint);
        if (listeners.length !== 1) throw new Error(`${method} ${key}: one listener per id, with no middleware`);
        if (this.#listeners.has(key)) throw new Error(`${method} ${key} is registered twice`);
        this.#listeners.set(key, listeners[0] as Listener);
      };
    this.routes = {
      command: register('command'),
      action: register('action'),
      view: register('view'),
      options: register('options'),
      event: register('event'),
      shortcut: register('shortcut'),
    };
  }

  /** The last global middleware: runs the request's listener, or lets Bolt go on when none is registered. */
  readonly middleware: Middleware<AnyMiddlewareArgs> = async (args) => {
    const body = args.body as unknown as Record<string, unknown>;
    const kind = kindOf(body);
    const id = String(listenerIdOf(kind, body));
    const block = blockIdOf(kind, body);
    const listener =
      (block !== undefined ? this.#listeners.get(`${kind}:${block}/${id}`) : undefined) ??
      this.#listeners.get(`${kind}:${id}`);
    if (!listener) return args.next();
    // A listener is the end of the chain, as in Bolt: its `next` does nothing.
    await listener({ ...args, next: () => Promise.resolve() });
  };
}

/**
 * A registration's key: the kind and the exact id, or for an element that several forms name alike
 * (an input's `value`), the block and the action id.
 */
function registrationKey(kind: RequestKind, constraint: unknown): string {
  if (typeof constraint === 'string') return `${kind}:${constraint}`;
  const { block_id: block, action_id: action, ...rest } = (constraint ?? {}) as Record<string, unknown>;
  if (typeof block === 'string' && typeof action === 'string' && Object.keys(rest).length === 0)
    return `${kind}:${block}/${action}`;
  throw new Error(`${kind} listeners are registered by an exact id, or an exact block and action id`);
}

/** The block of the element a button or a menu's options belong to. */
function blockIdOf(kind: RequestKind, body: Record<string, unknown>): string | undefined {
  const block =
    kind === 'action'
      ? (body.actions as { block_id?: unknown }[] | undefined)?.[0]?.block_id
      : kind === 'options'
        ? body.block_id
        : undefined;
  return typeof block === 'string' ? block : undefined;
}
