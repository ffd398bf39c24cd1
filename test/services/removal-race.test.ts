/** Removing projects while their time is being submitted or approved: removed time goes, approved time is never lost. */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employees, projects, timeEntries, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approvals.js';
import { deleteProjects } from '../../src/services/projects.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  approvalIdOf,
  addConsultant,
  addCustomer,
  addManager,
  addPeriod,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

const PAIRS = 10;
let database: TestDatabase;
const clock = new TestClock('2026-11-30T12:00:00Z');
const consultantOf = (i: number) => `URACE${String(i).padStart(2, '0')}`;
const projectIds: number[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UMGR', { rights: ['approval'] });
  const manager = await addManager(db, 'UMGR');
  const customer = await addCustomer(db, 'RACE');
  await addPeriod(db, '2026-11-01', '2026-11-30');
  for (let i = 0; i < 2 * PAIRS; i++) {
    await addUser(db, consultantOf(i), { rights: ['entry'] });
    const consultant = await addConsultant(db, consultantOf(i));
    projectIds.push(await addProject(db, `RACE-${i}`, customer, { consultants: [consultant], managers: [manager] }));
    const logged = await logTime(serviceContext(db, asUser(consultantOf(i)), clock), {
      projectCode: `RACE-${i}`,
      minutes: 60,
      description: 'work',
      billable: true,
      source: 'command',
    });
    expect(logged.ok).toBe(true);
  }
  // The second half is submitted already: those race an approval against the removal.
  for (let i = PAIRS; i < 2 * PAIRS; i++)
    expect((await submitTimesheet(serviceContext(db, asUser(consultantOf(i)), clock))).ok).toBe(true);
});
afterAll(async () => database.drop());

async function sheetOf(userIndex: number) {
  const rows = await database.db
    .select({ sheet: timesheets })
    .from(timesheets)
    .innerJoin(timeEntries, eq(timeEntries.timesheetId, timesheets.id))
    .where(eq(timeEntries.projectId, projectIds[userIndex]!));
  return rows[0]?.sheet;
}

describe('removing projects during submit and approval', () => {
  it('removes the time whichever lands first, and keeps approved time: an approval first archives the project', async () => {
    const admin = serviceContext(database.db, asUser('UADMIN'), clock);
    const manager = serviceContext(database.db, asUser('UMGR'), clock);
    const submittedSheets = await Promise.all(Array.from({ length: PAIRS }, (_, k) => sheetOf(PAIRS + k)));
    const outcomes = await Promise.all(
      Array.from({ length: PAIRS }, async (_, k) => {
        const approvalId = await approvalIdOf(database.db, submittedSheets[k]!.id, 'UMGR');
        const [submit, removeWhileSubmitting] = await Promise.all([
          submitTimesheet(serviceContext(database.db, asUser(consultantOf(k)), clock)),
          deleteProjects(admin, [projectIds[k]!]),
        ]);
        const [approve, removeWhileApproving] = await Promise.all([
          decideTimesheet(manager, { approvalId, decision: 'approve' }),
          deleteProjects(admin, [projectIds[PAIRS + k]!]),
        ]);
        return { k, submit, removeWhileSubmitting, approve, removeWhileApproving };
      }),
    );

    const problems: string[] = [];
    for (const { k, submit, removeWhileSubmitting, approve, removeWhileApproving } of outcomes) {
      // Submit and removal: the project and its time are gone either way; a sheet left empty is too.
      if (!removeWhileSubmitting.ok)
        problems.push(`pair ${k}: removal during submit failed with ${removeWhileSubmitting.error.code}`);
      if (!submit.ok && submit.error.code === 'internal') problems.push(`pair ${k}: submit crashed`);
      const entries = await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, projectIds[k]!));
      const [project] = await database.db.select().from(projects).where(eq(projects.id, projectIds[k]!));
      if (project || entries.length) problems.push(`pair ${k}: removed, but the project or its time is still there`);
      const leftOver = await database.db
        .select()
        .from(timesheets)
        .innerJoin(employees, eq(employees.id, timesheets.consultantId))
        .where(and(eq(employees.userId, consultantOf(k)), eq(timesheets.status, 'submitted')));
      if (leftOver.length) problems.push(`pair ${k}: an empty sheet is still waiting for approval`);

      // Approval and removal: approved time is never lost.
      if (!removeWhileApproving.ok)
        problems.push(`pair ${k}: removal during approval failed with ${removeWhileApproving.error.code}`);
      const approvedEntries = await database.db
        .select()
        .from(timeEntries)
        .where(eq(timeEntries.projectId, projectIds[PAIRS + k]!));
      const [approvedProject] = await database.db
        .select()
        .from(projects)
        .where(eq(projects.id, projectIds[PAIRS + k]!));
      if (approve.ok) {
        if (approvedEntries.length !== 1) problems.push(`pair ${k}: approved time lost`);
        if (!approvedProject?.archivedAt)
          problems.push(`pair ${k}: a project with approved time was deleted, not archived`);
      } else if (approve.error.code !== 'no_timesheet' || approvedProject || approvedEntries.length) {
        problems.push(`pair ${k}: removal went first, but the approval answered ${approve.error.code} or time is left`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a send-back or a /log racing a removal ends cleanly: no deadlock, no crash, no time left on the removed project', async () => {
    const { db } = database;
    await addUser(db, 'UMGR2', { rights: ['approval'] });
    const manager = await addManager(db, 'UMGR2');
    const customer = await addCustomer(db, 'RACE2');
    const sheets: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 2 * PAIRS; i++) {
      const user = `URACE2${String(i).padStart(2, '0')}`;
      await addUser(db, user, { rights: ['entry'] });
      ids.push(
        await addProject(db, `RACE2-${i}`, customer, {
          consultants: [await addConsultant(db, user)],
          managers: [manager],
        }),
      );
      expect(
        (
          await logTime(serviceContext(db, asUser(user), clock), {
            projectCode: `RACE2-${i}`,
            minutes: 60,
            description: 'work',
            billable: true,
            source: 'command',
          })
        ).ok,
      ).toBe(true);
      if (i < PAIRS) {
        const submitted = await submitTimesheet(serviceContext(db, asUser(user), clock));
        sheets.push(submitted.ok ? submitted.submitted.timesheetId : 0);
      }
    }
    const admin = serviceContext(db, asUser('UADMIN'), clock);
    const approvalIds: number[] = [];
    for (const sheet of sheets) approvalIds.push(await approvalIdOf(db, sheet, 'UMGR2'));
    const results = await Promise.all(
      Array.from({ length: PAIRS }, (_, k) =>
        Promise.allSettled([
          decideTimesheet(serviceContext(db, asUser('UMGR2'), clock), {
            approvalId: approvalIds[k]!,
            decision: 'reject',
            reason: 'redo',
          }),
          deleteProjects(admin, [ids[k]!]),
          logTime(serviceContext(db, asUser(`URACE2${String(PAIRS + k).padStart(2, '0')}`), clock), {
            projectCode: `RACE2-${PAIRS + k}`,
            minutes: 30,
            description: 'more',
            billable: true,
            source: 'command',
          }),
          deleteProjects(admin, [ids[PAIRS + k]!]),
        ]),
      ),
    );
    const crashes = results
      .flat()
      .filter((r) => r.status === 'rejected')
      .map((r) => String(r.reason));
    expect(crashes).toEqual([]);
    for (let k = 0; k < PAIRS; k++) {
      const [, removedRejected, logged, removedLogged] = results[k]!.map(
        (r) => (r as PromiseFulfilledResult<{ ok: boolean; error?: { code: string } }>).value,
      );
      expect(removedRejected!.ok && removedLogged!.ok).toBe(true);
      if (!logged!.ok) expect(logged!.error!.code).toBe('unknown_project');
      // A rejection that landed first is kept as the record (the project archived); otherwise the time is gone.
      const [later] = await db
        .select()
        .from(projects)
        .where(eq(projects.id, ids[PAIRS + k]!));
      expect(later).toBeUndefined();
      expect(
        await db
          .select()
          .from(timeEntries)
          .where(eq(timeEntries.projectId, ids[PAIRS + k]!)),
      ).toEqual([]);
    }
  });
});
