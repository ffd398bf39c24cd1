/**
 * Issued invoices as CSV, one row per invoice line, in three layouts: Xero's sales-invoice import,
 * QuickBooks Online's invoice import, and the app's own (every figure, for your records). Amounts
 * are plain decimals in the invoice's currency; quantity x unit amount is each line's amount exactly
 * (see accountingQuantity), so every imported invoice adds up to its total.
 */
import { stringify } from 'csv-stringify/sync';
import { accountingQuantity } from '../domain/invoices.js';
import { formatAmount } from '../domain/money.js';
import type { InvoiceExport, InvoiceExportRow } from '../services/invoice-documents.js';

export type InvoiceCsvFile = { filename: string; title: string; bytes: Buffer };

export const XERO_COLUMNS = [
  '*ContactName',
  'EmailAddress',
  'POAddressLine1',
  'POCity',
  'POPostalCode',
  'POCountry',
  '*InvoiceNumber',
  'Reference',
  '*InvoiceDate',
  '*DueDate',
  'Description',
  '*Quantity',
  '*UnitAmount',
  '*AccountCode',
  '*TaxType',
  'Currency',
] as const;

export const QUICKBOOKS_COLUMNS = [
  'Invoice no',
  'Customer',
  'Invoice date',
  'Due date',
  'Terms',
  'Memo',
  'Item(Product/Service)',
  'Item Description',
  'Item Quantity',
  'Item Rate',
  'Item Amount',
  'Service Date',
] as const;

export const OWN_COLUMNS = [
  'invoice_number',
  'status',
  'customer_code',
  'issue_date',
  'due_date',
  'entry_id',
  'date',
  'project',
  'consultant',
  'description',
  'minutes',
  'rounded_minutes',
  'rate',
  'amount',
  'currency',
] as const;

/** The item QuickBooks books every line to; it must exist in the QuickBooks company. */
export const QUICKBOOKS_ITEM = 'Services';

export function invoiceCsvFiles(data: InvoiceExport): InvoiceCsvFile[] {
  const stem = `invoices-${data.firstDay}${data.firstDay === data.lastDay ? '' : `-to-${data.lastDay}`}`;
  return [
    {
      filename: `${stem}-xero.csv`,
      title: `Invoices for Xero · ${data.periods}`,
      bytes: csv(
        XERO_COLUMNS,
        data.rows.map((r) => xeroRecord(r, data)),
      ),
    },
    {
      filename: `${stem}-quickbooks.csv`,
      title: `Invoices for QuickBooks · ${data.periods}`,
      bytes: csv(QUICKBOOKS_COLUMNS, data.rows.map(quickBooksRecord)),
    },
    {
      filename: `${stem}.csv`,
      title: `Invoices · ${data.periods}`,
      bytes: csv(OWN_COLUMNS, data.rows.map(ownRecord)),
    },
  ];
}

/** A line as billed: its time rounded up by the customer's increment, which its amount prices. */
function billed(r: InvoiceExportRow): { minutes: number | null; rate: number | null; amount: number } {
  return { minutes: r.roundedMinutes ?? r.minutes, rate: r.rate, amount: r.amount };
}

function xeroRecord(r: InvoiceExportRow, data: InvoiceExport): string[] {
  const { quantity, unitAmount } = accountingQuantity(billed(r), r.currency);
  return [
    r.customerName,
    r.billingEmail,
    r.address.split('\n').filter(Boolean).join(', '),
    '',
    '',
    '',
    r.number,
    `${r.customerCode} ${r.period}`,
    dayMonthYear(r.issuedOn),
    dayMonthYear(r.dueOn),
    lineDescription(r),
    quantity,
    unitAmount,
    data.accountCode,
    data.taxType,
    r.currency,
  ];
}

function quickBooksRecord(r: InvoiceExportRow): string[] {
  const { quantity, unitAmount } = accountingQuantity(billed(r), r.currency);
  return [
    r.number,
    r.customerName,
    monthDayYear(r.issuedOn),
    monthDayYear(r.dueOn),
    r.paymentTermsDays === 0 ? 'Due on receipt' : `Net ${r.paymentTermsDays}`,
    `${r.customerCode} ${r.period}`,
    QUICKBOOKS_ITEM,
    lineDescription(r),
    quantity,
    unitAmount,
    formatAmount(r.amount, r.currency),
    r.workDate ? monthDayYear(r.workDate) : monthDayYear(r.issuedOn),
  ];
}

function ownRecord(r: InvoiceExportRow): string[] {
  return [
    r.number,
    r.status,
    r.customerCode,
    r.issuedOn,
    r.dueOn,
    r.entryId === null ? '' : String(r.entryId),
    r.workDate ?? '',
    r.projectCode ?? '',
    r.consultant ?? '',
    r.description,
    r.minutes === null ? '' : String(r.minutes),
    r.roundedMinutes === null ? '' : String(r.roundedMinutes),
    r.rate === null ? '' : formatAmount(r.rate, r.currency),
    formatAmount(r.amount, r.currency),
    r.currency,
  ];
}

/** "2026-11-03 · Alice Doe · ACME-WEB: Design review", so a line bought as one unit still says what it was. */
function lineDescription(r: InvoiceExportRow): string {
  if (!r.workDate) return r.description;
  return `${r.workDate} · ${r.consultant ?? ''} · ${r.projectCode ?? ''}: ${r.description}`;
}

function dayMonthYear(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

function monthDayYear(iso: string): string {
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
}

function csv(columns: readonly string[], records: string[][]): Buffer {
  return Buffer.from(
    stringify(records, {
      bom: true,
      header: true,
      columns: [...columns],
      record_delimiter: 'windows',
      escape_formulas: true,
    }),
  );
}
