import type { App } from '@slack/bolt';
import type { ServiceDeps } from '../actor.js';
import { registerLogCommand } from './commands/log.js';

/** Every slash command, action, view and event the app answers. */
export function registerListeners(app: App, deps: ServiceDeps): void {
  registerLogCommand(app, deps);
}
