/**
 * Draws the first page of each report (AR and AP, summary and detail) and of an invoice (draft and
 * issued) for a small demo firm into docs/, so the pictures in the README always show what the
 * code prints.
 *
 *   npm run docs:pictures
 */
import { writeFileSync } from 'node:fs';
import * as mupdf from 'mupdf';
import { seedApprovedEntries } from '../bench/report-data.js';
import { openPglite } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { silentLogger } from '../src/logger.js';
import { buildReportFiles } from '../src/reports/report-files.js';
import { ReportRenderer } from '../src/reports/render-pool.js';
import type { ServiceContext } from '../src/services/context.js';
import { prepareReport } from '../src/services/reports.js';
import { invoicePdf } from '../src/reports/invoice-pdf.js';
import { invoiceDocument } from '../src/services/invoice-documents.js';
import { draftInvoices } from '../src/services/invoices.js';
import { issueInvoice } from '../src/services/invoice-decisions.js';
import { importSetup } from '../src/services/setup-import.js';

const DEMO_FIRM = `
settings:
  firm_name: Northwind Consulting GmbH
  firm_address: "Hafenstraße 12\\n20457 Hamburg\\nGermany"
  firm_tax_id: DE 123 456 789
customers:
  - code: ACME
    name: Acme Corp
    currency: USD
    address: "1 Main Street, Suite 400\\nSpringfield, IL 62701\\nUnited States"
    tax_id: US 12-3456789
    billing_email: ap@acme.example
    payment_terms_days: 14
    invoice_rounding: 15
  - { code: GLOBEX, name: Globex Europe SE, currency: EUR }
  - { code: KAISHA, name: Kaisha KK, currency: JPY }
employees:
  - { user: U01ZOE, name: Zoë Brønsted, consultant: { cost_rate: '70.00', price_rate: '140.00' } }
  - { user: U02ELENA, name: Έλενα Παπαδοπούλου, consultant: { cost_rate: '82.50', price_rate: '165.00' } }
  - { user: U03IVAN, name: Иван Петров, consultant: { cost_rate: '65.50', price_rate: '130.10' } }
projects:
  - { code: ACME-WEB, customer: ACME, name: Website relaunch, consultants: [{ user: U01ZOE, price_rate: '140.00' }, { user: U03IVAN, price_rate: '130.10' }] }
  - { code: ACME-APP, customer: ACME, name: Mobile app, consultants: [{ user: U02ELENA, price_rate: '180.00' }] }
  - { code: GLOBEX-OPS, customer: GLOBEX, name: Operations support, consultants: [{ user: U01ZOE }, { user: U02ELENA }] }
  - { code: KAISHA-ERP, customer: KAISHA, name: ERP rollout, consultants: [{ user: U03IVAN, price_rate: '19500' }] }
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
    const file = `docs/report-${kind}-${level}.png`;
    drawFirstPage(pdf.bytes, file);
    console.log(`${file}: page 1 of ${pdf.filename} (${built.rows} rows)`);
  }

  const drafted = await draftInvoices(ctx, {
    periods: [{ kind: 'starts', on: '2026-11-01' }],
    customerCodes: ['ACME'],
    channel: undefined,
  });
  if (!drafted.ok) throw new Error(drafted.error.message);
  const invoiceId = drafted.drafted[0]!.invoiceId;
  drawFirstPage(await invoicePdf((await invoiceDocument(ctx.db, invoiceId))!, 'draft'), 'docs/invoice-draft.png');
  const issued = await issueInvoice(ctx, { invoiceId });
  if (!issued.ok) throw new Error(issued.error.message);
  drawFirstPage(await invoicePdf((await invoiceDocument(ctx.db, invoiceId))!, 'issued'), 'docs/invoice-issued.png');
  console.log(`docs/invoice-draft.png, docs/invoice-issued.png: invoice ${issued.number}`);
} finally {
  await renderer.close();
  await connection.close();
}

function drawFirstPage(pdf: Buffer, file: string): void {
  const page = mupdf.Document.openDocument(pdf, 'application/pdf').loadPage(0);
  const picture = page.toPixmap(mupdf.Matrix.scale(1.5, 1.5), mupdf.ColorSpace.DeviceRGB, false, true).asPNG();
  writeFileSync(new URL(`../${file}`, import.meta.url), picture);
}
