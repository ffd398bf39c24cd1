import type { KnownBlock, PlainTextOption } from '@slack/types';
import { truncate } from './mrkdwn.js';

/** A list to mark, as checkbox groups of ten (Slack's most for one element), block ids `<action id>_<n>`. */
export function checkboxGroups<Row>(
  actionId: string,
  rows: Row[],
  option: (row: Row) => { label: string; value: string | number },
): KnownBlock[] {
  const groups: KnownBlock[] = [];
  for (let start = 0; start < rows.length; start += 10) {
    const options = rows.slice(start, start + 10).map((row): PlainTextOption => {
      const { label, value } = option(row);
      return { text: { type: 'plain_text', text: truncate(label, 75) }, value: String(value) };
    });
    groups.push({
      type: 'actions',
      block_id: `${actionId}_${start / 10}`,
      elements: [{ type: 'checkboxes', action_id: actionId, options }],
    });
  }
  return groups;
}
