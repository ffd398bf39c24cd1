/**
 * The render thread: receives a report's rows page by page, writes the CSV as they come and
 * lays out the PDF at the end, off the event loop that answers Slack.
 */
import { parentPort } from 'node:worker_threads';
import { stringify } from 'csv-stringify/sync';
import { printableText } from './fonts.js';
import { drawTablePdf } from './detail-pdf.js';
import { type Line, reportLayout, type ReportLayout, tableItems } from './report-layout.js';
import type { FromRenderWorker, ToRenderWorker } from './render-messages.js';
import { layOutTablePdf } from './summary-pdf.js';
import { lowerCallingThreadPriority, RENDER_THREAD_NICENESS } from './thread-priority.js';

type Job = {
  start: Extract<ToRenderWorker, { type: 'start' }>;
  layout: ReportLayout;
  csv: Buffer[];
  lines: Line[];
  rows: number;
  /** The CSV's BOM and header are written, with the first page (which may have come back empty). */
  headed: boolean;
};

lowerCallingThreadPriority(RENDER_THREAD_NICENESS);
const port = parentPort!;
const jobs = new Map<number, Job>();
const printable = printableText();

port.on('message', (message: ToRenderWorker) => {
  try {
    handle(message);
  } catch (error) {
    fail(message.jobId, error);
  }
});

function handle(message: ToRenderWorker): void {
  switch (message.type) {
    case 'start':
      jobs.set(message.jobId, {
        start: message,
        layout: reportLayout(message.kind, message.level),
        csv: [],
        lines: [],
        rows: 0,
        headed: false,
      });
      return;
    case 'rows': {
      const job = jobs.get(message.jobId);
      if (!job) return;
      const first = !job.headed;
      job.headed = true;
      job.csv.push(
        Buffer.from(
          stringify(
            message.rows.map((row) => job.layout.csvRecord(row)),
            {
              bom: first,
              header: first,
              columns: job.layout.csvHeader,
              record_delimiter: 'windows',
              escape_formulas: true,
            },
          ),
        ),
      );
      if (job.start.withPdf) for (const row of message.rows) job.lines.push(job.layout.line(row));
      job.rows += message.rows.length;
      return;
    }
    case 'end': {
      const job = jobs.get(message.jobId);
      if (!job) return;
      jobs.delete(message.jobId);
      finish(job).catch((error: unknown) => fail(message.jobId, error));
      return;
    }
    case 'abort':
      jobs.delete(message.jobId);
      return;
  }
}

async function finish(job: Job): Promise<void> {
  const { start } = job;
  let pdf: Buffer | null = null;
  if (start.withPdf) {
    const items = [...tableItems(job.lines)];
    job.lines = [];
    const render = start.level === 'summary' ? layOutTablePdf : drawTablePdf;
    pdf = await render(start.heading, job.layout.columns, items, printable);
  }
  const csv = Buffer.concat(job.csv);
  const answer: FromRenderWorker = {
    type: 'rendered',
    jobId: start.jobId,
    pdf: pdf ? toArrayBuffer(pdf) : null,
    csv: toArrayBuffer(csv),
    rows: job.rows,
  };
  port.postMessage(answer, [answer.csv, ...(answer.pdf ? [answer.pdf] : [])]);
}

function fail(jobId: number, error: unknown): void {
  jobs.delete(jobId);
  const answer: FromRenderWorker = {
    type: 'failed',
    jobId,
    message: error instanceof Error ? error.message : String(error),
  };
  port.postMessage(answer);
}

/** A Buffer's own bytes, so they can be moved to the main thread without a copy. */
function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
