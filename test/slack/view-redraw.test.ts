/** A redraw Slack refuses: its outcome goes by DM, within what a message may hold. */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { redrawView } from '../../src/slack/view-redraw.js';
import { slackLimitViolations } from '../support/slack-limits.js';

function refusingClient(posted: Record<string, unknown>[]): WebClient {
  return {
    views: { update: () => Promise.reject(new Error('ratelimited')) },
    chat: { postMessage: (args: Record<string, unknown>) => Promise.resolve(void posted.push(args)) },
  } as unknown as WebClient;
}

describe('redrawView when Slack refuses the redraw', () => {
  it('sends a long notice as a DM that fits a section, escaped once', async () => {
    const posted: Record<string, unknown>[] = [];
    const notice = `missing_time_nudge ran now: ${Array.from({ length: 200 }, (_, i) => `U0${i} & co: nudged`).join('; ')}`;
    await redrawView(
      refusingClient(posted),
      silentLogger,
      { viewId: 'V1', view: { type: 'modal' }, what: 'scheduled jobs view' },
      { userId: 'U0ADMIN', notice },
    );
    expect(posted).toHaveLength(1);
    expect(slackLimitViolations('message', posted[0] as never)).toEqual([]);
    expect(String(posted[0]!.text)).toMatch(/^missing_time_nudge ran now: U00 &amp; co: nudged; /);
  });

  it('says nothing when the redraw carried no outcome (paging, a newer view)', async () => {
    const posted: Record<string, unknown>[] = [];
    await redrawView(
      refusingClient(posted),
      silentLogger,
      { viewId: 'V1', view: { type: 'modal' }, what: 'timesheet modal' },
      { userId: 'U01ALICE', notice: undefined },
    );
    expect(posted).toEqual([]);
  });
});
