/** Each request reaches the one listener registered for its kind and id, and nothing else. */
import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { SlackRoutes } from '../../src/slack/listener-routes.js';

type Args = AnyMiddlewareArgs & AllMiddlewareArgs;

/** Routes whose listeners record which of them ran, for requests passed through the middleware. */
function recordingRoutes() {
  const slack = new SlackRoutes();
  const ran: string[] = [];
  const listener = (name: string) => (args: Args) => {
    ran.push(name);
    return args.next();
  };
  const { routes } = slack;
  routes.command('/log', listener('log command'));
  routes.action('log-time', listener('log-time button'));
  routes.action('value', listener('any value element'));
  routes.action({ block_id: 'project', action_id: 'value' }, listener('project value element'));
  routes.options({ block_id: 'project', action_id: 'value' }, listener('project choices'));
  routes.view('log-modal', listener('log modal submitted'));
  routes.shortcut('log-message', listener('log a message shortcut'));
  routes.event('app_home_opened', listener('App Home opened'));
  let passedOn = 0;
  const send = async (body: Record<string, unknown>) => {
    ran.length = 0;
    passedOn = 0;
    const next = () => {
      passedOn += 1;
      return Promise.resolve();
    };
    await slack.middleware({ body, next } as unknown as Args);
    return { ran: [...ran], passedOn };
  };
  return { routes, send };
}

describe('SlackRoutes', () => {
  it('runs the listener registered for the request kind and id, and no other', async () => {
    const { send } = recordingRoutes();
    expect(await send({ command: '/log' })).toEqual({ ran: ['log command'], passedOn: 0 });
    expect(await send({ type: 'block_actions', actions: [{ action_id: 'log-time', block_id: 'b1' }] })).toEqual({
      ran: ['log-time button'],
      passedOn: 0,
    });
    expect(await send({ type: 'view_submission', view: { callback_id: 'log-modal' } })).toEqual({
      ran: ['log modal submitted'],
      passedOn: 0,
    });
    expect(await send({ type: 'message_action', callback_id: 'log-message' })).toEqual({
      ran: ['log a message shortcut'],
      passedOn: 0,
    });
    expect(await send({ type: 'event_callback', event: { type: 'app_home_opened' } })).toEqual({
      ran: ['App Home opened'],
      passedOn: 0,
    });
  });

  it('prefers the listener of an element in its named block over one by action id alone', async () => {
    const { send } = recordingRoutes();
    const inProjectBlock = { type: 'block_actions', actions: [{ action_id: 'value', block_id: 'project' }] };
    const elsewhere = { type: 'block_actions', actions: [{ action_id: 'value', block_id: 'hours' }] };
    expect((await send(inProjectBlock)).ran).toEqual(['project value element']);
    expect((await send(elsewhere)).ran).toEqual(['any value element']);
    expect((await send({ type: 'block_suggestion', block_id: 'project', action_id: 'value' })).ran).toEqual([
      'project choices',
    ]);
  });

  it('keeps kinds apart: a view submission is not an action of the same id', async () => {
    const { send } = recordingRoutes();
    expect(await send({ type: 'view_submission', view: { callback_id: 'log-time' } })).toEqual({
      ran: [],
      passedOn: 1,
    });
    expect(await send({ type: 'view_closed', view: { callback_id: 'log-modal' } })).toEqual({ ran: [], passedOn: 1 });
  });

  it('passes a request nobody registered for on to Bolt, which answers nothing', async () => {
    const { send } = recordingRoutes();
    expect(await send({ command: '/unknown' })).toEqual({ ran: [], passedOn: 1 });
    expect(await send({ type: 'block_suggestion', block_id: 'customer', action_id: 'value' })).toEqual({
      ran: [],
      passedOn: 1,
    });
  });

  it('refuses a second listener for the same id, a pattern, and listener middleware', () => {
    const { routes } = recordingRoutes();
    const noop = () => Promise.resolve();
    expect(() => routes.command('/log', noop)).toThrow('command command:/log is registered twice');
    expect(() => routes.action(/log-.*/, noop)).toThrow('registered by an exact id');
    expect(() => routes.view('other-modal', noop, noop)).toThrow('one listener per id');
  });

  it("gives the listener a next that does not go on to Bolt's listeners", async () => {
    const { send } = recordingRoutes();
    // Each recording listener calls next(); the request still ends with it.
    expect((await send({ command: '/log' })).passedOn).toBe(0);
  });
});
