/**
 * `npm run demo` is the first thing a new user runs: it must play the whole story through the
 * real app and leave the reports finance would have received.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../demo/run-demo.js';
import { drawScreen } from '../../scripts/block-kit-picture.js';

describe('npm run demo', () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'ct-demo-'));
  let result: DemoResult;

  beforeAll(async () => {
    result = await runDemo(outputDir);
  }, 120_000);
  afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

  it('shows a consultant logging time, a typo answered with a suggestion, and the form', () => {
    expect(result.transcript).toContain('Logged *3h* on *ACME-WEB* Website relaunch (Acme Corp)');
    expect(result.transcript).toContain('There is no project `ACME-WBE`. Did you mean `ACME-WEB`');
    expect(result.transcript).toContain('Carl Poe — form "Log time":');
  });

  it('keeps the main screens it showed, and each draws as one page with what Slack showed (the README pictures)', async () => {
    const shown: Record<string, string> = {};
    for (const screen of result.screens) {
      const pdf = await getDocumentProxy(new Uint8Array(await drawScreen(screen, result.names)));
      expect(pdf.numPages).toBe(1);
      shown[screen.name] = (await extractText(pdf, { mergePages: true })).text;
    }
    expect(Object.keys(shown)).toEqual(['log-reply', 'log-form', 'approval-dm', 'app-home']);
    expect(shown['log-reply']).toContain('Logged 3h on ACME-WEB Website relaunch (Acme Corp)');
    expect(shown['log-form']).toMatch(/Log time[\s\S]*Project[\s\S]*Description[\s\S]*Save/);
    expect(shown['approval-dm']).toMatch(/Alice Doe submitted a timesheet[\s\S]*Approve[\s\S]*Reject/);
    expect(shown['app-home']).toContain('Hi Alice Doe');
  });

  it('shows the approval loop: DMs to each manager, a rejection with its reason, a fixed resubmission approved', () => {
    const story = result.transcript;
    const rejected = story.indexOf('>Friday 27 November is missing');
    const resubmitted = story.indexOf(
      'Submitted your timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026 with 58h in 10 entries',
    );
    const approved = story.indexOf(
      'Your timesheet for Sun 1 Nov 2026 – Mon 30 Nov 2026 is approved: 58h (58h billable).',
    );
    expect(story).toContain('Dana Lee — DM from ConsulTracker:');
    expect(story).toContain('is approved: 58h 45m (58h 45m billable).');
    expect(rejected).toBeGreaterThan(0);
    expect(resubmitted).toBeGreaterThan(rejected);
    expect(approved).toBeGreaterThan(resubmitted);
  });

  it('reminds everyone who has not submitted at 16:00 on the last working day, with their hours per day', () => {
    const reminder = result.transcript.slice(result.transcript.indexOf('(scheduled) period-end reminder'));
    expect(reminder).toContain('Carl Poe — DM from ConsulTracker:');
    expect(reminder).toContain('Today is the last working day of the period *');
    expect(reminder).toContain('Total *52h*');
    expect(reminder).toContain('[Open timesheet] [Submit timesheet]');
  });

  it('warns once per place when the prepaid customer falls below its threshold, and drafts one top-up invoice', () => {
    const alert = '*Globex Corporation* (GLOBEX) fell below its low-credit threshold of 5h.';
    // The finance channel and the customer's two managers, once each.
    expect(result.transcript.split(alert)).toHaveLength(4);
    expect(result.transcript.split('*Draft top-up invoice* for Globex Corporation (GLOBEX)')).toHaveLength(2);
    expect(result.transcript).toContain('*Total* $2,000.00');
  });

  it('drafts the hourly customer’s invoice, issues it with the year’s first number, and leaves both PDFs', async () => {
    expect(result.transcript).toContain('Drafted 1 invoice for 1–30 Nov 2026');
    expect(result.transcript).toContain(':receipt: *Invoice 2026-0001* for Acme Corp (ACME)');
    const pdf = await getDocumentProxy(new Uint8Array(readFileSync(join(outputDir, 'invoice-2026-0001-ACME.pdf'))));
    const { text } = await extractText(pdf, { mergePages: true });
    expect(text).toContain('2026-0001');
    expect(text).toContain('14,890.00');
  });

  it('leaves the four reports finance received, as PDF and CSV, with November’s approved time in them', async () => {
    expect(result.files.sort()).toEqual([
      'ap-detail-2026-11-01.csv',
      'ap-detail-2026-11-01.pdf',
      'ap-summary-2026-11-01.csv',
      'ap-summary-2026-11-01.pdf',
      'ar-detail-2026-11-01.csv',
      'ar-detail-2026-11-01.pdf',
      'ar-summary-2026-11-01.csv',
      'ar-summary-2026-11-01.pdf',
      'invoice-2026-0001-ACME.pdf',
      'invoice-draft-1-GLOBEX.pdf',
      'invoice-draft-2-ACME.pdf',
    ]);
    const pdf = await getDocumentProxy(new Uint8Array(readFileSync(join(outputDir, 'ar-summary-2026-11-01.pdf'))));
    const { text } = await extractText(pdf, { mergePages: true });
    expect(text).toContain('Accounts Receivable');
    expect(text).toContain('Acme Corp');
    const apDetail = readFileSync(join(outputDir, 'ap-detail-2026-11-01.csv'), 'utf8');
    // 21 entries of Alice, 10 of Carl, 10 of Dana, plus the header.
    expect(apDetail.trim().split('\n')).toHaveLength(42);
    expect(readFileSync(join(outputDir, 'transcript.txt'), 'utf8')).toBe(result.transcript);
  });
});
