/**
 * A detail is planned, then read in pages after Slack was answered. When an approved sheet is
 * deleted in between (an administrator's click while the report builds), the first page may come
 * back empty: the CSV must still carry one BOM and one header row, not one per page.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import { ReportRenderer } from '../../src/reports/render-pool.js';
import { reportHeading } from '../../src/reports/report-heading.js';
import { adminDecide } from '../../src/services/approval-decisions.js';
import { planDetail, prepareReport, reportDetailPages } from '../../src/services/reports.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { asUser, serviceContext } from '../support/fixtures.js';
import { seedReportFirm } from '../support/report-firm.js';
import { TestClock } from '../support/test-clock.js';

let database: TestDatabase;
let renderer: ReportRenderer;
const clock = new TestClock('2026-12-05T09:00:00Z');
const finance = () => serviceContext(database.db, asUser('UFINANCE'), clock);

beforeAll(async () => {
  database = await createTestDatabase();
  await seedReportFirm(database.db);
  renderer = new ReportRenderer({ threads: 1, queueLimit: 5 });
});
afterAll(async () => {
  await renderer.close();
  await database.drop();
});

it('an emptied first page does not repeat the BOM and header in the CSV', async () => {
  const prepared = await prepareReport(finance(), {
    kind: 'ar',
    level: 'detail',
    periods: [{ kind: 'starts', on: '2026-11-01' }],
    customerCodes: [],
    projectCodes: [],
    consultantUserIds: [],
  });
  if (!prepared.ok) throw new Error(prepared.error.message);
  const { spec } = prepared;
  const plan = await planDetail(finance(), spec);
  // ACME-APP, the first group, holds only Zoë's time; her approved sheet is deleted after the plan.
  const [zoeEntry] = await database.db
    .select()
    .from(timeEntries)
    .where(eq(timeEntries.description, 'Αρχιτεκτονική · Архитектура'));
  const deleted = await adminDecide(serviceContext(database.db, asUser('UADMIN'), clock), {
    timesheetId: zoeEntry!.timesheetId,
    decision: 'delete',
  });
  expect(deleted).toMatchObject({ ok: true });

  const rendered = await renderer.render(
    { kind: 'ar', level: 'detail', heading: reportHeading(spec), withPdf: false },
    reportDetailPages(finance(), spec, plan, 1),
  );
  const text = rendered.csv.toString('utf8');
  const lines = text.split('\r\n').filter(Boolean);
  expect(lines.filter((line) => line.replace(/^\uFEFF/, '').startsWith('entry_id,'))).toHaveLength(1);
  expect(text.match(/\uFEFF/g)).toHaveLength(1);
});
