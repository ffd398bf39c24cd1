/**
 * Slack's documented Block Kit limits, checked on every view a builder produces. Slack rejects an
 * oversized view outright (`invalid_blocks`), so a builder that grows past a limit with real data
 * must fail here first.
 */
import { expect } from 'vitest';

type Surface = 'message' | 'modal' | 'home';
type Json = Record<string, unknown>;

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };
const LIMITS = {
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  contextElements: 10,
  actionsElements: 25,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  staticSelectOptions: 100,
  overflowOptions: 5,
  optionText: 75,
  optionValue: 150,
  inputLabel: 2000,
  placeholder: 150,
  messageText: 40_000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
};

/** Returns every limit the surface breaks, with where; empty when it fits. */
export function slackLimitViolations(surface: Surface, payload: Json): string[] {
  const problems: string[] = [];
  const tooLong = (where: string, text: unknown, max: number) => {
    if (typeof text === 'string' && text.length > max)
      problems.push(`${where}: ${text.length} characters, limit ${max}`);
  };
  const blocks = (payload.blocks as Json[] | undefined) ?? [];
  if (blocks.length > MAX_BLOCKS[surface])
    problems.push(`${blocks.length} blocks, limit ${MAX_BLOCKS[surface]} for a ${surface}`);

  if (surface === 'modal') {
    tooLong('title', (payload.title as Json | undefined)?.text, LIMITS.modalTitle);
    tooLong('submit', (payload.submit as Json | undefined)?.text, LIMITS.modalButton);
    tooLong('close', (payload.close as Json | undefined)?.text, LIMITS.modalButton);
  }
  if (surface !== 'message') {
    tooLong('private_metadata', payload.private_metadata, LIMITS.privateMetadata);
    tooLong('callback_id', payload.callback_id, LIMITS.callbackId);
  } else {
    tooLong('text', payload.text, LIMITS.messageText);
  }

  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const where = `blocks[${index}] (${String(block.type)})`;
    if (typeof block.block_id === 'string') {
      tooLong(`${where}.block_id`, block.block_id, LIMITS.blockId);
      if (blockIds.has(block.block_id)) problems.push(`${where}: duplicate block_id ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    if (block.type === 'section') {
      tooLong(`${where}.text`, (block.text as Json | undefined)?.text, LIMITS.sectionText);
      const fields = (block.fields as Json[] | undefined) ?? [];
      if (fields.length > LIMITS.sectionFields)
        problems.push(`${where}: ${fields.length} fields, limit ${LIMITS.sectionFields}`);
      fields.forEach((field, i) => tooLong(`${where}.fields[${i}]`, field.text, LIMITS.sectionField));
      if (!block.text && fields.length === 0) problems.push(`${where}: a section needs text or fields`);
    }
    if (block.type === 'header') tooLong(`${where}.text`, (block.text as Json | undefined)?.text, LIMITS.headerText);
    if (block.type === 'context') {
      const elements = (block.elements as Json[] | undefined) ?? [];
      if (elements.length > LIMITS.contextElements)
        problems.push(`${where}: ${elements.length} elements, limit ${LIMITS.contextElements}`);
      elements.forEach((element, i) => tooLong(`${where}.elements[${i}]`, element.text, LIMITS.sectionText));
    }
    if (block.type === 'actions') {
      const elements = (block.elements as Json[] | undefined) ?? [];
      if (elements.length > LIMITS.actionsElements)
        problems.push(`${where}: ${elements.length} elements, limit ${LIMITS.actionsElements}`);
      if (elements.length === 0) problems.push(`${where}: an actions block needs elements`);
      const actionIds = elements.map((element) => element.action_id).filter((id) => id !== undefined);
      if (new Set(actionIds).size !== actionIds.length)
        problems.push(`${where}: action_ids must be unique within the block`);
      elements.forEach((element, i) => checkElement(`${where}.elements[${i}]`, element));
    }
    if (block.type === 'input') {
      tooLong(`${where}.label`, (block.label as Json | undefined)?.text, LIMITS.inputLabel);
      if (block.element) checkElement(`${where}.element`, block.element as Json);
    }
    if (block.accessory) checkElement(`${where}.accessory`, block.accessory as Json);
  });
  return problems;

  function checkElement(where: string, element: Json) {
    tooLong(`${where}.action_id`, element.action_id, LIMITS.actionId);
    tooLong(`${where}.placeholder`, (element.placeholder as Json | undefined)?.text, LIMITS.placeholder);
    if (element.type === 'button') {
      tooLong(`${where}.text`, (element.text as Json | undefined)?.text, LIMITS.buttonText);
      tooLong(`${where}.value`, element.value, LIMITS.buttonValue);
    }
    const options = (element.options as Json[] | undefined) ?? [];
    const limit = element.type === 'overflow' ? LIMITS.overflowOptions : LIMITS.staticSelectOptions;
    if (options.length > limit) problems.push(`${where}: ${options.length} options, limit ${limit}`);
    options.forEach((option, i) => {
      tooLong(`${where}.options[${i}].text`, (option.text as Json | undefined)?.text, LIMITS.optionText);
      tooLong(`${where}.options[${i}].value`, option.value, LIMITS.optionValue);
    });
    const confirm = element.confirm as Json | undefined;
    if (confirm) {
      tooLong(`${where}.confirm.title`, (confirm.title as Json | undefined)?.text, LIMITS.confirmTitle);
      tooLong(`${where}.confirm.text`, (confirm.text as Json | undefined)?.text, LIMITS.confirmText);
      tooLong(`${where}.confirm.confirm`, (confirm.confirm as Json | undefined)?.text, LIMITS.confirmButton);
      tooLong(`${where}.confirm.deny`, (confirm.deny as Json | undefined)?.text, LIMITS.confirmButton);
    }
  }
}

/** Asserts that a built message, modal or App Home view fits every Slack limit. */
export function expectWithinSlackLimits(surface: Surface, payload: object): void {
  expect(slackLimitViolations(surface, payload as Json)).toEqual([]);
}
