/** Removing projects while their time is being submitted or approved: no approved or submitted time is ever lost. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects, timeEntries, timesheets } from '../../src/db/schema.js';
import { decideTimesheet } from '../../src/services/approvals.js';
import { deleteProjects } from '../../src/services/projects.js';
import { logTime } from '../../src/services/time-entries.js';
import { submitTimesheet } from '../../src/services/timesheets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addConsultant, addCustomer, addManager, addPeriod, addProject, addUser, asUser, serviceContext } from '../support/fixtures.js';
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
    const logged = await logTime(serviceContext(db, asUser(consultantOf(i)), clock), { projectCode: `RACE-${i}`, minutes: 60, description: 'work', billable: true, source: 'command' });
    expect(logged.ok).toBe(true);
  }
  // The second half is submitted already: those race an approval against the removal.
  for (let i = PAIRS; i < 2 * PAIRS; i++) expect((await submitTimesheet(serviceContext(db, asUser(consultantOf(i)), clock))).ok).toBe(true);
});
afterAll(async () => database.drop());

async function sheetOf(userIndex: number) {
  const rows = await database.db.select({ sheet: timesheets }).from(timesheets).innerJoin(timeEntries, eq(timeEntries.timesheetId, timesheets.id)).where(eq(timeEntries.projectId, projectIds[userIndex]!));
  return rows[0]?.sheet;
}

describe('removing projects during submit and approval', () => {
  it('either removes the project with its open time or refuses because the time is submitted; approved time is always kept', async () => {
    const admin = serviceContext(database.db, asUser('UADMIN'), clock);
    const manager = serviceContext(database.db, asUser('UMGR'), clock);
    const submittedSheets = await Promise.all(Array.from({ length: PAIRS }, (_, k) => sheetOf(PAIRS + k)));
    const outcomes = await Promise.all(
      Array.from({ length: PAIRS }, async (_, k) => {
        const [submit, removeWhileSubmitting] = await Promise.all([submitTimesheet(serviceContext(database.db, asUser(consultantOf(k)), clock)), deleteProjects(admin, [projectIds[k]!])]);
        const [approve, removeWhileApproving] = await Promise.all([
          decideTimesheet(manager, { timesheetId: submittedSheets[k]!.id, decision: 'approve' }),
          deleteProjects(admin, [projectIds[PAIRS + k]!]),
        ]);
        return { k, submit, removeWhileSubmitting, approve, removeWhileApproving };
      }),
    );

    const problems: string[] = [];
    for (const { k, submit, removeWhileSubmitting, approve, removeWhileApproving } of outcomes) {
      const entries = await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, projectIds[k]!));
      const [project] = await database.db.select().from(projects).where(eq(projects.id, projectIds[k]!));
      if (removeWhileSubmitting.ok) {
        // Removed first: the time went with the project, and the sheet was then empty.
        if (project || entries.length) problems.push(`pair ${k}: removed, but the project or its time is still there`);
        if (submit.ok) problems.push(`pair ${k}: removed time that had been submitted`);
      } else {
        if (removeWhileSubmitting.error.code !== 'awaiting_approval') problems.push(`pair ${k}: removal failed with ${removeWhileSubmitting.error.code}`);
        if (!submit.ok || entries.length !== 1) problems.push(`pair ${k}: refused removal, but the submitted time is not intact`);
      }

      if (!approve.ok) problems.push(`pair ${k}: approval failed with ${approve.error.code}`);
      const approvedEntries = await database.db.select().from(timeEntries).where(eq(timeEntries.projectId, projectIds[PAIRS + k]!));
      const [approvedProject] = await database.db.select().from(projects).where(eq(projects.id, projectIds[PAIRS + k]!));
      if (approvedEntries.length !== 1) problems.push(`pair ${k}: approved time lost`);
      if (removeWhileApproving.ok && !approvedProject?.archivedAt) problems.push(`pair ${k}: a project with approved time was deleted, not archived`);
      if (!removeWhileApproving.ok && removeWhileApproving.error.code !== 'awaiting_approval') problems.push(`pair ${k}: removal failed with ${removeWhileApproving.error.code}`);
    }
    expect(problems).toEqual([]);
  });
});
