import type { App } from '@slack/bolt';
import type { ServiceDeps } from '../../actor.js';
import { publishHome } from '../../home.js';

/** The App Home is rebuilt whenever the user opens it. */
export function registerAppHomeOpened(app: App, deps: ServiceDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  });
}
