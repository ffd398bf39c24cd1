import type { Right } from '../domain/rights.js';

/**
 * Which right every operation needs, and the rule that narrows it to particular rows. Services
 * authorise through this table; `test/services/rights-table.test.ts` walks it for every right.
 */
export const OPERATIONS = {
  logTime: {
    right: 'entry',
    rule: 'on an active project the consultant is assigned to; for themselves or a principal',
  },
  editEntry: { right: 'entry', rule: 'only their own (or a principal’s) entries on an open timesheet' },
  deleteEntry: { right: 'entry', rule: 'only their own (or a principal’s) entries on an open timesheet' },
  openEntryForm: { right: 'entry', rule: 'their own projects, or a principal’s' },
  runTimer: { right: 'entry', rule: 'one timer per consultant, on their own projects' },
  viewOwnTimesheet: { right: 'entry', rule: 'their own timesheets, or a principal’s' },
  submitTimesheet: { right: 'entry', rule: 'their own open timesheet, or a principal’s' },
  decideTimesheet: {
    right: 'approval',
    rule: 'only as a pending approver of that sheet (managers of its projects), or as their delegate; admins decide for projects without a manager',
  },
  markAway: {
    right: 'approval',
    rule: 'only themselves: while away, their morning approval digests go to their delegates',
  },
  importSetup: { right: 'admin', rule: 'the whole setup' },
  exportSetup: { right: 'admin', rule: 'the whole setup' },
  managePeriods: { right: 'admin', rule: 'create, generate and delete reporting periods' },
  manageRoles: { right: 'security', rule: 'create and delete roles and set their rights' },
  grantRoles: {
    right: 'security',
    rule: 'give and take roles and delegates, deactivate users; nobody removes the last security right',
  },
  manageCustomers: {
    right: 'admin',
    rule: 'create, edit and delete customers (with approved, invoiced or prepaid history: archived)',
  },
  manageEmployees: {
    right: 'admin',
    rule: 'create, edit and delete employees, their consultant rates and manager role (with approved or rejected time: archived)',
  },
  manageProjects: {
    right: 'admin',
    rule: 'create, edit and remove projects, their managers, consultants and rates (with approved or rejected time: archived; time on submitted sheets is taken off and each sheet settled again)',
  },
  manageTimesheets: {
    right: 'admin',
    rule: 'any sheet: approve (bypassing managers), reject, delete (approved time is kept)',
  },
  viewAudit: { right: 'admin', orRights: ['security'], rule: 'the whole audit trail' },
  viewCredits: {
    right: 'entry',
    orRights: ['approval', 'admin'],
    rule: 'the prepaid credit of customers they have time on or manage (administrators: every customer)',
  },
  manageCredits: {
    right: 'admin',
    rule: 'prepaid credits of any customer: purchases, adjustments (with a reason), alert and top-up settings, the prepaid log export',
  },
  runScheduledJobs: {
    right: 'admin',
    rule: 'scheduled jobs: their settings, last runs, and Run now',
  },
  manageSettings: {
    right: 'admin',
    rule: 'the firm’s settings (its name, address and tax id, invoice numbering and terms)',
  },
  reportReceivable: {
    right: 'receivable',
    rule: 'Accounts Receivable reports: approved billable time of every customer, at frozen price rates',
  },
  reportPayable: {
    right: 'payable',
    rule: 'Accounts Payable reports: approved time of every consultant, at frozen cost rates',
  },
  draftInvoices: {
    right: 'receivable',
    rule: 'draft invoices of every hourly customer from approved billable time on no live invoice',
  },
  issueInvoices: { right: 'receivable', rule: 'issue any draft: the next number of the year, due date from terms' },
  voidInvoices: { right: 'receivable', rule: 'discard a draft or void an issued invoice, with a reason' },
  listInvoices: { right: 'receivable', rule: 'every invoice, and its PDF' },
  exportInvoices: { right: 'receivable', rule: 'issued invoices as CSV for the accounting system' },
  openReports: {
    right: 'receivable',
    orRights: ['payable'],
    rule: 'the Reports form with every period, customer, project and consultant to filter by',
  },
} as const satisfies Record<string, { right: Right; orRights?: readonly Right[]; rule: string }>;

export type Operation = keyof typeof OPERATIONS;

/** The rights that open an operation: its right, and for a few the alternatives. */
export function rightsFor(operation: Operation): [Right, ...Right[]] {
  const entry: { right: Right; orRights?: readonly Right[] } = OPERATIONS[operation];
  return [entry.right, ...(entry.orRights ?? [])];
}
