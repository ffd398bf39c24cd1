/**
 * A timer whose time can no longer be saved where it ran: the consultant was taken off its project,
 * or submitted the period's timesheet while it ran. `/log stop` says why and offers Discard (the
 * timer keeps running until then; App Home shows only Stop, and nothing else throws a timer of
 * under ten hours away). A new `/log start` says the old timer is in the way and how to clear it.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  employees,
  outbox,
  projectConsultants,
  projects,
  timeEntries,
  timers,
  timesheets,
} from '../../src/db/schema.js';
import { type AppHarness, importFixture, startAppHarness } from '../support/app-harness.js';

let h: AppHarness;
const ALICE = 'U01ALICE';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-11-25T10:00:00Z' });
  h.fake.users.set(ALICE, { id: ALICE, real_name: 'Alice Doe', tz: 'Europe/Berlin' });
  h.fake.users.set('U02BOB', { id: 'U02BOB', real_name: 'Bob Roe', tz: 'Europe/Berlin' });
  await importFixture(h, 'small-firm.yaml');
});
afterAll(async () => h.stop());
beforeEach(async () => {
  await h.app.settled();
  await h.database.db.delete(timeEntries);
  await h.database.db.delete(timers);
  await h.database.db.delete(outbox);
  await h.database.db.update(timesheets).set({ status: 'open', submittedAt: null, submittedBy: null });
  await h.database.db.update(projectConsultants).set({ archivedAt: null });
  h.fake.reset();
  h.clock.set('2026-11-25T10:00:00Z');
});

const log = (text: string) => h.slack.slashCommand({ command: '/log', text, userId: ALICE });
const replyText = (response: { body: unknown }) => JSON.stringify(response.body);

describe('a timer whose time can no longer be saved', () => {
  it('on a project the consultant was taken off: /log stop offers to discard it', async () => {
    expect(replyText(await log('start ACME-WEB standup'))).toContain('Timer running on *ACME-WEB*');
    // An administrator takes Alice off ACME-WEB (what removeFromProjects does to the assignment).
    const [alice] = await h.database.db.select().from(employees).where(eq(employees.userId, ALICE));
    const [web] = await h.database.db.select().from(projects).where(eq(projects.code, 'ACME-WEB'));
    await h.database.db
      .update(projectConsultants)
      .set({ archivedAt: h.clock.now() })
      .where(and(eq(projectConsultants.projectId, web!.id), eq(projectConsultants.consultantId, alice!.id)));
    h.clock.advance({ minutes: 30 });

    const stopped = replyText(await log('stop'));

    expect(await h.database.db.select().from(timers).where(eq(timers.userId, ALICE))).toHaveLength(1);
    expect(stopped).toContain('Your timer on ACME-WEB (30m) cannot be saved: You are not assigned to project');
    expect(stopped).toContain(ids.timer.discard);
    expect(replyText(await log('start GLOBEX-OPS ops'))).toContain(
      'Your timer on ACME-WEB cannot be saved: You are not assigned to project `ACME-WEB`. Stop it with `/log stop` to discard it, then start the new one.',
    );
    expect(await h.database.db.select().from(timers).where(eq(timers.userId, ALICE))).toHaveLength(1);
  });

  it('running while its timesheet was submitted: /log stop offers to discard it', async () => {
    expect(replyText(await log('start ACME-WEB wrap-up'))).toContain('Timer running on *ACME-WEB*');
    await log('1h ACME-WEB earlier work');
    await h.slack.slashCommand({ command: '/timesheet', text: 'submit', userId: ALICE });
    await h.app.settled();
    const [sheet] = await h.database.db.select().from(timesheets);
    expect(sheet!.status).toBe('submitted');
    h.clock.advance({ minutes: 20 });

    const stopped = replyText(await log('stop'));

    expect(await h.database.db.select().from(timers).where(eq(timers.userId, ALICE))).toHaveLength(1);
    expect(stopped).toContain('Your timer on ACME-WEB (20m) cannot be saved: The timesheet for');
    expect(stopped).toContain(ids.timer.discard);
  });
});
