/**
 * Slack misbehaving while a report is uploaded (issue 21): an upload URL refusing the bytes, a
 * 429 or a reset on asking for the URL, and a 500 when the files are shared. The asker is always
 * told: either the report is posted exactly once, or they read that nothing was posted and why.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import type { Fault } from '../support/fake-slack.js';
import { seedReportFirm } from '../support/report-firm.js';
import { ResilienceTally } from './tally.js';

let h: AppHarness;
const FINANCE = 'UFINANCE';
const CHANNEL = 'C0FINANCE';
const tally = new ResilienceTally('Slack faults during report uploads');

beforeAll(async () => {
  h = await startAppHarness({ now: '2026-12-05T09:00:00Z' });
  await seedReportFirm(h.database.db);
  h.fake.users.set(FINANCE, { id: FINANCE, real_name: 'Fiona Finance', tz: 'UTC' });
  h.fake.conversations.set(CHANNEL, { kind: 'public', appIsMember: true });
});
afterAll(async () => {
  tally.report();
  await h.stop();
});
beforeEach(() => h.fake.reset());

/** Asks for a report in the finance channel with `faults` queued, and returns what the asker was told. */
async function reportThrough(faults: [method: string, fault: Fault][]): Promise<string> {
  for (const [method, fault] of faults) h.fake.failNext(method, fault);
  tally.cases++;
  tally.faults += faults.length;
  const response = await h.slack.slashCommand({
    command: '/report',
    text: 'ar summary 2026-11-01',
    userId: FINANCE,
    channelId: CHANNEL,
  });
  expect((response.body as { text?: string }).text).toContain('Building the AR summary');
  return String((await h.fake.waitFor('response_url')).args.text);
}

const shared = () => (h.fake.messages.get(CHANNEL) ?? []).filter((message) => message.files);
const POSTED = 'Posted the AR summary for 1–15 Nov 2026';
const NOTHING_POSTED =
  /^The AR summary for 1–15 Nov 2026 could not be built or posted \((.+)\), so nothing was posted\./;

describe('a report upload while Slack fails', () => {
  it('an upload URL refusing the bytes once: the client sends them again, the report is shared once with every byte', async () => {
    const told = await reportThrough([['upload', { status: 500 }]]);
    expect(told).toContain(POSTED);
    expect(h.fake.callsTo('upload').filter((call) => call.args.refused === 500)).toHaveLength(1);
    tally.once(shared().length);
    const files = shared()[0]!.files!.map((file) => h.fake.uploads.get(file.id)!);
    expect(files.map((file) => file.bytes.length > 0)).toEqual([true, true]);
    expect(files[0]!.bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('an upload URL refusing the bytes every time: nothing is shared and the asker is told why', async () => {
    h.fake.outage({ status: 500 }, ['upload']);
    const told = await reportThrough([]);
    tally.faults += h.fake.callsTo('upload').length;
    expect(told).toMatch(NOTHING_POSTED);
    expect(told).toContain('statusCode = 500');
    expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(0);
    expect(shared()).toHaveLength(0);
  });

  it('429 with Retry-After when asking for an upload URL: the asker is told to try again, nothing is shared', async () => {
    const told = await reportThrough([['files.getUploadURLExternal', { status: 429, retryAfterSeconds: 30 }]]);
    expect(told).toMatch(NOTHING_POSTED);
    expect(told).toContain('Try again in a minute');
    expect(shared()).toHaveLength(0);
  });

  it('connections reset on every request for an upload URL: the asker is told, nothing is shared', async () => {
    h.fake.outage({ reset: true }, ['files.getUploadURLExternal']);
    const told = await reportThrough([]);
    tally.faults += h.fake.callsTo('files.getUploadURLExternal').length;
    expect(told).toMatch(NOTHING_POSTED);
    expect(shared()).toHaveLength(0);
  });

  it('one 500 when sharing the files: the client retries, the report is shared exactly once and the asker told where', async () => {
    const told = await reportThrough([['files.completeUploadExternal', { status: 500 }]]);
    expect(told).toContain(POSTED);
    expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(2);
    tally.once(shared().length);
    expect(shared()[0]!.files).toHaveLength(2);
  });
});
