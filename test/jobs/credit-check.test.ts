/**
 * The credit check: each morning (firm zone) the prepaid alert rules run again over every prepaid
 * customer. A crossing no transaction announced is announced once, even with three instances; a
 * crossing already announced is never repeated, that morning or the next.
 */
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditAlerts, creditLedger, customers, jobRuns, outbox } from '../../src/db/schema.js';
import { creditCheckJob } from '../../src/jobs/credit-check.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboxMessage } from '../../src/services/outbox.js';
import { renderOutboxMessage } from '../../src/slack/outbox-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addCustomer, addManager, addProject, addUser } from '../support/fixtures.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
const clock = new TestClock('2026-12-07T08:00:00Z');
let missed: number;
let announced: number;

const runner = () =>
  new JobRunner({
    ctx: {
      db: database.db,
      actor: { kind: 'system', name: 'job' },
      clock,
      log: silentLogger,
      org: { timeZone: 'Europe/Berlin', currency: 'USD', financeChannel: 'C0FINANCE' },
    },
    jobs: [creditCheckJob],
  });
const everyInstance = () =>
  Promise.all([runner(), runner(), runner()].map((instance) => instance.runJob(creditCheckJob.name, clock.now())));
const alertMessages = () => database.db.select().from(outbox).where(like(outbox.dedupeKey, 'credit-alert:%'));

/** A prepaid customer with a 10-hour threshold, a manager, and `remaining` minutes left on its ledger. */
async function prepaid(code: string, remaining: number, manager: number): Promise<number> {
  const id = await addCustomer(database.db, code, 'prepaid');
  await database.db
    .update(customers)
    .set({ lowCreditThresholdMinutes: 600, alertChannel: 'CALERTS' })
    .where(eq(customers.id, id));
  await addProject(database.db, `${code}-OPS`, id, { managers: [manager] });
  await database.db.insert(creditLedger).values([
    { customerId: id, minutes: 1200, kind: 'purchase', occurredOn: '2026-11-02', priceCents: 100000 },
    { customerId: id, minutes: remaining - 1200, kind: 'adjustment', occurredOn: '2026-11-02', note: 'correction' },
  ]);
  return id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await addUser(database.db, 'UMGR', { name: 'Mona' });
  const manager = await addManager(database.db, 'UMGR');
  // Both are below 10 hours; only ANNOUNCED's crossing was told (its live alert row).
  missed = await prepaid('MISSED', 300, manager);
  announced = await prepaid('ANNOUNCED', 240, manager);
  await database.db.insert(creditAlerts).values({
    customerId: announced,
    kind: 'low_credit',
    remainingMinutes: 240,
    thresholdMinutes: 600,
    alertedAt: new Date('2026-12-01T10:00:00Z'),
  });
});
afterAll(async () => {
  await database.drop();
});

describe('credit check', () => {
  it('announces a missed crossing once at the morning time, from three instances, and not the one already told', async () => {
    // 09:00 in Berlin is 08:00 UTC on Mon 7 Dec.
    clock.set('2026-12-07T08:00:00Z');
    const reports = (await everyInstance()).flat();
    expect(reports.filter((r) => r.outcome === 'done')).toHaveLength(1);
    const runs = await database.db.select().from(jobRuns);
    expect(runs).toMatchObject([
      { job: 'credit-check', slot: '2026-12-07', result: 'alerts sent: MISSED (low_credit)', error: null },
    ]);
    const alerts = await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, missed));
    expect(alerts).toMatchObject([{ kind: 'low_credit', remainingMinutes: 300, rearmedAt: null }]);
    expect(await database.db.select().from(creditAlerts).where(eq(creditAlerts.customerId, announced))).toHaveLength(1);
    const sent = await alertMessages();
    expect(sent.map((row) => (row.payload as { channel: string }).channel).sort()).toEqual(['CALERTS', 'UMGR']);
    const message = sent[0]!.payload as OutboxMessage;
    if (message.kind !== 'post') throw new Error('not a post');
    const rendered = JSON.stringify(renderOutboxMessage(message.content));
    expect(rendered).toContain('MISSED');
    expect(rendered).toContain('5h of prepaid time left');
    expect(rendered).not.toContain('ANNOUNCED');
  });

  it('repeats nothing the next morning while both are still below the threshold', async () => {
    // Monday's check (done already when the tests run in order) announced MISSED.
    clock.set('2026-12-07T08:00:00Z');
    await everyInstance();
    clock.set('2026-12-08T08:00:00Z');
    const reports = (await everyInstance()).flat();
    expect(reports.filter((r) => r.outcome === 'done')).toMatchObject([
      { slot: '2026-12-08', detail: 'no alert was due that had not been sent' },
    ]);
    expect(await alertMessages()).toHaveLength(2);
    expect(await database.db.select().from(creditAlerts)).toHaveLength(2);
  });
});
