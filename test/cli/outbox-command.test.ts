import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localFiles, runCli } from '../../src/cli/commands.js';
import { auditLog, outbox } from '../../src/db/schema.js';
import { enqueueMessage, type OutboxMessage } from '../../src/services/outbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
const config = { currency: 'USD', orgTimeZone: 'UTC' };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());
beforeEach(async () => {
  await database.db.delete(outbox);
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const connection = { ...database, close: async () => {} };
  const code = await runCli(
    argv,
    { out: (t) => out.push(t), err: (t) => err.push(t), ...localFiles },
    () => Promise.resolve(connection),
    config,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dm = (ref: string): OutboxMessage => ({
  kind: 'post',
  ref,
  channel: 'U02BOB',
  content: { template: 'text', model: ref },
});
/** The command line runs on the system clock: rows are placed relative to now. */
async function message(ref: string, status: 'pending' | 'dead' | 'sent', minutesAgo: number): Promise<number> {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  await enqueueMessage(database.db, ref, dm(ref), at);
  const [row] = await database.db
    .update(outbox)
    .set({ status, attempts: 3, lastError: status === 'sent' ? null : 'Slack refused: is_archived' })
    .where(eq(outbox.dedupeKey, ref))
    .returning();
  return row!.id;
}
const statusOf = async (id: number) =>
  (await database.db.select({ status: outbox.status }).from(outbox).where(eq(outbox.id, id)))[0]!.status;

describe('consultracker outbox', () => {
  it('lists dead messages and those pending over an hour, not fresh or sent ones', async () => {
    const dead = await message('approval:1:U02BOB', 'dead', 30);
    const stuck = await message('approval:2:U02BOB', 'pending', 90);
    await message('approval:3:U02BOB', 'pending', 5);
    await message('approval:4:U02BOB', 'sent', 600);
    const listed = await run('outbox', 'list');
    expect(listed).toMatchObject({ code: 0, err: '' });
    const lines = listed.out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^${dead}  post approval:1:U02BOB .* dead after 3 attempts  Slack refused: is_archived$`),
    );
    expect(lines[1]).toMatch(new RegExp(`^${stuck}  post approval:2:U02BOB .* pending, next try `));
  });

  it('says a long-pending message a dispatcher is sending is being sent, and until when its claim holds', async () => {
    const sending = await message('approval:2:U02BOB', 'pending', 90);
    const leasedUntil = new Date(Date.now() + 60_000);
    await database.db.update(outbox).set({ leasedUntil }).where(eq(outbox.id, sending));
    expect((await run('outbox', 'list')).out).toMatch(
      new RegExp(
        `^${sending}  post approval:2:U02BOB .* pending, being sent \\(claim held until ${leasedUntil.toISOString()}\\) after 3 attempts`,
      ),
    );
  });

  it('says so when nothing is undelivered', async () => {
    await message('approval:3:U02BOB', 'pending', 5);
    expect((await run('outbox', 'list')).out).toContain('Every Slack message was delivered or is on its way');
  });

  it('resends a dead message with a fresh window, refuses a pending one, and audits what it did', async () => {
    const dead = await message('approval:1:U02BOB', 'dead', 30);
    const stuck = await message('approval:2:U02BOB', 'pending', 90);
    const resent = await run('outbox', 'retry', String(dead), String(stuck));
    expect(resent.code).toBe(1);
    expect(resent.out).toBe(`Queued message ${dead} to be sent again, with a fresh delivery window.`);
    expect(resent.err).toContain(
      `Not resent (only dead messages can be; pending ones are still being retried): message ${stuck}.`,
    );
    const [row] = await database.db.select().from(outbox).where(eq(outbox.id, dead));
    // Tried before, so its next attempt is a retry (a post looks in its conversation first).
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.deliveringSince.getTime()).toBeGreaterThan(row!.createdAt.getTime());
    const audited = await database.db.select().from(auditLog).where(eq(auditLog.action, 'outbox.resend'));
    expect(audited.map((a) => [a.entityId, a.actorId])).toContainEqual([String(dead), 'system:cli']);
  });

  it('says there is no such message for an id nothing has, for retry and dismiss alike, and exits 1', async () => {
    for (const action of ['retry', 'dismiss']) {
      const answer = await run('outbox', action, '99999');
      expect(answer).toMatchObject({
        code: 1,
        err: 'No message 99999: `consultracker outbox list` shows the ids of undelivered messages.',
      });
    }
  });

  it('resends every dead message with --all', async () => {
    const a = await message('approval:1:U02BOB', 'dead', 30);
    const b = await message('approval:5:U02BOB', 'dead', 20);
    expect(await run('outbox', 'retry', '--all')).toMatchObject({ code: 0 });
    expect([await statusOf(a), await statusOf(b)]).toEqual(['pending', 'pending']);
  });

  it('dismisses dead and long-pending messages so they are neither sent nor listed', async () => {
    const dead = await message('approval:1:U02BOB', 'dead', 30);
    const stuck = await message('approval:2:U02BOB', 'pending', 90);
    const fresh = await message('approval:3:U02BOB', 'pending', 5);
    const dismissed = await run('outbox', 'dismiss', String(dead), String(stuck), String(fresh));
    expect(dismissed.out).toBe(`Dismissed messages ${dead}, ${stuck}; they will not be sent.`);
    expect(dismissed.err).toContain(`message ${fresh}`);
    expect([await statusOf(dead), await statusOf(stuck), await statusOf(fresh)]).toEqual([
      'dismissed',
      'dismissed',
      'pending',
    ]);
    expect((await run('outbox', 'list')).out).toContain('Every Slack message was delivered');
  });

  it('explains what it needs when the arguments are wrong', async () => {
    expect(await run('outbox')).toMatchObject({
      code: 1,
      err: expect.stringContaining('outbox needs list, retry or dismiss'),
    });
    expect(await run('outbox', 'retry', '12', 'abc')).toMatchObject({
      code: 1,
      err: expect.stringContaining(
        'outbox retry needs the ids that outbox list shows, e.g. consultracker outbox retry 42 43 (not an id: abc)',
      ),
    });
    expect(await run('outbox', 'list', 'x')).toMatchObject({
      code: 1,
      err: expect.stringContaining('outbox list takes no arguments'),
    });
  });
});
