/**
 * Two app processes on one PostgreSQL database, requests alternated between them (issue 21): the
 * main flows (/log, /timesheet submit, approvals from the DM, /report, /invoice draft and Issue)
 * end with every row saved once and every DM, post and file delivered once, while both
 * processes' outbox dispatchers and job runners work on the same tables. PostgreSQL only: an
 * embedded database has one owner.
 */
import { eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { type Database, queryRows } from '../../src/db/client.js';
import { approvals, invoices, outbox, timeEntries, timesheets } from '../../src/db/schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { silentLogger } from '../../src/logger.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type FakeSlack, type StoredMessage, startFakeSlack } from '../support/fake-slack.js';
import { type SlackResponse, SlackClientSimulator } from '../support/slack-requests.js';
import { type AppProcess, type KeptDatabase, keptDatabase, startAppProcess, stopGracefully } from './app-process.js';
import { ResilienceTally } from './tally.js';

const SECRET = 'two-instances-secret';
const CONSULTANTS = ['U01ALICE', 'U02BOB'];
const MANAGERS = ['U01MGR', 'U02MGR'];
const FIONA = 'UFIN';
const FINANCE = 'C0FINANCE';
const REPORTS = 'C0REPORTS';
const ENTRIES_EACH = 5;
const tally = new ResilienceTally('two instances');
const NAMES = new Map([
  ...CONSULTANTS.map((id, i) => [id, `Consultant ${i + 1}`] as const),
  ...MANAGERS.map((id, i) => [id, `Manager ${i + 1}`] as const),
  [FIONA, 'Fiona Finance'],
]);

/** The app runs on the real clock: the period is the current month. */
const today = new Date();
const day = (date: Date) => date.toISOString().slice(0, 10);
const FIRST = day(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)));
const LAST = day(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0)));

const FIRM = `
customers:
  - { code: ACME, name: Acme Corp, currency: USD, billing: hourly }
employees:
${CONSULTANTS.map((id) => `  - { user: ${id}, name: ${NAMES.get(id)}, consultant: { cost_rate: '70.00', price_rate: '140.00' } }`).join('\n')}
${MANAGERS.map((id) => `  - { user: ${id}, name: ${NAMES.get(id)}, manager: true }`).join('\n')}
  - { user: ${FIONA}, name: Fiona Finance }
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, managers: [${MANAGERS.join(', ')}], consultants: [${CONSULTANTS.map((id) => `{ user: ${id} }`).join(', ')}] }
roles:
  - { name: Consultant, rights: [entry] }
  - { name: Manager, rights: [approval] }
  - { name: Finance, rights: [receivable, payable] }
users:
${CONSULTANTS.map((id) => `  - { user: ${id}, roles: [Consultant] }`).join('\n')}
${MANAGERS.map((id) => `  - { user: ${id}, roles: [Manager] }`).join('\n')}
  - { user: ${FIONA}, roles: [Finance] }
periods:
  - { starts: ${FIRST}, ends: ${LAST} }
`;

describe('two app processes on one PostgreSQL database, requests alternated', () => {
  let fake: FakeSlack;
  let database: KeptDatabase;
  const apps: AppProcess[] = [];
  const clients: SlackClientSimulator[] = [];
  let requests = 0;
  /** The next instance in turn. */
  const next = () => clients[requests++ % clients.length]!;
  /** The test's own connection beside the apps' (PostgreSQL allows both). */
  let db: Database;

  beforeAll(async () => {
    fake = await startFakeSlack();
    for (const [id, name] of NAMES) fake.users.set(id, { id, real_name: name, tz: 'UTC' });
    database = await keptDatabase();
    await database.use(async (handle) => {
      db = handle;
      const imported = await importSetup(
        {
          db,
          actor: { kind: 'system', name: 'cli' },
          clock: systemClock,
          log: silentLogger,
          org: { timeZone: 'UTC', currency: 'USD' },
        },
        FIRM,
      );
      expect(imported.ok).toBe(true);
    });
    const env = {
      ...database.env,
      SLACK_BOT_TOKEN: 'xoxb-two',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      FINANCE_CHANNEL: FINANCE,
    };
    apps.push(...(await Promise.all([startAppProcess(env), startAppProcess(env)])));
    for (const app of apps)
      clients.push(new SlackClientSimulator({ appUrl: app.url, signingSecret: SECRET, responseUrl: fake.responseUrl }));
    // Two processes compiling the app at once on a busy 2-core machine can take a while.
  }, 120_000);

  afterAll(async () => {
    tally.report();
    await Promise.all(apps.map((app) => stopGracefully(app)));
    await database?.drop();
    await fake?.close();
  });

  async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every outbox message settled: sent by one of the two dispatchers. */
  const drained = () =>
    until('the outbox to drain', async () => {
      const pending = await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, 'pending'));
      return pending.length === 0;
    });

  /** The text a command was finally answered with: the ack, or past the deadline the reply to its response_url. */
  async function answerContaining(response: SlackResponse, expected: string): Promise<string> {
    expect(response.status).toBe(200);
    const ack = JSON.stringify(response.body);
    if (ack.includes(expected)) return ack;
    return JSON.stringify(
      (await fake.waitFor('response_url', (call) => JSON.stringify(call.args).includes(expected))).args,
    );
  }

  /** Each flow builds on the ones before: run once, by whichever test needs it first, so a test passes alone. */
  const once = (work: () => Promise<void>) => {
    let done: Promise<void> | undefined;
    return () => (done ??= work());
  };
  const buttonValue = (message: StoredMessage, actionId: string) =>
    (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[])
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === actionId)?.value;
  const dms = (user: string) => fake.messages.get(`D${user}`) ?? [];
  const filesIn = (channel: string) =>
    (fake.messages.get(channel) ?? [])
      .flatMap((message) => message.files ?? [])
      .map((file) => fake.uploads.get(file.id)?.filename ?? file.id);
  const countOnce = (names: string[], expected: string[]) => {
    for (const name of expected) tally.once(names.filter((candidate) => candidate === name).length);
    expect(names.toSorted()).toEqual(expected.toSorted());
  };

  const logged = once(async () => {
    tally.cases++;
    const sent = CONSULTANTS.flatMap((user) =>
      Array.from({ length: ENTRIES_EACH }, (_, n) => ({ user, tag: `two-${user}-${n}` })),
    );
    const answers = await Promise.all(
      sent.map(({ user, tag }) =>
        next()
          .slashCommand({ command: '/log', text: `1h ACME-WEB ${tag}`, userId: user })
          .then((response) => answerContaining(response, tag)),
      ),
    );
    for (const answer of answers) expect(answer).toContain('Logged');
    const rows = await db
      .select({ description: timeEntries.description })
      .from(timeEntries)
      .where(like(timeEntries.description, 'two-%'));
    countOnce(
      rows.map((row) => row.description),
      sent.map((request) => request.tag),
    );
  });

  const submitted = once(async () => {
    tally.cases++;
    await logged();
    for (const user of CONSULTANTS)
      await answerContaining(
        await next().slashCommand({ command: '/timesheet', text: 'submit', userId: user }),
        'Submitted your timesheet',
      );
    await until('every approval DM', () => MANAGERS.every((manager) => dms(manager).length >= CONSULTANTS.length));
    await drained();
    for (const manager of MANAGERS) {
      for (const consultant of CONSULTANTS)
        tally.once(dms(manager).filter((dm) => JSON.stringify(dm.blocks).includes(NAMES.get(consultant)!)).length);
      expect(dms(manager)).toHaveLength(CONSULTANTS.length);
    }
  });

  const approved = once(async () => {
    tally.cases++;
    await submitted();
    for (const manager of MANAGERS)
      for (const message of dms(manager)) {
        const value = buttonValue(message, ids.approval.approve);
        expect(value, `${manager}'s DM offers Approve`).toBeDefined();
        const response = await next().blockAction({
          userId: manager,
          actionId: ids.approval.approve,
          value,
          responseUrl: fake.responseUrl(),
          container: { type: 'message', channelId: `D${manager}`, messageTs: message.ts },
        });
        expect(response.status).toBe(200);
      }
    await until('both sheets approved', async () => {
      const sheets = await db.select({ status: timesheets.status }).from(timesheets);
      return sheets.length === CONSULTANTS.length && sheets.every((sheet) => sheet.status === 'approved');
    });
    await until('both consultants told', () =>
      CONSULTANTS.every((user) => JSON.stringify(dms(user)).includes('is approved')),
    );
    await drained();
    const decided = await db.select({ status: approvals.status }).from(approvals);
    expect(decided.map((row) => row.status)).toEqual(Array(MANAGERS.length * CONSULTANTS.length).fill('approved'));
    for (const manager of MANAGERS) {
      expect(dms(manager)).toHaveLength(CONSULTANTS.length);
      for (const message of dms(manager)) expect(JSON.stringify(message.blocks)).toContain('*Approved* by everyone');
    }
    for (const user of CONSULTANTS)
      tally.once(dms(user).filter((message) => JSON.stringify(message.text).includes('is approved')).length);
  });

  const reported = once(async () => {
    tally.cases++;
    await approved();
    for (const kind of ['ar', 'ap'])
      expect(
        (
          await next().slashCommand({
            command: '/report',
            text: `${kind} summary ${FIRST}`,
            userId: FIONA,
            channelId: REPORTS,
          })
        ).status,
      ).toBe(200);
    await until('both reports', () => filesIn(REPORTS).length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((fake.messages.get(REPORTS) ?? []).map((message) => message.files?.length)).toEqual([2, 2]);
    countOnce(filesIn(REPORTS), [
      `ar-summary-${FIRST}.pdf`,
      `ar-summary-${FIRST}.csv`,
      `ap-summary-${FIRST}.pdf`,
      `ap-summary-${FIRST}.csv`,
    ]);
  });

  const invoiced = once(async () => {
    tally.cases++;
    await approved();
    await answerContaining(
      await next().slashCommand({ command: '/invoice', text: `draft ${FIRST}`, userId: FIONA }),
      'ACME',
    );
    await until('the draft and its PDF in finance', () => filesIn(FINANCE).length === 1);
    const [message] = (fake.messages.get(FINANCE) ?? []).filter((posted) => !posted.files);
    const [draft] = await db.select().from(invoices);
    expect(draft).toMatchObject({ status: 'draft', totalCents: CONSULTANTS.length * ENTRIES_EACH * 14_000 });
    expect(
      (
        await next().blockAction({
          userId: FIONA,
          actionId: ids.invoice.issue,
          value: buttonValue(message!, ids.invoice.issue),
          responseUrl: fake.responseUrl(),
          container: { type: 'message', channelId: FINANCE, messageTs: message!.ts },
        })
      ).status,
    ).toBe(200);
    const number = `${today.getUTCFullYear()}-0001`;
    await until('the issued PDF in finance', () => filesIn(FINANCE).length >= 2);
    await drained();
    const all = await db.select().from(invoices);
    expect(all.map((invoice) => [invoice.status, invoice.number])).toEqual([['issued', number]]);
    const posts = (fake.messages.get(FINANCE) ?? []).filter((posted) => !posted.files);
    tally.once(posts.length);
    expect(JSON.stringify(posts[0]!.blocks)).toContain(`*Invoice ${number}*`);
    countOnce(filesIn(FINANCE), [`invoice-draft-${draft!.id}-ACME.pdf`, `invoice-${number}-ACME.pdf`]);
  });

  const accounted = once(async () => {
    tally.cases++;
    await reported();
    await invoiced();
    const rows = await queryRows<{ status: string; attempts: number; posts: number }>(
      db,
      sql`select o.status, o.attempts,
                 (select count(*)::int from slack_messages m where m.ref = o.payload->>'ref') as posts
            from outbox o where o.kind = 'post'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.status).toBe('sent');
      tally.once(Number(row.posts));
    }
    // Every post carries its outbox id; none reached Slack twice.
    const carried = [...fake.messages.values()]
      .flat()
      .map((message) => JSON.stringify(message.metadata ?? null))
      .filter((metadata) => metadata !== 'null');
    expect(carried.length).toBeGreaterThan(0);
    expect(new Set(carried).size).toBe(carried.length);
  });

  it('/log: requests sent at once to both instances are each saved once', () => logged());
  it('/timesheet submit on either instance: each manager gets one approval DM per sheet', () => submitted());
  it('approvals from the DMs, alternated: both sheets approved, each DM updated in place, each consultant told once', () =>
    approved());
  it('/report on each instance: the AR and AP summaries each arrive once, PDF and CSV in one message', () =>
    reported());
  it('/invoice draft on one instance, Issue on the other: one invoice, one number, its message and each PDF once', () =>
    invoiced());
  it('across both instances: every outbox message was sent once and every post recorded once', () => accounted());
});
