import type { App } from '@slack/bolt';
import type { ServiceDeps } from '../actor.js';
import type { Reporting } from '../report-delivery.js';
import { registerAdminActions, registerAdminUserActions } from './actions/admin.js';
import { registerAdminCustomerActions } from './actions/admin-customers.js';
import { registerAdminEmployeeActions } from './actions/admin-employees.js';
import { registerAdminProjectActions } from './actions/admin-projects.js';
import { registerAdminSettingsActions } from './actions/admin-settings.js';
import { registerAdminTimesheetActions } from './actions/admin-timesheets.js';
import { registerApprovalActions } from './actions/approvals.js';
import { registerReportActions } from './actions/reports.js';
import { registerEntryActions } from './actions/entries.js';
import { registerTimesheetActions } from './actions/timesheet.js';
import { registerTimerActions } from './actions/timer.js';
import { registerUndeliveredActions } from './actions/undelivered.js';
import { registerAdminCommand } from './commands/admin.js';
import { registerApprovalsCommand } from './commands/approvals.js';
import { registerLogCommand } from './commands/log.js';
import { registerReportCommand } from './commands/report.js';
import { registerTimesheetCommand } from './commands/timesheet.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerLogMessageShortcut } from './shortcuts/log-message.js';
import { registerLogTimeSubmission } from './views/log-time.js';

/** Every slash command, action, view and event the app answers. */
export function registerListeners(app: App, deps: ServiceDeps, reporting: Reporting): void {
  registerLogCommand(app, deps);
  registerLogTimeSubmission(app, deps);
  registerEntryActions(app, deps);
  registerTimerActions(app, deps);
  registerLogMessageShortcut(app, deps);
  registerTimesheetCommand(app, deps);
  registerTimesheetActions(app, deps);
  registerAppHomeOpened(app, deps);
  registerUndeliveredActions(app, deps);
  registerApprovalActions(app, deps);
  registerApprovalsCommand(app, deps);
  registerAdminCommand(app, deps);
  registerAdminActions(app, deps);
  registerAdminUserActions(app, deps);
  registerAdminTimesheetActions(app, deps);
  registerAdminCustomerActions(app, deps);
  registerAdminProjectActions(app, deps);
  registerAdminEmployeeActions(app, deps);
  registerAdminSettingsActions(app, deps);
  registerReportCommand(app, deps, reporting);
  registerReportActions(app, deps, reporting);
}
