/**
 * Every action_id, callback_id and block_id the app sends and listens for. Builders and listeners
 * both import from here, so a renamed id cannot silently break a button.
 */
export const ids = {
  credits: {
    /** Button values: the customer code. Details shows that customer in place of a /credits list. */
    open: 'credits_open',
    add: 'credits_add',
    adjust: 'credits_adjust',
    settings: 'credits_settings',
    export: 'credits_export',
    /** Modals; private_metadata: { code }. */
    addModal: 'credits_add_modal',
    adjustModal: 'credits_adjust_modal',
    settingsModal: 'credits_settings_modal',
    exportModal: 'credits_export_modal',
    field: {
      hours: { block: 'credits_hours', action: 'credits_hours_input' },
      price: { block: 'credits_price', action: 'credits_price_input' },
      date: { block: 'credits_date', action: 'credits_date_pick' },
      note: { block: 'credits_note', action: 'credits_note_input' },
      reason: { block: 'credits_reason', action: 'credits_reason_input' },
      threshold: { block: 'credits_threshold', action: 'credits_threshold_input' },
      alertChannel: { block: 'credits_alert_channel', action: 'credits_alert_channel_pick' },
      autoTopup: { block: 'credits_auto_topup', action: 'credits_auto_topup_check' },
      topupHours: { block: 'credits_topup_hours', action: 'credits_topup_hours_input' },
      topupPrice: { block: 'credits_topup_price', action: 'credits_topup_price_input' },
      creditOnIssue: { block: 'credits_credit_on_issue', action: 'credits_credit_on_issue_check' },
      from: { block: 'credits_from', action: 'credits_from_pick' },
      to: { block: 'credits_to', action: 'credits_to_pick' },
      channel: { block: 'credits_channel', action: 'credits_channel_pick' },
    },
  },
  entry: {
    /** Button value: the entry id. Opens the log-time modal prefilled. */
    edit: 'entry_edit',
    /** Button value: the entry id. Deletes the entry just logged. */
    undo: 'entry_undo',
  },
  timer: {
    stop: 'timer_stop',
    /** After a long timer: save the full elapsed time, or only 10 hours, or nothing. */
    saveElapsed: 'timer_save_elapsed',
    saveTenHours: 'timer_save_ten_hours',
    discard: 'timer_discard',
  },
  logModal: {
    callbackId: 'log_time_modal',
    project: { block: 'project', action: 'project_select' },
    date: { block: 'date', action: 'date_pick' },
    begins: { block: 'begins', action: 'begins_pick' },
    ends: { block: 'ends', action: 'ends_pick' },
    duration: { block: 'duration', action: 'duration_input' },
    description: { block: 'description', action: 'description_input' },
    billable: { block: 'billable', action: 'billable_check' },
    logFor: { block: 'log_for', action: 'log_for_select' },
  },
  shortcut: {
    /** Declared in manifest.yml. */
    logMessage: 'log_time_for_message',
  },
  timesheet: {
    callbackId: 'timesheet_modal',
    /** Button value: JSON { periodId, page } of the view to show. */
    previous: 'timesheet_previous',
    next: 'timesheet_next',
    pageBack: 'timesheet_page_back',
    pageOn: 'timesheet_page_on',
    /** Button value: JSON { periodId, empty }. Carries a confirm dialog, then submits. */
    submit: 'timesheet_submit',
    /** Button value: the period id, or empty for the current one. Opens the timesheet modal. */
    open: 'timesheet_open',
    /** Overflow on an entry: option values `edit:<id>` and `delete:<id>`. */
    entryMenu: 'timesheet_entry_menu',
    /** The pushed "Delete this entry?" modal. */
    deleteConfirm: 'timesheet_delete_confirm',
  },
  home: {
    /** Button value: `log` (today), or a YYYY-MM-DD day the log form opens on (the missing-time nudge). */
    logTime: 'home_log_time',
    /** Static select: `myself` or a principal's user id; App Home, /log, /timesheet then act for them. */
    actAs: 'home_act_as',
    /** Button value `away` or `back`: a manager's away switch; while away their approval digests go to their delegates. */
    away: 'home_away',
    /** Button value: the outbox message id. An administrator resends a dead message. */
    resendMessage: 'home_resend_message',
    /** Button value: the outbox message id. An administrator stops trying a dead or long-pending message. */
    dismissMessage: 'home_dismiss_message',
  },
  approval: {
    /** Button value: the approval id (one approver's decision on one sheet). */
    approve: 'approval_approve',
    /** Button value: the approval id. Opens the reason modal. */
    reject: 'approval_reject',
    /** Button value: the timesheet id. Opens every entry, read-only. */
    view: 'approval_view',
    /** In the read-only sheet: button value JSON { timesheetId, page }. */
    viewPageBack: 'approval_view_page_back',
    viewPageOn: 'approval_view_page_on',
    /** The reason modal; private_metadata: { approvalIds }. */
    rejectModal: 'approval_reject_modal',
    reason: { block: 'reason', action: 'reason_input' },
    /** /approvals: the list with checkboxes (values: approval ids), in groups of ten (Slack's limit per checkbox group). */
    listModal: 'approvals_modal',
    marked: 'approvals_marked',
    approveMarked: 'approvals_approve_marked',
    rejectMarked: 'approvals_reject_marked',
  },
  invoice: {
    /** Button value: the invoice id. Issues the draft (a confirm dialog first). */
    issue: 'invoice_issue',
    /** Button value: the invoice id. Opens the reason modal. */
    void: 'invoice_void',
    /** The reason modal; private_metadata: { invoiceId }. */
    voidModal: 'invoice_void_modal',
    reason: { block: 'reason', action: 'reason_input' },
    /** /invoice list: button value the invoice id; sends its PDF to the asker's DM. */
    repost: 'invoice_repost',
  },
  admin: {
    homeModal: 'admin_home',
    openPeriods: 'admin_open_periods',
    openRoles: 'admin_open_roles',
    periodsModal: 'admin_periods',
    markedPeriods: 'admin_periods_marked',
    addPeriod: 'admin_period_add',
    generatePeriods: 'admin_period_generate',
    deletePeriods: 'admin_periods_delete',
    /** Add or generate; private_metadata: { kind, parentViewId }. */
    periodForm: 'admin_period_form',
    starts: { block: 'starts', action: 'starts_pick' },
    ends: { block: 'ends', action: 'ends_pick' },
    cadence: { block: 'cadence', action: 'cadence_select' },
    /** private_metadata: { periodIds, parentViewId }. */
    deletePeriodsConfirm: 'admin_periods_delete_confirm',
    rolesModal: 'admin_roles',
    /** Checkboxes per role (block_id `role_<id>`): each change saves that role's rights. */
    roleRights: 'admin_role_rights',
    /** Button value: the role id; carries a confirm dialog with the member count. */
    deleteRole: 'admin_role_delete',
    newRole: 'admin_role_new',
    /** Prefix of the role grid's page buttons (`_back`, `_on`); value: the page to show. */
    rolesPage: 'admin_roles_page',
    roleForm: 'admin_role_form',
    roleName: { block: 'role_name', action: 'role_name_input' },
    roleFormRights: { block: 'role_rights', action: 'role_rights_check' },
    openUsers: 'admin_open_users',
    usersModal: 'admin_users',
    /** In the actions block `user_<slack id>`: the user's roles, delegates, and deactivation. */
    userRoles: 'admin_user_roles',
    userDelegates: 'admin_user_delegates',
    deactivateUser: 'admin_user_deactivate',
    /** Button value: the page to show. */
    usersPage: 'admin_users_page',
    openCustomers: 'admin_open_customers',
    customersModal: 'admin_customers',
    markedCustomers: 'admin_customers_marked',
    newCustomer: 'admin_customer_new',
    /** Static select of customers: opens the chosen one's page. */
    openCustomer: 'admin_customer_open',
    deleteCustomers: 'admin_customers_delete',
    /** private_metadata: { customerId?, parentViewId }. */
    customerForm: 'admin_customer_form',
    customerField: {
      code: 'customer_code',
      name: 'customer_name',
      currency: 'customer_currency',
      billing: 'customer_billing',
      address: 'customer_address',
      notes: 'customer_notes',
      paymentTerms: 'customer_payment_terms',
      taxId: 'customer_tax_id',
      billingEmail: 'customer_billing_email',
      rounding: 'customer_rounding',
    },
    /** private_metadata: { customerIds, parentViewId }. */
    deleteCustomersConfirm: 'admin_customers_delete_confirm',
    /** One customer's page (replaces the list in place); private_metadata: { customerId }. Button values: the customer id. */
    customerPage: 'admin_customer',
    editCustomerDetails: 'admin_customer_details',
    newCustomerProject: 'admin_customer_project_new',
    backToCustomers: 'admin_customers_back',
    markedProjects: 'admin_projects_marked',
    removeProjects: 'admin_projects_remove',
    /** private_metadata: { projectIds, parentViewId, back }. */
    removeProjectsConfirm: 'admin_projects_remove_confirm',
    openEmployees: 'admin_open_employees',
    employeesModal: 'admin_employees',
    newEmployee: 'admin_employee_new',
    /** Static select of employees: opens the chosen one's page. */
    openEmployee: 'admin_employee_open',
    /** private_metadata: { employeeId?, parentViewId }. */
    employeeForm: 'admin_employee_form',
    employeeField: {
      user: 'employee_user',
      name: 'employee_name',
      address: 'employee_address',
      notes: 'employee_notes',
      roles: 'employee_roles',
      cost: 'employee_cost',
      price: 'employee_price',
    },
    markedEmployees: 'admin_employees_marked',
    deleteEmployees: 'admin_employees_delete',
    /** private_metadata: { employeeIds, parentViewId }. */
    deleteEmployeesConfirm: 'admin_employees_delete_confirm',
    /** One employee's page (replaces the list in place); private_metadata: { employeeId }. Button values: the employee id. */
    employeePage: 'admin_employee',
    editEmployeeDetails: 'admin_employee_details',
    backToEmployees: 'admin_employees_back',
    /** Ticked values `consultant:<project id>` or `manager:<project id>`. */
    markedAssignments: 'admin_assignments_marked',
    removeAssignments: 'admin_assignments_remove',
    assignToProject: 'admin_assign_new',
    /** private_metadata: { employeeId, parentViewId }. */
    assignForm: 'admin_assign_form',
    assignField: { project: 'assign_project', as: 'assign_as', cost: 'assign_cost', price: 'assign_price' },
    openProjects: 'admin_open_projects',
    projectsModal: 'admin_projects',
    newProject: 'admin_project_new',
    /** Static select of projects (the list, a customer's or employee's page): opens that project's page in place. */
    openProject: 'admin_project_open',
    /** One project's page; private_metadata: { projectId }. Button values: the project id (the customer's id to open it). */
    projectPage: 'admin_project',
    editProjectDetails: 'admin_project_details',
    openProjectCustomer: 'admin_project_customer',
    /** Static select of the project's people: opens that employee's page. */
    openProjectEmployee: 'admin_project_employee',
    backToProjects: 'admin_projects_back',
    /** private_metadata: { projectId?, parentViewId }. */
    projectForm: 'admin_project_form',
    /** The project form's customer menu past a menu's 100 options: searched as the admin types. */
    projectCustomerSearch: 'admin_project_customer_search',
    /** Button value: the project id. Opens the rates form. */
    projectRates: 'admin_project_rates',
    /** private_metadata: { projectId, parentViewId }. */
    ratesForm: 'admin_rates_form',
    ratesField: { consultant: 'rates_consultant', cost: 'rates_cost', price: 'rates_price' },
    projectField: {
      code: 'project_code',
      customer: 'project_customer',
      name: 'project_name',
      description: 'project_description',
      address: 'project_address',
      notes: 'project_notes',
      active: 'project_active',
      managers: 'project_managers',
      consultants: 'project_consultants',
    },
    openTimesheets: 'admin_open_timesheets',
    timesheetsModal: 'admin_timesheets',
    /** Filters; the current filter is the modal's private_metadata. */
    filterConsultant: 'admin_ts_consultant',
    filterPeriod: 'admin_ts_period',
    filterProject: 'admin_ts_project',
    filterCustomer: 'admin_ts_customer',
    markedSheets: 'admin_ts_marked',
    approveSheets: 'admin_ts_approve',
    rejectSheets: 'admin_ts_reject',
    deleteSheets: 'admin_ts_delete',
    /** Static select of the listed sheets: opens one (replaces the list in place). */
    openSheet: 'admin_ts_open',
    /** One sheet's page; private_metadata: { timesheetId, filter }. Button values: the timesheet id. */
    sheetPage: 'admin_ts_sheet',
    sheetApprove: 'admin_ts_sheet_approve',
    sheetReject: 'admin_ts_sheet_reject',
    sheetDelete: 'admin_ts_sheet_delete',
    backToSheets: 'admin_ts_back',
    /** Reason for rejecting, or the delete dialog; private_metadata: { decision, timesheetIds, parentViewId, back }. */
    sheetsDecision: 'admin_ts_decision',
    openAudit: 'admin_open_audit',
    auditModal: 'admin_audit',
    auditUser: 'admin_audit_user',
    auditEntity: 'admin_audit_entity',
    auditFrom: 'admin_audit_from',
    auditTo: 'admin_audit_to',
    /** Opens the Settings modal (admins). */
    openSettings: 'admin_open_settings',
    openJobs: 'admin_open_jobs',
    jobsModal: 'admin_jobs',
    /** Button value: the job's name. Runs it now as the scheduler would, claiming the same keys. */
    runJobNow: 'admin_job_run',
    /** private_metadata: { parentViewId }. Each setting's block and action id is its key. */
    settingsModal: 'admin_settings',
  },
  reports: {
    /** Opens the Reports modal: in /admin (pushed) and App Home (opened). */
    open: 'reports_open',
    /** private_metadata: { channelId? } where /report was typed. */
    modal: 'reports_modal',
    kind: { block: 'report_kind', action: 'report_kind_pick' },
    level: { block: 'report_level', action: 'report_level_pick' },
    periods: { block: 'report_periods', action: 'report_periods_pick' },
    customers: { block: 'report_customers', action: 'report_customers_pick' },
    projects: { block: 'report_projects', action: 'report_projects_pick' },
    consultants: { block: 'report_consultants', action: 'report_consultants_pick' },
    channel: { block: 'report_channel', action: 'report_channel_pick' },
  },
} as const;
