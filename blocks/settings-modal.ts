import type { KnownBlock, ModalView } from '@slack/types';
import { SETTING_FIELDS, SETTING_KEYS, type Settings } from '../src/domain/settings.js';
import { ids } from './ids.js';

/** /admin > Settings: one input per firm setting, each block and action named by the setting's key. */
export function settingsModal(settings: Settings, parentViewId: string): ModalView {
  const blocks: KnownBlock[] = SETTING_KEYS.map((key) => {
    const field = SETTING_FIELDS[key];
    const value = String(settings[key] ?? '');
    return {
      type: 'input',
      block_id: key,
      optional: true,
      label: { type: 'plain_text', text: field.label },
      hint: { type: 'plain_text', text: field.hint },
      element: {
        type: 'plain_text_input',
        action_id: key,
        multiline: field.multiline,
        ...(value ? { initial_value: value } : {}),
      },
    };
  });
  return {
    type: 'modal',
    callback_id: ids.admin.settingsModal,
    private_metadata: JSON.stringify({ parentViewId }),
    title: { type: 'plain_text', text: 'Settings' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}
