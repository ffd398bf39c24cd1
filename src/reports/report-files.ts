/** Reads a prepared report's rows and renders its PDF and CSV on the render threads. */
import type { Failure } from '../domain/result.js';
import type { ServiceContext } from '../services/context.js';
import { planDetail, ReportDataError, reportDetailPages, type ReportSpec, reportSummary } from '../services/reports.js';
import { reportHeading, reportName } from './report-heading.js';
import type { ReportRow } from './report-layout.js';
import { RendererBusy, type ReportRenderer } from './render-pool.js';

export type ReportFile = { filename: string; title: string; bytes: Buffer };

export type BuiltReport =
  | { ok: true; files: ReportFile[]; rows: number; pdfLeftOut: { rows: number; limit: number } | undefined }
  | { ok: false; error: Failure };

export async function buildReportFiles(
  ctx: ServiceContext,
  spec: ReportSpec,
  renderer: ReportRenderer,
  options: { pdfRowLimit: number },
): Promise<BuiltReport> {
  const name = reportName(spec);
  const heading = reportHeading(spec);
  try {
    let rendered;
    let pdfLeftOut: { rows: number; limit: number } | undefined;
    if (spec.level === 'summary') {
      const rows: ReportRow[] = await reportSummary(ctx, spec);
      if (rows.length === 0) return nothingMatches(spec);
      rendered = await renderer.render({ kind: spec.kind, level: spec.level, heading, withPdf: true }, [rows]);
    } else {
      const plan = await planDetail(ctx, spec);
      if (plan.rows === 0) return nothingMatches(spec);
      if (plan.rows > options.pdfRowLimit) pdfLeftOut = { rows: plan.rows, limit: options.pdfRowLimit };
      rendered = await renderer.render(
        { kind: spec.kind, level: spec.level, heading, withPdf: pdfLeftOut === undefined },
        reportDetailPages(ctx, spec, plan),
      );
    }
    const stem = fileStem(spec);
    const files: ReportFile[] = [];
    if (rendered.pdf)
      files.push({ filename: `${stem}.pdf`, title: `${heading.title} · ${heading.periods}`, bytes: rendered.pdf });
    files.push({ filename: `${stem}.csv`, title: `${heading.title} · ${heading.periods} (CSV)`, bytes: rendered.csv });
    return { ok: true, files, rows: rendered.rows, pdfLeftOut };
  } catch (error) {
    if (error instanceof ReportDataError) return { ok: false, error: error.failure };
    if (error instanceof RendererBusy)
      return {
        ok: false,
        error: {
          code: 'busy',
          message: `Too many reports are being built right now, so the ${name} was not started. Try again in a minute.`,
        },
      };
    throw error;
  }
}

/** "ar-detail-2026-11-01", or "ar-detail-2026-10-01-to-2026-11-16" for several periods. */
export function fileStem(spec: Pick<ReportSpec, 'kind' | 'level' | 'periods'>): string {
  const first = spec.periods[0]!.startsOn;
  const last = spec.periods.at(-1)!.startsOn;
  return `${spec.kind}-${spec.level}-${first}${last === first ? '' : `-to-${last}`}`;
}

function nothingMatches(spec: ReportSpec): BuiltReport {
  const time = spec.kind === 'ar' ? 'approved billable time' : 'approved time';
  const filtered = spec.customers.length || spec.projects.length || spec.consultants.length;
  return {
    ok: false,
    error: {
      code: 'nothing_matches',
      message: `No ${time} matches the ${reportName(spec)} for ${reportHeading(spec).periods}${filtered ? ' with those filters' : ''}, so nothing was posted.`,
    },
  };
}
