/**
 * The consultant -> manager loop: what people are told when a decision ends or time goes. A manager
 * taken off a project hears why the decision left them (its time is still on the sheet); a
 * consultant hears that an administrator deleted their submitted sheet; Undo on an entry of a sheet
 * sent back points to its reopened copy; a sheet sent back waits for nobody.
 */
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvalRequestMessage } from '../../blocks/approval-message.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import type { MessageContent } from '../../src/services/outbox.js';
import { approvals, outbox, projectManagers, timeEntries, timesheets } from '../../src/db/schema.js';
import { adminDecide, decideTimesheet } from '../../src/services/approval-decisions.js';
import type { ApprovalRequestModel } from '../../src/services/approval-messages.js';
import { removeFromProjects } from '../../src/services/employee-assignments.js';
import { employeeDeletionImpact } from '../../src/services/employee-removal.js';
import { deleteEntries, logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  approvalIdOf,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-11-25T12:00:00Z');
const ctxFor = (userId: string) => serviceContext(database.db, asUser(userId), clock);
let web: number;
let ops: number;
const managerIds: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { name: 'Ada Admin', rights: ['admin', 'security'] });
  await addUser(db, 'UMGR', { name: 'Mia Manager', rights: ['approval'] });
  await addUser(db, 'UMGR2', { name: 'Max Manager', rights: ['approval'] });
  await addUser(db, 'UCON', { name: 'Cid Consultant', rights: ['entry'] });
  const con = await addConsultant(db, 'UCON');
  managerIds.UMGR = await addManager(db, 'UMGR');
  managerIds.UMGR2 = await addManager(db, 'UMGR2');
  const acme = await addCustomer(db, 'ACME');
  web = await addProject(db, 'WEB', acme, { consultants: [con], managers: [managerIds.UMGR] });
  ops = await addProject(db, 'OPS', acme, { consultants: [con], managers: [managerIds.UMGR2] });
  await addPeriod(db, '2026-11-01', '2026-11-30');
});
afterAll(async () => database.drop());

beforeEach(async () => {
  const { db } = database;
  await db.delete(outbox);
  await db.delete(approvals);
  await db.delete(timeEntries);
  await db.update(timesheets).set({ reopenedFrom: null });
  await db.delete(timesheets);
  await db.delete(projectManagers);
  await db.insert(projectManagers).values([
    { projectId: web, managerId: managerIds.UMGR! },
    { projectId: ops, managerId: managerIds.UMGR2! },
  ]);
});

/** Cid logs an hour on each project and submits; answers the sheet and the entries logged. */
async function cidSubmits(projects: string[]): Promise<{ sheet: number; entryIds: number[] }> {
  const entryIds: number[] = [];
  for (const projectCode of projects) {
    const logged = await logTime(ctxFor('UCON'), {
      projectCode,
      minutes: 60,
      description: `work on ${projectCode}`,
      billable: true,
      source: 'command',
    });
    expect(logged).toMatchObject({ ok: true });
    if (logged.ok) entryIds.push(...logged.entries.map((e) => e.entryId));
  }
  const submitted = await submitTimesheet(ctxFor('UCON'));
  expect(submitted).toMatchObject({ ok: true });
  return { sheet: submitted.ok ? submitted.submitted.timesheetId : 0, entryIds };
}

describe('a manager taken off a project while a sheet waits for them', () => {
  it('is told truthfully why the decision left them: the time is still on the sheet, it was not removed with its project', async () => {
    const { sheet } = await cidSubmits(['WEB']);
    expect(
      await removeFromProjects(ctxFor('UADMIN'), managerIds.UMGR!, [{ projectId: web, as: 'manager' }]),
    ).toMatchObject({ ok: true });
    // The WEB hour is still on the sheet, now waiting for the administrator.
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.timesheetId, sheet))).toHaveLength(1);
    const [withdrawn] = await database.db
      .select()
      .from(outbox)
      .where(like(outbox.dedupeKey, `update:approval:${sheet}:UMGR:withdrawn:%`));
    const model = (withdrawn!.payload as { content: { model: ApprovalRequestModel } }).content.model;
    const dm = JSON.stringify(approvalRequestMessage(model));
    expect(dm).toContain(
      'You no longer decide this timesheet: an administrator changed who approves its projects, and its time now waits for them. Nothing for you to decide.',
    );
    expect(dm).not.toContain('removed from this timesheet with its project');
  });
});

describe('an administrator deleting a submitted timesheet', () => {
  it('tells the consultant that their submitted time is gone, as a removal of approved time or of a project does', async () => {
    const { sheet } = await cidSubmits(['WEB', 'OPS']);
    await database.db.delete(outbox);
    expect(await adminDecide(ctxFor('UADMIN'), { timesheetId: sheet, decision: 'delete' })).toEqual({
      ok: true,
      status: 'deleted',
    });
    // The 2h Cid submitted are gone with the sheet.
    expect(await database.db.select().from(timesheets).where(eq(timesheets.id, sheet))).toEqual([]);
    const toCid = (await database.db.select().from(outbox)).filter(
      (row) => (row.payload as { kind: string; channel?: string }).channel === 'UCON',
    );
    expect(toCid).toHaveLength(1);
    const notice = JSON.stringify(renderOutboxMessage((toCid[0]!.payload as { content: MessageContent }).content));
    expect(notice).toContain(
      'Ada Admin, an administrator, deleted your timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026: its 2h (2h billable) was removed.',
    );
  });
});

describe('the consultant after a rejection', () => {
  it("pressing Undo on an earlier /log confirmation is told where that entry is now, not only that it is on a 'cancelled' sheet", async () => {
    const { sheet, entryIds } = await cidSubmits(['WEB']);
    expect(
      await decideTimesheet(ctxFor('UMGR'), {
        approvalId: await approvalIdOf(database.db, sheet, 'UMGR'),
        decision: 'reject',
        reason: 'wrong day',
      }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'cancelled' } });
    const undone = await deleteEntries(ctxFor('UCON'), { entryIds });
    // The entry lives on in the reopened copy, which Cid can change: the answer says so.
    expect(undone).toMatchObject({
      ok: false,
      error: {
        message:
          "That entry's timesheet was sent back, and its entries are open again on a new copy of it: delete them in /timesheet.",
      },
    });
  });
});

describe('deleting a manager after a rejection', () => {
  it('does not count, as decisions that move to others, the requests left on a sheet that another manager already sent back', async () => {
    const { sheet } = await cidSubmits(['WEB', 'OPS']);
    expect(
      await decideTimesheet(ctxFor('UMGR'), {
        approvalId: await approvalIdOf(database.db, sheet, 'UMGR'),
        decision: 'reject',
        reason: 'wrong day',
      }),
    ).toMatchObject({ ok: true, outcome: { sheetStatus: 'cancelled' } });
    // Nothing waits for Max any more: the sheet was sent back, its copy is open.
    const impact = await employeeDeletionImpact(ctxFor('UADMIN'), [managerIds.UMGR2!]);
    expect(impact).toMatchObject({ ok: true, impact: { pendingDecisions: 0 } });
  });
});
