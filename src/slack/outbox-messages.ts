import {
  type ApprovalRequestView,
  approvalRequestMessage,
  timesheetDecidedMessage,
} from '../../blocks/approval-message.js';
import { creditAlertMessage } from '../../blocks/credit-messages.js';
import {
  approvalNudgeMessage,
  deadLetterDigestMessage,
  missingTimeNudgeMessage,
  periodCloseMessage,
  periodReminderMessage,
} from '../../blocks/job-messages.js';
import type { SlackMessage } from '../../blocks/log-confirmation.js';
import { timeRemovedMessage } from '../../blocks/timesheet-messages.js';
import { timerRemovedMessage } from '../../blocks/timer-messages.js';
import {
  APPROVAL_REQUEST,
  TIME_REMOVED,
  TIMESHEET_DECIDED,
  type TimeRemovedModel,
  type TimesheetDecidedModel,
} from '../services/approval-messages.js';
import { invoiceMessage } from '../../blocks/invoice-messages.js';
import { INVOICE_MESSAGE, type InvoiceMessageModel } from '../services/invoices.js';
import { CREDIT_ALERT, type CreditAlertModel } from '../services/credit-ledger.js';
import { APPROVAL_NUDGE, type ApprovalNudgeModel } from '../services/approval-nudges.js';
import { DEAD_LETTERS, type DeadLetterDigestModel } from '../services/dead-letters.js';
import { MISSING_TIME_NUDGE, type MissingTimeNudgeModel } from '../services/missing-time-nudges.js';
import type { MessageContent } from '../services/outbox.js';
import { TIMER_REMOVED, type TimerRemovedModel } from '../services/open-time.js';
import { PERIOD_CLOSE, type PeriodCloseModel } from '../services/period-close.js';
import { PERIOD_REMINDER, type PeriodReminderModel } from '../services/period-reminders.js';

/** Turns an outbox message's template and model into Block Kit, when the dispatcher sends it. */
export function renderOutboxMessage(content: MessageContent): SlackMessage {
  switch (content.template) {
    case APPROVAL_REQUEST:
      return approvalRequestMessage(content.model as ApprovalRequestView);
    case TIMESHEET_DECIDED:
      return timesheetDecidedMessage(content.model as TimesheetDecidedModel);
    case TIME_REMOVED:
      return timeRemovedMessage(content.model as TimeRemovedModel);
    case TIMER_REMOVED:
      return timerRemovedMessage(content.model as TimerRemovedModel);
    case INVOICE_MESSAGE:
      return invoiceMessage(content.model as InvoiceMessageModel);
    case CREDIT_ALERT:
      return creditAlertMessage(content.model as CreditAlertModel);
    case PERIOD_REMINDER:
      return periodReminderMessage(content.model as PeriodReminderModel);
    case APPROVAL_NUDGE:
      return approvalNudgeMessage(content.model as ApprovalNudgeModel);
    case PERIOD_CLOSE:
      return periodCloseMessage(content.model as PeriodCloseModel);
    case MISSING_TIME_NUDGE:
      return missingTimeNudgeMessage(content.model as MissingTimeNudgeModel);
    case DEAD_LETTERS:
      return deadLetterDigestMessage(content.model as DeadLetterDigestModel);
    default:
      throw new Error(`no template named ${content.template}`);
  }
}
