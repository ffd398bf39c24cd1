import type { ListenerRoutes } from '../listener-routes.js';
import type { ServiceDeps } from '../actor.js';
import type { Reporting } from '../report-delivery.js';
import { registerAdminActions, registerAdminUserActions } from './actions/admin.js';
import { registerAdminJobActions, type ScheduledJobs } from './actions/admin-jobs.js';
import { registerAdminCustomerActions } from './actions/admin-customers.js';
import { registerAdminEmployeeActions } from './actions/admin-employees.js';
import { registerAdminProjectActions } from './actions/admin-projects.js';
import { registerAdminSettingsActions } from './actions/admin-settings.js';
import { registerAdminTimesheetActions } from './actions/admin-timesheets.js';
import { registerApprovalActions } from './actions/approvals.js';
import { registerCreditActions } from './actions/credits.js';
import { registerReportActions } from './actions/reports.js';
import { registerInvoiceActions } from './actions/invoices.js';
import { registerEntryActions } from './actions/entries.js';
import { registerTimesheetActions } from './actions/timesheet.js';
import { registerTimerActions } from './actions/timer.js';
import { registerUndeliveredActions } from './actions/undelivered.js';
import { registerAdminCommand } from './commands/admin.js';
import { registerApprovalsCommand } from './commands/approvals.js';
import { registerCreditsCommand } from './commands/credits.js';
import { registerLogCommand } from './commands/log.js';
import { registerReportCommand } from './commands/report.js';
import { registerInvoiceCommand } from './commands/invoice.js';
import { registerTimesheetCommand } from './commands/timesheet.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerLogMessageShortcut } from './shortcuts/log-message.js';
import { registerLogTimeSubmission } from './views/log-time.js';

/** Every slash command, action, view and event the app answers. */
export function registerListeners(
  routes: ListenerRoutes,
  deps: ServiceDeps,
  reporting: Reporting,
  jobs: ScheduledJobs,
): void {
  registerLogCommand(routes, deps);
  registerLogTimeSubmission(routes, deps);
  registerEntryActions(routes, deps);
  registerTimerActions(routes, deps);
  registerLogMessageShortcut(routes, deps);
  registerTimesheetCommand(routes, deps);
  registerTimesheetActions(routes, deps);
  registerAppHomeOpened(routes, deps);
  registerUndeliveredActions(routes, deps);
  registerApprovalActions(routes, deps);
  registerApprovalsCommand(routes, deps);
  registerAdminCommand(routes, deps);
  registerAdminActions(routes, deps);
  registerAdminUserActions(routes, deps);
  registerAdminTimesheetActions(routes, deps);
  registerAdminCustomerActions(routes, deps);
  registerAdminProjectActions(routes, deps);
  registerAdminEmployeeActions(routes, deps);
  registerAdminSettingsActions(routes, deps);
  registerAdminJobActions(routes, deps, jobs);
  registerCreditsCommand(routes, deps);
  registerCreditActions(routes, deps);
  registerReportCommand(routes, deps, reporting);
  registerReportActions(routes, deps, reporting);
  registerInvoiceCommand(routes, deps, reporting);
  registerInvoiceActions(routes, deps);
}
