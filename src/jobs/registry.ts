import { approvalNudgeJob } from './approval-nudge.js';
import type { Job } from './job.js';
import { periodReminderJob } from './period-reminder.js';

/** Every scheduled job; a new one is one file exporting a `Job`, added here. */
export const JOBS: readonly Job[] = [periodReminderJob, approvalNudgeJob];
