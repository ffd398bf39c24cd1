/** /admin record pages and dialogs at their worst: the longest text people can type, escaped, and the most rows. */
import { describe, expect, it } from 'vitest';
import { customerModal, removeProjectsConfirmModal } from '../../blocks/admin-customers.js';
import { approvalRequestMessage, approvalsModal } from '../../blocks/approval-message.js';
import { approvalNudgeMessage } from '../../blocks/job-messages.js';
import { employeeModal } from '../../blocks/admin-employees.js';
import { projectFormModal, projectModal, projectsModal } from '../../blocks/admin-projects.js';
import { adminTimesheetsModal, sheetsDecisionModal } from '../../blocks/admin-timesheets.js';
import { escapedWithin } from '../../blocks/mrkdwn.js';
import { timeRemovedMessage } from '../../blocks/timesheet-messages.js';
import { type ApprovalRequestModel, TIME_REMOVED } from '../../src/services/approval-messages.js';
import { TIMER_REMOVED } from '../../src/services/open-time.js';
import type { ProjectDetail, ProjectRow } from '../../src/services/projects.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

// Every character of these doubles or more when escaped for mrkdwn.
const long = (length: number) => '&<>'.repeat(Math.ceil(length / 3)).slice(0, length);

describe('escapedWithin', () => {
  it('escapes and cuts so the escaped text fits, never splitting an escape', () => {
    const cut = escapedWithin(long(2000), 2900);
    expect(cut.length).toBeLessThanOrEqual(2900);
    expect(cut).toMatch(/^(&amp;|&lt;|&gt;)+…$/);
    expect(escapedWithin('Tom & Jerry', 100)).toBe('Tom &amp; Jerry');
  });
});

describe('record pages within Slack limits', () => {
  it("a customer's page with the longest name, address and notes", () => {
    const customer = {
      id: 1,
      code: 'ACME',
      name: long(100),
      currency: 'USD',
      billingMode: 'prepaid' as const,
      address: long(2000),
      notes: long(2000),
      projects: 0,
      paymentTermsDays: null,
      taxId: '',
      billingEmail: '',
      invoiceRoundingMinutes: 0,
    };
    const view = customerModal({
      customer,
      projects: [],
      prepaid: {
        customerId: 1,
        customerCode: 'ACME',
        customerName: long(100),
        remainingMinutes: -90,
        pendingMinutes: 30,
        lowCreditThresholdMinutes: null,
      },
    });
    expectWithinSlackLimits('modal', view);
    expect(JSON.stringify(view)).toContain('1h 30m over the prepaid credit');
  });

  it("an employee's page with the longest address and notes", () => {
    const employee = {
      id: 1,
      userId: 'U1',
      name: long(100),
      address: long(2000),
      notes: long(2000),
      consultant: { costRate: '70.00', priceRate: '140.00' },
      manager: true,
    };
    expectWithinSlackLimits('modal', employeeModal({ employee, firmCurrency: 'USD', assignments: [], projects: [] }));
  });

  it("a project's page with 70 consultants and 70 managers with the longest names", () => {
    const people = Array.from({ length: 70 }, (_, i) => ({ employeeId: i + 1, name: long(100) }));
    const project: ProjectRow = {
      id: 1,
      code: 'ACME-WEB',
      name: long(100),
      description: long(2000),
      address: long(2000),
      notes: long(2000),
      active: true,
      customerId: 1,
      customerCode: 'ACME',
      managerIds: [],
      consultantIds: [],
      rates: [],
    };
    const detail: ProjectDetail = {
      project,
      customer: { id: 1, code: 'ACME', name: long(100), currency: 'EUR' },
      costCurrency: 'USD',
      managers: people,
      consultants: people.map((p) => ({
        ...p,
        costRateCents: 12345,
        priceRateCents: null,
        defaultCostRateCents: 7000,
        defaultPriceRateCents: 14000,
      })),
    };
    const view = projectModal(detail);
    expectWithinSlackLimits('modal', view);
    expect(JSON.stringify(view).match(/_and 10 more_/g)).toHaveLength(2);
  });

  it('the projects list with 1,500 projects', () => {
    const list: ProjectRow[] = Array.from({ length: 1500 }, (_, i) => ({
      id: i + 1,
      code: `P-${i}`,
      name: long(100),
      description: '',
      address: '',
      notes: '',
      active: i % 2 === 0,
      customerId: 1,
      customerCode: 'ACME-LONG-CODE-12345',
      managerIds: [1, 2],
      consultantIds: [3],
      rates: [],
    }));
    expectWithinSlackLimits('modal', projectsModal(list, 'Saved.'));
  });
});

describe('the project form', () => {
  it('leaves out a team menu longer than Slack allows, and says where to set that team', () => {
    const people = (n: number) => Array.from({ length: n }, (_, i) => ({ employeeId: i + 1, name: `Person ${i}` }));
    const view = projectFormModal(
      undefined,
      { customers: [{ id: 1, code: 'ACME', name: 'Acme' }], managers: people(101), consultants: people(5) },
      'V1',
      { kind: 'projects' },
    );
    expectWithinSlackLimits('modal', view);
    const text = JSON.stringify(view);
    expect(text).not.toContain('"block_id":"project_managers"');
    expect(text).toContain('"block_id":"project_consultants"');
    expect(text).toContain(
      "There are more managers than a menu holds: put them on this project with Assign to project on each employee's page.",
    );
  });

  it('searches the customers of a firm with more than a menu holds, the project’s own chosen', () => {
    const customers = Array.from({ length: 150 }, (_, i) => ({
      id: i + 1,
      code: `C${String(i + 1).padStart(3, '0')}`,
      name: `Customer ${i + 1}`,
    }));
    const view = projectFormModal(
      undefined,
      { customers, managers: [], consultants: [] },
      'V1',
      { kind: 'projects' },
      140,
    );
    expectWithinSlackLimits('modal', view);
    expect(view.blocks.find((block) => block.block_id === 'project_customer')).toMatchObject({
      element: {
        type: 'external_select',
        action_id: 'admin_project_customer_search',
        initial_option: { value: '140', text: { text: 'C140 · Customer 140' } },
      },
    });
  });
});

describe('timesheet decision dialogs', () => {
  it('count only the sheets the decision applies to and say what happens to the others', () => {
    const sheet = {
      timesheetId: 1,
      consultantName: 'Alice',
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      status: 'open' as const,
      totalMinutes: 150,
      entryCount: 3,
    };
    const view = sheetsDecisionModal('delete', [sheet, { ...sheet, timesheetId: 2, status: 'submitted' }], 2, 'V1', {
      filter: {},
    });
    expectWithinSlackLimits('modal', view);
    expect(JSON.stringify(view)).toContain(
      'Delete 2 timesheets (6 entries, 5h)? Their entries go with them. 2 other marked timesheets are cancelled: kept as the record of a rejection.',
    );
    expect(JSON.parse(view.private_metadata!)).toMatchObject({ timesheetIds: [1, 2] });
  });

  it('say that approved time is sent back and its prepaid hours credited back, and name the invoice holding another', () => {
    const sheet = {
      timesheetId: 7,
      consultantName: 'Alice',
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      status: 'approved' as const,
      totalMinutes: 360,
      entryCount: 2,
    };
    const view = sheetsDecisionModal(
      'reject',
      [sheet],
      0,
      'V1',
      { filter: {} },
      {
        removable: [7],
        creditBack: [{ customerName: 'Globex & <Co>', minutes: 300 }],
        held: [{ consultantName: 'Bob', label: 'invoice 2026-0042', customerCode: 'ACME' }],
      },
    );
    expectWithinSlackLimits('modal', view);
    const text = JSON.stringify(view);
    expect(text).toContain(
      '1 of them is *approved*: the approval is withdrawn and 6h of approved time is sent back, out of pay, reports and invoicing until it is approved again.',
    );
    expect(text).toContain(
      'Prepaid hours are credited back: 5h to Globex &amp; &lt;Co&gt; (deducted again when approved again).',
    );
    expect(text).toContain(
      "Bob's approved timesheet is left as it is: its time is on invoice 2026-0042 (ACME); void that invoice first.",
    );
    expect(JSON.parse(view.private_metadata!)).toMatchObject({ decision: 'reject', timesheetIds: [7] });
  });
});

describe("a manager's DM for a deleted timesheet", () => {
  const request = (changes: Partial<ApprovalRequestModel>): ApprovalRequestModel => ({
    approvalId: 19,
    timesheetId: 9,
    approverId: 'UMGR',
    selfApproval: false,
    route: 'manager',
    myStatus: 'pending',
    consultantName: 'Alice',
    period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
    projects: [
      {
        code: 'ACME-WEB',
        name: 'Website',
        totalMinutes: 60,
        entries: [{ date: '2026-11-10', minutes: 60, description: 'work', billable: true }],
      },
    ],
    sheetTotalMinutes: 60,
    sheetStatus: 'submitted',
    decisions: [{ approverName: 'Bob', status: 'pending', decidedByName: null, decidedAt: null }],
    rejection: null,
    ...changes,
  });

  it('says it was deleted and offers no buttons', () => {
    const message = approvalRequestMessage(request({ sheetStatus: 'deleted' }));
    expectWithinSlackLimits('message', message);
    expect(JSON.stringify(message.blocks)).toContain('*Deleted* by an administrator. Nothing to decide.');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('says who deleted or sent it back after approval and the prepaid hours credited back, escaped', () => {
    const removal = { byName: 'Ada <Admin>', creditedBack: [{ customerName: 'Globex', minutes: 90 }] };
    const deleted = approvalRequestMessage(
      request({
        sheetStatus: 'deleted',
        myStatus: 'approved',
        removedAfterApproval: { ...removal, action: 'deleted', reason: null },
      }),
    );
    expectWithinSlackLimits('message', deleted);
    expect(JSON.stringify(deleted.blocks)).toContain(
      '*Deleted by Ada &lt;Admin&gt;*, an administrator, after it was approved: its time no longer counts for pay, reports or invoices. Prepaid hours credited back: 1h 30m to Globex.',
    );
    expect(deleted.blocks.some((b) => b.type === 'actions')).toBe(false);
    const sentBack = approvalRequestMessage(
      request({
        sheetStatus: 'cancelled',
        myStatus: 'approved',
        removedAfterApproval: { ...removal, action: 'sent_back', reason: 'split <the> day' },
      }),
    );
    expect(JSON.stringify(sentBack.blocks)).toContain(
      '*Sent back by Ada &lt;Admin&gt;*, an administrator, after it was approved: split &lt;the&gt; day — its time no longer counts until it is approved again',
    );
    expect(JSON.stringify(sentBack.blocks)).not.toContain('"Approve"');
    // The notification text says the same once, escaped once, without mrkdwn.
    expect(sentBack.text).toContain(
      'Sent back by Ada &lt;Admin&gt;, an administrator, after it was approved: split &lt;the&gt; day — its time',
    );
  });

  it('escapes a rejection reason once in the notification text, keeping its colons', () => {
    const message = approvalRequestMessage(
      request({
        sheetStatus: 'cancelled',
        myStatus: 'rejected',
        rejection: { byName: 'Ann', reason: 'R&D hours: book them on <R&D-INT>' },
      }),
    );
    expect(message.text).toContain('Rejected by Ann: R&amp;D hours: book them on &lt;R&amp;D-INT&gt; — nothing to do.');
    expect(message.text).not.toContain('&amp;amp;');
  });

  it('fits Slack’s 50 blocks when the sheet charges 48 of the approver’s projects, the rest folded into one line', () => {
    const projects = Array.from({ length: 48 }, (_, i) => ({
      code: `P-${String(i + 1).padStart(3, '0')}`,
      name: `Support queue ${i + 1}`,
      totalMinutes: 30,
      entries: [{ date: '2026-11-10', minutes: 30, description: 'ticket', billable: true }],
    }));
    const message = approvalRequestMessage(request({ route: 'admin_fallback', projects, sheetTotalMinutes: 48 * 30 }));
    expectWithinSlackLimits('message', message);
    expect(JSON.stringify(message.blocks)).toContain('*P-030* Support queue 30');
    expect(JSON.stringify(message.blocks)).not.toContain('*P-031*');
    expect(JSON.stringify(message.blocks)).toContain('18 more projects (9h): press View timesheet to see them all.');
  });

  it('shows the day of a decision in each reader’s own zone (Slack’s date), the UTC day where it cannot', () => {
    const message = approvalRequestMessage(
      request({
        decisions: [
          { approverName: 'Bob', status: 'approved', decidedByName: null, decidedAt: '2026-11-27T01:30:00.000Z' },
        ],
      }),
    );
    expect(JSON.stringify(message.blocks)).toContain(
      `Bob approved <!date^${Date.parse('2026-11-27T01:30:00Z') / 1000}^{date_short}|Fri 27 Nov>`,
    );
  });

  it('tells a manager whose projects left the sheet that there is nothing for them to decide', () => {
    const message = approvalRequestMessage(
      request({
        myStatus: 'withdrawn',
        sheetTotalMinutes: 120,
        projects: [
          {
            code: 'ACME-OLD',
            name: 'Old site',
            totalMinutes: 60,
            entries: [{ date: '2026-11-10', minutes: 60, description: 'work', billable: true }],
          },
        ],
      }),
    );
    expect(JSON.stringify(message.blocks)).toContain(
      'The time on your projects was removed from this timesheet with its project. Nothing for you to decide.',
    );
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('the remove-projects dialog', () => {
  it('counts open and submitted time and running timers apart and says what happens to the submitted sheets', () => {
    const view = removeProjectsConfirmModal(
      {
        projects: 2,
        openEntries: 3,
        openSheets: 1,
        submittedEntries: 1,
        submittedSheets: 1,
        keptEntries: 4,
        runningTimers: 2,
        archived: ['ACME-OLD'],
      },
      [1, 2],
      'V1',
      { kind: 'customer', customerId: 7 },
    );
    expectWithinSlackLimits('modal', view);
    expect(JSON.stringify(view)).toContain(
      'Remove 2 projects? This also removes 3 entries from 1 open timesheet, 1 entry from 1 submitted timesheet (their managers are told; a sheet left empty is deleted) and 2 running timers (stopped, their time not saved). Each consultant is told what of theirs went. ACME-OLD has approved or rejected time (4 entries): archived instead, kept in reports.',
    );
  });

  it('names a lone running timer in the singular', () => {
    const view = removeProjectsConfirmModal(
      {
        projects: 1,
        openEntries: 0,
        openSheets: 0,
        submittedEntries: 0,
        submittedSheets: 0,
        keptEntries: 0,
        runningTimers: 1,
        archived: [],
      },
      [1],
      'V1',
      { kind: 'customer', customerId: 7 },
    );
    expect(JSON.stringify(view)).toContain(
      'Remove 1 project? This also removes 1 running timer (stopped, its time not saved). Each consultant is told what of theirs went.',
    );
  });
});

describe("the consultant's notice of removed time", () => {
  it('names what came off and what is left of the sheet', () => {
    const message = timeRemovedMessage({
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      removed: [{ code: 'ACME-OLD', minutes: 90 }],
      sheetNow: 'submitted',
    });
    expectWithinSlackLimits('message', message);
    expect(message.text).toBe(
      'An administrator removed ACME-OLD (1h 30m) and the time on it from your submitted timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026. The rest still waits for approval.',
    );
    // The outbox dispatcher draws it from the queued template.
    expect(
      renderOutboxMessage({
        template: TIME_REMOVED,
        model: {
          period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
          removed: [{ code: 'ACME-OLD', minutes: 90 }],
          sheetNow: 'submitted',
        },
      }),
    ).toEqual(message);
  });

  it('says an open sheet stays open', () => {
    const message = timeRemovedMessage({
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      removed: [
        { code: 'ACME-OLD', minutes: 90 },
        { code: 'ACME-NEW', minutes: 30 },
      ],
      sheetNow: 'open',
    });
    expectWithinSlackLimits('message', message);
    expect(message.text).toBe(
      'An administrator removed ACME-OLD (1h 30m), ACME-NEW (30m) and the time on them from your timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026. The timesheet stays open for the rest of your time.',
    );
  });
});

describe("the consultant's notice of a removed timer", () => {
  it('says how long it ran and that its time was not saved', () => {
    const message = renderOutboxMessage({ template: TIMER_REMOVED, model: { code: 'R&D-WEB', minutes: 150 } });
    expectWithinSlackLimits('message', message);
    expect(message.text).toBe(
      'An administrator removed R&amp;D-WEB, so your timer on it stopped after 2h 30m and that time was not saved. If it belongs on another project, log it there with `/log`.',
    );
  });
});

describe("an approval digest for an away manager's decisions", () => {
  it('escapes the away manager’s name in the notification text as in the blocks', () => {
    const message = approvalNudgeMessage({
      sheets: [
        {
          approvalId: 1,
          timesheetId: 1,
          consultantName: 'Bob',
          period: { startsOn: '2026-11-01', endsOn: '2026-11-15' },
          totalMinutes: 600,
          submittedAt: '2026-11-16T09:00:00Z',
          forManager: 'Tom & Jerry <!channel>',
        },
      ],
    });
    expect(message.text).toBe('1 timesheet waits for a decision of Tom &amp; Jerry &lt;!channel&gt; (away)');
  });
});

describe('/approvals rows for one sheet: mine, and one I decide as a delegate', () => {
  it('tell the two apart for a consultant with a long name: whose decision comes first', () => {
    const base = {
      timesheetId: 9,
      consultantName: 'Alexandra Montgomery-Richardson Jr',
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      totalMinutes: 160 * 60 + 30,
    };
    const view = approvalsModal([
      { ...base, approvalId: 1, approverName: 'Me', onBehalf: false },
      { ...base, approvalId: 2, approverName: 'Bob Baker', onBehalf: true },
    ]);
    expectWithinSlackLimits('modal', view);
    const labels = (
      view.blocks[0] as { elements: { options: { text: { text: string } }[] }[] }
    ).elements[0]!.options.map((option) => option.text.text);
    expect(labels).toEqual([
      'Alexandra Montgomery-Ric… · 1–30 Nov 2026 · 160h 30m',
      'For Bob Baker: Alexandra Montgomery-Ric… · 1–30 Nov 2026 · 160h 30m',
    ]);
  });
});

describe('/admin > Timesheets when more sheets match than it lists', () => {
  it('lists the newest 100, each one markable and in the Open menu, and says to narrow the list', () => {
    const sheets = Array.from({ length: 100 }, (_, i) => ({
      timesheetId: i + 1,
      consultantName: `Consultant ${i + 1}`,
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      status: 'open' as const,
      totalMinutes: 60,
      entryCount: 1,
    }));
    const view = adminTimesheetsModal(sheets, { periods: [], projects: [], customers: [] }, {}, undefined, true);
    expectWithinSlackLimits('modal', view);
    const text = JSON.stringify(view);
    expect(text).toContain(
      'More timesheets match: these are the newest 100. Narrow the list by consultant, period, project or customer.',
    );
    const actions = view.blocks.find((block) => block.block_id === 'admin_ts_actions') as {
      elements: { type: string; options?: unknown[] }[];
    };
    expect(actions.elements.find((element) => element.type === 'static_select')!.options).toHaveLength(100);
    expect(text.match(/"value":"\d+"/g)!.length).toBeGreaterThanOrEqual(200);
  });
});
