/**
 * The app process killed with SIGKILL between issuing an invoice and posting it (issue 21). Issuing
 * a top-up invoice commits, in one transaction, its number from the year's counter, the prepaid
 * purchase it credits (credit on issue), and two outbox messages: the invoice message updated in
 * place and the issued PDF uploaded into its thread (src/services/invoice-decisions.ts). The fake
 * Slack holds the PDF's upload unanswered, so the process dies with the issue committed and the PDF
 * not delivered. On restart: one number, the credit once, the PDF once, and a second click on the
 * stale Issue button changes nothing.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { type Database, queryRows } from '../../src/db/client.js';
import { creditLedger, customers, invoices, outbox } from '../../src/db/schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { silentLogger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { draftTopupInvoice } from '../../src/services/invoices.js';
import { importSetup } from '../../src/services/setup-import.js';
import { type FakeSlack, type StoredMessage, startFakeSlack } from '../support/fake-slack.js';
import { SlackClientSimulator } from '../support/slack-requests.js';
import {
  type AppProcess,
  type KeptDatabase,
  keptDatabase,
  killHard,
  startAppProcess,
  stopGracefully,
} from './app-process.js';
import { ResilienceTally } from './tally.js';

const SECRET = 'invoice-crash-secret';
const FINANCE = 'C0FINANCE';
const FIONA = 'UFIN';
const tally = new ResilienceTally('invoice issue crash');

const FIRM = `
customers:
  - { code: PRE, name: Prepaid Ltd, currency: USD, billing: prepaid }
employees:
  - { user: ${FIONA}, name: Fiona Finance }
roles:
  - { name: Finance, rights: [receivable] }
users:
  - { user: ${FIONA}, roles: [Finance] }
`;

let fake: FakeSlack;
let database: KeptDatabase;
let app: AppProcess | undefined;
let invoiceId: number;

const system = (db: Database): ServiceContext => ({
  db,
  actor: { kind: 'system', name: 'cli' },
  clock: systemClock,
  log: silentLogger,
  org: { timeZone: 'UTC', currency: 'USD', financeChannel: FINANCE },
});

beforeAll(async () => {
  fake = await startFakeSlack();
  fake.users.set(FIONA, { id: FIONA, real_name: 'Fiona Finance', tz: 'UTC' });
  database = await keptDatabase();
  await database.use(async (db) => {
    expect((await importSetup(system(db), FIRM)).ok).toBe(true);
    const [pre] = await db.select().from(customers).where(eq(customers.code, 'PRE'));
    // A 10-hour package for $1,000.00, drafted for finance (as a low-credit crossing or /credits would).
    const drafted = await db.transaction((tx) =>
      draftTopupInvoice(tx, system(db), { customerId: pre!.id, minutes: 600, priceMinor: 100_000, channel: FINANCE }),
    );
    if (!drafted.ok) throw new Error(drafted.error.message);
    invoiceId = drafted.invoiceId;
  });
}, 60_000);

afterAll(async () => {
  tally.report();
  if (app) await killHard(app);
  await database?.drop();
  await fake?.close();
});

async function start(): Promise<SlackClientSimulator> {
  app = await startAppProcess({
    ...database.env,
    SLACK_BOT_TOKEN: 'xoxb-crash',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    FINANCE_CHANNEL: FINANCE,
  });
  return new SlackClientSimulator({ appUrl: app.url, signingSecret: SECRET, responseUrl: fake.responseUrl });
}

/** Reads the database with no app process running (an embedded database has one owner). */
const whileStopped = <T>(work: (db: Database) => Promise<T>) => database.use(work);

/** The invoice's message in the finance channel (the PDFs in its thread left out). */
const invoiceMessages = () => (fake.messages.get(FINANCE) ?? []).filter((message) => !message.files);
/** The files shared in the finance channel, by file name. */
const financeFiles = () =>
  (fake.messages.get(FINANCE) ?? [])
    .flatMap((message) => message.files ?? [])
    .map((file) => fake.uploads.get(file.id)?.filename ?? file.id);

const pressIssue = (slack: SlackClientSimulator, message: StoredMessage) =>
  slack.blockAction({
    userId: FIONA,
    actionId: ids.invoice.issue,
    value: String(invoiceId),
    responseUrl: fake.responseUrl(),
    container: { type: 'message', channelId: FINANCE, messageTs: message.ts },
  });

describe('SIGKILL between issuing an invoice and posting it', () => {
  it('killed with the issue committed and its PDF upload unanswered: on restart the invoice has one number, its credit once, the PDF once; Issue again changes nothing', async () => {
    tally.cases++;
    let slack = await start();
    // The draft's message and its DRAFT PDF go out first.
    await fake.waitFor('files.completeUploadExternal', () => true, 30_000);
    const [draft] = invoiceMessages();
    expect(JSON.stringify(draft!.blocks)).toContain(ids.invoice.issue);

    fake.failNext('files.getUploadURLExternal', { hang: true });
    const year = new Date().getUTCFullYear();
    const number = `${year}-0001`;
    expect((await pressIssue(slack, draft!)).status).toBe(200);
    // The message is updated in place; then the issued PDF's upload gets no answer.
    await fake.waitFor('files.getUploadURLExternal', (call) => String(call.args.filename).includes(number), 30_000);
    expect(JSON.stringify(invoiceMessages()[0]!.blocks)).toContain(`*Invoice ${number}*`);
    await killHard(app!);
    app = undefined;
    tally.faults++;

    await whileStopped(async (db) => {
      // Committed before the kill: the issue, its number and its credit.
      const [issued] = await db.select().from(invoices).where(eq(invoices.id, invoiceId));
      expect(issued).toMatchObject({ status: 'issued', number, sequence: 1 });
      const [pdf] = await db
        .select()
        .from(outbox)
        .where(eq(outbox.dedupeKey, `invoice:${invoiceId}:pdf:issued`));
      expect(pdf).toMatchObject({ status: 'pending', attempts: 1 });
      // The dead process's lease (on the message's ref) would run out a minute later: let it have run out while the app was down.
      await db
        .update(outbox)
        .set({ leasedUntil: new Date(0) })
        .where(eq(outbox.status, 'pending'));
    });
    expect(financeFiles()).toEqual([`invoice-draft-${invoiceId}-PRE.pdf`]);

    slack = await start();
    // Not seeing the PDF, someone clicks Issue on the message as it stood before.
    await pressIssue(slack, draft!);
    const answer = await fake.waitFor('response_url', (call) => JSON.stringify(call.args).includes('already issued'));
    expect(JSON.stringify(answer.args)).toContain(`Invoice ${number} was already issued by Fiona Finance`);
    await fake.waitFor(
      'files.completeUploadExternal',
      (call) => JSON.stringify(call.args).includes(`Invoice ${number}`),
      30_000,
    );
    await stopGracefully(app!);
    app = undefined;

    await whileStopped(async (db) => {
      const issued = await db.select().from(invoices);
      expect(issued.map((invoice) => [invoice.id, invoice.status, invoice.number])).toEqual([
        [invoiceId, 'issued', number],
      ]);
      const [counter] = await queryRows<{ last: number }>(
        db,
        sql`select last_sequence as last from invoice_counters where year = ${year}`,
      );
      expect(Number(counter!.last)).toBe(1);
      const credits = await db.select().from(creditLedger).where(eq(creditLedger.invoiceId, invoiceId));
      tally.once(credits.length);
      expect(credits.map((row) => [row.kind, row.minutes, row.priceCents, row.note])).toEqual([
        ['purchase', 600, 100_000, `Invoice ${number}`],
      ]);
      const pending = await db.select().from(outbox).where(eq(outbox.status, 'pending'));
      expect(pending).toEqual([]);
    });
    tally.once(invoiceMessages().length);
    expect(invoiceMessages()).toHaveLength(1);
    expect(JSON.stringify(invoiceMessages()[0]!.blocks)).toContain(`*Invoice ${number}*`);
    const files = financeFiles();
    for (const name of [`invoice-draft-${invoiceId}-PRE.pdf`, `invoice-${number}-PRE.pdf`])
      tally.once(files.filter((file) => file === name).length);
    expect(files).toHaveLength(2);
  }, 120_000);
});
