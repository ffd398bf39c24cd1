/** What Slack is told to send (manifest.yml) is what the app answers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../src/project-root.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';

type Manifest = {
  features: { slash_commands: { command: string }[]; shortcuts: { callback_id: string }[] };
  settings: { interactivity: Record<string, string>; event_subscriptions: { request_url: string } };
};
const manifest = parse(readFileSync(join(projectRoot(), 'manifest.yml'), 'utf8')) as Manifest;
const ADMIN = 'U0ADMIN1';

let h: AppHarness;
beforeAll(async () => {
  h = await startAppHarness({ adminUserIds: [ADMIN] });
});
afterAll(() => h.stop());

describe('manifest.yml', () => {
  it.each(manifest.features.slash_commands.map(({ command }) => command))(
    'declares %s, and the app answers it with something the person sees',
    async (command) => {
      h.fake.reset();
      const response = await h.slack.slashCommand({ command, text: 'help', userId: ADMIN });
      await h.app.settled();

      expect(response.status).toBe(200);
      const answered =
        response.text.length > 0 ||
        h.fake.callsTo('response_url').length > 0 ||
        h.fake.callsTo('views.open').length > 0 ||
        h.fake.callsTo('chat.postEphemeral').length > 0;
      expect(answered).toBe(true);
    },
  );

  it('sends searchable menus (options requests) to the same endpoint as every other interaction', () => {
    const { request_url, message_menu_options_url } = manifest.settings.interactivity;
    expect(message_menu_options_url).toBe(request_url);
    expect(manifest.settings.event_subscriptions.request_url).toBe(request_url);
  });
});
