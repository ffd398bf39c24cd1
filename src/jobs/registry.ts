import { approvalNudgeJob } from './approval-nudge.js';
import { creditCheckJob } from './credit-check.js';
import { deadLettersJob } from './dead-letters.js';
import type { Job } from './job.js';
import { missingTimeNudgeJob } from './missing-time-nudge.js';
import { periodCloseJob } from './period-close.js';
import { periodReminderJob } from './period-reminder.js';

/** Every scheduled job; a new one is one file exporting a `Job`, added here. */
export const JOBS: readonly Job[] = [
  periodReminderJob,
  approvalNudgeJob,
  periodCloseJob,
  creditCheckJob,
  deadLettersJob,
  missingTimeNudgeJob,
];
