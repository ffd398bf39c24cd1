/**
 * Draws the first page of each report (AR and AP, summary and detail) for a small demo firm
 * into docs/, so the pictures in the README always show what the code prints.
 *
 *   npm run docs:pictures
 */
import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import * as mupdf from 'mupdf';
import { seedApprovedEntries } from '../bench/report-data.js';
import { openPglite } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { silentLogger } from '../src/logger.js';
import { buildReportFiles } from '../src/reports/report-files.js';
import { ReportRenderer } from '../src/reports/render-pool.js';
import type { ServiceContext } from '../src/services/context.js';
import { prepareReport } from '../src/services/reports.js';
import { importSetup } from '../src/services/setup-import.js';

const DEMO_FIRM = `
settings: { firm_name: Northwind Consulting GmbH }
customers:
  - { code: ACME, name: Acme Corp, currency: USD }
  - { code: GLOBEX, name: Globex Europe SE, currency: EUR }
  - { code: KAISHA, name: Kaisha KK, currency: JPY }
employees:
  - { user: U01ZOE, name: Zoë Brønsted, consultant: { cost_rate: '70.00', price_rate: '140.00' } }
  - { user: U02ELENA, name: Έλενα Παπαδοπούλου, consultant: { cost_rate: '82.50', price_rate: '165.00' } }
  - { user: U03IVAN, name: Иван Петров, consultant: { cost_rate: '65.50', price_rate: '130.10' } }
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, consultants: [{ user: U01ZOE }, { user: U03IVAN }] }
  - { code: ACME-APP, customer: ACME, name: Mobile app, consultants: [{ user: U02ELENA, price_rate: '180.00' }] }
  - { code: GLOBEX-OPS, customer: GLOBEX, name: Operations support, consultants: [{ user: U01ZOE }, { user: U02ELENA }] }
  - { code: KAISHA-ERP, customer: KAISHA, name: ERP rollout, consultants: [{ user: U03IVAN }] }
users:
  - { user: U05ERIN, name: Erin Finance }
periods:
  - { starts: 2026-11-01, ends: 2026-11-30 }
`;

const connection = await openPglite({ inMemory: true });
await migrateDatabase(connection);
const ctx: ServiceContext = {
  db: connection.db,
  actor: { kind: 'system', name: 'cli' },
  clock: { now: () => new Date('2026-12-02T08:30:00Z') },
  log: silentLogger,
  org: { timeZone: 'Europe/Berlin', currency: 'EUR' },
};
const imported = await importSetup(ctx, DEMO_FIRM);
if (!imported.ok) throw new Error(imported.errors.join('\n'));
// Yen have no minor unit: ¥19,500 an hour is 19500, set here rather than through a decimal in the file.
await connection.db.execute(sql`
  update project_consultants set price_rate_cents = 19500
   where project_id = (select id from projects where code = 'KAISHA-ERP')`);
await seedApprovedEntries(connection.db, { periodStartsOn: '2026-11-01', count: 48 });

const renderer = new ReportRenderer({ threads: 1, queueLimit: 4 });
try {
  for (const [kind, level] of [
    ['ar', 'summary'],
    ['ar', 'detail'],
    ['ap', 'summary'],
    ['ap', 'detail'],
  ] as const) {
    const prepared = await prepareReport(ctx, {
      kind,
      level,
      periods: [{ kind: 'starts', on: '2026-11-01' }],
      customerCodes: [],
      projectCodes: [],
      consultantUserIds: [],
    });
    if (!prepared.ok) throw new Error(prepared.error.message);
    // The system actor stands in for a person; the picture names one.
    const spec = { ...prepared.spec, askedBy: { userId: 'U05ERIN', name: 'Erin Finance' } };
    const built = await buildReportFiles(ctx, spec, renderer, { pdfRowLimit: 50_000 });
    if (!built.ok) throw new Error(built.error.message);
    const pdf = built.files.find((file) => file.filename.endsWith('.pdf'))!;
    const page = mupdf.Document.openDocument(pdf.bytes, 'application/pdf').loadPage(0);
    const picture = page.toPixmap(mupdf.Matrix.scale(1.5, 1.5), mupdf.ColorSpace.DeviceRGB, false, true).asPNG();
    const file = `docs/report-${kind}-${level}.png`;
    writeFileSync(new URL(`../${file}`, import.meta.url), picture);
    console.log(`${file}: page 1 of ${pdf.filename} (${built.rows} rows)`);
  }
} finally {
  await renderer.close();
  await connection.close();
}
