import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import { ids } from '../../../../blocks/ids.js';
import { settingsModal } from '../../../../blocks/settings-modal.js';
import { checkSettings, SETTING_KEYS, type SettingKey } from '../../../domain/settings.js';
import { saveSettings, settingsForEditing } from '../../../services/settings.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { ackingFirst, tellUser } from '../safe.js';

/** /admin > Settings: the firm's settings in one form; each input is named by its setting's key. */
export function registerAdminSettingsActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.admin.openSettings,
    ackingFirst(deps.log, async function openSettings({ body, client }) {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const current = await settingsForEditing(ctx);
      if (!current.ok) return tellUser(client, { userId: body.user.id }, current.error.message, deps.log);
      await client.views.push({
        trigger_id: body.trigger_id,
        view: settingsModal(current.settings, body.view?.id ?? ''),
      });
    }),
  );

  routes.view(ids.admin.settingsModal, async function submitSettingsModal({ body, ack, client }) {
    const values: Partial<Record<SettingKey, unknown>> = {};
    for (const key of SETTING_KEYS) values[key] = body.view.state.values[key]?.[key]?.value ?? '';
    // Every field with a problem shows its own message at once.
    const checked = checkSettings(values);
    if (!checked.ok)
      return void (await ack({
        response_action: 'errors',
        errors: Object.fromEntries(checked.errors.map((e) => [e.key, e.message])),
      }));
    const saved = await saveSettings(await contextForSlackUser(deps, client, body.user.id), values);
    if (!saved.ok) {
      const block = saved.error.field ?? SETTING_KEYS[0]!;
      return void (await ack({ response_action: 'errors', errors: { [block]: saved.error.message } }));
    }
    await ack();
  });
}
