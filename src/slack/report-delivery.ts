/**
 * Builds a prepared report after Slack has been answered and posts its PDF and CSV in one
 * message: to the conversation asked for (joining a public channel first), else to the asker's
 * DM. Whatever happens, the asker is told.
 */
import type { WebClient } from '@slack/web-api';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { buildReportFiles, type ReportFile } from '../reports/report-files.js';
import { filterLines, reportName } from '../reports/report-heading.js';
import type { ReportRenderer } from '../reports/render-pool.js';
import { describePeriods } from '../domain/report-periods.js';
import type { ServiceContext } from '../services/context.js';
import type { ReportSpec } from '../services/reports.js';
import type { Failure } from '../domain/result.js';

export type Reporting = {
  renderer: ReportRenderer;
  pdfRowLimit: number;
  /** Where the Reports form posts by default. */
  financeChannel: string | undefined;
};

/** Slack's answers that mean "the app cannot post there", as opposed to an outage. */
const CANNOT_POST_THERE = new Set([
  'not_in_channel',
  'channel_not_found',
  'access_denied',
  'is_archived',
  'restricted_action',
  'method_not_supported_for_channel_type',
]);

export type Delivery = {
  /** Where the asker wants it; undefined means their DM. */
  channelId: string | undefined;
  /** Tells the asker something only they see (ephemeral reply or DM). */
  tell: (text: string) => Promise<void>;
};

export async function deliverReport(
  ctx: ServiceContext,
  client: WebClient,
  reporting: Reporting,
  spec: ReportSpec,
  delivery: Delivery,
): Promise<void> {
  const what = `the ${reportName(spec)} for ${describePeriods(spec.periods)}`;
  await deliverFiles(ctx, client, { what, askerId: spec.askedBy.userId }, delivery, async () => {
    const built = await buildReportFiles(ctx, spec, reporting.renderer, { pdfRowLimit: reporting.pdfRowLimit });
    if (!built.ok) return built;
    return { ok: true, files: built.files, comment: reportComment(spec, built.pdfLeftOut) };
  });
}

/**
 * Builds files after Slack has been answered and posts them in one message where the asker wants
 * them (joining a public channel first), else in the asker's DM; whatever happens, the asker is
 * told. Reports, invoice exports and prepaid logs all go out this way.
 */
export async function deliverFiles(
  ctx: ServiceContext,
  client: WebClient,
  /** `what` names the files in a sentence ("the invoice export for Nov 2026"). */
  request: { what: string; askerId: string },
  delivery: Delivery,
  build: () => Promise<{ ok: true; files: ReportFile[]; comment: string } | { ok: false; error: Failure }>,
): Promise<void> {
  const { what: thing, askerId } = request;
  try {
    const built = await build();
    if (!built.ok) return await delivery.tell(built.error.message);
    await postFiles(ctx, client, built.files, built.comment, { ...delivery, what: thing, askerId });
  } catch (error) {
    ctx.log.error('file delivery failed', { what: thing, userId: askerId, error });
    const why = slackError(error) ?? (error instanceof Error ? error.message : String(error));
    await delivery
      .tell(`${upperFirst(thing)} could not be built or posted (${why}), so nothing was posted. Try again in a minute.`)
      .catch((failure: unknown) => ctx.log.warn('could not tell the asker that a delivery failed', { error: failure }));
  }
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Uploads files in one message to the conversation asked for (joining a public channel first),
 * else, or where the app cannot post, to the asker's DM; the asker is told where they went.
 */
export async function postFiles(
  ctx: ServiceContext,
  client: WebClient,
  files: ReportFile[],
  comment: string,
  delivery: Delivery & { what: string; askerId: string },
): Promise<void> {
  const askerDm = async () =>
    (await client.conversations.open({ users: delivery.askerId })).channel?.id ?? delivery.askerId;
  if (delivery.channelId === undefined) {
    await upload(client, await askerDm(), files, comment);
    return;
  }
  const channelId = delivery.channelId;
  if (channelId.startsWith('C')) await joinIfPublic(ctx, client, channelId);
  try {
    await upload(client, channelId, files, comment);
    await delivery.tell(`Posted ${delivery.what} (${files.map((f) => f.filename).join(' and ')}) in <#${channelId}>.`);
  } catch (error) {
    if (!CANNOT_POST_THERE.has(slackError(error) ?? '')) throw error;
    await upload(client, await askerDm(), files, `${comment}\n_I cannot post in <#${channelId}>, so it came here._`);
    await delivery.tell(
      `I cannot post in that conversation (a private channel I am not in, or a direct message between people), so I sent ${delivery.what} to you in a direct message from ConsulTracker.`,
    );
  }
}

/** Joining a public channel lets the app post there; a private one answers with an error we can ignore here. */
async function joinIfPublic(ctx: ServiceContext, client: WebClient, channelId: string): Promise<void> {
  try {
    await client.conversations.join({ channel: channelId });
  } catch (error) {
    ctx.log.info('could not join the channel; trying to post anyway', { channelId, error: slackError(error) });
  }
}

async function upload(client: WebClient, channelId: string, files: ReportFile[], comment: string): Promise<void> {
  await client.files.uploadV2({
    channel_id: channelId,
    initial_comment: comment,
    file_uploads: files.map((file) => ({ file: file.bytes, filename: file.filename, title: file.title })),
  });
}

/** The message that carries the files: which report, its periods and filters, and who asked. */
export function reportComment(spec: ReportSpec, pdfLeftOut: { rows: number; limit: number } | undefined): string {
  const filters = filterLines(spec).map((line) => escapeMrkdwn(line));
  const lines = [
    `*${reportName(spec)}* for ${describePeriods(spec.periods)}, asked for by <@${spec.askedBy.userId}>`,
    ...filters.map((line) => `> ${line}`),
  ];
  if (pdfLeftOut) lines.push(tooLongForPdf(reportName(spec), pdfLeftOut));
  return lines.join('\n');
}

function tooLongForPdf(name: string, leftOut: { rows: number; limit: number }): string {
  return `The ${name} has ${leftOut.rows.toLocaleString('en-US')} entries, more than the ${leftOut.limit.toLocaleString('en-US')} a PDF holds, so only the CSV (which has every entry) is attached.`;
}

export function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
