/**
 * Messages and dialogs that list records (customers, sheets, entries, invoices) at a busy firm's
 * size: each stays within Slack's limits, shows whole lines only (never an escape or a name cut in
 * half) and says how many it left out.
 */
import { describe, expect, it } from 'vitest';
import { deleteCustomersConfirmModal, removeProjectsConfirmModal } from '../../blocks/admin-customers.js';
import { deleteEmployeesConfirmModal } from '../../blocks/admin-employees.js';
import { sheetsDecisionModal } from '../../blocks/admin-timesheets.js';
import { approvalRequestMessage } from '../../blocks/approval-message.js';
import { draftReply } from '../../blocks/invoice-messages.js';
import { periodCloseMessage } from '../../blocks/job-messages.js';
import { joinWithin } from '../../blocks/mrkdwn.js';
import type { ApprovalRequestModel } from '../../src/services/approval-messages.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

const sectionTexts = (blocks: unknown[]) =>
  (blocks as { type: string; text?: { text: string } }[]).filter((b) => b.type === 'section').map((b) => b.text!.text);
/** An `&` that is not the start of one of mrkdwn's escapes: an escape cut in half, or text not escaped. */
const BROKEN_ESCAPE = /&(?!amp;|lt;|gt;)/;
const codes = (n: number, prefix = 'CLIENT-EMEA-') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);

describe('joinWithin', () => {
  it('keeps whole pieces within the limit and counts the rest, with room for the count', () => {
    const more = (n: number) => `and ${n} more`;
    expect(joinWithin(['aaaa', 'bbbb', 'cccc'], ', ', 100, more)).toBe('aaaa, bbbb, cccc');
    expect(joinWithin(['aaaaaaaa', 'bbbbbbbb', 'cccccccc'], ', ', 22, more)).toBe('aaaaaaaa, and 2 more');
    expect(joinWithin(['aaaa', 'bbbb', 'cccc'], ', ', 16, more)).toBe('aaaa, bbbb, cccc');
    expect(joinWithin(['a'.repeat(30), 'b'], ', ', 20, more)).toBe('and 2 more');
    expect(joinWithin([], ', ', 20, more)).toBe('');
  });
});

describe('confirm dialogs listing what is archived instead of deleted', () => {
  const impact = {
    openEntries: 0,
    openSheets: 0,
    submittedEntries: 0,
    submittedSheets: 0,
    keptEntries: 12_000,
    runningTimers: 0,
  };

  it('delete customers: 200 with history are named as far as the dialog holds, the rest counted', () => {
    const archived = codes(200);
    const view = deleteCustomersConfirmModal({ ...impact, customers: 200, projects: 450, archived }, [1], 'V1');
    expectWithinSlackLimits('modal', view);
    const [text] = sectionTexts(view.blocks);
    expect(text).toMatch(/^Delete 200 customers and 450 projects\? CLIENT-EMEA-001, CLIENT-EMEA-002, /);
    const named = archived.filter((code) => text!.includes(`${code},`)).length;
    expect(named).toBeGreaterThan(50);
    expect(text).toContain(`and ${200 - named} more have approved, invoiced or prepaid history`);
  });

  it('remove projects and delete employees: names escaped once, whole, within the section', () => {
    const names = Array.from({ length: 200 }, (_, i) => `R&D <Lab> ${i} & Partners`);
    const projects = removeProjectsConfirmModal({ ...impact, projects: 200, archived: names }, [1], 'V1', {
      kind: 'customer',
      customerId: 7,
    });
    const employees = deleteEmployeesConfirmModal(
      { employees: 200, openSheets: 0, openEntries: 0, pendingDecisions: 0, archived: names },
      [1],
      'V1',
    );
    for (const view of [projects, employees]) {
      expectWithinSlackLimits('modal', view);
      const [text] = sectionTexts(view.blocks);
      expect(text).not.toMatch(BROKEN_ESCAPE);
      expect(text).toContain('R&amp;D &lt;Lab&gt; 0 &amp; Partners, ');
      expect(text).toMatch(/, and \d+ more have approved or rejected/);
    }
  });
});

describe('the admin dialog for marked approved sheets held by invoices', () => {
  it('names ten held sheets, counts the rest, and fits its section', () => {
    const sheet = (i: number) => ({
      timesheetId: i + 1,
      consultantName: `Consultant ${i} with a rather long name & co`,
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      status: 'approved' as const,
      totalMinutes: 9600,
      entryCount: 40,
    });
    const held = Array.from({ length: 30 }, (_, i) => ({
      consultantName: sheet(i).consultantName,
      label: `invoice INV-2026-${String(100 + i).padStart(4, '0')}`,
      customerCode: `CUST-${i}`,
    }));
    const open = { ...sheet(99), timesheetId: 99, status: 'submitted' as const };
    const view = sheetsDecisionModal(
      'reject',
      [open],
      0,
      'V1',
      { filter: {} },
      { removable: [], creditBack: [], held },
    );
    expectWithinSlackLimits('modal', view);
    const [text] = sectionTexts(view.blocks);
    expect(text).toContain('Consultant 9 with a rather long name &amp; co');
    expect(text).not.toContain('Consultant 10 ');
    expect(text).toContain('20 more approved timesheets have time on live invoices');
  });
});

describe("an approver's DM with long descriptions", () => {
  it('shows whole entry lines only and counts the ones that did not fit with the others not shown', () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({
      date: `2026-11-${String(i + 1).padStart(2, '0')}`,
      minutes: 450,
      description: `Q&A with the client's R&D team: <Billing> API & data migration phase ${i}`,
      billable: false,
    }));
    const model: ApprovalRequestModel = {
      approvalId: 1,
      timesheetId: 1,
      approverId: 'UMGR',
      selfApproval: false,
      route: 'manager',
      myStatus: 'pending',
      consultantName: 'Alice Andersen',
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      projects: [{ code: 'INTERNAL-RD', name: 'Support & maintenance', totalMinutes: 25 * 450, entries }],
      sheetTotalMinutes: 25 * 450,
      sheetStatus: 'submitted',
      decisions: [{ approverName: 'Bob', status: 'pending', decidedByName: null, decidedAt: null }],
      rejection: null,
    };
    const message = approvalRequestMessage(model);
    expectWithinSlackLimits('message', message);
    const [, project] = sectionTexts(message.blocks);
    expect(project).not.toMatch(BROKEN_ESCAPE);
    const shownLines = project!.split('\n').length - 1;
    expect(shownLines).toBeLessThan(25);
    expect(project!.split('\n').at(-1)).toMatch(/data migration phase \d+ _\(non-billable\)_$/);
    expect(JSON.stringify(message.blocks)).toContain(`${25 - shownLines} more entries: press View timesheet`);
  });
});

describe("an approver's DM whose first project's lines do not all fit", () => {
  it('gives the entries left out for length to the next project, up to the 25 shown in all', () => {
    const entry = (day: number, description: string) => ({
      date: `2026-11-${String(day).padStart(2, '0')}`,
      minutes: 60,
      description,
      billable: true,
    });
    const long = Array.from({ length: 25 }, (_, i) => entry(i + 1, `R&D <${i}> `.repeat(10)));
    const short = Array.from({ length: 5 }, (_, i) => entry(i + 1, `short ${i}`));
    const message = approvalRequestMessage({
      approvalId: 1,
      timesheetId: 1,
      approverId: 'UMGR',
      selfApproval: false,
      route: 'manager',
      myStatus: 'pending',
      consultantName: 'Alice',
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      projects: [
        { code: 'A-LONG', name: 'Long', totalMinutes: 1500, entries: long },
        { code: 'B-SHORT', name: 'Short', totalMinutes: 300, entries: short },
      ],
      sheetTotalMinutes: 1800,
      sheetStatus: 'submitted',
      decisions: [{ approverName: 'Bob', status: 'pending', decidedByName: null, decidedAt: null }],
      rejection: null,
    });
    expectWithinSlackLimits('message', message);
    const [, first, second] = sectionTexts(message.blocks);
    const firstShown = first!.split('\n').length - 1;
    expect(firstShown).toBeLessThan(20);
    expect(second!.split('\n')).toHaveLength(6);
    expect(JSON.stringify(message.blocks)).toContain(`${25 - firstShown} more entries: press View timesheet`);
  });
});

describe('invoice drafts for 200 customers', () => {
  const drafted = codes(120, 'CUST-').map((customerCode, i) => ({
    invoiceId: i + 1,
    customerCode,
    minutes: 6000,
    total: '$12,345.00',
    lines: 40,
  }));
  const skipped = codes(80, 'SKIP-').map((customerCode) => ({
    customerCode,
    reason: 'prepaid: its time draws on credits & top-ups',
  }));

  it('`/invoice draft` answers with whole lines and counts the lines it left out', () => {
    const reply = draftReply('1–30 Nov 2026', drafted, skipped);
    expectWithinSlackLimits('message', reply);
    const [text] = sectionTexts(reply.blocks);
    const lines = text!.split('\n');
    expect(lines.at(-2)).toMatch(/^• \*CUST-\d{3}\*: 40 entries, 100\.00 h, \$12,345\.00$/);
    expect(lines.at(-1)).toBe(`and ${202 - (lines.length - 1)} more lines: \`/invoice list\` lists every draft`);
  });

  it('the period close lists the drafts and the waiting sheets within their sections, and says what is left out', () => {
    const message = periodCloseMessage({
      period: { startsOn: '2026-11-01', endsOn: '2026-11-30' },
      reason: 'deadline',
      sheets: { approved: 30, submitted: 60, open: 10 },
      notSubmitted: [],
      waiting: Array.from({ length: 60 }, (_, i) => ({
        consultantName: `Consultant ${i} Longname-Doubleday`,
        approvers: [`Approver ${i} Longname-Doubleday`, `Second Approver ${i} Longname`],
      })),
      invoices: { drafted, skipped },
      reports: [
        { kind: 'ar', attached: true },
        { kind: 'ap', attached: true },
      ],
    });
    expectWithinSlackLimits('message', message);
    const [, checklist, invoices] = sectionTexts(message.blocks);
    expect(checklist!.split('\n').at(-1)).toMatch(/^and \d+ more lines$/);
    expect(invoices!.split('\n').at(-1)).toMatch(/^and \d+ more: `\/invoice list` lists every draft$/);
    expect(invoices).not.toMatch(BROKEN_ESCAPE);
  });
});
