import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  time,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { RIGHTS } from '../domain/rights.js';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
/** Archived rows leave every list and picker but stay for reports (docs/ARCHITECTURE.md "Deleting is careful"). */
const archivedAt = () => timestamp('archived_at', { withTimezone: true });
const moment = (name: string) => timestamp(name, { withTimezone: true });
const day = (name: string) => date(name, { mode: 'string' });
/** `*_cents` columns hold integer minor units of their currency: cents, but yen for JPY and fils for KWD. */
const cents = (name: string) => bigint(name, { mode: 'number' });

/** An issued invoice's customer and firm blocks, kept as they were when it was issued. */
export type IssuedParties = {
  customer: { name: string; address: string; taxId: string; billingEmail: string };
  firm: { name: string; address: string; taxId: string };
};

export const rightEnum = pgEnum('user_right', RIGHTS);
export const billingModeEnum = pgEnum('billing_mode', ['hourly', 'prepaid']);
export const timesheetStatusEnum = pgEnum('timesheet_status', ['open', 'submitted', 'approved', 'cancelled']);
export const entrySourceEnum = pgEnum('entry_source', ['command', 'modal', 'timer', 'shortcut', 'meeting']);
export const approvalStatusEnum = pgEnum('approval_status', ['pending', 'approved', 'rejected']);
export const approverRouteEnum = pgEnum('approver_route', ['manager', 'admin_fallback']);
export const creditKindEnum = pgEnum('credit_kind', ['purchase', 'deduction', 'adjustment', 'reversal']);
export const invoiceKindEnum = pgEnum('invoice_kind', ['hourly', 'topup']);
export const invoiceStatusEnum = pgEnum('invoice_status', ['draft', 'issued', 'void']);
/** `dismissed`: an administrator chose not to resend a message the dispatcher gave up on. */
export const outboxStatusEnum = pgEnum('outbox_status', ['pending', 'sent', 'dead', 'dismissed']);
export const creditAlertKindEnum = pgEnum('credit_alert_kind', ['low_credit', 'forecast']);

// ---------------------------------------------------------------- people and security

export const users = pgTable('users', {
  id: text('id').primaryKey(), // Slack user id
  displayName: text('display_name').notNull(),
  timeZone: text('time_zone'),
  profileRefreshedAt: moment('profile_refreshed_at'),
  active: boolean('active').notNull().default(true),
  /**
   * The principal this user, as their delegate, chose to act for in App Home: App Home, /log,
   * /timesheet and the log modal act for them until switched back. Honoured only while the delegation lasts.
   */
  actingFor: text('acting_for').references((): AnyPgColumn => users.id, { onDelete: 'set null' }),
  /** A manager marked away in App Home: their morning approval digests go to their delegates instead. */
  away: boolean('away').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const roles = pgTable('roles', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  rights: rightEnum('rights')
    .array()
    .notNull()
    .default(sql`'{}'`),
  builtin: boolean('builtin').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const userRoles = pgTable(
  'user_roles',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleId: integer('role_id')
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.roleId] })],
);

/** `delegateId` may act as `principalId`. */
export const delegates = pgTable(
  'delegates',
  {
    principalId: text('principal_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    delegateId: text('delegate_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.principalId, t.delegateId] }),
    index('delegates_delegate_idx').on(t.delegateId),
    check('delegates_not_self', sql`${t.principalId} <> ${t.delegateId}`),
  ],
);

export const employees = pgTable('employees', {
  id: serial('id').primaryKey(),
  userId: text('user_id')
    .unique()
    .references(() => users.id, { onDelete: 'restrict' }),
  name: text('name').notNull(),
  address: text('address').notNull().default(''),
  notes: text('notes').notNull().default(''),
  archivedAt: archivedAt(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const consultants = pgTable(
  'consultants',
  {
    employeeId: integer('employee_id')
      .primaryKey()
      .references(() => employees.id, { onDelete: 'restrict' }),
    defaultCostRateCents: integer('default_cost_rate_cents').notNull(),
    defaultPriceRateCents: integer('default_price_rate_cents').notNull(),
    archivedAt: archivedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('consultants_rates_non_negative', sql`${t.defaultCostRateCents} >= 0 and ${t.defaultPriceRateCents} >= 0`),
  ],
);

export const managers = pgTable('managers', {
  employeeId: integer('employee_id')
    .primaryKey()
    .references(() => employees.id, { onDelete: 'restrict' }),
  archivedAt: archivedAt(),
  createdAt: createdAt(),
});

// ---------------------------------------------------------------- customers and projects

export const customers = pgTable(
  'customers',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    address: text('address').notNull().default(''),
    notes: text('notes').notNull().default(''),
    currency: text('currency').notNull(),
    billingMode: billingModeEnum('billing_mode').notNull().default('hourly'),
    lowCreditThresholdMinutes: integer('low_credit_threshold_minutes'),
    autoInvoice: boolean('auto_invoice').notNull().default(false),
    topupMinutes: integer('topup_minutes'),
    topupPriceCents: cents('topup_price_cents'),
    alertChannel: text('alert_channel'),
    /** Issuing a top-up invoice adds its hours to the ledger in the same transaction. */
    creditOnIssue: boolean('credit_on_issue').notNull().default(true),
    invoiceRoundingMinutes: integer('invoice_rounding_minutes').notNull().default(0),
    /** Days from issue to due; null means the firm's default (settings). */
    paymentTermsDays: integer('payment_terms_days'),
    taxId: text('tax_id').notNull().default(''),
    billingEmail: text('billing_email').notNull().default(''),
    archivedAt: archivedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('customers_code_format', sql`${t.code} ~ '^[A-Z0-9-]{2,20}$'`),
    check('customers_currency_format', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('customers_rounding', sql`${t.invoiceRoundingMinutes} in (0, 6, 15)`),
    check('customers_payment_terms', sql`${t.paymentTermsDays} is null or ${t.paymentTermsDays} between 0 and 365`),
    check('customers_threshold', sql`${t.lowCreditThresholdMinutes} is null or ${t.lowCreditThresholdMinutes} >= 0`),
    check(
      'customers_topup',
      sql`(${t.topupMinutes} is null or ${t.topupMinutes} > 0) and (${t.topupPriceCents} is null or ${t.topupPriceCents} >= 0)`,
    ),
  ],
);

export const projects = pgTable(
  'projects',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    address: text('address').notNull().default(''),
    notes: text('notes').notNull().default(''),
    active: boolean('active').notNull().default(true),
    archivedAt: archivedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('projects_code_format', sql`${t.code} ~ '^[A-Z0-9-]{2,20}$'`),
    index('projects_customer_idx').on(t.customerId),
  ],
);

/**
 * A consultant assigned to a project; null rates fall back to the consultant's defaults. Taking
 * them off archives the row, so time they logged before keeps the override when it is approved.
 */
export const projectConsultants = pgTable(
  'project_consultants',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    consultantId: integer('consultant_id')
      .notNull()
      .references(() => consultants.employeeId, { onDelete: 'cascade' }),
    costRateCents: integer('cost_rate_cents'),
    priceRateCents: integer('price_rate_cents'),
    archivedAt: archivedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.consultantId] }),
    index('project_consultants_consultant_idx').on(t.consultantId),
    check(
      'project_consultants_rates_non_negative',
      sql`(${t.costRateCents} is null or ${t.costRateCents} >= 0) and (${t.priceRateCents} is null or ${t.priceRateCents} >= 0)`,
    ),
  ],
);

export const projectManagers = pgTable(
  'project_managers',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    managerId: integer('manager_id')
      .notNull()
      .references(() => managers.employeeId, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.managerId] }), index('project_managers_manager_idx').on(t.managerId)],
);

// ---------------------------------------------------------------- time

/** Inclusive date ranges; an exclusion constraint (migration 0001) keeps them from overlapping. */
export const reportingPeriods = pgTable(
  'reporting_periods',
  {
    id: serial('id').primaryKey(),
    startsOn: day('starts_on').notNull(),
    endsOn: day('ends_on').notNull(),
    archivedAt: archivedAt(),
    createdAt: createdAt(),
  },
  (t) => [
    check('reporting_periods_order', sql`${t.startsOn} <= ${t.endsOn}`),
    // The period holding a day, the current one and a period's neighbours: one step down this
    // index (periods never overlap), however many years of periods there are.
    index('reporting_periods_starts_idx').on(t.startsOn),
  ],
);

export const timesheets = pgTable(
  'timesheets',
  {
    id: serial('id').primaryKey(),
    consultantId: integer('consultant_id')
      .notNull()
      .references(() => consultants.employeeId, { onDelete: 'restrict' }),
    periodId: integer('period_id')
      .notNull()
      .references(() => reportingPeriods.id, { onDelete: 'restrict' }),
    status: timesheetStatusEnum('status').notNull().default('open'),
    submittedAt: moment('submitted_at'),
    submittedBy: text('submitted_by').references(() => users.id),
    decidedAt: moment('decided_at'),
    rejectionReason: text('rejection_reason'),
    reopenedFrom: integer('reopened_from').references((): AnyPgColumn => timesheets.id, { onDelete: 'set null' }),
    /**
     * An administrator deleted the sheet after it was approved: it is cancelled and kept (its entries
     * are what its prepaid deductions and reversals, and any voided invoice, point at), out of every list.
     */
    deletedAt: moment('deleted_at'),
    /**
     * Goes up with every statement that adds, changes or removes the sheet's entries (the statements
     * that save an entry raise it, services/entry-insert.ts; a trigger of migration 0017 for changes
     * and removals): a `/log` that read the sheet without locking it writes only at the revision it
     * read, so nothing it checked has changed under it (services/guarded-log.ts).
     */
    revision: integer('revision').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('timesheets_deleted_cancelled', sql`${t.deletedAt} is null or ${t.status} = 'cancelled'`),
    // One live sheet per consultant and period; cancelled ones are history.
    uniqueIndex('timesheets_one_live_per_period')
      .on(t.consultantId, t.periodId)
      .where(sql`${t.status} <> 'cancelled'`),
    index('timesheets_period_idx').on(t.periodId),
    index('timesheets_status_idx').on(t.status),
  ],
);

export const timeEntries = pgTable(
  'time_entries',
  {
    id: serial('id').primaryKey(),
    timesheetId: integer('timesheet_id')
      .notNull()
      .references(() => timesheets.id, { onDelete: 'cascade' }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'restrict' }),
    workDate: day('work_date').notNull(),
    beginsAt: time('begins_at'),
    endsAt: time('ends_at'),
    minutes: integer('minutes').notNull(),
    description: text('description').notNull(),
    billable: boolean('billable').notNull().default(true),
    source: entrySourceEnum('source').notNull(),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    actingFor: text('acting_for').references(() => users.id),
    costRateCents: integer('cost_rate_cents'),
    priceRateCents: integer('price_rate_cents'),
    /** Identifies the Slack request that created the entry, so a retried request saves nothing twice. */
    requestKey: text('request_key').unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('time_entries_minutes', sql`${t.minutes} > 0 and ${t.minutes} <= 1440`),
    check('time_entries_description', sql`length(${t.description}) between 1 and 500`),
    check('time_entries_times_paired', sql`(${t.beginsAt} is null) = (${t.endsAt} is null)`),
    check('time_entries_times_order', sql`${t.beginsAt} is null or ${t.beginsAt} < ${t.endsAt}`),
    // A sheet's entries of one day: the day's total and overlaps that every /log checks.
    index('time_entries_timesheet_idx').on(t.timesheetId, t.workDate),
    index('time_entries_project_date_idx').on(t.projectId, t.workDate),
  ],
);

/** A running timer: at most one per consultant (the user whose time it is). */
export const timers = pgTable(
  'timers',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    description: text('description').notNull().default(''),
    billable: boolean('billable').notNull().default(true),
    meeting: boolean('meeting').notNull().default(false),
    startedAt: moment('started_at').notNull(),
    /** Who pressed start: the consultant, or a delegate acting for them. */
    startedBy: text('started_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [check('timers_description', sql`length(${t.description}) <= 500`)],
);

/** One decision per (timesheet, approver); admins stand in for projects without a manager. */
export const approvals = pgTable(
  'approvals',
  {
    id: serial('id').primaryKey(),
    timesheetId: integer('timesheet_id')
      .notNull()
      .references(() => timesheets.id, { onDelete: 'cascade' }),
    approverId: text('approver_id')
      .notNull()
      .references(() => users.id),
    route: approverRouteEnum('route').notNull().default('manager'),
    /** The projects with time on the sheet this approver decides for, fixed at submission. */
    projectIds: integer('project_ids')
      .array()
      .notNull()
      .default(sql`'{}'`),
    status: approvalStatusEnum('status').notNull().default('pending'),
    decidedBy: text('decided_by').references(() => users.id),
    decidedAt: moment('decided_at'),
    comment: text('comment'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('approvals_one_per_approver').on(t.timesheetId, t.approverId),
    index('approvals_approver_status_idx').on(t.approverId, t.status),
  ],
);

// ---------------------------------------------------------------- money

export const invoices = pgTable(
  'invoices',
  {
    id: serial('id').primaryKey(),
    /** Assigned when issued, gapless per year (see invoice_counters). */
    year: integer('year'),
    sequence: integer('sequence'),
    number: text('number').unique(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    kind: invoiceKindEnum('kind').notNull(),
    periodId: integer('period_id').references(() => reportingPeriods.id, { onDelete: 'restrict' }),
    /** The days the invoice covers (the drafted periods, or the purchase day of a top-up). */
    periodStartsOn: day('period_starts_on'),
    periodEndsOn: day('period_ends_on'),
    /** The drafted periods in words ("1–31 Oct 2026, 1–31 Dec 2026": not the span, when they are not back to back). */
    periodLabel: text('period_label'),
    currency: text('currency').notNull(),
    totalCents: cents('total_cents').notNull(),
    /** The customer's rounding increment when drafted, printed on the invoice. */
    roundingMinutes: integer('rounding_minutes').notNull().default(0),
    status: invoiceStatusEnum('status').notNull().default('draft'),
    createdBy: text('created_by'),
    /** Where its message was posted (the finance channel or the drafter's DM). */
    channel: text('channel'),
    issuedAt: moment('issued_at'),
    issuedBy: text('issued_by'),
    issuedOn: day('issued_on'),
    dueOn: day('due_on'),
    paymentTermsDays: integer('payment_terms_days'),
    /** The customer and firm as the invoice was issued to and from: an issued invoice never changes. */
    issuedParties: jsonb('issued_parties').$type<IssuedParties>(),
    voidedAt: moment('voided_at'),
    voidedBy: text('voided_by'),
    voidReason: text('void_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('invoices_year_sequence').on(t.year, t.sequence),
    check('invoices_numbered_when_issued', sql`${t.status} = 'draft' or ${t.number} is not null`),
    check(
      'invoices_issue_dates',
      sql`${t.status} = 'draft' or (${t.issuedOn} is not null and ${t.dueOn} is not null and ${t.dueOn} >= ${t.issuedOn})`,
    ),
    check('invoices_void_reason', sql`${t.status} <> 'void' or length(${t.voidReason}) > 0`),
    index('invoices_customer_status_idx').on(t.customerId, t.status),
  ],
);

export const invoiceCounters = pgTable('invoice_counters', {
  year: integer('year').primaryKey(),
  lastSequence: integer('last_sequence').notNull(),
});

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: serial('id').primaryKey(),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    timeEntryId: integer('time_entry_id').references(() => timeEntries.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    /** The entry's minutes as logged; `roundedMinutes` is what is billed (up to the customer's increment). */
    minutes: integer('minutes'),
    roundedMinutes: integer('rounded_minutes'),
    rateCents: integer('rate_cents'),
    amountCents: cents('amount_cents').notNull(),
    /** Mirrors the invoice's void status so the unique index below can free the entry again. */
    invoiceVoid: boolean('invoice_void').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invoice_lines_entry_once')
      .on(t.timeEntryId)
      .where(sql`${t.timeEntryId} is not null and not ${t.invoiceVoid}`),
    index('invoice_lines_invoice_idx').on(t.invoiceId),
  ],
);

/** Prepaid credit in signed minutes; the balance is always the sum, never stored. */
export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: serial('id').primaryKey(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    minutes: integer('minutes').notNull(),
    kind: creditKindEnum('kind').notNull(),
    occurredOn: day('occurred_on').notNull(),
    timeEntryId: integer('time_entry_id').references(() => timeEntries.id, { onDelete: 'restrict' }),
    invoiceId: integer('invoice_id').references(() => invoices.id, { onDelete: 'restrict' }),
    /** What a purchase cost, in the customer's currency; null for every other kind. */
    priceCents: cents('price_cents'),
    /** A purchase's note or PO number; an adjustment's reason (required). */
    note: text('note').notNull().default(''),
    actorId: text('actor_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('credit_ledger_one_deduction_per_entry')
      .on(t.timeEntryId)
      .where(sql`${t.kind} = 'deduction'`),
    // Approved time removed (deleted or sent back by an administrator) gives its deduction back once.
    uniqueIndex('credit_ledger_one_reversal_per_entry')
      .on(t.timeEntryId)
      .where(sql`${t.kind} = 'reversal'`),
    // A top-up invoice credits once when issued and is reversed once when voided.
    uniqueIndex('credit_ledger_once_per_invoice')
      .on(t.invoiceId, t.kind)
      .where(sql`${t.invoiceId} is not null`),
    index('credit_ledger_customer_idx').on(t.customerId, t.occurredOn),
    check('credit_ledger_adjustment_reason', sql`${t.kind} <> 'adjustment' or length(trim(${t.note})) > 0`),
    check('credit_ledger_price', sql`${t.priceCents} is null or (${t.kind} = 'purchase' and ${t.priceCents} >= 0)`),
    check(
      'credit_ledger_sign',
      sql`(${t.kind} = 'purchase' and ${t.minutes} > 0) or (${t.kind} = 'deduction' and ${t.minutes} < 0 and ${t.timeEntryId} is not null) or (${t.kind} = 'reversal' and ${t.minutes} > 0 and ${t.timeEntryId} is not null) or (${t.kind} = 'adjustment' and ${t.minutes} <> 0)`,
    ),
  ],
);

/**
 * Low-credit and early (forecast) alerts sent: at most one live alert per customer and kind, so a
 * crossing is told once whichever transaction or scheduled check sees it; a purchase or adjustment
 * that lifts the balance back re-arms it (sets `rearmed_at`).
 */
export const creditAlerts = pgTable(
  'credit_alerts',
  {
    id: serial('id').primaryKey(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: creditAlertKindEnum('kind').notNull(),
    remainingMinutes: integer('remaining_minutes').notNull(),
    thresholdMinutes: integer('threshold_minutes'),
    daysLeft: integer('days_left'),
    alertedAt: moment('alerted_at').notNull(),
    rearmedAt: moment('rearmed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('credit_alerts_one_live')
      .on(t.customerId, t.kind)
      .where(sql`${t.rearmedAt} is null`),
  ],
);

// ---------------------------------------------------------------- plumbing

export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    payload: jsonb('payload').notNull(),
    status: outboxStatusEnum('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: moment('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    result: jsonb('result'),
    /** Start of the delivery window: set when queued, and again when an administrator resends it. */
    deliveringSince: moment('delivering_since').notNull().defaultNow(),
    /** Bumped when a coalesced message (a user's App Home) is replaced, so a send of an older state does not count. */
    revision: integer('revision').notNull().default(0),
    /** The Slack request that queued it (see request-context.ts): logs of its delivery name it too. */
    requestId: text('request_id'),
    /**
     * While set and in the future, a dispatcher holds this message's ref (claimed and being sent,
     * renewed while Slack answers slowly, or held after a call got no answer): no other step of
     * the same ref is claimed until then. Cleared when the attempt is settled.
     */
    leasedUntil: moment('leased_until'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('outbox_due_idx').on(t.status, t.nextAttemptAt),
    // Updates of one message are coalesced and wait for its post: both look rows up by ref.
    index('outbox_ref_idx').on(t.kind, sql`(${t.payload}->>'ref')`),
    // A claim asks whether another step of the same ref is leased: few rows are, at any time.
    index('outbox_ref_leased_idx')
      .on(sql`(${t.payload}->>'ref')`, t.leasedUntil)
      .where(sql`${t.leasedUntil} is not null`),
  ],
);

/** What we posted where, so later updates find the message and a re-sent post is never duplicated. */
export const slackMessages = pgTable('slack_messages', {
  ref: text('ref').primaryKey(),
  channel: text('channel').notNull(),
  ts: text('ts').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const jobRuns = pgTable(
  'job_runs',
  {
    job: text('job').notNull(),
    slot: text('slot').notNull(),
    startedAt: moment('started_at').notNull(),
    finishedAt: moment('finished_at'),
    error: text('error'),
    /** Claims so far; the holder's claim is identified by it, so a late holder cannot finish a taken-over run. */
    attempts: integer('attempts').notNull().default(0),
    /** While unfinished: the holder owns the run until then; past it, another instance takes it over. */
    leaseUntil: moment('lease_until'),
    /** After a failure: not retried before then. */
    nextAttemptAt: moment('next_attempt_at'),
    /** What the run did, in words (or why it was skipped). */
    result: text('result'),
  },
  (t) => [
    primaryKey({ columns: [t.job, t.slot] }),
    index('job_runs_unfinished_idx')
      .on(t.job)
      .where(sql`${t.finishedAt} is null`),
    index('job_runs_started_idx').on(t.startedAt),
  ],
);

/** Append-only: a trigger (migration 0001) refuses UPDATE and DELETE. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: moment('at').notNull(),
    actorId: text('actor_id').notNull(),
    actingFor: text('acting_for'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId), index('audit_log_at_idx').on(t.at)],
);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
