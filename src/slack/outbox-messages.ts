import { type ApprovalRequestView, approvalRequestMessage, timesheetDecidedMessage } from '../../blocks/approval-message.js';
import type { SlackMessage } from '../../blocks/log-confirmation.js';
import { APPROVAL_REQUEST, TIMESHEET_DECIDED, type TimesheetDecidedModel } from '../services/approvals.js';
import type { MessageContent } from '../services/outbox.js';

/** Turns an outbox message's template and model into Block Kit, when the dispatcher sends it. */
export function renderOutboxMessage(content: MessageContent): SlackMessage {
  switch (content.template) {
    case APPROVAL_REQUEST:
      return approvalRequestMessage(content.model as ApprovalRequestView);
    case TIMESHEET_DECIDED:
      return timesheetDecidedMessage(content.model as TimesheetDecidedModel);
    default:
      throw new Error(`no template named ${content.template}`);
  }
}
