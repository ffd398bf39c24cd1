/**
 * Invoices over HTTP against the fake Slack: /invoice draft posts each draft to the finance channel
 * with its DRAFT PDF in the thread; Issue updates the message in place and adds the final PDF; Void
 * asks for a reason and re-posts the PDF marked VOID; a forged click changes nothing; /invoice list
 * re-sends a PDF; /invoice export uploads the three CSVs.
 */
import { eq } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { invoices, outbox } from '../../src/db/schema.js';
import { readSettings } from '../../src/services/settings.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import type { StoredMessage } from '../support/fake-slack.js';
import { addPeriod } from '../support/fixtures.js';
import { approvedSheet, entry, seedInvoiceFirm } from '../support/invoice-firm.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

let h: AppHarness;
const FINANCE = 'C0FINANCE';

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-12-10T12:00:00Z', financeChannel: FINANCE });
  // The test delivers the outbox itself, so it sees each step.
  await h.app.outbox.stop();
  const firm = await seedInvoiceFirm(h.database.db);
  for (const [id, name] of [
    ['UFIN', 'Fiona Finance'],
    ['UPAY', 'Paul Payable'],
  ] as const)
    h.fake.users.set(id, { id, real_name: name, tz: 'UTC' });
  h.fake.conversations.set(FINANCE, { kind: 'public', appIsMember: true });
  const sheet = await approvedSheet(h.database.db, firm.consultants.alice, firm.periods.nov);
  await entry(h.database.db, {
    sheet,
    project: firm.projects['ACME-WEB'],
    date: '2026-11-03',
    minutes: 50,
    rate: 15000,
    description: 'Design review',
  });
  await entry(h.database.db, {
    sheet,
    project: firm.projects['BETA-OPS'],
    date: '2026-11-04',
    minutes: 60,
    rate: 10000,
  });
});
afterAll(async () => h.stop());

async function delivered(): Promise<void> {
  await h.app.settled();
  for (let i = 0; i < 50; i++) {
    await h.app.outbox.runOnce();
    const pending = await h.database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    if (pending.length === 0) return;
    h.clock.advance({ seconds: 5 });
  }
  throw new Error('the outbox did not drain');
}

const command = (text: string, userId = 'UFIN') =>
  h.slack.slashCommand({ command: '/invoice', text, userId, channelId: FINANCE });
const ackText = (response: { body: unknown }) => JSON.stringify(response.body);
const financeMessages = () => (h.fake.messages.get(FINANCE) ?? []).filter((m) => !m.files);
const uploadsInThread = (ts: string) =>
  h.fake.callsTo('files.completeUploadExternal').filter((c) => c.args.thread_ts === ts);
async function pdfOf(call: { args: Record<string, unknown> }): Promise<string> {
  const [file] = call.args.files as { id: string }[];
  const bytes = h.fake.uploads.get(file!.id)!.bytes;
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text;
}
const buttons = (message: StoredMessage) =>
  (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
const press = (userId: string, actionId: string, value: string, messageTs = '1.1') =>
  h.slack.blockAction({
    userId,
    actionId,
    value,
    responseUrl: h.fake.responseUrl(),
    container: { type: 'message', channelId: FINANCE, messageTs },
  });

describe('the invoice flow in Slack', () => {
  it('drafts, issues and voids over HTTP: one message per invoice, updated in place, PDFs in its thread', async () => {
    const drafting = await command('draft');
    expect(ackText(drafting)).toContain('Drafting invoices from approved time');
    const reply = await h.fake.waitFor('response_url');
    expect(reply.args.text).toContain('Drafted 2 invoices for 1–30 Nov 2026');
    expect(reply.args.text).toContain('*ACME*: 1 entry, 1.00 h, $150.00');
    await delivered();

    const [acmeMessage, betaMessage] = financeMessages();
    expect(financeMessages()).toHaveLength(2);
    expect(JSON.stringify(acmeMessage!.blocks)).toContain('Draft invoice* for Acme Corp (ACME)');
    expectWithinSlackLimits('message', acmeMessage!);
    const [issue, voidButton] = buttons(acmeMessage!);
    expect([issue!.action_id, voidButton!.action_id]).toEqual([ids.invoice.issue, ids.invoice.void]);
    expect(JSON.stringify(issue)).toContain('"confirm"');
    expect(betaMessage).toBeDefined();
    const draftPdf = uploadsInThread(acmeMessage!.ts);
    expect(draftPdf).toHaveLength(1);
    expect(await pdfOf(draftPdf[0]!)).toContain('DRAFT');

    // A forged Issue click from someone without the receivable right: refused, nothing changes.
    await press('UPAY', ids.invoice.issue, issue!.value, acmeMessage!.ts);
    await h.app.settled();
    const refusal = await h.fake.waitFor('response_url', (c) => JSON.stringify(c.args).includes('Accounts Receivable'));
    expect(JSON.stringify(refusal.args)).toContain('You do not have the Accounts Receivable reports right');
    const [stillDraft] = await h.database.db
      .select()
      .from(invoices)
      .where(eq(invoices.id, Number(issue!.value)));
    expect(stillDraft).toMatchObject({ status: 'draft', number: null });

    await press('UFIN', ids.invoice.issue, issue!.value, acmeMessage!.ts);
    await delivered();
    const issued = financeMessages()[0]!;
    expect(issued.updates).toBe(1);
    expect(JSON.stringify(issued.blocks)).toContain('*Invoice 2026-0001* for Acme Corp (ACME)');
    expect(JSON.stringify(issued.blocks)).toContain('issued by Fiona Finance on 2026-12-10');
    expect(buttons(issued).map((b) => b.action_id)).toEqual([ids.invoice.void]);
    const afterIssue = uploadsInThread(acmeMessage!.ts);
    expect(afterIssue).toHaveLength(2);
    const finalText = await pdfOf(afterIssue[1]!);
    expect(finalText).toContain('2026-0001');
    expect(finalText).toContain('Total USD');
    expect(finalText).not.toContain('DRAFT');

    // Void asks for a reason first; without one the modal says so.
    await press('UFIN', ids.invoice.void, issue!.value, acmeMessage!.ts);
    const opened = await h.fake.waitFor('views.open');
    expect(JSON.stringify(opened.args.view)).toContain(ids.invoice.voidModal);
    const submit = (reason: string) =>
      h.slack.viewSubmission({
        userId: 'UFIN',
        callbackId: ids.invoice.voidModal,
        privateMetadata: JSON.stringify({ invoiceId: Number(issue!.value) }),
        values: {
          [ids.invoice.reason.block]: { [ids.invoice.reason.action]: { type: 'plain_text_input', value: reason } },
        },
      });
    expect(JSON.stringify((await submit(' ')).body)).toContain('Say why the invoice is voided');
    await submit('wrong purchase order');
    await delivered();
    const voided = financeMessages()[0]!;
    expect(JSON.stringify(voided.blocks)).toContain('is *void*');
    expect(JSON.stringify(voided.blocks)).toContain('voided by Fiona Finance: wrong purchase order');
    expect(buttons(voided)).toEqual([]);
    const afterVoid = uploadsInThread(acmeMessage!.ts);
    expect(afterVoid).toHaveLength(3);
    expect(await pdfOf(afterVoid[2]!)).toContain('This invoice is void: wrong purchase order');
  });

  it('/invoice list shows each invoice with a PDF button that sends its PDF to the asker', async () => {
    const listed = await command('list customer:ACME');
    const body = ackText(listed);
    expect(body).toContain('*2026-0001* · ACME · void · $150.00');
    const value = String(
      await h.database.db
        .select({ id: invoices.id })
        .from(invoices)
        .where(eq(invoices.number, '2026-0001'))
        .then((r) => r[0]!.id),
    );
    await press('UFIN', ids.invoice.repost, value);
    await delivered();
    const toAsker = h.fake.callsTo('files.completeUploadExternal').filter((c) => c.args.channel_id === 'DUFIN');
    expect(toAsker).toHaveLength(1);
    expect(await pdfOf(toAsker[0]!)).toContain('2026-0001');
  });

  it('/invoice export uploads the Xero, QuickBooks and own CSVs of the issued invoices in one message', async () => {
    const betaId = (await h.database.db.select().from(invoices).where(eq(invoices.status, 'draft')))[0]!.id;
    await press('UFIN', ids.invoice.issue, String(betaId));
    await delivered();
    h.fake.reset();
    const exporting = await command('export this');
    expect(ackText(exporting)).toContain('Exporting 1 issued invoices for 1–31 Dec 2026');
    const told = await h.fake.waitFor('response_url');
    expect(told.args.text).toContain('invoices-2026-12-01-to-2026-12-31-xero.csv');
    const [message] = (h.fake.messages.get(FINANCE) ?? []).filter((m) => m.files);
    expect(message!.files!.map((f) => f.title)).toEqual([
      'Invoices for Xero · 1–31 Dec 2026',
      'Invoices for QuickBooks · 1–31 Dec 2026',
      'Invoices · 1–31 Dec 2026',
    ]);
    const own = h.fake.uploads.get(message!.files![2]!.id)!.bytes.toString('utf8');
    expect(own).toContain('2026-0002,issued,BETA,2026-12-10,2027-01-09');
  });

  it('/admin > Settings shows every bad invoice setting inline at once, and saves good ones', async () => {
    const value = (text: string) => ({ type: 'plain_text_input', value: text });
    const submit = (values: Record<string, string>) =>
      h.slack.viewSubmission({
        userId: 'UADMIN',
        callbackId: ids.admin.settingsModal,
        values: Object.fromEntries(Object.entries(values).map(([key, text]) => [key, { [key]: value(text) }])),
      });
    const refused = await submit({
      invoice_number_format: 'INV-{NNNN}',
      payment_terms_days: 'thirty',
      firm_tax_id: 'GB1',
    });
    expect(refused.body).toEqual({
      response_action: 'errors',
      errors: {
        payment_terms_days: 'Payment terms (days) must be a whole number of days from 0 to 365, like 30',
        invoice_number_format: expect.stringContaining('needs the year'),
      },
    });
    expect((await readSettings(h.database.db)).firm_tax_id).toBe('');
    expect(
      (await submit({ invoice_number_format: 'INV-{YY}-{NNN}', payment_terms_days: '10', firm_tax_id: 'GB1' })).status,
    ).toBe(200);
    expect(await readSettings(h.database.db)).toMatchObject({
      invoice_number_format: 'INV-{YY}-{NNN}',
      payment_terms_days: 10,
      firm_tax_id: 'GB1',
    });
  });

  it('refuses a command it cannot read, with the usage', async () => {
    expect(ackText(await command('send everything'))).toContain('/invoice draft [periods] [customer:CODE]');
  });
});

describe('without FINANCE_CHANNEL', () => {
  it('posts each draft, with its DRAFT PDF in the thread, to the drafter’s DM', async () => {
    const solo = await startAppHarness({ now: '2026-12-10T12:00:00Z' });
    try {
      const firm = await seedInvoiceFirm(solo.database.db);
      solo.fake.users.set('UFIN', { id: 'UFIN', real_name: 'Fiona Finance', tz: 'UTC' });
      const sheet = await approvedSheet(solo.database.db, firm.consultants.alice, firm.periods.nov);
      await entry(solo.database.db, {
        sheet,
        project: firm.projects['ACME-WEB'],
        date: '2026-11-03',
        minutes: 60,
        rate: 15000,
      });

      await solo.slack.slashCommand({ command: '/invoice', text: 'draft', userId: 'UFIN', channelId: 'C0ELSEWHERE' });
      const post = await solo.fake.waitFor('chat.postMessage', (call) =>
        JSON.stringify(call.args).includes('Draft invoice'),
      );
      expect(post.args.channel).toBe('UFIN');
      const upload = await solo.fake.waitFor('files.completeUploadExternal');
      // Its thread is in the DM Slack opened for the user (the fake names it D + the user id).
      expect(upload.args).toMatchObject({ channel_id: 'DUFIN', thread_ts: expect.any(String) });
      expect(solo.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0ELSEWHERE')).toEqual([]);
    } finally {
      await solo.stop();
    }
  });
});

describe('time approved after its period was drafted', () => {
  it('is named in the answer to /invoice draft, with the command that drafts it', async () => {
    const late = await startAppHarness({ now: '2026-12-10T12:00:00Z', financeChannel: FINANCE });
    try {
      const firm = await seedInvoiceFirm(late.database.db);
      late.fake.users.set('UFIN', { id: 'UFIN', real_name: 'Fiona Finance', tz: 'UTC' });
      late.fake.conversations.set(FINANCE, { kind: 'public', appIsMember: true });
      const october = await addPeriod(late.database.db, '2026-10-01', '2026-10-31');
      const sheet = await approvedSheet(late.database.db, firm.consultants.alice, october);
      await entry(late.database.db, {
        sheet,
        project: firm.projects['ACME-WEB'],
        date: '2026-10-20',
        minutes: 90,
        rate: 15000,
      });

      await late.slack.slashCommand({ command: '/invoice', text: 'draft', userId: 'UFIN', channelId: FINANCE });
      const reply = await late.fake.waitFor('response_url');
      expect(reply.args.text).toBe(
        [
          'Nothing new to invoice for 1–30 Nov 2026.',
          'Approved after their period was drafted, and on no invoice yet:',
          '• Thu 1 Oct 2026 – Sat 31 Oct 2026: 1h 30m (ACME): `/invoice draft 2026-10-01`',
        ].join('\n'),
      );
    } finally {
      await late.stop();
    }
  });
});

describe('/invoice draft whose response_url drops the connection', () => {
  it('answers with the drafts in a DM instead, and says nothing of a failure', async () => {
    const dropped = await startAppHarness({ now: '2026-12-10T12:00:00Z', financeChannel: FINANCE });
    try {
      const firm = await seedInvoiceFirm(dropped.database.db);
      dropped.fake.users.set('UFIN', { id: 'UFIN', real_name: 'Fiona Finance', tz: 'UTC' });
      dropped.fake.conversations.set(FINANCE, { kind: 'public', appIsMember: true });
      const sheet = await approvedSheet(dropped.database.db, firm.consultants.alice, firm.periods.nov);
      await entry(dropped.database.db, {
        sheet,
        project: firm.projects['ACME-WEB'],
        date: '2026-11-03',
        minutes: 60,
        rate: 15000,
      });
      dropped.fake.failNext('response_url', { reset: true });
      await dropped.slack.slashCommand({ command: '/invoice', text: 'draft', userId: 'UFIN', channelId: FINANCE });
      await dropped.app.settled();
      expect(await dropped.database.db.select().from(invoices)).toHaveLength(1);
      const told = JSON.stringify(dropped.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'UFIN'));
      expect(told).toContain('Drafted 1 invoice for 1–30 Nov 2026');
      expect(told).not.toContain('went wrong');
    } finally {
      await dropped.stop();
    }
  });
});
