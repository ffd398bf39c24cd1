import type { ReportKind, ReportLevel } from '../domain/report-request.js';
import type { ReportHeading } from './report-heading.js';
import type { ReportRow } from './report-layout.js';

/** What the main thread and a render worker say to each other. */
export type ToRenderWorker =
  | { type: 'start'; jobId: number; kind: ReportKind; level: ReportLevel; heading: ReportHeading; withPdf: boolean }
  | { type: 'rows'; jobId: number; rows: ReportRow[] }
  | { type: 'end'; jobId: number }
  | { type: 'abort'; jobId: number };

export type FromRenderWorker =
  | { type: 'rendered'; jobId: number; pdf: ArrayBuffer | null; csv: ArrayBuffer; rows: number }
  | { type: 'failed'; jobId: number; message: string };
