import type { KnownBlock, ModalView } from '@slack/types';
import type { ScheduledJobsView } from '../src/services/scheduled-jobs.js';
import { ids } from './ids.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

const stamp = (date: Date | null) => (date ? date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '–');

/** /admin > Scheduled jobs: each job, its settings and Run now; then the last runs; `notice` says what Run now did. */
export function scheduledJobsModal(view: ScheduledJobsView, notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(notice), 3000) } });
  for (const job of view.jobs) {
    const settings = job.settings.length
      ? job.settings.map((s) => `${escapeMrkdwn(s.label)}: ${escapeMrkdwn(s.value)}`).join(' · ')
      : 'no settings';
    blocks.push({
      type: 'section',
      block_id: `job_${job.name}`,
      text: {
        type: 'mrkdwn',
        text: truncate(`*${escapeMrkdwn(job.name)}* — ${escapeMrkdwn(job.description)}\n_${settings}_`, 3000),
      },
      accessory: {
        type: 'button',
        action_id: ids.admin.runJobNow,
        text: { type: 'plain_text', text: 'Run now' },
        value: job.name,
      },
    });
  }
  blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: '*Last runs*' } });
  if (view.runs.length === 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'No runs yet.' }] });
  for (const run of view.runs) {
    const said = run.error ? `error: ${run.error}` : (run.result ?? (run.finishedAt ? '' : 'running'));
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: truncate(
            `*${escapeMrkdwn(run.job)}* \`${escapeMrkdwn(run.slot)}\` · started ${stamp(run.startedAt)} · finished ${stamp(run.finishedAt)} · ${escapeMrkdwn(said)}`,
            3000,
          ),
        },
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: ids.admin.jobsModal,
    title: { type: 'plain_text', text: 'Scheduled jobs' },
    close: { type: 'plain_text', text: 'Close' },
    blocks,
  };
}
