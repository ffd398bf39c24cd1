/**
 * Renders what the app sent to Slack as plain text a person can read: who saw it, where, the
 * message, and its buttons. Covers the Block Kit the app uses (header, section, fields, context,
 * actions, inputs, dividers).
 */
export type Text = { type?: string; text?: string; emoji?: boolean };
export type Option = { text?: Text; value?: string };
export type Element = {
  type?: string;
  text?: Text;
  placeholder?: Text;
  options?: Option[];
  initial_option?: Option;
  initial_options?: Option[];
  initial_value?: string;
  initial_date?: string;
  multiline?: boolean;
  style?: 'primary' | 'danger';
};
export type Block = {
  type?: string;
  text?: Text;
  fields?: Text[];
  elements?: (Element & Text)[];
  accessory?: Element;
  label?: Text;
  element?: Element;
  optional?: boolean;
};

const INDENT = '    ';

/** Slack's mrkdwn as plain text: links and mentions keep their label, escapes are undone. */
export function plain(text: string | undefined, names: ReadonlyMap<string, string> = new Map()): string {
  if (!text) return '';
  return text
    .replace(/<@([A-Z0-9]+)>/g, (_, id: string) => `@${names.get(id) ?? id}`)
    .replace(/<#([A-Z0-9]+)(\|[^>]*)?>/g, (_, id: string) => `#${names.get(id) ?? id}`)
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function control(element: Element | undefined): string | undefined {
  if (!element) return undefined;
  if (element.type === 'button') return `[${plain(element.text?.text)}]`;
  if (element.type === 'overflow') return '[⋯]';
  if (element.type?.endsWith('select')) return `[${plain(element.placeholder?.text) || 'choose'} ▾]`;
  if (element.type === 'datepicker') return '[date ▾]';
  if (element.type === 'checkboxes') return (element.options ?? []).map((o) => `☐ ${plain(o.text?.text)}`).join('  ');
  return undefined;
}

export function renderBlocks(blocks: Block[] | undefined, names?: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const block of blocks ?? []) {
    switch (block.type) {
      case 'header':
        lines.push(`== ${plain(block.text?.text, names)} ==`);
        break;
      case 'section': {
        if (block.text) lines.push(...plain(block.text.text, names).split('\n'));
        for (const field of block.fields ?? []) lines.push(`  ${plain(field.text, names).replace(/\n/g, ' ')}`);
        const accessory = control(block.accessory);
        if (accessory) lines.push(`  ${accessory}`);
        break;
      }
      case 'context':
        lines.push(
          `  (${(block.elements ?? [])
            .map((e) => plain(e.text, names))
            .filter(Boolean)
            .join(' · ')})`,
        );
        break;
      case 'actions':
        lines.push(
          (block.elements ?? [])
            .map((e) => control(e))
            .filter(Boolean)
            .join(' '),
        );
        break;
      case 'input':
        lines.push(`${plain(block.label?.text)}: ${control(block.element) ?? '[____]'}`);
        break;
      case 'divider':
        lines.push('---');
        break;
    }
  }
  return lines;
}

/** A titled entry of the transcript: "Bob Roe — DM from ConsulTracker", then the message indented. */
export function entry(heading: string, body: string[]): string {
  return [heading, ...body.map((line) => (line ? `${INDENT}${line}` : ''))].join('\n');
}
